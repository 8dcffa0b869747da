//! Page benchmark: a GHT's page with 30 établissements and 40 sub-domains,
//! and the national dashboard with 136 GHTs, served over HTTP to a signed-in
//! browser session (database reads, computation and rendering: everything
//! the server does for the page).
//!
//! Dataset: 136 GHTs, ~1,000 établissements (real FINESS juridiques); the
//! measured GHT has 30 members with 80 rows each over 40 sub-domains, the
//! others ~7 members with 40 rows; 2 open campaigns; 10 targets per GHT
//! with planned migrations.
//!
//! `cargo bench --bench pages` runs on SQLite; set `BENCH_DATABASE_URL` to
//! an empty PostgreSQL database to run there. Targets: GHT page < 50 ms,
//! national dashboard < 100 ms.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::national::{self, percentile};
use convergence::domain::{Finess, GhtCode, Role, SubdomainCode};
use convergence::reference::finess_directory;
use convergence::service::recompute::Touched;
use convergence::store::audit::Actor;
use convergence::store::{Db, targets, taxonomy};

const GHTS: usize = 136;
const ETABLISSEMENTS: usize = 1_000;
const BIG_GHT_MEMBERS: usize = 30;
const SUBDOMAINS: usize = 40;
const YEARS: [i32; 2] = [2025, 2026];

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (address, db, backend) = national::start(dir.path()).await;
    let started = Instant::now();
    let codes = generate(&db).await;
    println!(
        "generated {GHTS} GHT, {ETABLISSEMENTS} établissements in {:.1} s ({backend})",
        started.elapsed().as_secs_f64()
    );

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let dsi = session(&client, &address, &national::token(&db, Role::Ght, Some(&codes[0])).await).await;
    let dgos = session(&client, &address, &national::token(&db, Role::National, None).await).await;

    let ght_page = format!("/ght/{}?campagne=2026", codes[0]);
    let (ght_p50, ght_p99) = latencies(&client, &address, &ght_page, &dsi, 200).await;
    let (board_p50, board_p99) = latencies(&client, &address, "/tableau-de-bord?campagne=2026", &dgos, 200).await;
    // Cold: the values gathered for all GHTs are kept two seconds per replica.
    let mut cold = Vec::new();
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let (one, _) = latencies(&client, &address, "/tableau-de-bord?campagne=2026", &dgos, 1).await;
        cold.push(one);
    }
    cold.sort();

    println!("| page ({backend}) | p50 | p99 | target |");
    println!("|---|---:|---:|---:|");
    println!(
        "| GHT page, {BIG_GHT_MEMBERS} établissements × {SUBDOMAINS} sub-domains | {:.1} ms | {:.1} ms | < 50 ms |",
        ms(ght_p50),
        ms(ght_p99)
    );
    println!(
        "| national dashboard, {GHTS} GHT (values kept) | {:.1} ms | {:.1} ms | < 100 ms |",
        ms(board_p50),
        ms(board_p99)
    );
    println!(
        "| national dashboard, {GHTS} GHT (values gathered again) | {:.1} ms | {:.1} ms (max of 5) | < 100 ms |",
        ms(cold[2]),
        ms(cold[4])
    );
    db.close().await.expect("close");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A browser session opened with a token: its cookie.
async fn session(client: &reqwest::Client, address: &str, token: &str) -> String {
    let reply = client
        .post(format!("{address}/connexion"))
        .form(&[("token", token), ("return_to", "/")])
        .send()
        .await
        .expect("sign-in");
    assert_eq!(reply.status(), reqwest::StatusCode::SEE_OTHER);
    let set = reply.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("session cookie");
    set.split(';').next().expect("cookie").to_owned()
}

async fn latencies(
    client: &reqwest::Client,
    address: &str,
    path: &str,
    cookie: &str,
    n: usize,
) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let reply = client.get(format!("{address}{path}")).header("cookie", cookie).send().await.expect("request");
        assert!(reply.status().is_success(), "{path}: {}", reply.status());
        let page = reply.text().await.expect("page");
        samples.push(start.elapsed());
        assert!(page.contains("</html>"), "a whole page");
    }
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

async fn generate(db: &Db) -> Vec<GhtCode> {
    let principal = convergence::auth::Principal::command_line("bench");
    let actor = Actor { principal: &principal, request_id: None };
    let products = national::products(db).await;
    let subdomains: Vec<String> = taxonomy::load(db.reader())
        .await
        .expect("taxonomy")
        .subdomains
        .into_iter()
        .take(SUBDOMAINS)
        .map(|s| s.code.to_string())
        .collect();
    national::open_campaigns(db, &YEARS).await;
    let ejs: Vec<Finess> =
        finess_directory().expect("directory").ejs().into_iter().take(ETABLISSEMENTS).cloned().collect();
    let txn = db.begin_write().await.expect("txn");
    let codes = national::insert_ghts(&txn, GHTS).await;
    // The first GHT has 30 members, the others share the rest.
    let ght_of = |i: usize| if i < BIG_GHT_MEMBERS { 0 } else { 1 + i % (GHTS - 1) };
    for (i, finess) in ejs.iter().enumerate() {
        national::insert_member(&txn, &codes[ght_of(i)], finess, format!("Établissement {i}")).await;
    }
    txn.commit().await.expect("commit");

    for (g, code) in codes.iter().enumerate() {
        let targeted: Vec<&String> = subdomains.iter().take(10).collect();
        let set = targets::TargetSet {
            products: targeted
                .iter()
                .enumerate()
                .map(|(s, sd)| (SubdomainCode::parse(sd).expect("sd"), products[(g + s) % products.len()].0))
                .collect(),
            migrations: ejs
                .iter()
                .enumerate()
                .filter(|(i, _)| ght_of(*i) == g)
                .flat_map(|(i, f)| {
                    targeted.iter().take(3).map(move |sd| {
                        let date = NaiveDate::from_ymd_opt(2024 + (i % 4) as i32, 6, 30).expect("date");
                        (f.clone(), SubdomainCode::parse(sd).expect("sd"), date)
                    })
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
            let rows_per = if ght_of(i) == 0 { 80 } else { 40 };
            let rows = (0..rows_per)
                .map(|r| national::row(finess, r, i, year, &products, &subdomains[(r + i) % subdomains.len()]))
                .collect();
            national::insert_validated_upload(db, year, &codes[ght_of(i)], finess, rows).await;
        }
    }
    let txn = db.begin_write().await.expect("txn");
    let mut touched = Touched::default();
    touched.every_ght();
    touched.recompute(&txn).await.expect("recompute");
    txn.commit().await.expect("commit");
    codes
}
