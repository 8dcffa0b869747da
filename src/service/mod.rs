//! Services: one function per thing a user does, between the handlers and
//! the store.
//!
//! # Design
//! Every write takes one path: the **handler** parses the request into
//! domain types and calls one service function; the **service** decides
//! access ([`access`]), opens the write transaction ([`Write`]), takes the
//! database lock, checks its rules against what the transaction reads, and
//! calls the **store** (data access only); before it commits, [`Write`]
//! recomputes, once, the indicators of what the change touched
//! ([`recompute::Touched`]). Nothing is serialised in process memory: the
//! service runs on several replicas against one database.

pub mod access;
pub mod anchors;
pub mod audit;
pub mod catalogue;
pub mod dashboard;
pub mod deposits;
pub mod directory;
pub mod exports;
pub mod ght_list;
pub mod indicators;
pub mod inventory;
pub mod osis;
pub mod peers;
pub mod people;
pub mod recompute;
pub mod reference;
pub mod referential;
pub mod review;
pub mod sign_in;
pub mod targets;
pub mod tokens;

use sea_orm::DatabaseTransaction;

use crate::error::AppError;
use crate::store::Db;
use crate::store::audit::Actor;
use recompute::{Recomputed, Touched};

/// A write in progress: its transaction, who makes it, and what it
/// touched.
pub struct Write<'a> {
    txn: DatabaseTransaction,
    actor: Actor<'a>,
    touched: Touched,
    db: Db,
}

impl<'a> Write<'a> {
    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    ///
    /// # Errors
    /// When the database cannot start one.
    pub async fn begin(db: &Db, actor: Actor<'a>) -> Result<Self, AppError> {
        Ok(Write { txn: db.begin_write().await?, actor, touched: Touched::default(), db: db.clone() })
    }

    /// The transaction, for the store's functions.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Who writes, as the audit trail records it.
    pub fn actor(&self) -> Actor<'a> {
        self.actor
    }

    /// What the change moved, to be recomputed before commit.
    pub fn touched(&mut self) -> &mut Touched {
        &mut self.touched
    }

    /// Abandons the write: nothing it did is kept.
    ///
    /// # Errors
    /// When the database fails to roll back (it then drops the transaction).
    pub async fn rollback(self) -> Result<(), AppError> {
        Ok(self.txn.rollback().await?)
    }

    /// Recomputes what was touched, once, then commits.
    ///
    /// # Errors
    /// When the recomputation or the commit fails (nothing is written).
    pub async fn commit(self) -> Result<Vec<Recomputed>, AppError> {
        let recomputed = self.touched.recompute(&self.txn).await?;
        self.txn.commit().await?;
        // What this replica serves from memory may have moved with it.
        self.db.committed();
        Ok(recomputed)
    }
}
