//! `?page=&page_size=` and the envelope of every paginated answer.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::store::pagination::{Page, PageOf};

/// Default number of items per page.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 200;
/// Largest page number: far past any listing here, and small enough that
/// its offset (page × size) never overflows on its way to SQL.
pub const MAX_PAGE: u64 = 1_000_000;

/// `?page=&page_size=` as sent by the client.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 50).
    pub page_size: Option<u64>,
}

impl PageParams {
    /// The page asked for, bounded.
    ///
    /// # Errors
    /// `BadRequest` when the page is outside 1..=1,000,000 or the size
    /// outside 1..=200.
    pub fn page(self) -> Result<Page, AppError> {
        let number = self.page.unwrap_or(1);
        let size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE).contains(&number) {
            return Err(AppError::BadRequest(format!("le paramètre page doit être compris entre 1 et {MAX_PAGE}")));
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
    /// The envelope of a page read from the store, each item converted.
    pub fn of<M>(read: PageOf<M>, f: impl FnMut(M) -> T) -> Self {
        let items = read.items.into_iter().map(f).collect();
        Paginated::with_items(items, &read.page, read.total_items, read.total_pages)
    }

    /// The envelope of a page read from the store, each item converted by
    /// a conversion that may fail (a stored value that does not decode).
    ///
    /// # Errors
    /// The first item's conversion error.
    pub fn try_of<M, E>(read: PageOf<M>, f: impl FnMut(M) -> Result<T, E>) -> Result<Self, E> {
        let items = read.items.into_iter().map(f).collect::<Result<Vec<T>, E>>()?;
        Ok(Paginated::with_items(items, &read.page, read.total_items, read.total_pages))
    }

    fn with_items(items: Vec<T>, page: &Page, total_items: u64, total_pages: u64) -> Self {
        Paginated { items, page: page.number, page_size: page.size, total_items, total_pages }
    }
}
