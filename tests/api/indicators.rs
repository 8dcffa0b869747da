use axum::http::{Method, StatusCode};
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

    // Per établissement: the same definitions on its own rows; the second member is missing.
    let havre = app
        .send(Method::GET, &format!("/api/v1/etablissements/{HAVRE}/indicators?campaign=2026"), Some(&dsi), None)
        .await
        .body;
    assert_eq!((havre["reporting"].as_bool(), havre["ght_code"].as_str()), (Some(true), Some("NOR-02")));
    assert_eq!(find(&havre, "APP.COUNT")["value"], 3.0);
    let missing =
        app.send(Method::GET, "/api/v1/etablissements/760780734/indicators?campaign=2026", Some(&dsi), None).await;
    assert_eq!(missing.body["reporting"], false, "{missing:?}");
    assert_eq!(missing.body["computed"], serde_json::json!([]));
    // The campaign page says whom to chase.
    let campaign = app.send(Method::GET, "/api/v1/ghts/NOR-02/campaigns/2026", Some(&dsi), None).await.body;
    let etablissements = campaign["etablissements"].as_array().unwrap();
    let status = |finess: &str| etablissements.iter().find(|e| e["finess_ej"] == finess).unwrap()["status"].clone();
    assert_eq!((status(HAVRE), status("760780734")), (Value::from("validated"), Value::from("missing")));
    assert_eq!(campaign["completeness"]["rate"], 0.5);

    // The DSI targets DxCare for DPI.CORE: the values move in the same transaction.
    let dxcare = app.product_id("DxCare").await;
    let targets = serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": dxcare}]});
    let put = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(targets)).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    let body = read().await.body;
    assert_eq!(find(&body, "APP.TARGET_RATE.DPI.CORE")["value"], 1.0);
    assert_eq!(find(&body, "APP.LEGACY_REMAINING.DPI.CORE")["value"], 1.0);
    assert_eq!(find(&body, "APP.CONV_RATE")["value"], 1.0);
    // ORBIS is off target and its cost is unknown: no figure, known share 0.
    let off_target = find(&body, "COST.OFF_TARGET");
    assert_eq!((off_target["value"].clone(), off_target["known_share"].as_f64()), (Value::Null, Some(0.0)));

    // A new member joins: one more établissement expected, at once.
    let body = serde_json::json!({"finess_ej": "760024042", "name": "CH de Dieppe"});
    assert_eq!(app.post("/api/v1/etablissements", body).await.status, StatusCode::CREATED);
    let joined = app
        .post(
            "/api/v1/ghts/NOR-02/memberships",
            serde_json::json!({"finess_ej": "760024042", "valid_from": "2016-07-01"}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{joined:?}");
    assert_eq!(read().await.body["completeness"]["expected"], 3);

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

db_test!(targets_are_dated_versions_checked_against_the_reference, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let dxcare = app.product_id("DxCare").await;
    let path = "/api/v1/ghts/NOR-02/targets";
    assert_eq!(app.send(Method::GET, path, Some(&dsi), None).await.status, StatusCode::NOT_FOUND);

    let first = serde_json::json!({
        "products": [{"subdomain": "DPI.CORE", "product_id": dxcare}],
        "migrations": [{"finess_ej": HAVRE, "subdomain": "DPI.CORE", "planned_on": "2027-06-30"}],
        "comment": "SDSI 2026",
    });
    let put = app.send(Method::PUT, path, Some(&dsi), Some(first)).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    assert_eq!(put.body["products"][0]["product"], "DxCare");
    assert_eq!(put.body["migrations"][0]["planned_on"], "2027-06-30");
    let second =
        serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": dxcare}], "comment": "sans dates"});
    let put = app.send(Method::PUT, path, Some(&dsi), Some(second)).await;
    let current = app.send(Method::GET, path, Some(&dsi), None).await;
    assert_eq!(
        (current.body["version"].clone(), current.body["comment"].as_str()),
        (put.body["version"].clone(), Some("sans dates"))
    );
    assert_eq!(current.body["migrations"], serde_json::json!([]));
    let before = app.send(Method::GET, &format!("{path}?at=2020-01-01"), Some(&dsi), None).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND);
    assert!(before.body["detail"].as_str().unwrap().contains("01/01/2020"), "{before:?}");

    // Every refusal names the faulty item.
    for (body, expected) in [
        (serde_json::json!({"products": [{"subdomain": "DPI.XYZ", "product_id": dxcare}]}), "products[0]"),
        (serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": 999_999}]}), "999999"),
        (
            serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": dxcare}],
                "migrations": [{"finess_ej": "010008407", "subdomain": "DPI.CORE", "planned_on": "2027-01-01"}]}),
            "n'est pas membre",
        ),
        (
            serde_json::json!({"products": [],
                "migrations": [{"finess_ej": HAVRE, "subdomain": "DPI.CORE", "planned_on": "2027-01-01"}]}),
            "pas de produit cible",
        ),
    ] {
        let refused = app.send(Method::PUT, path, Some(&dsi), Some(body)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused:?}");
        assert!(refused.body["detail"].as_str().unwrap().contains(expected), "{refused:?}");
    }
    // Sub-domain codes are case-insensitive in migrations as in products.
    let lowercase = serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": dxcare}],
        "migrations": [{"finess_ej": HAVRE, "subdomain": "dpi.core", "planned_on": "2027-01-01"}]});
    let accepted = app.send(Method::PUT, path, Some(&dsi), Some(lowercase)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{accepted:?}");
    assert_eq!(accepted.body["migrations"][0]["subdomain"], "DPI.CORE");
    let etablissement = app.token(convergence::domain::Role::Etablissement, Some("NOR-02"), None, Some(HAVRE)).await;
    let forbidden = app.send(Method::PUT, path, Some(&etablissement), Some(serde_json::json!({"products": []}))).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
});

