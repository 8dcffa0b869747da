//! The FINESS directory as loaded from the public extract, and the record
//! of each load.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};

use super::StoreError;
use super::entities::{finess_load, finess_site};
use crate::domain::Finess;

/// Rows written per statement: 17 values a row stays well under the
/// bound-parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const BATCH: usize = 1000;

/// Every site of the directory, by FINESS ET.
///
/// # Errors
/// When the query fails.
pub async fn all_sites(conn: &impl ConnectionTrait) -> Result<HashMap<String, finess_site::Model>, StoreError> {
    Ok(finess_site::Entity::find().all(conn).await?.into_iter().map(|s| (s.finess_et.clone(), s)).collect())
}

/// The open sites of a legal entity, in FINESS order.
///
/// # Errors
/// When the query fails.
pub async fn open_sites_of(
    conn: &impl ConnectionTrait,
    finess_ej: &Finess,
) -> Result<Vec<finess_site::Model>, StoreError> {
    Ok(finess_site::Entity::find()
        .filter(finess_site::Column::FinessEj.eq(finess_ej.as_str()))
        .filter(finess_site::Column::ClosedOn.is_null())
        .order_by_asc(finess_site::Column::FinessEt)
        .all(conn)
        .await?)
}

/// Writes sites, new or changed, in batches: a site already there is
/// replaced whole (its creation date kept).
///
/// # Errors
/// When a write fails.
pub async fn upsert_sites(txn: &DatabaseTransaction, sites: Vec<finess_site::ActiveModel>) -> Result<(), StoreError> {
    use finess_site::Column as C;
    let mut sites = sites.into_iter().peekable();
    while sites.peek().is_some() {
        let batch: Vec<_> = sites.by_ref().take(BATCH).collect();
        finess_site::Entity::insert_many(batch)
            .on_conflict(
                OnConflict::column(C::FinessEt)
                    .update_columns([
                        C::FinessEj,
                        C::ShortName,
                        C::LongName,
                        C::CategoryCode,
                        C::CategoryLabel,
                        C::Departement,
                        C::Commune,
                        C::CoordX,
                        C::CoordY,
                        C::CoordSource,
                        C::OpenedOn,
                        C::UpdatedOn,
                        C::ClosedOn,
                        C::ExtractDate,
                        C::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Closes sites on a date (they stay in the directory).
///
/// # Errors
/// When a write fails.
pub async fn close_sites(txn: &DatabaseTransaction, sites: &[String], on: NaiveDate) -> Result<(), StoreError> {
    for batch in sites.chunks(BATCH) {
        finess_site::Entity::update_many()
            .col_expr(finess_site::Column::ClosedOn, Expr::value(on))
            .col_expr(finess_site::Column::ExtractDate, Expr::value(on))
            .col_expr(finess_site::Column::UpdatedAt, Expr::value(super::now()))
            .filter(finess_site::Column::FinessEt.is_in(batch.iter().map(String::as_str)))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The load of a file, by its digest.
///
/// # Errors
/// When the query fails.
pub async fn load_of(conn: &impl ConnectionTrait, sha256: &str) -> Result<Option<finess_load::Model>, StoreError> {
    Ok(finess_load::Entity::find().filter(finess_load::Column::Sha256.eq(sha256)).one(conn).await?)
}

/// The load of the most recent extract.
///
/// # Errors
/// When the query fails.
pub async fn latest_load(conn: &impl ConnectionTrait) -> Result<Option<finess_load::Model>, StoreError> {
    Ok(finess_load::Entity::find()
        .order_by_desc(finess_load::Column::ExtractDate)
        .order_by_desc(finess_load::Column::Id)
        .one(conn)
        .await?)
}

/// Records a load.
///
/// # Errors
/// When the insert fails (a concurrent load of the same file included).
pub async fn record_load(
    txn: &DatabaseTransaction,
    load: finess_load::ActiveModel,
) -> Result<finess_load::Model, StoreError> {
    Ok(load.insert(txn).await?)
}
