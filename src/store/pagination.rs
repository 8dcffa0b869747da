//! Paginated listings with a stable order.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, Select};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Default number of items per page.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 200;

/// `?page=&page_size=` as sent by the client.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 50).
    pub page_size: Option<u64>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Page number, from 1.
    pub number: u64,
    /// Items per page.
    pub size: u64,
}

impl Page {
    /// Checks the client's page parameters.
    ///
    /// # Errors
    /// When the page is 0 or the size is outside 1..=200.
    pub fn from_params(params: PageParams) -> Result<Self, AppError> {
        let number = params.page.unwrap_or(1);
        let size = params.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if number == 0 {
            return Err(AppError::BadRequest("le paramètre page commence à 1".to_owned()));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(AppError::BadRequest(format!(
                "le paramètre page_size doit être compris entre 1 et {MAX_PAGE_SIZE}"
            )));
        }
        Ok(Page { number, size })
    }
}

/// One page of a listing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Paginated<T> {
    /// The items of this page, in the listing's stable order.
    pub items: Vec<T>,
    /// This page's number, from 1.
    pub page: u64,
    /// Items per page.
    pub page_size: u64,
    /// Items over all pages.
    pub total_items: u64,
    /// Number of pages.
    pub total_pages: u64,
}

impl<T> Paginated<T> {
    /// Converts every item, keeping the page information.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paginated<U> {
        Paginated {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            page_size: self.page_size,
            total_items: self.total_items,
            total_pages: self.total_pages,
        }
    }
}

/// Fetches one page of an ordered query.
///
/// # Errors
/// When the query fails.
pub async fn fetch_page<C, E, M>(conn: &C, select: Select<E>, page: Page) -> Result<Paginated<M>, DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
{
    let paginator = select.paginate(conn, page.size);
    let totals = paginator.num_items_and_pages().await?;
    let items = paginator.fetch_page(page.number - 1).await?;
    Ok(Paginated {
        items,
        page: page.number,
        page_size: page.size,
        total_items: totals.number_of_items,
        total_pages: totals.number_of_pages,
    })
}
