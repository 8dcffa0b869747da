//! Report message pages hold each distinct string once.
//!
//! A page used to be a JSON array of message objects, repeating the same
//! sheet, headers, codes and texts on every row. It becomes
//! `{"strings": [...], "messages": [[severity, code, sheet, row, column,
//! header, value, text], ...]}`, every field but the row an index into
//! `strings` (column, header and value may be null): about a fifth of the
//! bytes, which is what a large import waits for. Existing pages are
//! rewritten in place, both ways.

use std::collections::HashMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
use serde_json::{Map, Value as Json, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The fields of a message, in the order of an interned row.
const FIELDS: [&str; 8] = ["severity", "code", "sheet", "row", "column", "header", "value", "text"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite_pages(manager, intern).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rewrite_pages(manager, list).await
    }
}

async fn rewrite_pages(manager: &SchemaManager<'_>, convert: fn(Json) -> Result<Json, String>) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let txn = manager.get_connection().begin().await?;
    let pages = txn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT upload_id, first_position, content FROM upload_message_pages",
        ))
        .await?;
    let sql = if backend == DatabaseBackend::Postgres {
        "UPDATE upload_message_pages SET content = $1 WHERE upload_id = $2 AND first_position = $3"
    } else {
        "UPDATE upload_message_pages SET content = ? WHERE upload_id = ? AND first_position = ?"
    };
    for page in pages {
        let upload_id: i64 = page.try_get("", "upload_id")?;
        let first: i32 = page.try_get("", "first_position")?;
        let content: String = page.try_get("", "content")?;
        let unreadable = |e: String| DbErr::Custom(format!("message page {upload_id}/{first} unreadable: {e}"));
        let parsed: Json = serde_json::from_str(&content).map_err(|e| unreadable(e.to_string()))?;
        let converted = convert(parsed).map_err(unreadable)?.to_string();
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [converted.into(), upload_id.into(), first.into()],
        ))
        .await?;
    }
    txn.commit().await
}

/// A list of message objects → the interned form (an interned page is
/// left as it is).
fn intern(page: Json) -> Result<Json, String> {
    let Json::Array(messages) = page else {
        return Ok(page);
    };
    let mut strings: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(messages.len());
    for message in messages {
        let mut row = Vec::with_capacity(FIELDS.len());
        for field in FIELDS {
            let value = message.get(field).cloned().unwrap_or(Json::Null);
            row.push(match value {
                Json::String(text) => {
                    let next = strings.len();
                    let i = *index.entry(text.clone()).or_insert(next);
                    if i == next {
                        strings.push(text);
                    }
                    json!(i)
                }
                Json::Null | Json::Number(_) => value,
                other => return Err(format!("field {field} holds {other}")),
            });
        }
        rows.push(Json::Array(row));
    }
    Ok(json!({ "strings": strings, "messages": rows }))
}

/// The interned form → a list of message objects (a list is left as it is).
fn list(page: Json) -> Result<Json, String> {
    let Json::Object(mut page) = page else {
        return Ok(page);
    };
    let strings = page.remove("strings").unwrap_or(Json::Null);
    let Some(Json::Array(rows)) = page.remove("messages") else {
        return Err("no messages".to_owned());
    };
    let mut messages = Vec::with_capacity(rows.len());
    for row in rows {
        let mut message = Map::new();
        for (field, value) in FIELDS.iter().zip(row.as_array().ok_or("a message is not a row")?) {
            let value = match value.as_u64() {
                Some(number) if *field == "row" => json!(number),
                Some(i) => strings.get(i as usize).cloned().ok_or(format!("string {i} missing"))?,
                None => Json::Null,
            };
            message.insert((*field).to_owned(), value);
        }
        messages.push(Json::Object(message));
    }
    Ok(Json::Array(messages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_page_is_interned_and_listed_back_unchanged() {
        let listed = json!([
            {"severity": "warning", "code": "unknown_column", "sheet": "Inventaire", "row": 3, "column": "I", "header": "Couleur", "value": null, "text": "colonne non reconnue"},
            {"severity": "info", "code": "sheet_ignored", "sheet": "Notice", "row": null, "column": null, "header": null, "value": null, "text": "feuille ignorée"},
            {"severity": "warning", "code": "unknown_column", "sheet": "Inventaire", "row": 3, "column": "J", "header": "", "value": null, "text": "colonne non reconnue"}
        ]);
        let interned = intern(listed.clone()).unwrap_or_default();
        assert_eq!(interned["messages"][2], json!([0, 1, 2, 3, 10, 11, null, 5]));
        assert_eq!(interned["strings"].as_array().map(Vec::len), Some(12));
        assert_eq!(list(interned).ok(), Some(listed));
    }
}
