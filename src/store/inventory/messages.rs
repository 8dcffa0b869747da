//! An upload's report: its counts, and its messages stored page by page.

use super::*;
use crate::store::StoreError;

/// Writes a batch of an upload's report messages, numbered from `first`, as
/// one page (see [`upload_message_page`]): one insert instead of one per
/// message.
///
/// # Errors
/// When the insert fails.
pub async fn insert_messages(
    txn: &DatabaseTransaction,
    upload_id: i64,
    first: usize,
    page: EncodedPage,
) -> Result<(), StoreError> {
    if page.len == 0 {
        return Ok(());
    }
    let count = |n: u32| i32::try_from(n).map_err(|e| DbErr::Custom(e.to_string()));
    upload_message_page::ActiveModel {
        upload_id: Set(upload_id),
        first_position: Set(i32::try_from(first).map_err(|e| DbErr::Custom(e.to_string()))?),
        errors: Set(count(page.errors)?),
        warnings: Set(count(page.warnings)?),
        infos: Set(count(page.infos)?),
        content: Set(page.content),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// An upload's report messages in report order, optionally of one
/// severity, one page at a time. The pages' counts say which stored pages
/// hold the requested one; only those are read.
///
/// # Errors
/// When the query fails or a stored page is unreadable.
pub async fn messages(
    conn: &impl ConnectionTrait,
    upload: &inventory_upload::Model,
    severity: Option<Severity>,
    page: Page,
) -> Result<PageOf<Message>, StoreError> {
    use upload_message_page::Column;
    let stored: Vec<(i32, i32, i32, i32)> = upload_message_page::Entity::find()
        .select_only()
        .columns([Column::FirstPosition, Column::Errors, Column::Warnings, Column::Infos])
        .filter(Column::UploadId.eq(upload.id))
        .order_by_asc(Column::FirstPosition)
        .into_tuple()
        .all(conn)
        .await?;
    let count = |&(_, errors, warnings, infos): &(i32, i32, i32, i32)| -> u64 {
        let n = match severity {
            None => errors + warnings + infos,
            Some(Severity::Error) => errors,
            Some(Severity::Warning) => warnings,
            Some(Severity::Info) => infos,
        };
        u64::try_from(n).unwrap_or(0)
    };
    let total: u64 = stored.iter().map(count).sum();
    let size = Ord::max(page.size, 1);
    let start = (Ord::max(page.number, 1) - 1).saturating_mul(size);
    let end = start.saturating_add(size);
    let (mut wanted, mut skip, mut seen) = (Vec::new(), 0, 0u64);
    for entry in &stored {
        let n = count(entry);
        if n > 0 && seen + n > start && seen < end {
            if wanted.is_empty() {
                skip = start - seen;
            }
            wanted.push(entry.0);
        }
        seen += n;
    }
    let mut items = Vec::new();
    if !wanted.is_empty() {
        let pages = upload_message_page::Entity::find()
            .filter(Column::UploadId.eq(upload.id))
            .filter(Column::FirstPosition.is_in(wanted))
            .order_by_asc(Column::FirstPosition)
            .all(conn)
            .await?;
        for stored_page in pages {
            let messages = message_page::decode(&stored_page.content, &upload.file_name).map_err(DbErr::Json)?;
            items.extend(messages.into_iter().filter(|m| severity.is_none_or(|s| s == m.severity)));
        }
    }
    let items: Vec<Message> =
        items.into_iter().skip(usize::try_from(skip).unwrap_or(usize::MAX)).take(size as usize).collect();
    Ok(PageOf { items, page, total_items: total, total_pages: total.div_ceil(size) })
}

/// An upload's report as stored: its counts, without its messages (they
/// are rows of their own).
///
/// # Errors
/// When the stored report does not decode.
pub fn report_summary(upload: &inventory_upload::Model) -> Result<Report, StoreError> {
    serde_json::from_str(&upload.report).map_err(|e| StoreError::corrupt("inventory_uploads", upload.id, "report", e))
}

/// An upload's report: its counts, and its first messages inline.
///
/// # Errors
/// When the query fails or the stored report does not decode.
pub async fn report(conn: &impl ConnectionTrait, upload: &inventory_upload::Model) -> Result<Report, StoreError> {
    let mut report = report_summary(upload)?;
    let first = Page { number: 1, size: MESSAGES_INLINE as u64 };
    report.messages = messages(conn, upload, None, first).await?.items;
    Ok(report)
}

/// Every message of an upload (for its annotated copy).
///
/// # Errors
/// When the query fails.
pub async fn all_messages(
    conn: &impl ConnectionTrait,
    upload: &inventory_upload::Model,
) -> Result<Vec<Message>, StoreError> {
    let mut all = Vec::new();
    let mut number = 1;
    loop {
        let page = messages(conn, upload, None, Page { number, size: 5000 }).await?;
        let done = page.items.len() < 5000;
        all.extend(page.items);
        if done {
            return Ok(all);
        }
        number += 1;
    }
}
