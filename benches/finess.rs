//! FINESS extract benchmark: a generated extract of 100,000 lines (75,000
//! sites and 25,000 coordinates, the shape of the national open-data file),
//! loaded into an empty directory, then a newer extract where 2 % of the
//! sites changed and 1 % closed, then the same file again.
//!
//! `cargo bench --bench finess` runs on SQLite; set `BENCH_DATABASE_URL` to
//! an empty PostgreSQL database to run there. Target: a 100,000-line
//! extract loads in under 10 s.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use convergence::auth::Principal;
use convergence::service::directory;
use convergence::store::Db;
use convergence::store::audit::Actor;

const SITES: usize = 75_000;
const COORDINATES: usize = 25_000;

/// The Luhn key making a FINESS of these 8 characters valid.
fn with_key(body: &str) -> String {
    (0..10)
        .map(|k| format!("{body}{k}"))
        .find(|candidate| {
            let sum: u32 = candidate
                .chars()
                .rev()
                .enumerate()
                .map(|(i, c)| {
                    let d = c.to_digit(10).unwrap();
                    if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
                })
                .sum();
            sum.is_multiple_of(10)
        })
        .unwrap()
}

fn extract(date: &str, changed_every: usize, closed_every: usize) -> Vec<u8> {
    let mut text = format!("finess;etalab;95;{date}\n");
    let finess: Vec<(String, String)> = (0..SITES)
        .map(|i| {
            // Département 20 no longer exists (Corsica is 2A and 2B).
            let departement = match 10 + i % 80 {
                20 => 21,
                d => d,
            };
            (with_key(&format!("{departement}{:06}", i)), with_key(&format!("{departement}{:06}", 900_000 + i / 3)))
        })
        .collect();
    for (i, (et, ej)) in finess.iter().enumerate() {
        if closed_every > 0 && i.is_multiple_of(closed_every) {
            continue;
        }
        let name = if changed_every > 0 && i % changed_every == 1 { "CH RENOMME" } else { "CENTRE HOSPITALIER" };
        text.push_str(&format!(
            "structureet;{et};{ej};{name} {i};{name} {i} NOM LONG;;;1;RUE;DE LA PAIX;;;440;{};DEPARTEMENT;{} VILLE;0231000000;;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26140000000000;8610Z;03;ARS TG HOSPIT;1;Etablissement public de santé;1975-01-01;1975-01-01;2024-06-12\n",
            &et[..2],
            &et[..5]
        ));
    }
    for (et, _) in finess.iter().take(COORDINATES) {
        text.push_str(&format!(
            "geolocalisation;{et};476015.2;6899876.4;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-06-12\n"
        ));
    }
    encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let db = Db::connect(&secrecy::SecretString::from(url)).await.expect("database");
    db.migrate().await.expect("migrations");
    let principal = Principal::command_line("bench");
    let actor = Actor { principal: &principal, request_id: None };

    let first = extract("2024-12-31", 0, 0);
    let second = extract("2025-06-30", 50, 100);
    println!("extract: {} lines, {:.1} MB ({backend})", SITES + COORDINATES + 1, first.len() as f64 / 1e6);
    for (label, file) in [("empty directory", first), ("newer extract", second.clone()), ("same file again", second)] {
        let start = Instant::now();
        let report = directory::load_finess(&db, actor, "etalab.csv", file).await.expect("load");
        println!(
            "| {label} | {:.2} s | created {} · updated {} · unchanged {} · closed {} |",
            start.elapsed().as_secs_f64(),
            report.created,
            report.updated,
            report.unchanged,
            report.closed
        );
    }
    db.close().await.expect("close");
}
