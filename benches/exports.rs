//! Export benchmark: the consolidated inventory of the nation (300,000
//! rows) written in constant memory, against the same cells written bare
//! with rust_xlsxwriter in the same run; and a GHT's whole vision workbook
//! (5,000 rows, 40 sub-domains, 3 campaigns of trajectories). Each phase
//! reports its time and the process's peak memory during it (the
//! high-water mark is reset before each).
//!
//! `cargo bench --bench exports` (add `-- 100000` for another size).
//! Targets: the consolidated inventory within 1.5× the bare writing and
//! under 300 MB; the vision under 1 s.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use chrono::NaiveDate;
use convergence::compute::trajectories::{CampaignStatus, PlannedPoint, Status, Trajectory};
use convergence::export::ght::{ExportRow, GhtExport, Member, SynthesisLine};
use convergence::export::vision;
use rust_xlsxwriter::Workbook;

fn status_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn data(rows: usize, etablissements: usize, subdomains: usize) -> GhtExport {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let subdomain = |i: usize| format!("DOM{}.SUB{}", i % 12, i % subdomains);
    let members: Vec<Member> = (0..etablissements)
        .map(|e| Member {
            finess: format!("{:09}", 760_000_000 + e),
            name: format!("Centre hospitalier n° {e}"),
            category: Some("Centre hospitalier".to_owned()),
            commune: Some("Rouen".to_owned()),
        })
        .collect();
    let rows: Vec<ExportRow> = (0..rows)
        .map(|i| {
            let member = &members[i % etablissements];
            ExportRow {
                etablissement: member.name.clone(),
                finess_ej: member.finess.clone(),
                finess_et: None,
                application_raw: format!("Logiciel {} v{}", i % 700, i % 9),
                product: (i % 5 != 0).then(|| ((i % 700) as i64, format!("Logiciel {}", i % 700))),
                state: if i % 5 == 0 { "unmatched" } else { "product" }.to_owned(),
                vendor: Some(format!("Éditeur {}", i % 60)),
                version: Some(format!("{}.{}", i % 9, i % 4)),
                subdomain: Some(subdomain(i)),
                users: Some((i % 900) as i32),
                hosting: Some("Datacenter du GHT"),
                contract_end: Some(day(2026 + (i % 5) as i32, 1 + (i % 12) as u32, 1)),
                annual_cost: Some((i % 10_000) as f64 * 12.5),
                identity_connected: Some(i % 3 == 0),
                match_method: Some("nom ou alias du catalogue".to_owned()),
                go_live: Some(day(2015, 1 + (i % 12) as u32, 1)),
                interfaces: Some("HL7, HPRIM".to_owned()),
                convergence_status: Some("À conserver"),
            }
        })
        .collect();
    let trajectories = (0..subdomains)
        .map(|s| Trajectory {
            subdomain: format!("DOM{}.SUB{s}", s % 12),
            planned_curve: vec![PlannedPoint { date: day(2026, 6, 30), rate: 1.0 }],
            campaigns: (2024..=2026)
                .map(|year| CampaignStatus {
                    year,
                    reference_date: day(year, 1, 1),
                    actual: Some(f64::from(year - 2023) / 4.0),
                    planned: Some(f64::from(year - 2023) / 3.0),
                    projected_completion: Some(day(2027, 6, 30)),
                    status: Status::Late,
                    days_late_vs_plan: Some(10),
                    days_late_vs_milestone: Some(1800),
                })
                .collect(),
        })
        .collect();
    GhtExport {
        ght_code: "NOR-02".to_owned(),
        ght_name: "GHT de banc d'essai".to_owned(),
        region: ("NOR".to_owned(), "Normandie".to_owned()),
        campaign: 2026,
        previous_campaign: Some(2025),
        extracted_on: day(2026, 11, 26),
        completeness: (etablissements as i32, etablissements as i32),
        indicators: (0..60)
            .map(|i| SynthesisLine {
                code: format!("APP.INDICATOR.{i}"),
                label: format!("Indicateur {i}"),
                unit: "percent".to_owned(),
                higher_is_better: i % 2 == 0,
                value: Some(0.5),
                known_share: Some(0.9),
                previous: Some(0.4),
                declared: None,
            })
            .collect(),
        etablissements: members,
        domains: (0..12).map(|d| (format!("DOM{d}"), format!("Domaine {d}"))).collect(),
        subdomains: (0..subdomains)
            .map(|s| (format!("DOM{}.SUB{s}", s % 12), format!("DOM{}", s % 12), format!("Sous-domaine {s}")))
            .collect(),
        targets: (0..subdomains)
            .map(|s| (format!("DOM{}.SUB{s}", s % 12), (s as i64, format!("Logiciel {s}"))))
            .collect(),
        rows,
        trajectories,
        ..GhtExport::default()
    }
}