db_test!(governance_answers_are_declared_per_campaign, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = "/api/v1/ghts/NOR-02/campaigns/2026/answers/GOV.SDSI";
    let answer = serde_json::json!({"status": "realise", "status_date": "2017-11-30", "comment": "validé en CSE"});
    let put = app.send(Method::PUT, path, Some(&dsi), Some(answer)).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    let body = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None).await.body;
    let declared = &body["declared"][0];
    assert_eq!((declared["code"].as_str(), declared["label"].as_str()), (Some("GOV.SDSI"), Some("SDSI validé")));
    assert_eq!(declared["status_date"], "2017-11-30");

    let computed = "/api/v1/ghts/NOR-02/campaigns/2026/answers/APP.COUNT";
    let refused = app.send(Method::PUT, computed, Some(&dsi), Some(serde_json::json!({"status": "realise"}))).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.send(Method::PUT, path, Some(&dsi), Some(serde_json::json!({"status": "fini"}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(deltas_and_diff_compare_a_closed_campaign_with_the_open_one, |app| {
    app.given_ght("NOR-02", "NOR", &[HAVRE, "760780734"]).await;
    let dsi = app.token(convergence::domain::Role::Ght, Some("NOR-02"), None, None).await;
    let path = |year: i32| format!("/api/v1/etablissements/{HAVRE}/campaigns/{year}/inventory");
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2025})).await.status, StatusCode::CREATED);
    let v2025 = "Application;Sous-domaine;Version;Coût annuel\n\
                 Crossway;DPI.CORE;8;90 000\n\
                 Glims;LAB.SIL;9;\n\
                 Agirh;GRH.PAIE;;10 000\n";
    let deposit = app.deposit(&path(2025), &dsi, "2025.csv", v2025.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let closed = app.post("/api/v1/campaigns/2025/close", serde_json::json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await.status, StatusCode::CREATED);
    let v2026 = "Application;Sous-domaine;Version;Coût annuel\n\
                 DxCare;DPI.CORE;8.1;100 000\n\
                 Glims;LAB.SIL;10;\n";
    let deposit = app.deposit(&path(2026), &dsi, "2026.csv", v2026.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");

    // Defaults: the latest campaign against the one before.
    let deltas = app.send(Method::GET, "/api/v1/ghts/NOR-02/deltas", Some(&dsi), None).await;
    assert_eq!(deltas.status, StatusCode::OK, "{deltas:?}");
    assert_eq!((deltas.body["from"].as_i64(), deltas.body["to"].as_i64()), (Some(2025), Some(2026)));
    let delta = |code: &str| {
        deltas.body["deltas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{code}"))
            .clone()
    };
    // 3 rows → 2; 100,000 € known in 2026 against 90,000 + 10,000 in 2025.
    assert_eq!(delta("APP.COUNT")["delta"], -1.0);
    assert_eq!(delta("COST.ANNUAL")["delta"], 0.0);
    assert_eq!(delta("APP.COUNT")["label"], "Nombre d'applications");
    // GRH.PAIE is gone: it has a value in 2025 only, so no delta.
    let paie = delta("APP.N_SOLUTIONS.GRH.PAIE");
    assert_eq!(
        (paie["from"].as_f64(), paie["to"].clone(), paie["delta"].clone()),
        (Some(1.0), Value::Null, Value::Null)
    );

    let diff = app.send(Method::GET, "/api/v1/ghts/NOR-02/diff?from=2025&to=2026", Some(&dsi), None).await;
    assert_eq!(
        diff.body["changes"],
        serde_json::json!([
            {"change": "replaced", "finess_ej": HAVRE, "subdomain": "DPI.CORE", "from": "M-CrossWay", "to": "DxCare"},
            {"change": "removed", "finess_ej": HAVRE, "subdomain": "GRH.PAIE", "name": "Agirh"},
            {"change": "version_changed", "finess_ej": HAVRE, "subdomain": "LAB.SIL", "name": "Glims", "from": "9", "to": "10"},
        ]),
        "{diff:?}"
    );
    let backwards = app.send(Method::GET, "/api/v1/ghts/NOR-02/diff?from=2026&to=2025", Some(&dsi), None).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(a_dsi_sees_its_trajectories_with_lateness, |app| {
    const FECAMP: &str = "760780734";
    app.given_ght("NOR-02", "NOR", &[HAVRE, FECAMP]).await;
    let dsi = app.token(convergence::domain::Role::Ght, Some("NOR-02"), None, None).await;
    let dxcare = app.product_id("DxCare").await;
    let deposit = |year: i32, finess: &'static str, application: &'static str| {
        let csv = format!("Application;Sous-domaine\n{application};DPI.CORE\n");
        let path = format!("/api/v1/etablissements/{finess}/campaigns/{year}/inventory");
        let app = &app;
        let dsi = dsi.clone();
        async move {
            let reply = app.deposit(&path, &dsi, "inventaire.csv", csv.into_bytes(), None).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        }
    };
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2025})).await.status, StatusCode::CREATED);
    // Plan: Fécamp on DxCare by mid-2024, Le Havre by mid-2026.
    let targets = serde_json::json!({
        "products": [{"subdomain": "DPI.CORE", "product_id": dxcare}],
        "migrations": [
            {"finess_ej": FECAMP, "subdomain": "DPI.CORE", "planned_on": "2024-06-30"},
            {"finess_ej": HAVRE, "subdomain": "DPI.CORE", "planned_on": "2026-06-30"},
        ],
    });
    let put = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(targets)).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    deposit(2025, HAVRE, "Crossway").await;
    deposit(2025, FECAMP, "DxCare").await;
    assert_eq!(app.post("/api/v1/campaigns/2025/close", serde_json::json!({})).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await.status, StatusCode::CREATED);
    // A year later Le Havre has not moved: 50 % both years.
    deposit(2026, HAVRE, "Crossway").await;
    deposit(2026, FECAMP, "DxCare").await;

    let reply = app.send(Method::GET, "/api/v1/ghts/NOR-02/trajectories", Some(&dsi), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let trajectory = &reply.body["trajectories"][0];
    assert_eq!(trajectory["subdomain"], "DPI.CORE");
    let campaigns = trajectory["campaigns"].as_array().unwrap();
    // 2025-01-01: Fécamp planned (2024-06-30), Le Havre not yet: 50 % planned, 50 % actual,
    // first campaign, before the last planned date → on track.
    assert_eq!((campaigns[0]["actual"].as_f64(), campaigns[0]["planned"].as_f64()), (Some(0.5), Some(0.5)));
    assert_eq!(campaigns[0]["status"], "on_track");
    // 2026-01-01: no progress in a year → no projected completion, late; at least
    // 1,826 days after the 2021-01-01 milestone (the reference date as lower bound).
    assert_eq!(campaigns[1]["status"], "late");
    assert_eq!(campaigns[1]["projected_completion"], Value::Null);
    assert_eq!(campaigns[1]["days_late_vs_milestone"], 1826);
    assert_eq!(campaigns[1]["days_late_vs_plan"], 0, "the plan's last date (2026-06-30) is not past yet");
    assert_eq!(reply.body["summary"]["late"], 1);
    assert_eq!(reply.body["summary"]["subdomains"], 1);

    // The DSI drops the dates: the current plan has none. Before any target existed, no trajectory.
    let undated = serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": dxcare}]});
    let put = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(undated)).await;
    assert_eq!(put.status, StatusCode::OK);
    let now = app.send(Method::GET, "/api/v1/ghts/NOR-02/trajectories", Some(&dsi), None).await;
    assert_eq!(now.body["trajectories"][0]["campaigns"][1]["status"], "no_plan");
    let then = app.send(Method::GET, "/api/v1/ghts/NOR-02/trajectories?planned_at=2020-01-01", Some(&dsi), None).await;
    assert_eq!(then.body["trajectories"], serde_json::json!([]), "no targets existed in 2020");
});

