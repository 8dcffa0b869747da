//! Import benchmark: generated inventories of 1k, 10k and 100k rows,
//! end to end (isolated parse, normalisation, storage on SQLite), measured
//! in the same run as calamine's bare cell iteration over the same file.
//!
//! `cargo bench --bench import` (add `-- 1000 10000` to choose the sizes).
//! The ratio is measured in pairs: a bare parse right before each import,
//! in one process, so that both see the same machine; the median of those
//! ratios is the figure the target is checked against. The ratio of the
//! medians of separate runs is given beside it: those runs are up to a
//! minute apart, and on a shared machine the host's load changes in that
//! time (one run of the bare parse may be quiet and the next import loaded).
//! The CPU time of each side says what the import costs whatever the load.
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
use convergence::intake::worker::WorkerConfig;
use convergence::intake::{self, ImportRequest, ImportScope};
use convergence::reference::catalogue;
use convergence::store::audit::Actor;
use convergence::store::{Db, seed};
use nix::sys::resource::UsageWho;
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

/// CPU time (user and system) used so far by this process's threads, or by
/// its waited-for children (the workers).
fn cpu_time(who: nix::sys::resource::UsageWho) -> Duration {
    nix::sys::resource::getrusage(who)
        .map(|u| {
            let (user, system) = (u.user_time(), u.system_time());
            let micros = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
            Duration::from_secs_f64(micros(user) + micros(system))
        })
        .unwrap_or_default()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Each measurement runs in its own process, so that peak memory figures
/// belong to what is measured (a high-water mark never goes down).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let rows: usize = args.get(2).and_then(|a| a.parse().ok()).expect("rows");
        match args.get(1).map(String::as_str) {
            Some("bare") => child_bare(rows),
            Some("dry") => tokio::runtime::Runtime::new().expect("runtime").block_on(child_dry_run(rows)),
            Some("e2e") => tokio::runtime::Runtime::new().expect("runtime").block_on(child_end_to_end(rows)),
            Some("pairs") => tokio::runtime::Runtime::new().expect("runtime").block_on(child_pairs(rows)),
            other => panic!("unknown mode {other:?}"),
        }
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    println!(
        "| rows | file | bare parse | end to end | ratio (in pairs) | ratio of the medians | CPU: service + worker | dry run (isolated parse + normalise, nothing stored) | rows/s | peak RSS service side | peak RSS worker |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for rows in sizes {
        let bare = run_child("bare", rows);
        let e2e = run_child("e2e", rows);
        let pairs = run_child("pairs", rows);
        let dry = run_child("dry", rows);
        let (bare_s, e2e_s) = (bare["seconds"], e2e["seconds"]);
        println!(
            "| {rows} | {:.1} MB | {bare_s:.3} s | {e2e_s:.3} s | {:.2}× | {:.2}× | {:.3} + {:.3} s | {:.3} s | {:.0} | {:.0} MB | {:.0} MB |",
            e2e["file_mb"],
            pairs["ratio"],
            e2e_s / bare_s,
            e2e["service_cpu"],
            e2e["worker_cpu"],
            dry["seconds"],
            rows as f64 / e2e_s,
            e2e["self_mb"],
            e2e["worker_mb"],
        );
    }
}

fn run_child(mode: &str, rows: usize) -> std::collections::HashMap<String, f64> {
    let output = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--child", mode, &rows.to_string()])
        .output()
        .expect("child runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|kv| kv.split_once('=').and_then(|(k, v)| v.parse().ok().map(|v| (k.to_owned(), v))))
        .collect()
}

/// Samples per measurement: enough that the median shrugs off a burst of
/// load on a shared machine.
fn runs(rows: usize) -> usize {
    if rows >= 100_000 { 5 } else { 9 }
}

fn child_bare(rows: usize) {
    let bytes = generate(rows);
    let seconds = median(
        (0..runs(rows))
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(bare_parse(&bytes));
                start.elapsed()
            })
            .collect(),
    );
    println!("seconds={} self_mb={}", seconds.as_secs_f64(), peak_rss_mb(UsageWho::RUSAGE_SELF));
}

