//! Review benchmark: one member of the demo GHT deposits 100,000 rows of
//! distinct junk names (none in the catalogue); the GHT's review queue is
//! then read, a page at a time, as its DSI does.
//!
//! `cargo bench --bench review` (add `-- 20000` for another size).
//! Target: a page of the queue in under 200 ms for 100,000 unmatched rows.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use convergence::auth::Principal;
use convergence::domain::GhtCode;
use convergence::service::review;
use convergence::store::pagination::Page;

fn junk(rows: usize) -> Vec<u8> {
    let mut csv = String::from("Application;Domaine fonctionnel\n");
    for i in 0..rows {
        csv.push_str(&format!("zz outil local {i:06} qx;DPI\n"));
    }
    csv.into_bytes()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let worker = common::worker();
    let db = common::demo_database(&dir, &worker).await;
    let principal = Principal::command_line("bench");
    let outcome = common::deposit_at_havre(&db, &worker, &principal, "junk.csv", junk(rows)).await;
    assert_eq!(outcome.report.rows_imported as usize, rows);

    let ght = GhtCode::parse(convergence::demo::DEMO_GHT).expect("code");
    let mut samples = Vec::new();
    for number in [1, 2, 1000, 1, 3, 500, 1, 2, 1, 4, 1, 2, 1, 1, 1, 100, 1, 2, 1, 1] {
        let start = Instant::now();
        let (page, _) = review::queue(&db, &principal, &ght, Page { number, size: 50 }).await.expect("queue");
        samples.push(start.elapsed());
        assert!(page.total_items as usize >= rows, "every junk name is to review");
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| unmatched rows | page of 50: p50 | p95 | max | target |");
    println!("|---:|---:|---:|---:|---|");
    println!(
        "| {rows} | {:.1} ms | {:.1} ms | {:.1} ms | < 200 ms |",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
        ms(samples[samples.len() - 1])
    );
    db.close().await.expect("close");
}
