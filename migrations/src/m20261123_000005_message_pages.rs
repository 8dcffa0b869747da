//! Report messages stored by page instead of one row each.
//!
//! A 100k-row inventory easily carries 170k messages (an inferred
//! sub-domain, a recognised name…). Written one row each they cost more than
//! the inventory rows themselves; written as pages of up to 1,000 messages
//! (a JSON array, with the page's count per severity) they cost a few
//! inserts, and a page of the report — filtered by severity or not — is
//! still found without reading the others: the counts say which pages hold
//! it. Existing messages are moved into pages, in order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, TransactionTrait, Value};
use serde_json::{Map, Value as Json, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Messages per page when existing messages are moved.
const PAGE: usize = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UploadMessagePages::Table)
                    .col(big_integer(UploadMessagePages::UploadId))
                    .col(integer(UploadMessagePages::FirstPosition))
                    .col(integer(UploadMessagePages::Errors))
                    .col(integer(UploadMessagePages::Warnings))
                    .col(integer(UploadMessagePages::Infos))
                    .col(text(UploadMessagePages::Content))
                    .primary_key(
                        Index::create().col(UploadMessagePages::UploadId).col(UploadMessagePages::FirstPosition),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadMessagePages::Table, UploadMessagePages::UploadId)
                            .to(InventoryUploads::Table, InventoryUploads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        move_rows_into_pages(manager).await?;
        manager.drop_table(Table::drop().table(UploadMessages::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UploadMessages::Table)
                    .col(big_pk_auto(UploadMessages::Id))
                    .col(big_integer(UploadMessages::UploadId))
                    .col(integer(UploadMessages::Position))
                    .col(string_len(UploadMessages::Severity, 8))
                    .col(string_len(UploadMessages::Code, 40))
                    .col(string(UploadMessages::Sheet))
                    .col(integer_null(UploadMessages::RowNumber))
                    .col(string_len_null(UploadMessages::ColumnLetter, 4))
                    .col(text_null(UploadMessages::Header))
                    .col(text_null(UploadMessages::Value))
                    .col(text(UploadMessages::Text))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadMessages::Table, UploadMessages::UploadId)
                            .to(InventoryUploads::Table, InventoryUploads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_upload_messages_position")
                    .table(UploadMessages::Table)
                    .col(UploadMessages::UploadId)
                    .col(UploadMessages::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        move_pages_into_rows(manager).await?;
        manager.drop_table(Table::drop().table(UploadMessagePages::Table).to_owned()).await
    }
}

const FIELDS: [&str; 8] = ["severity", "code", "sheet", "row", "column", "header", "value", "text"];
const COLUMNS: [&str; 8] = ["severity", "code", "sheet", "row_number", "column_letter", "header", "value", "text"];

async fn move_rows_into_pages(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let txn = db.begin().await?;
    let rows = txn
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT upload_id, position, {} FROM upload_messages ORDER BY upload_id, position",
                COLUMNS.join(", ")
            ),
        ))
        .await?;
    let mut page: Vec<Json> = Vec::new();
    let mut current: Option<(i64, i32)> = None;
    for row in rows {
        let upload_id: i64 = row.try_get("", "upload_id")?;
        let position: i32 = row.try_get("", "position")?;
        let mut message = Map::new();
        for (field, column) in FIELDS.iter().zip(COLUMNS) {
            let value = if column == "row_number" {
                row.try_get::<Option<i32>>("", column)?.map_or(Json::Null, |r| json!(r))
            } else {
                row.try_get::<Option<String>>("", column)?.map_or(Json::Null, Json::String)
            };
            message.insert((*field).to_owned(), value);
        }
        let same_upload = current.is_some_and(|(id, _)| id == upload_id);
        if !same_upload || page.len() >= PAGE {
            if let Some((id, first)) = current.take() {
                insert_page(&txn, backend, id, first, std::mem::take(&mut page)).await?;
            }
            current = Some((upload_id, position));
        }
        page.push(Json::Object(message));
    }
    if let Some((id, first)) = current {
        insert_page(&txn, backend, id, first, page).await?;
    }
    txn.commit().await
}

async fn insert_page(
    txn: &impl ConnectionTrait,
    backend: sea_orm_migration::sea_orm::DatabaseBackend,
    upload_id: i64,
    first_position: i32,
    messages: Vec<Json>,
) -> Result<(), DbErr> {
    let count = |severity: &str| messages.iter().filter(|m| m["severity"] == severity).count() as i32;
    let (errors, warnings) = (count("error"), count("warning"));
    let infos = messages.len() as i32 - errors - warnings;
    let content = Json::Array(messages).to_string();
    let values: Vec<Value> =
        vec![upload_id.into(), first_position.into(), errors.into(), warnings.into(), infos.into(), content.into()];
    let sql = match backend {
        sea_orm_migration::sea_orm::DatabaseBackend::Postgres => {
            "INSERT INTO upload_message_pages (upload_id, first_position, errors, warnings, infos, content) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        }
        _ => {
            "INSERT INTO upload_message_pages (upload_id, first_position, errors, warnings, infos, content) \
             VALUES (?, ?, ?, ?, ?, ?)"
        }
    };
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

async fn move_pages_into_rows(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let txn = db.begin().await?;
    let pages = txn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT upload_id, first_position, content FROM upload_message_pages ORDER BY upload_id, first_position",
        ))
        .await?;
    let placeholders: Vec<String> = (1..=10)
        .map(|i| {
            if backend == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
                format!("${i}")
            } else {
                "?".to_owned()
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO upload_messages (upload_id, position, {}) VALUES ({})",
        COLUMNS.join(", "),
        placeholders.join(", ")
    );
    for page in pages {
        let upload_id: i64 = page.try_get("", "upload_id")?;
        let first: i32 = page.try_get("", "first_position")?;
        let content: String = page.try_get("", "content")?;
        let messages: Vec<Map<String, Json>> =
            serde_json::from_str(&content).map_err(|e| DbErr::Custom(format!("message page unreadable: {e}")))?;
        for (offset, message) in messages.iter().enumerate() {
            let mut values: Vec<Value> = vec![upload_id.into(), (first + offset as i32).into()];
            for field in FIELDS {
                let value = message.get(field).unwrap_or(&Json::Null);
                values.push(if field == "row" {
                    value.as_i64().map(|r| r as i32).into()
                } else {
                    value.as_str().map(str::to_owned).into()
                });
            }
            txn.execute_raw(Statement::from_sql_and_values(backend, &sql, values)).await?;
        }
    }
    txn.commit().await
}

#[derive(DeriveIden)]
enum UploadMessagePages {
    Table,
    UploadId,
    FirstPosition,
    Errors,
    Warnings,
    Infos,
    Content,
}

#[derive(DeriveIden)]
enum UploadMessages {
    Table,
    Id,
    UploadId,
    Position,
    Severity,
    Code,
    Sheet,
    RowNumber,
    ColumnLetter,
    Header,
    Value,
    Text,
}

#[derive(DeriveIden)]
enum InventoryUploads {
    Table,
    Id,
}
