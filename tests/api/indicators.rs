use axum::http::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;
use crate::inventory::HAVRE;

fn find<'v>(body: &'v Value, code: &str) -> &'v Value {
    body["computed"]
        .as_array()
        .and_then(|values| values.iter().find(|v| v["code"] == code))
        .unwrap_or_else(|| panic!("{code} missing from {body}"))
}

async fn product_id(app: &TestApp, name: &str) -> i64 {
    convergence::store::entities::product::Entity::find()
        .filter(convergence::store::entities::product::Column::Name.eq(name))
        .one(app.db.reader())
        .await
        .unwrap()
        .unwrap()
        .id
}

db_test!(the_schema_is_served_with_french_definitions, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let reply = app.send(Method::GET, "/api/v1/indicators/schema", Some(&dsi), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["version"], 1);
    let indicators = reply.body["indicators"].as_array().unwrap();
    let sdsi = indicators.iter().find(|i| i["code"] == "GOV.SDSI").unwrap();
    assert_eq!((sdsi["kind"].as_str(), sdsi["milestone"].as_str()), (Some("declared"), Some("2017-12-31")));
    let cost = indicators.iter().find(|i| i["code"] == "COST.ANNUAL").unwrap();
    assert!(cost["definition"].as_str().unwrap().contains("jamais zéro"), "{cost}");
});

db_test!(indicators_follow_each_deposit_target_change_and_withdrawal, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    // Le Havre: DxCare and ORBIS both in DPI.CORE, Pastel for admissions.
    // The GHT's second member reports nothing.
    let csv = "Application;Sous-domaine;Nombre d'utilisateurs;Coût annuel;Connecté au référentiel d'identités\n\
               DxCare;DPI.CORE;300;100 000;oui\n\
               ORBIS;DPI.CORE;50;;non\n\
               Pastel;GAP.ADM;;20 000;\n";
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let upload = deposit.body["upload"]["id"].as_i64().unwrap();

    let read = || app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None);
    let body = read().await.body;
    assert_eq!(body["completeness"]["expected"], 2);
    assert_eq!(body["completeness"]["reporting"], 1);
    assert_eq!(find(&body, "APP.COUNT")["value"], 3.0);
    let solutions = find(&body, "APP.N_SOLUTIONS.DPI.CORE");
    assert_eq!(
        (solutions["value"].as_f64(), solutions["label"].as_str()),
        (Some(2.0), Some("Nombre de solutions du sous-domaine"))
    );
    assert_eq!(solutions["subdomain"], "DPI.CORE");
    // 100,000 + 20,000 known, ORBIS's cost unknown: 2 rows of 3.
    let cost = find(&body, "COST.ANNUAL");
    assert_eq!(cost["value"], 120_000.0);
    assert!((cost["known_share"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    // No target yet: no convergence rate, rather than a zero.
    assert_eq!(find(&body, "APP.CONV_RATE")["value"], Value::Null);
    // Identity: DxCare yes, ORBIS no, Pastel unanswered.
    assert_eq!(find(&body, "APP.ID_CONNECTED_RATE")["value"], 0.5);

    // The DSI targets DxCare for DPI.CORE: the values move in the same transaction.
    let dxcare = product_id(&app, "DxCare").await;
    let principal = convergence::auth::Principal::command_line("test");
    let actor = convergence::store::audit::Actor { principal: &principal, request_id: None };
    let txn = app.db.begin_write().await.unwrap();
    let set = convergence::store::targets::TargetSet {
        products: vec![(convergence::domain::SubdomainCode::parse("DPI.CORE").unwrap(), dxcare)],
        migrations: vec![],
        comment: None,
    };
    convergence::store::targets::replace(&txn, actor, &convergence::domain::GhtCode::parse("NOR-02").unwrap(), set)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let body = read().await.body;
    assert_eq!(find(&body, "APP.TARGET_RATE.DPI.CORE")["value"], 1.0);
    assert_eq!(find(&body, "APP.LEGACY_REMAINING.DPI.CORE")["value"], 1.0);
    assert_eq!(find(&body, "APP.CONV_RATE")["value"], 1.0);
    // ORBIS is off target and its cost is unknown: no figure, known share 0.
    let off_target = find(&body, "COST.OFF_TARGET");
    assert_eq!((off_target["value"].clone(), off_target["known_share"].as_f64()), (Value::Null, Some(0.0)));

    // Withdrawn: Le Havre no longer reports.
    let withdrawn = app.send(Method::DELETE, &format!("/api/v1/uploads/{upload}"), Some(&dsi), None).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{withdrawn:?}");
    let body = read().await.body;
    assert_eq!(body["completeness"]["reporting"], 0);
    assert_eq!(find(&body, "APP.PER_ETAB")["value"], Value::Null);
});

db_test!(another_ghts_indicators_are_out_of_reach, |app| {
    app.given_ght_with_open_campaign().await;
    app.given_ght("NOR-03", "NOR", &[]).await;
    let other = app.token(convergence::domain::Role::Ght, Some("NOR-03"), None, None).await;
    let reply = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&other), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
});