db_test!(dgos_sees_national_and_regional_distributions_and_a_dsi_its_own_rank, |app| {
    use convergence::domain::Role;
    const FECAMP: &str = "760780734";
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    app.given_ght("NOR-03", "NOR", &[FECAMP]).await;
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await.status, StatusCode::CREATED);
    let dsi2 = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let dsi3 = app.token(Role::Ght, Some("NOR-03"), None, None).await;
    // Le Havre: 3 applications; Fécamp: 1.
    let havre = "Application\nDxCare\nPastel\nGlims\n";
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    assert_eq!(app.deposit(&path, &dsi2, "h.csv", havre.as_bytes().to_vec(), None).await.status, StatusCode::CREATED);
    let path = format!("/api/v1/etablissements/{FECAMP}/campaigns/2026/inventory");
    assert_eq!(
        app.deposit(&path, &dsi3, "f.csv", b"Application\nDxCare\n".to_vec(), None).await.status,
        StatusCode::CREATED
    );
    let sdsi = serde_json::json!({"status": "realise", "status_date": "2017-11-30"});
    let put =
        app.send(Method::PUT, "/api/v1/ghts/NOR-02/campaigns/2026/answers/GOV.SDSI", Some(&dsi2), Some(sdsi)).await;
    assert_eq!(put.status, StatusCode::OK);
    let late = serde_json::json!({"status": "realise", "status_date": "2019-03-01"});
    let put =
        app.send(Method::PUT, "/api/v1/ghts/NOR-03/campaigns/2026/answers/GOV.SDSI", Some(&dsi3), Some(late)).await;
    assert_eq!(put.status, StatusCode::OK);

    let dgos = app.token(Role::National, None, None, None).await;
    let national = app.send(Method::GET, "/api/v1/national/indicators?campaign=2026", Some(&dgos), None).await;
    assert_eq!(national.status, StatusCode::OK, "{national:?}");
    assert_eq!(
        (national.body["completeness"]["expected"].as_i64(), national.body["completeness"]["reporting"].as_i64()),
        (Some(2), Some(2))
    );
    let count = national.body["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "APP.COUNT").unwrap();
    assert_eq!(count["distribution"]["count"], 2);
    assert_eq!((count["distribution"]["min"].as_f64(), count["distribution"]["max"].as_f64()), (Some(1.0), Some(3.0)));
    assert_eq!(count["distribution"]["median"], 2.0);
    // Fewer applications is better: Fécamp's GHT ranks first.
    assert_eq!(count["ranking"][0]["ght_code"], "NOR-03");
    assert_eq!(count["ranking"][0]["percentile"], 100.0);
    // Only NOR-02 validated its SDSI before 2017-12-31.
    let milestone = national.body["milestones"].as_array().unwrap().iter().find(|m| m["code"] == "GOV.SDSI").unwrap();
    assert_eq!((milestone["count"].as_i64(), milestone["ghts"].clone()), (Some(1), serde_json::json!(["NOR-02"])));

    // The ARS of Normandy sees its region; another ARS does not.
    let ars = app.token(Role::Regional, None, Some("NOR"), None).await;
    let region = app.send(Method::GET, "/api/v1/regions/NOR/indicators?campaign=2026", Some(&ars), None).await;
    assert_eq!(region.status, StatusCode::OK);
    assert_eq!(region.body["completeness"]["reporting"], 2);
    let other = app.token(Role::Regional, None, Some("BRE"), None).await;
    let refused = app.send(Method::GET, "/api/v1/regions/NOR/indicators?campaign=2026", Some(&other), None).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // A DSI places its GHT: its own rank only, and with two GHTs no
    // distribution (its minimum and maximum would be the peer's value).
    let mine = app.send(Method::GET, "/api/v1/national/indicators?campaign=2026", Some(&dsi2), None).await;
    let count = mine.body["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "APP.COUNT").unwrap();
    assert_eq!(count["distribution"], Value::Null, "{count}");
    assert!(mine.body["milestones"].as_array().unwrap().iter().all(|m| m["count"].is_null()), "{mine:?}");
    assert_eq!(
        count["ranking"],
        serde_json::json!([{"ght_code": "NOR-02", "value": 3.0, "rank": 2, "percentile": 0.0}])
    );
});

db_test!(a_new_schema_version_retires_an_indicator_without_touching_closed_campaigns, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    assert_eq!(
        app.deposit(&path, &dsi, "i.csv", b"Application\nDxCare\n".to_vec(), None).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.post("/api/v1/campaigns/2026/close", serde_json::json!({})).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2027})).await.status, StatusCode::CREATED);
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2027/inventory");
    assert_eq!(
        app.deposit(&path, &dsi, "j.csv", b"Application\nDxCare\nPastel\n".to_vec(), None).await.status,
        StatusCode::CREATED
    );

    let change = serde_json::json!({
        "comment": "PGSSI suivie, applications par établissement abandonné",
        "retire": ["APP.PER_ETAB"],
        "add": [{"code": "GOV.PGSSI", "per_subdomain": false, "label": "Politique de sécurité du SI du GHT",
                 "definition": "Déclaré par le GHT : non démarré / en cours / réalisé.", "unit": "enum",
                 "scopes": ["ght", "region", "nation"], "kind": "declared", "better": "higher", "milestone": null}],
    });
    let created = app.post("/api/v1/indicators/schema", change).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    assert_eq!(created.body["version"], 2);
    let open = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2027", Some(&dsi), None).await.body;
    assert_eq!(open["schema_version"], 2);
    assert!(open["computed"].as_array().unwrap().iter().all(|v| v["code"] != "APP.PER_ETAB"));
    let closed = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None).await.body;
    assert_eq!(closed["schema_version"], 1, "a closed campaign keeps the version it was published with");
    assert_eq!(find(&closed, "APP.PER_ETAB")["value"], 1.0);
    // The new declared item can be answered at once.
    let answer = app
        .send(
            Method::PUT,
            "/api/v1/ghts/NOR-02/campaigns/2027/answers/GOV.PGSSI",
            Some(&dsi),
            Some(serde_json::json!({"status": "en_cours"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");

    let unknown = serde_json::json!({"add": [{"code": "APP.MAGIC", "per_subdomain": false, "label": "x", "definition": "x",
        "unit": "count", "scopes": ["ght"], "kind": "computed", "better": "higher", "milestone": null}]});
    assert_eq!(app.post("/api/v1/indicators/schema", unknown).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused =
        app.send(Method::POST, "/api/v1/indicators/schema", Some(&dsi), Some(serde_json::json!({"retire": []}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
});

db_test!(a_stored_indicator_detail_of_no_known_shape_is_an_internal_error_never_a_default, |app| {
    use sea_orm::ConnectionTrait;
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = "Application;Sous-domaine\nDxCare;DPI.CORE\n";
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let read = || app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None);
    assert_eq!(read().await.status, StatusCode::OK);
    // A detail no version of the service writes, slipped in behind its back.
    let sql = "UPDATE indicator_runs SET ght_values = REPLACE(ght_values, '\"subdomains\"', '\"sous_domaines\"')";
    let txn = app.db.begin_write().await.unwrap();
    let changed = txn.execute_unprepared(sql).await.unwrap().rows_affected();
    txn.commit().await.unwrap();
    assert_eq!(changed, 1);
    // Counted as this replica's writes are (the answer read before is kept
    // until then).
    app.db.committed();
    let reply = read().await;
    assert_problem(&reply, StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert!(!reply.body.to_string().contains("sous_domaines"), "nothing of it reaches the client: {reply:?}");
});

db_test!(a_stored_row_whose_flags_do_not_decode_is_an_internal_error_never_an_empty_list, |app| {
    use sea_orm::ConnectionTrait;
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = "Application;Sous-domaine\nDxCare;DPI.CORE\n";
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let listing = "/api/v1/ghts/NOR-02/campaigns/2026/inventory";
    assert_eq!(app.send(Method::GET, listing, Some(&dsi), None).await.status, StatusCode::OK);
    let txn = app.db.begin_write().await.unwrap();
    txn.execute_unprepared("UPDATE inventory_entries SET flags = 'low_confidence'").await.unwrap();
    txn.commit().await.unwrap();
    // Counted as this replica's writes are (the page read before is kept
    // until then).
    app.db.committed();
    let reply = app.send(Method::GET, listing, Some(&dsi), None).await;
    assert_problem(&reply, StatusCode::INTERNAL_SERVER_ERROR, "internal");
});
