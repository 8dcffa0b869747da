//! Database access: the connection handles, and small named functions that
//! take the connection or transaction explicitly.
//!
//! Writes that must not interleave are serialised by the database, never
//! only in process memory, because production runs several replicas on one
//! PostgreSQL: write transactions take `BEGIN IMMEDIATE` on SQLite (through
//! a single-writer pool, so writers queue instead of failing with
//! `SQLITE_BUSY`) and row or advisory locks on PostgreSQL (see [`lock`]).

pub mod answers;
pub mod audit;
pub mod campaigns;
pub mod catalogue;
pub mod catalogue_admin;
pub mod directory;
pub mod entities;
mod error;
pub mod etablissements;
pub mod ghts;
pub mod indicators;
pub mod inventory;
pub mod lock;
pub mod pagination;
pub mod people;
pub mod regions;
pub mod review;
pub mod seed;
pub mod sessions;
pub mod staged;
pub mod state_aliases;
pub mod submissions;
pub mod targets;
pub mod taxonomy;
pub mod tokens;

use std::time::Duration;

pub use error::{StoreError, is_unique_violation};

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};

/// How long an SQLite writer waits for another process's write (the CLI
/// while the service runs) before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often, on SQLite, the write-ahead log is copied into the database
/// file (a checkpoint).
const SQLITE_CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Page size of a new SQLite database.
const SQLITE_PAGE_SIZE: u32 = 8192;

/// The database, with a reader and a writer handle. On PostgreSQL both are
/// the same pool; on SQLite the writer is a pool of one connection, so
/// in-process writers queue, and readers never wait for them (WAL).
#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    /// The indicator schema in force, as last read (see
    /// [`Db::indicator_schema`]).
    schema: std::sync::Arc<std::sync::Mutex<Option<indicators::CachedSchema>>>,
    /// Regional and national values, as last gathered (see
    /// [`Db::peer_values`]).
    peers: std::sync::Arc<std::sync::Mutex<indicators::CachedPeers>>,
    /// GHT inventory listings, as last read (see [`Db::listing`]).
    listings: std::sync::Arc<std::sync::Mutex<inventory::CachedListings>>,
    /// Writes committed by this replica (see [`Db::commits`]).
    commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The SQLite checkpointer, stopped when the pools close.
    checkpointer: Option<tokio::task::AbortHandle>,
}

impl Db {
    /// Connects to the database named by the URL, creating the SQLite file
    /// and its directory when they do not exist.
    ///
    /// # Errors
    /// When the database cannot be reached or opened.
    pub async fn connect(url: &SecretString) -> Result<Self, StoreError> {
        let url = url.expose_secret();
        if url.starts_with("sqlite:") {
            create_sqlite_parent_dir(url)?;
            let read = Database::connect(sqlite_options(url, 8)).await?;
            let write = Database::connect(sqlite_options(url, 1)).await?;
            let checkpointer = Some(spawn_checkpointer(read.clone()));
            Ok(Db {
                read,
                write,
                checkpointer,
                schema: Default::default(),
                peers: Default::default(),
                commits: Default::default(),
                listings: Default::default(),
            })
        } else {
            let mut options = ConnectOptions::new(url.to_owned());
            options.max_connections(16).min_connections(1).acquire_timeout(Duration::from_secs(10)).sqlx_logging(false);
            let pool = Database::connect(options).await?;
            Ok(Db {
                read: pool.clone(),
                write: pool,
                checkpointer: None,
                schema: Default::default(),
                peers: Default::default(),
                commits: Default::default(),
                listings: Default::default(),
            })
        }
    }

