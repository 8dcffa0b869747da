//! The audit trail: every write records who, when, what, and a summary of
//! before and after, in the same transaction as the write.

use crate::store::StoreError;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use sea_orm::sea_query::{Expr, ExprTrait, Query};

use super::entities::{audit_event, ght};
use super::ghts::GhtReach;
use super::pagination::{Page, PageOf, fetch_page};
use crate::auth::Principal;
use crate::domain::GhtCode;

/// Who acts, and in which request.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The caller.
    pub principal: &'a Principal,
    /// The request id, when the action comes through the API.
    pub request_id: Option<&'a str>,
}

/// One audited change.
#[derive(Debug)]
pub struct Change<'a> {
    /// What was done, e.g. `ght.create`.
    pub action: &'a str,
    /// The kind of object, e.g. `ght`.
    pub object_type: &'a str,
    /// Its identifier.
    pub object_id: String,
    /// The GHT the object belongs to, so a DSI can read its own trail.
    pub ght_code: Option<GhtCode>,
    /// The object before the change (`None` for a creation).
    pub before: Option<serde_json::Value>,
    /// The object after the change (`None` for a deletion).
    pub after: Option<serde_json::Value>,
}

/// Serialises a value for the audit trail.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Records a change.
///
/// # Errors
/// When the insert fails (the caller's transaction then rolls back).
pub async fn record(conn: &impl ConnectionTrait, actor: Actor<'_>, change: Change<'_>) -> Result<(), StoreError> {
    Ok(audit_event::ActiveModel {
        occurred_at: Set(super::now()),
        actor_token_id: Set(actor.principal.token_id()),
        actor_user_id: Set(actor.principal.user_id()),
        actor: Set(actor.principal.label.clone()),
        action: Set(change.action.to_owned()),
        object_type: Set(change.object_type.to_owned()),
        object_id: Set(change.object_id),
        ght_code: Set(change.ght_code),
        before: Set(change.before),
        after: Set(change.after),
        request_id: Set(actor.request_id.map(str::to_owned)),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map(|_| ())?)
}

/// Filters of the audit listing.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only events by this actor (a token's label, a person, `cli:…`).
    pub actor: Option<String>,
    /// Only this action (`target.replace`) or family (`target.`, ending
    /// with a dot).
    pub action: Option<String>,
    /// Only events on this kind of object.
    pub object_type: Option<String>,
    /// Only events on this object.
    pub object_id: Option<String>,
    /// Only events at or after this instant.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events before this instant.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Audit events within reach, newest first: every event for
/// [`GhtReach::All`], else only those about a GHT within reach.
///
/// # Errors
/// When the query fails.
pub async fn list(
    conn: &impl ConnectionTrait,
    reach: &GhtReach,
    filter: AuditFilter,
    page: Page,
) -> Result<PageOf<audit_event::Model>, StoreError> {
    let mut select = audit_event::Entity::find().order_by_desc(audit_event::Column::Id);
    select = match reach {
        GhtReach::All => select,
        GhtReach::One(ght) => select.filter(audit_event::Column::GhtCode.eq(ght.as_str())),
        GhtReach::Region(region) => {
            let in_region = Query::select()
                .column(ght::Column::Code)
                .from(ght::Entity)
                .and_where(Expr::col(ght::Column::RegionCode).eq(region.as_str()))
                .to_owned();
            select.filter(audit_event::Column::GhtCode.in_subquery(in_region))
        }
        GhtReach::Nothing => return Ok(PageOf::empty(page)),
    };
    if let Some(actor) = filter.actor {
        select = select.filter(audit_event::Column::Actor.eq(actor));
    }
    if let Some(action) = filter.action {
        select = if action.ends_with('.') {
            select.filter(audit_event::Column::Action.starts_with(action))
        } else {
            select.filter(audit_event::Column::Action.eq(action))
        };
    }
    if let Some(object_type) = filter.object_type {
        select = select.filter(audit_event::Column::ObjectType.eq(object_type));
    }
    if let Some(object_id) = filter.object_id {
        select = select.filter(audit_event::Column::ObjectId.eq(object_id));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(until) = filter.until {
        select = select.filter(audit_event::Column::OccurredAt.lt(until));
    }
    fetch_page(conn, select, page).await
}
