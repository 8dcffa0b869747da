//! Spellings that state a situation, national or taught by a GHT: listed,
//! added, promoted and removed by the operator, each change audited.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, Set,
};

use super::StoreError;
use super::audit::{self, Actor, Change};
use super::entities::state_alias;
use crate::domain::{AliasScope, normalise_key};
use crate::normalise::sentinel::EntryState;

/// Every state alias, national first; `local_only`: those of the GHTs.
///
/// # Errors
/// When the query fails.
pub async fn list(conn: &impl ConnectionTrait, local_only: bool) -> Result<Vec<state_alias::Model>, StoreError> {
    let mut select = state_alias::Entity::find()
        .order_by_asc(state_alias::Column::Scope)
        .order_by_asc(state_alias::Column::NormalisedKey);
    if local_only {
        select = select.filter(state_alias::Column::Scope.ne(AliasScope::National.stored()));
    }
    Ok(select.all(conn).await?)
}

/// A state alias by id.
///
/// # Errors
/// When the query fails.
pub async fn find(conn: &impl ConnectionTrait, id: i64) -> Result<Option<state_alias::Model>, StoreError> {
    Ok(state_alias::Entity::find_by_id(id).one(conn).await?)
}

/// The national state alias of a key.
///
/// # Errors
/// When the query fails.
pub async fn national(conn: &impl ConnectionTrait, key: &str) -> Result<Option<state_alias::Model>, StoreError> {
    Ok(state_alias::Entity::find()
        .filter(state_alias::Column::NormalisedKey.eq(key))
        .filter(state_alias::Column::Scope.eq(AliasScope::National.stored()))
        .one(conn)
        .await?)
}

/// Adds a national state alias, and records it.
///
/// # Errors
/// When the write fails.
pub async fn insert_national(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    spelling: &str,
    state: EntryState,
) -> Result<state_alias::Model, StoreError> {
    let alias = state_alias::ActiveModel {
        alias: Set(spelling.trim().to_owned()),
        normalised_key: Set(normalise_key(spelling)),
        state: Set(state),
        scope: Set(AliasScope::National),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record(txn, actor, "state_alias.add", &alias, None).await?;
    Ok(alias)
}

/// Makes a GHT's state alias national, and records it.
///
/// # Errors
/// When the write fails.
pub async fn make_national(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    alias: state_alias::Model,
) -> Result<state_alias::Model, StoreError> {
    let before = Some(serde_json::json!({"scope": alias.scope.to_string()}));
    let mut model = alias.into_active_model();
    model.scope = Set(AliasScope::National);
    let promoted = model.update(txn).await?;
    record(txn, actor, "state_alias.promote", &promoted, before).await?;
    Ok(promoted)
}

/// Removes a state alias, and records it.
///
/// # Errors
/// When the write fails.
pub async fn remove(txn: &DatabaseTransaction, actor: Actor<'_>, alias: state_alias::Model) -> Result<(), StoreError> {
    let before = Some(
        serde_json::json!({"alias": alias.alias, "state": alias.state.as_str(), "scope": alias.scope.to_string()}),
    );
    let gone = alias.clone();
    alias.delete(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "state_alias.remove",
            object_type: "state_alias",
            object_id: gone.id.to_string(),
            ght_code: match &gone.scope {
                AliasScope::Ght(code) => Some(code.clone()),
                AliasScope::National => None,
            },
            before,
            after: None,
        },
    )
    .await?;
    Ok(())
}

async fn record(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    action: &str,
    alias: &state_alias::Model,
    before: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    audit::record(
        txn,
        actor,
        Change {
            action,
            object_type: "state_alias",
            object_id: alias.id.to_string(),
            ght_code: None,
            before,
            after: Some(serde_json::json!({
                "alias": alias.alias, "state": alias.state.as_str(), "scope": alias.scope.to_string(),
            })),
        },
    )
    .await
}
