//! The audit trail, as each caller may read it.

use super::access;
use crate::auth::Principal;
use crate::error::AppError;
use crate::store::Db;
use crate::store::audit::{self, AuditFilter};
use crate::store::entities::audit_event;
use crate::store::pagination::{Page, PageOf};

/// Audit events the caller may read, newest first: every event for the
/// operator and DGOS, its region's GHTs' for an ARS, its GHT's for a DSI.
///
/// # Errors
/// When the query fails.
pub async fn events(
    db: &Db,
    principal: &Principal,
    filter: AuditFilter,
    page: Page,
) -> Result<PageOf<audit_event::Model>, AppError> {
    Ok(audit::list(db.reader(), &access::ght_reach(principal), filter, page).await?)
}
