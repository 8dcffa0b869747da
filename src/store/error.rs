//! The store's error: what data access can fail with, in words for the
//! log, never for a person (the service layer decides what a person reads).

use sea_orm::DbErr;

/// A failure of data access.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused the statement or could not be reached.
    #[error(transparent)]
    Database(#[from] DbErr),
    /// A stored value that does not decode into its domain type: the data
    /// was written by something other than this service, or by an older
    /// version with other rules. Named by table and id so that an operator
    /// can find the row; never replaced by a default.
    #[error("{table} {id}: the stored {column} cannot be decoded ({reason})")]
    Corrupt {
        /// The table holding the row.
        table: &'static str,
        /// The row's id.
        id: String,
        /// The column that does not decode.
        column: &'static str,
        /// Why it does not.
        reason: String,
    },
}

impl StoreError {
    /// A stored value that does not decode.
    pub fn corrupt(table: &'static str, id: impl ToString, column: &'static str, reason: impl ToString) -> Self {
        StoreError::Corrupt { table, id: id.to_string(), column, reason: reason.to_string() }
    }

    /// Whether a unique constraint refused the write (someone else wrote
    /// the same thing first).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(error) if is_unique_violation(error))
    }
}

/// Whether the database refused a write on a unique constraint.
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
