//! A product's name is unique among the national catalogue and within one
//! GHT's proposals, no longer across every GHT's pending proposals.
//!
//! With one name unique over all products, a GHT that proposed a product
//! made the same proposal by another GHT answer « already exists »: the
//! second GHT learnt that the first had proposed it, before any approval.
//! Two unique partial indexes now hold the rule: the names of products
//! nobody proposed (`proposed_by_ght IS NULL`), and each GHT's proposals
//! among themselves. The operator merges duplicates at approval.
//!
//! SQLite cannot drop a column's UNIQUE constraint: the table is rebuilt
//! (new table, copy, drop, rename) with foreign keys off, as SQLite's
//! documentation prescribes; its rows and ids are kept as they are.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [&str; 2] = [
    "CREATE UNIQUE INDEX ux_products_name_national ON products (name) WHERE proposed_by_ght IS NULL",
    "CREATE UNIQUE INDEX ux_products_name_proposal ON products (name, proposed_by_ght) WHERE proposed_by_ght IS NOT NULL",
];

/// Rebuilds SQLite's `products` with its name column declared as `to`.
async fn rebuild_sqlite(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'products'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("table products not found".to_owned()))?;
    let sql: String = row.try_get("", "sql")?;
    if !sql.contains(from) {
        return Err(DbErr::Migration(format!("products: {from} not found in {sql}")));
    }
    let rebuilt = sql.replacen("\"products\"", "\"products_rebuilt\"", 1).replacen(from, to, 1);
    // One batch, so one connection: with foreign keys off on another
    // connection of a pool, dropping the table would cascade to the
    // aliases and former vendors of every product.
    let batch = format!(
        "PRAGMA foreign_keys = OFF;\n\
         {rebuilt};\n\
         INSERT INTO products_rebuilt SELECT * FROM products;\n\
         DROP TABLE products;\n\
         ALTER TABLE products_rebuilt RENAME TO products;\n\
         PRAGMA foreign_keys = ON;"
    );
    db.execute_unprepared(&batch).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                rebuild_sqlite(manager, "\"name\" varchar NOT NULL UNIQUE", "\"name\" varchar NOT NULL").await?;
            }
            _ => {
                db.execute_unprepared("ALTER TABLE products DROP CONSTRAINT IF EXISTS products_name_key").await?;
            }
        }
        for index in INDEXES {
            db.execute_unprepared(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for index in ["ux_products_name_national", "ux_products_name_proposal"] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}")).await?;
        }
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                rebuild_sqlite(manager, "\"name\" varchar NOT NULL", "\"name\" varchar NOT NULL UNIQUE").await
            }
            _ => db
                .execute_unprepared("ALTER TABLE products ADD CONSTRAINT products_name_key UNIQUE (name)")
                .await
                .map(|_| ()),
        }
    }
}
