//! Import benchmark: generated inventories of 1k, 10k and 100k rows,
//! end to end (isolated parse, normalisation, storage on SQLite), measured
//! in the same run as calamine's bare cell iteration over the same file.
//!
//! `cargo bench --bench import` (add `-- 1000 10000` to choose the sizes).
//! Targets: end-to-end ≤ 3× the bare parse at 10k and 100k rows; peak
//! memory for 100k rows under 300 MB (this process and the worker each).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Cursor;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use convergence::auth::Principal;
use convergence::demo;
use convergence::domain::{CampaignYear, Finess};
use convergence::import::Limits;
use convergence::import::worker::WorkerConfig;
use convergence::intake::{self, ImportRequest, ImportScope};
use convergence::reference::catalogue;
use convergence::store::audit::Actor;
use convergence::store::{Db, seed};
use rust_xlsxwriter::Workbook;
use secrecy::SecretString;

const HAVRE: &str = "760780726";

fn generate(rows: usize) -> Vec<u8> {
    let products: Vec<String> = catalogue().expect("catalogue").into_iter().map(|e| e.product).collect();
    let typos = ["crosway", "Cortexe", "FIRSNET", "DxCare (Medasys)", "OSIRIS Evolucare", "Sillage Urgences"];
    let unmatched = ["MAIL ATTENTE REPONSE", "Logiciel du service", "Tableur planning bloc", "Non informatisé"];
    let domains = ["DPI", "Urgences", "GAP", "Biologie", "Imagerie", "Pharmacie", "GRH", "GEF", "Pilotage"];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().expect("worksheet");
    let headers = [
        "Établissement",
        "FINESS",
        "Application",
        "Éditeur",
        "Version",
        "Domaine fonctionnel",
        "Nb utilisateurs",
        "Fin de contrat",
        "Coût annuel TTC (€)",
        "Connecté au référentiel d'identités",
        "Hébergement",
        "Criticité",
        "Commentaire",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        let application = match i % 20 {
            0 => typos[i / 20 % typos.len()].to_owned(),
            1 => unmatched[i / 20 % unmatched.len()].to_owned(),
            _ => products[i % products.len()].clone(),
        };
        sheet.write_string(r, 0, "GH du Havre").expect("cell");
        sheet.write_string(r, 1, HAVRE).expect("cell");
        sheet.write_string(r, 2, application).expect("cell");
        sheet.write_string(r, 3, "Dedalus").expect("cell");
        sheet.write_string(r, 4, format!("V{}.{}", i % 9, i % 4)).expect("cell");
        sheet.write_string(r, 5, domains[i % domains.len()]).expect("cell");
        sheet.write_number(r, 6, (i % 800) as f64).expect("cell");
        sheet.write_string(r, 7, format!("{:02}/{:02}/20{}", 1 + i % 28, 1 + i % 12, 26 + i % 5)).expect("cell");
        sheet.write_string(r, 8, format!("{} {:03},50 €", 1 + i % 90, i % 1000)).expect("cell");
        sheet.write_string(r, 9, if i % 3 == 0 { "oui" } else { "non" }).expect("cell");
        sheet.write_string(r, 10, "datacenter du GHT").expect("cell");
        sheet.write_string(r, 11, "haute").expect("cell");
        sheet.write_string(r, 12, "ligne générée").expect("cell");
    }
    book.save_to_buffer().expect("workbook")
}

fn bare_parse(bytes: &[u8]) -> usize {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let mut cells = 0;
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("sheet");
        cells += range.rows().map(|r| r.iter().filter(|c| !matches!(c, calamine::Data::Empty)).count()).sum::<usize>();
    }
    cells
}

fn peak_rss_mb(who: nix::sys::resource::UsageWho) -> f64 {
    // Linux reports ru_maxrss in KiB.
    nix::sys::resource::getrusage(who).map(|u| u.max_rss() as f64 / 1024.0).unwrap_or(f64::NAN)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    let worker = WorkerConfig {
        program: PathBuf::from(env!("CARGO_BIN_EXE_convergence")),
        memory_bytes: 2 * 1024 * 1024 * 1024,
        cpu_seconds: 120,
        timeout: Duration::from_secs(300),
        limits: Limits { max_file_bytes: 200 * 1024 * 1024, ..Limits::default() },
    };
    println!("| rows | file | bare parse | end to end | ratio | rows/s | peak RSS bench | peak RSS worker |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for rows in sizes {
        let bytes = generate(rows);
        let runs = if rows >= 100_000 { 3 } else { 5 };
        let bare = median(
            (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(bare_parse(&bytes));
                    start.elapsed()
                })
                .collect(),
        );

        let dir = tempfile::tempdir().expect("tempdir");
        let url = SecretString::from(format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
        let db = Db::connect(&url).await.expect("db");
        db.migrate().await.expect("migrate");
        seed::seed_reference(&db).await.expect("seed");
        demo::load(&db).await.expect("demo GHT");
        let principal = Principal::command_line("bench");
        let mut samples = Vec::new();
        for run in 0..runs {
            // A different file each run: identical bytes would be recognised and skipped.
            let mut variant = bytes.clone();
            variant.extend_from_slice(format!("{run}").as_bytes());
            let request = ImportRequest {
                scope: ImportScope::Etablissement(Finess::parse(HAVRE).expect("finess")),
                campaign: CampaignYear::new(2026).expect("year"),
                file_name: format!("bench-{rows}.xlsx"),
                bytes: bytes.clone(),
                partial: true,
                dry_run: false,
                mapping: Default::default(),
            };
            let start = Instant::now();
            let marks = std::sync::Mutex::new(Vec::new());
            let progress = |step: intake::Step| {
                if let Ok(mut marks) = marks.lock() {
                    marks.push((step, start.elapsed()));
                }
            };
            let outcome = intake::import_with_progress(
                &db,
                &worker,
                Actor { principal: &principal, request_id: None },
                request,
                &progress,
            )
            .await;
            samples.push(start.elapsed());
            if std::env::var_os("BENCH_STEPS").is_some() {
                eprintln!(
                    "{rows} rows: {:?} then done at {:?}",
                    marks.lock().map(|m| m.clone()).unwrap_or_default(),
                    start.elapsed()
                );
            }
            let outcome = outcome.expect("import");
            assert_eq!(outcome.report.rows_imported as usize, rows, "every generated row is imported");
            // Withdraw so the next run is not a duplicate of this one.
            let txn = db.begin_write().await.expect("txn");
            if let Some(upload) = outcome.upload {
                convergence::store::inventory::withdraw(
                    &txn,
                    Actor { principal: &principal, request_id: None },
                    upload,
                )
                .await
                .expect("withdraw");
            }
            txn.commit().await.expect("commit");
            drop(variant);
        }
        let end_to_end = median(samples);
        let ratio = end_to_end.as_secs_f64() / bare.as_secs_f64();
        println!(
            "| {rows} | {:.1} MB | {:.3} s | {:.3} s | {ratio:.2}× | {:.0} | {:.0} MB | {:.0} MB |",
            bytes.len() as f64 / 1e6,
            bare.as_secs_f64(),
            end_to_end.as_secs_f64(),
            rows as f64 / end_to_end.as_secs_f64(),
            peak_rss_mb(nix::sys::resource::UsageWho::RUSAGE_SELF),
            peak_rss_mb(nix::sys::resource::UsageWho::RUSAGE_CHILDREN),
        );
        db.close().await.expect("close");
    }
}
