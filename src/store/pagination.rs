//! Paginated listings with a stable order.

use crate::store::StoreError;
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, Select};

/// A page to read: its number, from 1, and its size. The HTTP layer bounds
/// both before they reach SQL (`http::pagination`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Page number, from 1.
    pub number: u64,
    /// Items per page.
    pub size: u64,
}

impl Page {
    /// Items before this page (bounded: the page number and size are).
    pub fn offset(&self) -> u64 {
        self.number.saturating_sub(1).saturating_mul(self.size)
    }
}

/// One page of a listing, as read.
#[derive(Debug, Clone)]
pub struct PageOf<T> {
    /// The items of this page, in the listing's stable order.
    pub items: Vec<T>,
    /// The page read.
    pub page: Page,
    /// Items over all pages.
    pub total_items: u64,
    /// Number of pages.
    pub total_pages: u64,
}

impl<T> PageOf<T> {
    /// Converts every item, keeping the page information.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            total_items: self.total_items,
            total_pages: self.total_pages,
        }
    }

    /// An empty listing.
    pub fn empty(page: Page) -> Self {
        PageOf { items: Vec::new(), page, total_items: 0, total_pages: 0 }
    }
}

/// Fetches one page of an ordered query.
///
/// # Errors
/// When the query fails.
pub async fn fetch_page<C, E, M>(conn: &C, select: Select<E>, page: Page) -> Result<PageOf<M>, StoreError>
where
    C: ConnectionTrait,
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
{
    let paginator = select.paginate(conn, page.size);
    let totals = paginator.num_items_and_pages().await?;
    let items = paginator.fetch_page(page.number.saturating_sub(1)).await?;
    Ok(PageOf { items, page, total_items: totals.number_of_items, total_pages: totals.number_of_pages })
}
