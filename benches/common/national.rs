//! What the benchmarks on a generated national dataset share (indicators,
//! pages): the service started on a database of their own, campaigns,
//! GHTs, members, validated uploads and tokens written straight through the
//! store (the importer has its own benchmark), and a generated inventory
//! row.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use convergence::auth::Principal;
use convergence::config::Settings;
use convergence::domain::{CampaignStatus, CampaignYear, Finess, GhtCode, Money, RegionCode, Role, UploadStatus};
use convergence::normalise::row::NormalisedRow;
use convergence::normalise::sentinel::EntryState;
use convergence::service::tokens;
use convergence::startup::Application;
use convergence::store::audit::Actor;
use convergence::store::entities::{etablissement, ght, ght_membership, inventory_upload, upload_etablissement};
use convergence::store::{Db, inventory};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, Set};

/// The service, started on `BENCH_DATABASE_URL` or a fresh SQLite file in
/// `dir`: its address, its database, and the backend's name.
pub async fn start(dir: &std::path::Path) -> (String, Db, &'static str) {
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let settings = Settings::from_lookup(|name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "CONVERGENCE_BIND" => Some("127.0.0.1:0".to_owned()),
        "CONVERGENCE_WORKER_BIN" => Some(env!("CARGO_BIN_EXE_convergence").to_owned()),
        // Thousands of requests in a row from one token: latency, not the limiter.
        "CONVERGENCE_RATE_PER_SECOND" | "CONVERGENCE_RATE_BURST" => Some("1000000".to_owned()),
        _ => None,
    })
    .expect("settings");
    let app = Application::build(settings).await.expect("application");
    let address = format!("http://{}", app.local_addr().expect("address"));
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    (address, db, backend)
}

/// The `p`-th quantile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A token of a role (and GHT), as the operator creates one.
pub async fn token(db: &Db, role: Role, ght: Option<&GhtCode>) -> String {
    let principal = Principal::command_line("bench");
    let actor = Actor { principal: &principal, request_id: None };
    let new = tokens::NewToken {
        role,
        label: "bench".to_owned(),
        ght: ght.cloned(),
        region: None,
        finess: None,
        valid_until: None,
    };
    let (_, secret) = tokens::create(db, actor, new).await.expect("token");
    secret
}

/// Open campaigns for these years.
pub async fn open_campaigns(db: &Db, years: &[i32]) {
    let txn = db.begin_write().await.expect("txn");
    for year in years {
        convergence::store::entities::campaign::ActiveModel {
            year: Set(CampaignYear::new(i64::from(*year)).expect("year")),
            reference_date: Set(NaiveDate::from_ymd_opt(*year, 1, 1).expect("date")),
            deadline: Set(None),
            status: Set(CampaignStatus::Open),
            opened_at: Set(Utc::now()),
            closed_at: Set(None),
        }
        .insert(&txn)
        .await
        .expect("campaign");
    }
    txn.commit().await.expect("commit");
}

/// A GHT.
pub async fn insert_ght(txn: &DatabaseTransaction, code: &GhtCode, region: &str) {
    let now = Utc::now();
    ght::ActiveModel {
        code: Set(code.clone()),
        name: Set(format!("GHT {code}")),
        region_code: Set(RegionCode::parse(region).expect("region")),
        support_finess_ej: Set(None),
        auto_validate: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .expect("ght");
}

/// An établissement, member of a GHT since 2016.
pub async fn insert_member(txn: &DatabaseTransaction, ght: &GhtCode, finess: &Finess, name: String) {
    let now = Utc::now();
    etablissement::ActiveModel {
        finess_ej: Set(finess.clone()),
        name: Set(name),
        category: Set(None),
        departement: Set(None),
        commune: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .expect("établissement");
    ght_membership::ActiveModel {
        ght_code: Set(ght.clone()),
        finess_ej: Set(finess.clone()),
        valid_from: Set(NaiveDate::from_ymd_opt(2016, 7, 1).expect("date")),
        valid_to: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await
    .expect("membership");
}

/// A validated upload of an établissement holding these rows.
pub async fn insert_validated_upload(db: &Db, year: i32, ght: &GhtCode, finess: &Finess, rows: Vec<NormalisedRow>) {
    let now = Utc::now();
    let campaign = CampaignYear::new(i64::from(year)).expect("year");
    let txn = db.begin_write().await.expect("txn");
    let count = rows.len() as i32;
    let upload = inventory_upload::ActiveModel {
        campaign_year: Set(campaign),
        ght_code: Set(ght.clone()),
        finess_ej: Set(Some(finess.clone())),
        file_name: Set("généré.xlsx".to_owned()),
        format: Set("xlsx".to_owned()),
        size_bytes: Set(0),
        sha256: Set(format!("{year}-{finess}")),
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
        rows: Set(count),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .expect("coverage");
    inventory::insert_entries(&txn, upload.id, campaign, rows).await.expect("entries");
    txn.commit().await.expect("commit");
}

/// The catalogue's products (id, name), as seeded.
pub async fn products(db: &Db) -> Vec<(i64, String)> {
    let names: Vec<String> =
        convergence::reference::catalogue().expect("catalogue").into_iter().map(|e| e.product).collect();
    let all = convergence::store::entities::product::Entity::find().all(db.reader()).await.expect("products");
    all.into_iter().filter(|p| names.contains(&p.name)).map(|p| (p.id, p.name)).collect()
}

/// An inventory row: mostly catalogue products, some unknown names,
/// in-house tools and needs without software; users, costs and contract
/// ends for some.
pub fn row(
    finess: &Finess,
    r: usize,
    i: usize,
    year: i32,
    products: &[(i64, String)],
    subdomain: &str,
) -> NormalisedRow {
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
        subdomain: Some(subdomain.to_owned()),
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

/// `count` GHTs spread over the metropolitan regions, numbered within each
/// (`ARA-01`, `BFC-01`, …, `ARA-02`, …).
pub async fn insert_ghts(txn: &DatabaseTransaction, count: usize) -> Vec<GhtCode> {
    let metropolitan: Vec<&str> =
        convergence::domain::REGIONS.iter().filter(|(_, _, overseas)| !overseas).map(|(c, _, _)| *c).collect();
    let mut codes = Vec::new();
    for g in 0..count {
        let region = metropolitan[g % metropolitan.len()];
        let code = GhtCode::parse(&format!("{region}-{:02}", g / metropolitan.len() + 1)).expect("code");
        insert_ght(txn, &code, region).await;
        codes.push(code);
    }
    codes
}
