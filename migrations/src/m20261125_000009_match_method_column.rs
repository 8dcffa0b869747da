//! The match method of an inventory row gets its own column.
//!
//! It used to ride in the row's `flags` (a JSON array of strings) as
//! `"match:alias"`, `"match:fuzzy"`…, so every reader had to pick it out
//! by prefix. `inventory_entries.match_method` now holds it (`NULL` when
//! no product was matched) and `flags` keeps the flags proper
//! (`low_confidence`, `vendor_mismatch`).
//!
//! Existing rows are moved with one `UPDATE` per distinct `flags` value
//! (there are a handful: the flags are drawn from a short list), both ways.

use std::collections::BTreeSet;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InventoryEntries {
    Table,
    MatchMethod,
}

/// How the method was written into `flags`.
const PREFIX: &str = "match:";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InventoryEntries::Table)
                    .add_column(ColumnDef::new(InventoryEntries::MatchMethod).string().null())
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let txn = manager.get_connection().begin().await?;
        for flags in distinct(&txn, "SELECT DISTINCT flags FROM inventory_entries").await? {
            let (kept, method) = split(&flags)?;
            let Some(method) = method else { continue };
            let sql = placeholders(backend, "UPDATE inventory_entries SET match_method = ?, flags = ? WHERE flags = ?");
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, [method.into(), kept.into(), flags.into()]))
                .await?;
        }
        txn.commit().await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let txn = manager.get_connection().begin().await?;
        let pairs = txn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT DISTINCT flags, match_method FROM inventory_entries WHERE match_method IS NOT NULL",
            ))
            .await?;
        for pair in pairs {
            let flags: String = pair.try_get("", "flags")?;
            let method: String = pair.try_get("", "match_method")?;
            let joined = join(&flags, &method)?;
            let sql =
                placeholders(backend, "UPDATE inventory_entries SET flags = ? WHERE flags = ? AND match_method = ?");
            txn.execute_raw(Statement::from_sql_and_values(backend, sql, [joined.into(), flags.into(), method.into()]))
                .await?;
        }
        txn.commit().await?;
        manager
            .alter_table(
                Table::alter().table(InventoryEntries::Table).drop_column(InventoryEntries::MatchMethod).to_owned(),
            )
            .await
    }
}

async fn distinct(txn: &impl ConnectionTrait, sql: &str) -> Result<BTreeSet<String>, DbErr> {
    let rows = txn.query_all_raw(Statement::from_string(txn.get_database_backend(), sql)).await?;
    rows.into_iter().map(|row| row.try_get::<String>("", "flags")).collect()
}

/// `["low_confidence","match:fuzzy"]` → (`["low_confidence"]`, `fuzzy`).
fn split(flags: &str) -> Result<(String, Option<String>), DbErr> {
    let list: Vec<String> = serde_json::from_str(flags)
        .map_err(|e| DbErr::Custom(format!("inventory_entries.flags {flags:?} unreadable: {e}")))?;
    let method = list.iter().find_map(|f| f.strip_prefix(PREFIX)).map(str::to_owned);
    let kept: Vec<&String> = list.iter().filter(|f| !f.starts_with(PREFIX)).collect();
    let kept = serde_json::to_string(&kept).map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok((kept, method))
}

/// The inverse of [`split`].
fn join(flags: &str, method: &str) -> Result<String, DbErr> {
    let mut list: Vec<String> = serde_json::from_str(flags)
        .map_err(|e| DbErr::Custom(format!("inventory_entries.flags {flags:?} unreadable: {e}")))?;
    list.push(format!("{PREFIX}{method}"));
    serde_json::to_string(&list).map_err(|e| DbErr::Custom(e.to_string()))
}

/// `?` placeholders, numbered on PostgreSQL.
fn placeholders(backend: DatabaseBackend, sql: &str) -> String {
    if backend != DatabaseBackend::Postgres {
        return sql.to_owned();
    }
    let mut numbered = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            numbered.push_str(&format!("${n}"));
        } else {
            numbered.push(c);
        }
    }
    numbered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_leaves_the_flags_and_comes_back() {
        let (kept, method) = split(r#"["low_confidence","match:fuzzy"]"#).unwrap_or_default();
        assert_eq!((kept.as_str(), method.as_deref()), (r#"["low_confidence"]"#, Some("fuzzy")));
        assert_eq!(join(&kept, "fuzzy").ok().as_deref(), Some(r#"["low_confidence","match:fuzzy"]"#));
        let (kept, method) = split("[]").unwrap_or_default();
        assert_eq!((kept.as_str(), method), ("[]", None));
        assert!(split("pas du JSON").is_err());
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        assert_eq!(placeholders(DatabaseBackend::Postgres, "a = ? AND b = ?"), "a = $1 AND b = $2");
        assert_eq!(placeholders(DatabaseBackend::Sqlite, "a = ?"), "a = ?");
    }
}
