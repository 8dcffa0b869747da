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

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use convergence::auth::Principal;
use convergence::config::Settings;
use convergence::domain::{
    CampaignStatus, CampaignYear, Finess, GhtCode, Money, REGIONS, Role, SubdomainCode, UploadStatus,
};
use convergence::normalise::row::NormalisedRow;
use convergence::normalise::sentinel::EntryState;
use convergence::reference::{catalogue, finess_directory};
use convergence::service::recompute::Touched;
use convergence::service::tokens;
use convergence::startup::Application;
use convergence::store::audit::Actor;
use convergence::store::entities::{etablissement, ght, ght_membership, inventory_upload, upload_etablissement};
use convergence::store::{Db, inventory, targets};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let settings = Settings::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "CONVERGENCE_BIND" => Some("127.0.0.1:0".to_owned()),
        "CONVERGENCE_WORKER_BIN" => Some(env!("CARGO_BIN_EXE_convergence").to_owned()),
        // A thousand requests in a row from one token: latency, not the limiter.
        "CONVERGENCE_RATE_PER_SECOND" | "CONVERGENCE_RATE_BURST" => Some("1000000".to_owned()),
        _ => None,
    })
    .expect("settings");
    let app = Application::build(settings).await.expect("application");
    let address = format!("http://{}", app.local_addr().expect("address"));
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));

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

    let token = national_token(&db).await;
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

async fn national_token(db: &Db) -> String {
    let principal = Principal::command_line("bench");
    let actor = Actor { principal: &principal, request_id: None };
    let new = tokens::NewToken {
        role: Role::National,
        label: "bench".to_owned(),
        ght: None,
        region: None,
        finess: None,
        valid_until: None,
    };
    let (_, secret) = tokens::create(db, actor, new).await.expect("token");
    secret
}