/// The same cells as the consolidated inventory, written bare.
fn bare(data: &GhtExport) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    for (c, h) in vision::INVENTORY_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, row) in data.rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.etablissement).unwrap();
        sheet.write_string(r, 1, &row.finess_ej).unwrap();
        sheet.write_string(r, 3, &row.application_raw).unwrap();
        if let Some((_, name)) = &row.product {
            sheet.write_string(r, 4, name).unwrap();
        }
        sheet.write_string(r, 5, row.vendor.as_deref().unwrap_or_default()).unwrap();
        sheet.write_string(r, 6, row.version.as_deref().unwrap_or_default()).unwrap();
        sheet.write_string(r, 7, row.subdomain.as_deref().unwrap_or_default()).unwrap();
        sheet.write_number(r, 8, f64::from(row.users.unwrap_or(0))).unwrap();
        sheet.write_string(r, 9, row.hosting.unwrap_or_default()).unwrap();
        sheet.write_number(r, 10, 46_000.0).unwrap();
        sheet.write_number(r, 11, row.annual_cost.unwrap_or(0.0)).unwrap();
        sheet.write_string(r, 12, "Oui").unwrap();
        sheet.write_string(r, 13, row.match_method.as_deref().unwrap_or_default()).unwrap();
        sheet.write_string(r, 14, "produit du catalogue").unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(300_000);
    let national = data(rows, 1_000, 40);
    let base = status_mb("VmRSS:");

    reset_peak();
    let start = Instant::now();
    let plain = bare(&national);
    let bare_secs = start.elapsed().as_secs_f64();
    let bare_peak = status_mb("VmHWM:") - base;
    drop(plain);

    reset_peak();
    let start = Instant::now();
    let written = vision::consolidated_inventory(&national).unwrap();
    let ours_secs = start.elapsed().as_secs_f64();
    let ours_peak = status_mb("VmHWM:") - base;
    let size = written.len();
    drop(written);
    drop(national);

    let ght = data(5_000, 12, 40);
    reset_peak();
    let start = Instant::now();
    let vision_bytes = vision::workbook(&ght).unwrap();
    let vision_secs = start.elapsed().as_secs_f64();

    println!("| export | time | peak memory above the data | target |");
    println!("|---|---:|---:|---|");
    println!(
        "| {rows} rows written bare (rust_xlsxwriter, constant memory) | {bare_secs:.2} s | {bare_peak:.0} MB | |"
    );
    println!(
        "| consolidated inventory, {rows} rows ({} MB) | {ours_secs:.2} s ({:.2}×) | {ours_peak:.0} MB | ≤ 1.5×, < 300 MB |",
        size / (1024 * 1024),
        ours_secs / bare_secs
    );
    println!(
        "| GHT vision, 5,000 rows, 40 sub-domains, 3 campaigns ({} KB) | {vision_secs:.3} s | | < 1 s |",
        vision_bytes.len() / 1024
    );
}
