//! Serialisation of writes that must not interleave, by the database.

use crate::store::StoreError;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend};

/// What a write serialises on. Each key maps to a distinct advisory lock.
#[derive(Debug, Clone, Copy)]
pub enum LockKey<'a> {
    /// Schema migrations at start-up.
    Migrations,
    /// Seeding of the reference data at start-up.
    ReferenceSeed,
    /// A campaign's status (open/close) against uploads into it.
    Campaign(i32),
    /// Everything written for one GHT (uploads, targets, recomputation).
    Ght(&'a str),
    /// One établissement's memberships and inventories.
    Etablissement(&'a str),
    /// Creating a version of the indicator schema.
    IndicatorSchema,
    /// Loading the national referential (FINESS extract, GHT list).
    Referential,
}

impl LockKey<'_> {
    fn id(self) -> i64 {
        // FNV-1a, stable across releases and replicas (unlike the std hasher).
        let text = match self {
            LockKey::Migrations => "migrations".to_owned(),
            LockKey::ReferenceSeed => "reference-seed".to_owned(),
            LockKey::Campaign(year) => format!("campaign:{year}"),
            LockKey::Ght(code) => format!("ght:{code}"),
            LockKey::Etablissement(finess) => format!("etablissement:{finess}"),
            LockKey::IndicatorSchema => "indicator-schema".to_owned(),
            LockKey::Referential => "referential".to_owned(),
        };
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in format!("convergence:{text}").bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        i64::from_ne_bytes(hash.to_ne_bytes())
    }
}

/// Holds `key` until the transaction ends. On PostgreSQL this is a
/// transaction-scoped advisory lock; on SQLite the write transaction is
/// already exclusive (`BEGIN IMMEDIATE`), so nothing more is needed.
///
/// # Errors
/// When the lock cannot be taken.
pub async fn serialise(txn: &DatabaseTransaction, key: LockKey<'_>) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        super::execute(txn, "SELECT pg_advisory_xact_lock($1)", vec![key.id().into()]).await?;
    }
    Ok(())
}