/// The national dataset, written directly through the store (the importer
/// has its own benchmark).
async fn generate(db: &Db) -> Vec<GhtCode> {
    let principal = Principal::command_line("bench");
    let actor = Actor { principal: &principal, request_id: None };
    let now = Utc::now();
    let products: Vec<(i64, String)> = {
        let names: Vec<String> = catalogue().expect("catalogue").into_iter().map(|e| e.product).collect();
        let all = convergence::store::entities::product::Entity::find().all(db.reader()).await.expect("products");
        all.into_iter().filter(|p| names.contains(&p.name)).map(|p| (p.id, p.name)).collect()
    };
    let txn = db.begin_write().await.expect("txn");
    for year in YEARS {
        convergence::store::entities::campaign::ActiveModel {
            year: Set(CampaignYear::new(i64::from(year)).expect("year")),
            reference_date: Set(NaiveDate::from_ymd_opt(year, 1, 1).expect("date")),
            deadline: Set(None),
            status: Set(CampaignStatus::Open),
            opened_at: Set(now),
            closed_at: Set(None),
        }
        .insert(&txn)
        .await
        .expect("campaign");
    }
    txn.commit().await.expect("commit");
    let ejs: Vec<Finess> =
        finess_directory().expect("directory").ejs().into_iter().take(ETABLISSEMENTS).cloned().collect();
    let metropolitan: Vec<&str> = REGIONS.iter().filter(|(_, _, overseas)| !overseas).map(|(c, _, _)| *c).collect();
    let mut codes = Vec::new();
    let txn = db.begin_write().await.expect("txn");
    for g in 0..GHTS {
        let region = metropolitan[g % metropolitan.len()];
        let code = GhtCode::parse(&format!("{region}-{:02}", g / metropolitan.len() + 1)).expect("code");
        ght::ActiveModel {
            code: Set(code.clone()),
            name: Set(format!("GHT {code}")),
            region_code: Set(convergence::domain::RegionCode::parse(region).expect("region")),
            support_finess_ej: Set(None),
            auto_validate: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .expect("ght");
        codes.push(code);
    }
    for (i, finess) in ejs.iter().enumerate() {
        etablissement::ActiveModel {
            finess_ej: Set(finess.clone()),
            name: Set(format!("Établissement {i}")),
            category: Set(None),
            departement: Set(None),
            commune: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .expect("établissement");
        ght_membership::ActiveModel {
            ght_code: Set(codes[i % GHTS].clone()),
            finess_ej: Set(finess.clone()),
            valid_from: Set(NaiveDate::from_ymd_opt(2016, 7, 1).expect("date")),
            valid_to: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .expect("membership");
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
        let campaign = CampaignYear::new(i64::from(year)).expect("year");
        for (i, finess) in ejs.iter().enumerate() {
            let txn = db.begin_write().await.expect("txn");
            let upload = inventory_upload::ActiveModel {
                campaign_year: Set(campaign),
                ght_code: Set(codes[i % GHTS].clone()),
                finess_ej: Set(Some(finess.clone())),
                file_name: Set("généré.xlsx".to_owned()),
                format: Set("xlsx".to_owned()),
                size_bytes: Set(0),
                sha256: Set(format!("{year}-{i}")),
                uploaded_by_token: Set(None),
                uploaded_by: Set("bench".to_owned()),
                uploaded_at: Set(now),
                status: Set(UploadStatus::Validated),
                validated_at: Set(Some(now)),
                validated_by: Set(Some("bench".to_owned())),
                report: Set("{}".to_owned()),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .expect("upload");
            upload_etablissement::ActiveModel {
                upload_id: Set(upload.id),
                finess_ej: Set(finess.clone()),
                campaign_year: Set(campaign),
                rows: Set(ROWS_PER_ETABLISSEMENT as i32),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .expect("coverage");
            let rows: Vec<NormalisedRow> =
                (0..ROWS_PER_ETABLISSEMENT).map(|r| row(finess, r, i, year, &products)).collect();
            inventory::insert_entries(&txn, upload.id, campaign, rows).await.expect("entries");
            txn.commit().await.expect("commit");
        }
    }
    codes
}

fn row(finess: &Finess, r: usize, i: usize, year: i32, products: &[(i64, String)]) -> NormalisedRow {
    let (product_id, name) = &products[(r * 7 + i + year as usize) % products.len()];
    let state = match r % 25 {
        0 => EntryState::Unmatched,
        1 => EntryState::InHouse,
        2 => EntryState::NotComputerised,
        _ => EntryState::Product,
    };
    NormalisedRow {
        sheet: "Inventaire".to_owned(),
        row: r as u32 + 2,
        finess_ej: finess.clone(),
        finess_et: None,
        application_raw: name.clone(),
        normalised_name: format!("application {}", r % 40),
        state,
        product_id: (state == EntryState::Product).then_some(*product_id),
        match_confidence: Some(1.0),
        match_method: None,
        vendor_id: None,
        subdomain: Some(SUBDOMAINS[r % SUBDOMAINS.len()].to_owned()),
        subdomain_inferred: false,
        module: None,
        version: Some(format!("V{}", r % 9)),
        go_live: None,
        users: (!r.is_multiple_of(3)).then_some((r % 400) as i32),
        beds: None,
        hosting: None,
        contract: None,
        contract_end: NaiveDate::from_ymd_opt(year + (r % 3) as i32, 1 + (r % 12) as u32, 15),
        acquisition_cost: None,
        annual_cost: (!r.is_multiple_of(4)).then(|| Money::from_cents((r as i64 % 500) * 10_000).expect("money")),
        interfaces: None,
        identity_connected: match r % 3 {
            0 => None,
            1 => Some(true),
            _ => Some(false),
        },
        sso: None,
        ins: None,
        criticality: None,
        convergence_status: None,
        comment: None,
        raw: Default::default(),
        extra: Default::default(),
        flags: Vec::new(),
    }
}
