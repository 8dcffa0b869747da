//! Annotated copy benchmark: a 100,000-row deposit with an error in every
//! other row, then its annotated copy (read again in the worker, every
//! message on its cell), timed, with the service process's peak memory
//! during the build alone (the high-water mark is reset before it).
//!
//! `cargo bench --bench annotated` (add `-- 20000` for another size).
//! Target: the build in the service process under 300 MB at 100,000 rows.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Instant;

use convergence::auth::Principal;
use convergence::service::inventory;

fn file(rows: usize) -> Vec<u8> {
    let mut csv = String::from("Application;Nombre d'utilisateurs;Fin de contrat;Commentaire\n");
    for i in 0..rows {
        let users = if i % 2 == 0 { "120" } else { "beaucoup" };
        csv.push_str(&format!("Outil {i};{users};31/12/2027;ligne {i} du service\n"));
    }
    csv.into_bytes()
}

/// A line of /proc/self/status, in MB.
fn status_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let worker = common::worker();
    let db = common::demo_database(&dir, &worker).await;
    let principal = Principal::command_line("bench");
    let outcome = common::deposit_at_havre(&db, &worker, &principal, "gros.csv", file(rows)).await;
    let upload = outcome.upload.as_ref().expect("stored").id;
    drop(outcome);
    // Reset the high-water mark: what follows is the build alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_mb("VmRSS:");
    if std::env::var("BENCH_PHASES").is_ok() {
        use convergence::store::inventory as stored;
        let model = stored::find_upload(db.reader(), upload).await.unwrap().unwrap();
        let raw = stored::upload_bytes(db.reader(), upload).await.unwrap().unwrap();
        println!("bytes: hwm {:.0} MB", status_mb("VmHWM:"));
        let book = convergence::intake::worker::parse_isolated(&raw, &model.file_name, &worker).await.unwrap();
        println!("parsed: hwm {:.0} MB", status_mb("VmHWM:"));
        let mut report = stored::report_summary(&model).unwrap();
        report.messages = stored::all_messages(db.reader(), &model).await.unwrap();
        println!("messages {}: hwm {:.0} MB", report.messages.len(), status_mb("VmHWM:"));
        let out = convergence::export::annotated::annotated_workbook(&book, &report).unwrap();
        println!("built {} bytes: hwm {:.0} MB", out.len(), status_mb("VmHWM:"));
        return;
    }
    let start = Instant::now();
    let (_, bytes) = inventory::annotated_copy(&db, &worker, &principal, upload).await.expect("annotated");
    let seconds = start.elapsed().as_secs_f64();
    let peak = status_mb("VmHWM:");
    println!("| rows | build | workbook | service RSS before | peak during the build | target |");
    println!("|---:|---:|---:|---:|---:|---|");
    println!(
        "| {rows} | {seconds:.2} s | {:.1} MB | {before:.0} MB | {peak:.0} MB | < 300 MB |",
        bytes.len() as f64 / 1e6
    );
    db.close().await.expect("close");
}
