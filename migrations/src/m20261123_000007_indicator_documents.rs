//! A run's values stored as two JSON documents on the run instead of one
//! row each.
//!
//! A national recomputation writes about 35,000 values per campaign; as
//! rows, each with its foreign key checked, that took 0.45 s per campaign on
//! PostgreSQL, more than computing them. Values are only ever read a run at
//! a time (a GHT's, or one établissement's within it) or GHT-level across
//! runs (regional and national views), so each run keeps its GHT-level
//! values and its établissements' values as two documents, each an array of
//! `{code, finess_ej, value, known_share, detail}` in computation order.
//! Existing values are moved into the documents, and back on `down`.

use std::collections::BTreeMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait, Value};
use serde_json::{Value as Json, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [IndicatorRuns::GhtValues, IndicatorRuns::EtablissementValues] {
            manager
                .alter_table(
                    Table::alter().table(IndicatorRuns::Table).add_column(text(column).default("[]")).to_owned(),
                )
                .await?;
        }
        move_rows_into_documents(manager).await?;
        manager.drop_table(Table::drop().table(IndicatorValues::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndicatorValues::Table)
                    .col(big_pk_auto(IndicatorValues::Id))
                    .col(integer(IndicatorValues::CampaignYear))
                    .col(string_len(IndicatorValues::GhtCode, 12))
                    .col(string_len_null(IndicatorValues::FinessEj, 9))
                    .col(string_len(IndicatorValues::Code, 80))
                    .col(double_null(IndicatorValues::Value))
                    .col(double_null(IndicatorValues::KnownShare))
                    .col(text(IndicatorValues::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorValues::Table, (IndicatorValues::CampaignYear, IndicatorValues::GhtCode))
                            .to(IndicatorRuns::Table, (IndicatorRuns::CampaignYear, IndicatorRuns::GhtCode))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_indicator_values_run")
                    .table(IndicatorValues::Table)
                    .col(IndicatorValues::CampaignYear)
                    .col(IndicatorValues::GhtCode)
                    .col(IndicatorValues::FinessEj)
                    .to_owned(),
            )
            .await?;
        move_documents_into_rows(manager).await?;
        for column in [IndicatorRuns::GhtValues, IndicatorRuns::EtablissementValues] {
            manager.alter_table(Table::alter().table(IndicatorRuns::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

/// `n` placeholders in the backend's syntax.
fn placeholders(backend: DatabaseBackend, n: usize) -> Vec<String> {
    (1..=n).map(|i| if backend == DatabaseBackend::Postgres { format!("${i}") } else { "?".to_owned() }).collect()
}

async fn move_rows_into_documents(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let txn = db.begin().await?;
    let rows = txn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT campaign_year, ght_code, finess_ej, code, value, known_share, detail FROM indicator_values \
             ORDER BY campaign_year, ght_code, id",
        ))
        .await?;
    // Per run: GHT-level values, établissements' values.
    let mut runs: BTreeMap<(i32, String), (Vec<Json>, Vec<Json>)> = BTreeMap::new();
    for row in rows {
        let year: i32 = row.try_get("", "campaign_year")?;
        let ght: String = row.try_get("", "ght_code")?;
        let finess: Option<String> = row.try_get("", "finess_ej")?;
        let detail: String = row.try_get("", "detail")?;
        let value = json!({
            "code": row.try_get::<String>("", "code")?,
            "finess_ej": finess,
            "value": row.try_get::<Option<f64>>("", "value")?,
            "known_share": row.try_get::<Option<f64>>("", "known_share")?,
            "detail": serde_json::from_str::<Json>(&detail).unwrap_or(Json::Null),
        });
        let run = runs.entry((year, ght)).or_default();
        if finess.is_some() { run.1.push(value) } else { run.0.push(value) }
    }
    let slots = placeholders(backend, 4);
    let sql = format!(
        "UPDATE indicator_runs SET ght_values = {}, etablissement_values = {} WHERE campaign_year = {} AND ght_code = {}",
        slots[0], slots[1], slots[2], slots[3]
    );
    for ((year, ght), (ght_values, etablissement_values)) in runs {
        let values: Vec<Value> = vec![
            Json::Array(ght_values).to_string().into(),
            Json::Array(etablissement_values).to_string().into(),
            year.into(),
            ght.into(),
        ];
        txn.execute_raw(Statement::from_sql_and_values(backend, &sql, values)).await?;
    }
    txn.commit().await
}

async fn move_documents_into_rows(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let txn = db.begin().await?;
    let runs = txn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT campaign_year, ght_code, ght_values, etablissement_values FROM indicator_runs \
             ORDER BY campaign_year, ght_code",
        ))
        .await?;
    let sql = format!(
        "INSERT INTO indicator_values (campaign_year, ght_code, finess_ej, code, value, known_share, detail) \
         VALUES ({})",
        placeholders(backend, 7).join(", ")
    );
    for run in runs {
        let year: i32 = run.try_get("", "campaign_year")?;
        let ght: String = run.try_get("", "ght_code")?;
        for column in ["ght_values", "etablissement_values"] {
            let document: String = run.try_get("", column)?;
            let values: Vec<Json> = serde_json::from_str(&document)
                .map_err(|e| DbErr::Custom(format!("indicator values of {ght} {year} unreadable: {e}")))?;
            for value in values {
                let row: Vec<Value> = vec![
                    year.into(),
                    ght.clone().into(),
                    value["finess_ej"].as_str().map(str::to_owned).into(),
                    value["code"].as_str().unwrap_or_default().to_owned().into(),
                    value["value"].as_f64().into(),
                    value["known_share"].as_f64().into(),
                    value["detail"].to_string().into(),
                ];
                txn.execute_raw(Statement::from_sql_and_values(backend, &sql, row)).await?;
            }
        }
    }
    txn.commit().await
}

#[derive(DeriveIden)]
enum IndicatorRuns {
    Table,
    CampaignYear,
    GhtCode,
    GhtValues,
    EtablissementValues,
}

#[derive(DeriveIden)]
enum IndicatorValues {
    Table,
    Id,
    CampaignYear,
    GhtCode,
    FinessEj,
    Code,
    Value,
    KnownShare,
    Detail,
}
