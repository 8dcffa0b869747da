//! The indicator schema: its versions and their definitions.

use super::*;
use crate::store::StoreError;

/// Seeds schema version 1 when there is none.
///
/// # Errors
/// When a write fails or the embedded schema is malformed.
pub async fn seed_schema(txn: &DatabaseTransaction) -> Result<usize, StoreError> {
    if indicator_schema_version::Entity::find().one(txn).await?.is_some() {
        return Ok(0);
    }
    let definitions = indicator_schema().map_err(|e| DbErr::Custom(format!("embedded indicator schema: {e}")))?;
    indicator_schema_version::ActiveModel {
        version: Set(1),
        created_at: Set(now()),
        created_by: Set("référence DOMAIN §7".to_owned()),
        comment: Set(Some("schéma initial".to_owned())),
    }
    .insert(txn)
    .await?;
    let count = definitions.len();
    insert_definitions(txn, 1, &definitions).await?;
    Ok(count)
}

async fn insert_definitions(
    txn: &DatabaseTransaction,
    version: i32,
    definitions: &[IndicatorDefinition],
) -> Result<(), StoreError> {
    let models: Vec<indicator_definition::ActiveModel> = definitions
        .iter()
        .map(|d| indicator_definition::ActiveModel {
            schema_version: Set(version),
            code: Set(d.code.clone()),
            per_subdomain: Set(d.per_subdomain),
            label: Set(d.label.clone()),
            definition: Set(d.definition.clone()),
            unit: Set(d.unit.clone()),
            scopes: Set(d.scopes.join("|")),
            kind: Set(d.kind.clone()),
            better: Set(d.better.clone()),
            milestone: Set(d.milestone),
            ..Default::default()
        })
        .collect();
    if !models.is_empty() {
        indicator_definition::Entity::insert_many(models).exec(txn).await?;
    }
    Ok(())
}

/// The schema in force as last read, and when.
#[derive(Debug, Clone)]
pub struct CachedSchema {
    read_at: std::time::Instant,
    version: i32,
    definitions: std::sync::Arc<Vec<IndicatorDefinition>>,
}

/// How long a replica reads the schema from memory before the database
/// again. A version is never changed once written: a replica that did not
/// write a new version sees it at most this late.
const SCHEMA_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl crate::store::Db {
    /// The schema in force, for reads: from memory when read less than two
    /// seconds ago (every indicator read needs it, and two queries a read
    /// were a third of a read's database round trips).
    ///
    /// # Errors
    /// When the query fails.
    pub async fn indicator_schema(&self) -> Result<(i32, Vec<IndicatorDefinition>), StoreError> {
        let cached = self.schema.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some(cached) = cached.filter(|c| c.read_at.elapsed() < SCHEMA_FRESH_FOR) {
            return Ok((cached.version, cached.definitions.as_ref().clone()));
        }
        let (version, definitions) = current_schema(self.reader()).await?;
        let fresh =
            CachedSchema { read_at: std::time::Instant::now(), version, definitions: definitions.clone().into() };
        *self.schema.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(fresh);
        Ok((version, definitions))
    }

    /// Forgets the schema read, after this replica wrote a new version.
    pub fn forget_indicator_schema(&self) {
        *self.schema.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// The schema in force: its version and definitions, by code.
///
/// # Errors
/// When the query fails.
pub async fn current_schema(conn: &impl ConnectionTrait) -> Result<(i32, Vec<IndicatorDefinition>), StoreError> {
    let version = indicator_schema_version::Entity::find()
        .order_by_desc(indicator_schema_version::Column::Version)
        .one(conn)
        .await?
        .map_or(0, |v| v.version);
    let definitions = indicator_definition::Entity::find()
        .filter(indicator_definition::Column::SchemaVersion.eq(version))
        .order_by_asc(indicator_definition::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|d| IndicatorDefinition {
            code: d.code,
            per_subdomain: d.per_subdomain,
            label: d.label,
            definition: d.definition,
            unit: d.unit,
            scopes: d.scopes.split('|').map(str::to_owned).collect(),
            kind: d.kind,
            better: d.better,
            milestone: d.milestone,
        })
        .collect();
    Ok((version, definitions))
}

/// Changes to the indicator schema, as a new version.
#[derive(Debug, Clone, Default)]
pub struct SchemaChange {
    /// Why this change was made (shown in the trail).
    pub comment: Option<String>,
    /// Indicators added.
    pub add: Vec<IndicatorDefinition>,
    /// Codes retired.
    pub retire: Vec<String>,
}

/// Records the next schema version with its definitions, audited. The
/// caller builds and checks the definitions, under the schema's lock.
///
/// # Errors
/// When a write fails.
pub async fn insert_schema_version(
    txn: &DatabaseTransaction,
    actor: crate::store::audit::Actor<'_>,
    version: i32,
    definitions: &[IndicatorDefinition],
    change: &SchemaChange,
) -> Result<(), StoreError> {
    indicator_schema_version::ActiveModel {
        version: Set(version),
        created_at: Set(now()),
        created_by: Set(actor.principal.label.clone()),
        comment: Set(change.comment.clone()),
    }
    .insert(txn)
    .await?;
    insert_definitions(txn, version, definitions).await?;
    crate::store::audit::record(
        txn,
        actor,
        crate::store::audit::Change {
            action: "indicator_schema.create",
            object_type: "indicator_schema",
            object_id: version.to_string(),
            ght_code: None,
            before: Some(serde_json::json!({ "version": version - 1 })),
            after: Some(serde_json::json!({
                "version": version, "added": change.add.iter().map(|d| &d.code).collect::<Vec<_>>(),
                "retired": change.retire, "comment": change.comment,
            })),
        },
    )
    .await
}