/// One child's setup: the generated file, and a database holding the
/// demo GHT that the file is imported into.
struct Bench {
    rows: usize,
    bytes: Vec<u8>,
    db: Db,
    worker: WorkerConfig,
    principal: Principal,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn new(rows: usize) -> Self {
        let worker = WorkerConfig {
            program: PathBuf::from(env!("CARGO_BIN_EXE_convergence")),
            memory_bytes: 2 * 1024 * 1024 * 1024,
            cpu_seconds: 120,
            timeout: Duration::from_secs(300),
            limits: Limits { max_file_bytes: 200 * 1024 * 1024, ..Limits::default() },
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let url = SecretString::from(format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
        let db = Db::connect(&url).await.expect("db");
        db.migrate().await.expect("migrate");
        seed::seed_reference(&db).await.expect("seed");
        demo::load(&db, &worker).await.expect("demo GHT");
        let principal = Principal::command_line("bench");
        Bench { rows, bytes: generate(rows), db, worker, principal, _dir: dir }
    }

    fn actor(&self) -> Actor<'_> {
        Actor { principal: &self.principal, request_id: None }
    }

    /// The generated file, imported into Le Havre's 2026 inventory.
    async fn import(&self, dry_run: bool) -> intake::ImportOutcome {
        let request = ImportRequest {
            scope: ImportScope::Etablissement(Finess::parse(HAVRE).expect("finess")),
            campaign: CampaignYear::new(2026).expect("year"),
            file_name: format!("bench-{}.xlsx", self.rows),
            bytes: self.bytes.clone(),
            partial: true,
            dry_run,
            mapping: Default::default(),
            domain: None,
        };
        intake::import(&self.db, &self.worker, self.actor(), request).await.expect("import")
    }

    /// Withdraws an import, so that the next run of the same file is not
    /// recognised as the same bytes.
    async fn withdraw(&self, outcome: intake::ImportOutcome) {
        if let Some(upload) = outcome.upload {
            use convergence::service::inventory::{StatusChange, change_status};
            change_status(&self.db, self.actor(), upload.id, StatusChange::Withdraw).await.expect("withdraw");
        }
    }

    async fn close(self) {
        self.db.close().await.expect("close");
    }
}

async fn child_end_to_end(rows: usize) {
    let bench = Bench::new(rows).await;
    let (mut samples, mut service_cpu, mut worker_cpu) = (Vec::new(), Vec::new(), Vec::new());
    let mut worker_kib = 0;
    for _ in 0..runs(rows) {
        let (service, workers) = (cpu_time(UsageWho::RUSAGE_SELF), cpu_time(UsageWho::RUSAGE_CHILDREN));
        let start = Instant::now();
        let outcome = bench.import(false).await;
        samples.push(start.elapsed());
        service_cpu.push(cpu_time(UsageWho::RUSAGE_SELF).saturating_sub(service));
        worker_cpu.push(cpu_time(UsageWho::RUSAGE_CHILDREN).saturating_sub(workers));
        worker_kib = worker_kib.max(outcome.worker_peak_kib.unwrap_or(0));
        assert_eq!(outcome.report.rows_imported as usize, rows, "every generated row is imported");
        bench.withdraw(outcome).await;
    }
    let file_mb = bench.bytes.len() as f64 / 1e6;
    bench.close().await;
    println!(
        "seconds={} service_cpu={} worker_cpu={} file_mb={file_mb} self_mb={} worker_mb={}",
        median(samples).as_secs_f64(),
        median(service_cpu).as_secs_f64(),
        median(worker_cpu).as_secs_f64(),
        peak_rss_mb(UsageWho::RUSAGE_SELF),
        worker_kib as f64 / 1024.0,
    );
}

/// The ratio measured in pairs: each import right after a bare parse of
/// the same file, in the same process, so that both see the same machine
/// (on a shared VM the load changes between runs more than the code does).
/// Memory is not measured here: the bare parse's own peak would count.
async fn child_pairs(rows: usize) {
    let bench = Bench::new(rows).await;
    let mut ratios = Vec::new();
    for _ in 0..runs(rows) {
        let start = Instant::now();
        std::hint::black_box(bare_parse(&bench.bytes));
        let bare = start.elapsed();
        let start = Instant::now();
        let outcome = bench.import(false).await;
        ratios.push(start.elapsed().as_secs_f64() / bare.as_secs_f64());
        bench.withdraw(outcome).await;
    }
    bench.close().await;
    ratios.sort_by(f64::total_cmp);
    println!("ratio={}", ratios[ratios.len() / 2]);
}

/// The worker's share: the same import as a dry run (isolated parse and
/// normalisation, rows streamed back), nothing stored.
async fn child_dry_run(rows: usize) {
    let bench = Bench::new(rows).await;
    let mut samples = Vec::new();
    for _ in 0..runs(rows) {
        let start = Instant::now();
        let outcome = bench.import(true).await;
        samples.push(start.elapsed());
        // The answer carries the first rows only; the report counts them all.
        assert_eq!(outcome.report.rows_imported as usize, rows, "every generated row is normalised");
    }
    bench.close().await;
    println!("seconds={}", median(samples).as_secs_f64());
}