    /// Applies pending migrations. Several replicas may start at once: on
    /// PostgreSQL an advisory lock makes them take turns.
    ///
    /// # Errors
    /// When a migration fails.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        if self.backend() == DbBackend::Postgres {
            // The lock is held by one pooled connection while another runs
            // the migrations; the next replica waits, then finds none to run.
            let guard = self.write.begin().await?;
            lock::serialise(&guard, lock::LockKey::Migrations).await?;
            Migrator::up(&self.write, None).await?;
            Ok(guard.commit().await?)
        } else {
            Ok(Migrator::up(&self.write, None).await?)
        }
    }

    /// The handle for reads.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.read
    }

    /// The handle for one statement written on its own, outside any
    /// transaction (on SQLite, through the single-writer pool, so it queues
    /// behind write transactions instead of failing).
    pub fn writer(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    ///
    /// # Errors
    /// When the database cannot start a transaction.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, StoreError> {
        let mut options = TransactionOptions::default();
        if self.backend() == DbBackend::Sqlite {
            options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
        }
        Ok(self.write.begin_with_options(options).await?)
    }

    /// SQLite or PostgreSQL.
    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    /// Checks that the database answers (for `/readyz`).
    ///
    /// # Errors
    /// When it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.read.ping().await?)
    }

    /// Closes both pools.
    ///
    /// # Errors
    /// When closing fails.
    pub async fn close(self) -> Result<(), StoreError> {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.abort();
        }
        self.read.close().await?;
        Ok(self.write.close().await?)
    }
}

/// Checkpoints SQLite's write-ahead log in the background.
///
/// By default the connection whose commit makes the log pass 1,000 pages
/// copies it into the database file before its commit returns: a 10,000-row
/// import waited some 20 ms of its 30 ms commit for that. Connections are
/// therefore opened without automatic checkpoints, and this task makes a
/// passive one every second (it copies what no reader still needs, without
/// blocking readers or the writer). The last connection to close makes a
/// final one.
fn spawn_checkpointer(read: DatabaseConnection) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SQLITE_CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = read.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(%error, "SQLite checkpoint failed");
            }
        }
    })
    .abort_handle()
}

fn sqlite_options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                // Checkpoints are made in the background (see `spawn_checkpointer`).
                .pragma("wal_autocheckpoint", "0")
                // Pages of 8 KiB (SQLite's default is 4): an import writes
                // half as many pages, each with its own write and checksum
                // in the log; storing 10,000 rows took some 20% less time.
                // It applies to a database as it is created.
                .page_size(SQLITE_PAGE_SIZE)
        });
    options
}

/// `sqlite://data/convergence.db?mode=rwc` → creates `data/`.
fn create_sqlite_parent_dir(url: &str) -> Result<(), StoreError> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => Ok(std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create database directory {}: {e}", dir.display())))?),
        _ => Ok(()),
    }
}

/// The current time, truncated to the microsecond so that values read back
/// from PostgreSQL equal what was written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// Runs a statement that returns nothing, on any connection.
///
/// # Errors
/// When the statement fails.
pub async fn execute(conn: &impl ConnectionTrait, sql: &str, values: Vec<sea_orm::Value>) -> Result<(), StoreError> {
    let statement = sea_orm::Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    conn.execute_raw(statement).await?;
    Ok(())
}

/// Appends `n` placeholders separated by commas, in the backend's syntax,
/// numbered from `first` (written in place: an import builds statements of
/// tens of thousands of them).
fn push_placeholders(sql: &mut String, first: usize, n: usize, backend: sea_orm::DatabaseBackend) {
    use std::fmt::Write;
    for i in first..first + n {
        if i > first {
            sql.push_str(", ");
        }
        match backend {
            sea_orm::DatabaseBackend::Postgres => {
                let _ = write!(sql, "${i}");
            }
            _ => sql.push('?'),
        }
    }
}

/// `n` placeholders separated by commas, in the backend's syntax, numbered
/// from 1.
pub(crate) fn placeholders(n: usize, backend: sea_orm::DatabaseBackend) -> String {
    let mut sql = String::new();
    push_placeholders(&mut sql, 1, n, backend);
    sql
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows, with the
/// backend's placeholders numbered across rows.
pub(crate) fn multi_row_insert(
    table: &str,
    columns: &[&str],
    rows: usize,
    backend: sea_orm::DatabaseBackend,
) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        push_placeholders(&mut sql, row * width + 1, width, backend);
        sql.push(')');
    }
    sql
}
