//! Indicator benchmark on a generated national dataset: 136 GHT, ~1,000
//! établissements (real FINESS juridiques), 300 validated rows each per
//! campaign (~300,000 rows), 2 open campaigns, 5 targets per GHT.
//!
//! Measures: the full recomputation of every GHT's indicators for both
//! campaigns (regional and national views are computed on read from the
//! stored GHT values), one GHT's recomputation (as after an import), and
//! the HTTP latency (p50/p99 over 1,000 requests) of a GHT's indicators and
//! of the national view.
//!
//! `cargo bench --bench indicators` runs on SQLite; set
//! `BENCH_DATABASE_URL` to an empty PostgreSQL database to run there.
//! Targets: full recomputation < 2 s; one GHT < 100 ms.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use common::national::{self, percentile, products};
use convergence::domain::{CampaignYear, Finess, GhtCode, Role, SubdomainCode};
use convergence::reference::finess_directory;
use convergence::service::recompute::Touched;
use convergence::store::audit::Actor;
use convergence::store::{Db, targets};

const GHTS: usize = 136;
const ETABLISSEMENTS: usize = 1_000;
const ROWS_PER_ETABLISSEMENT: usize = 300;
const YEARS: [i32; 2] = [2025, 2026];
const SUBDOMAINS: [&str; 12] = [
    "DPI.CORE",
    "GAP.ADM",
    "URG.DPU",
    "LAB.SIL",
    "IMG.PACS",
    "PHARMA.GEST",
    "BLOC.PLAN",
    "GRH.PAIE",
    "GEF.COMPTA",
    "PIL.BI",
    "IMG.RIS",
    "PRESC.LAP",
];

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (address, db, backend) = national::start(dir.path()).await;

    let started = Instant::now();
    let ghts = generate(&db).await;
    println!(
        "generated {GHTS} GHT, {ETABLISSEMENTS} établissements, {} rows × {} campaigns in {:.1} s ({backend})",
        ETABLISSEMENTS * ROWS_PER_ETABLISSEMENT,
        YEARS.len(),
        started.elapsed().as_secs_f64()
    );

    // Full recomputation: every GHT, every open campaign, in one
    // transaction (as after a catalogue merge or a schema version).
    let mut full = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let txn = db.begin_write().await.expect("txn");
        let mut touched = Touched::default();
        touched.every_ght();
        touched.recompute(&txn).await.expect("recompute");
        txn.commit().await.expect("commit");
        full.push(start.elapsed());
    }
    full.sort();
    // One GHT, as after an import into the latest campaign.
    let mut single = Vec::new();
    for code in ghts.iter().take(50) {
        let start = Instant::now();
        let txn = db.begin_write().await.expect("txn");
        let mut touched = Touched::default();
        touched.campaign(code, CampaignYear::new(2026).expect("year"));
        touched.recompute(&txn).await.expect("recompute");
        txn.commit().await.expect("commit");
        single.push(start.elapsed());
    }
    single.sort();

    let token = national::token(&db, Role::National, None).await;
    let client = reqwest::Client::new();
    let mut latencies = BTreeMap::new();
    for (name, path) in [
        ("GET /ghts/{code}/indicators", format!("/api/v1/ghts/{}/indicators?campaign=2026", ghts[0])),
        ("GET /national/indicators", "/api/v1/national/indicators?campaign=2026".to_owned()),
    ] {
        let mut samples = Vec::with_capacity(1000);
        for _ in 0..1000 {
            let start = Instant::now();
            let reply = client.get(format!("{address}{path}")).bearer_auth(&token).send().await.expect("request");
            assert!(reply.status().is_success(), "{}", reply.status());
            reply.bytes().await.expect("body");
            samples.push(start.elapsed());
        }
        samples.sort();
        latencies.insert(name, (percentile(&samples, 0.5), percentile(&samples, 0.99)));
    }

    println!("| measure ({backend}) | median | target |");
    println!("|---|---:|---:|");
    println!("| full recomputation, {GHTS} GHT × {} campaigns | {:.3} s | < 2 s |", YEARS.len(), full[1].as_secs_f64());
    println!(
        "| one GHT's recomputation (campaign 2026) | {:.1} ms | < 100 ms |",
        single[single.len() / 2].as_secs_f64() * 1e3
    );
    for (name, (p50, p99)) in latencies {
        println!(
            "| {name}: p50 / p99 over 1,000 | {:.2} ms / {:.2} ms | |",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    db.close().await.expect("close");
}

/// The national dataset, written directly through the store (the importer
/// has its own benchmark).
async fn generate(db: &Db) -> Vec<GhtCode> {
    let principal = convergence::auth::Principal::command_line("bench");
    let actor = Actor { principal: &principal, request_id: None };
    let products = products(db).await;
    national::open_campaigns(db, &YEARS).await;
    let ejs: Vec<Finess> =
        finess_directory().expect("directory").ejs().into_iter().take(ETABLISSEMENTS).cloned().collect();
    let txn = db.begin_write().await.expect("txn");
    let codes = national::insert_ghts(&txn, GHTS).await;
    for (i, finess) in ejs.iter().enumerate() {
        national::insert_member(&txn, &codes[i % GHTS], finess, format!("Établissement {i}")).await;
    }
    txn.commit().await.expect("commit");

    for (g, code) in codes.iter().enumerate() {
        let set = targets::TargetSet {
            products: SUBDOMAINS
                .iter()
                .take(5)
                .enumerate()
                .map(|(s, sd)| (SubdomainCode::parse(sd).expect("sd"), products[(g + s) % products.len()].0))
                .collect(),
            migrations: ejs
                .iter()
                .enumerate()
                .filter(|(i, _)| i % GHTS == g)
                .map(|(i, f)| {
                    let date = NaiveDate::from_ymd_opt(2024 + (i % 4) as i32, 6, 30).expect("date");
                    (f.clone(), SubdomainCode::parse("DPI.CORE").expect("sd"), date)
                })
                .collect(),
            comment: None,
        };
        let txn = db.begin_write().await.expect("txn");
        targets::replace(&txn, actor, code, set).await.expect("targets");
        txn.commit().await.expect("commit");
    }

    for year in YEARS {
        for (i, finess) in ejs.iter().enumerate() {
            let rows = (0..ROWS_PER_ETABLISSEMENT)
                .map(|r| national::row(finess, r, i, year, &products, SUBDOMAINS[r % SUBDOMAINS.len()]))
                .collect();
            national::insert_validated_upload(db, year, &codes[i % GHTS], finess, rows).await;
        }
    }
    codes
}
