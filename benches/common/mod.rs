//! What the benchmarks share. Here, what the review and annotated-copy
//! benchmarks start from: a fresh SQLite database with the reference data
//! and the demo GHT, and the parse worker as the service runs it; in
//! [`national`], a generated national dataset behind a running service.
#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

pub mod national;

use std::path::PathBuf;
use std::time::Duration;

use convergence::auth::Principal;
use convergence::demo;
use convergence::domain::{CampaignYear, Finess};
use convergence::import::Limits;
use convergence::intake::worker::WorkerConfig;
use convergence::intake::{self, ImportOutcome, ImportRequest, ImportScope};
use convergence::store::audit::Actor;
use convergence::store::{Db, seed};
use secrecy::SecretString;

/// Le Havre, a member of the demo GHT.
pub const HAVRE: &str = "760780726";

/// The parse worker, with room for a 100,000-row file.
pub fn worker() -> WorkerConfig {
    WorkerConfig {
        program: PathBuf::from(env!("CARGO_BIN_EXE_convergence")),
        memory_bytes: 2 * 1024 * 1024 * 1024,
        cpu_seconds: 120,
        timeout: Duration::from_secs(300),
        limits: Limits { max_file_bytes: 200 * 1024 * 1024, ..Limits::default() },
    }
}

/// A database in `dir` with the reference data and the demo GHT.
pub async fn demo_database(dir: &tempfile::TempDir, worker: &WorkerConfig) -> Db {
    let url = SecretString::from(format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let db = Db::connect(&url).await.expect("db");
    db.migrate().await.expect("migrate");
    seed::seed_reference(&db).await.expect("seed");
    demo::load(&db, worker).await.expect("demo GHT");
    db
}

/// A file deposited as Le Havre's 2026 inventory, valid rows kept
/// (`partial`), through the real intake.
pub async fn deposit_at_havre(
    db: &Db,
    worker: &WorkerConfig,
    principal: &Principal,
    file_name: &str,
    bytes: Vec<u8>,
) -> ImportOutcome {
    let request = ImportRequest {
        scope: ImportScope::Etablissement(Finess::parse(HAVRE).expect("finess")),
        campaign: CampaignYear::new(2026).expect("year"),
        file_name: file_name.to_owned(),
        bytes,
        partial: true,
        dry_run: false,
        mapping: Default::default(),
        domain: None,
    };
    let actor = Actor { principal, request_id: None };
    intake::import(db, worker, actor, request).await.expect("import")
}
