//! The scope holds for every object: what belongs to another GHT answers
//! exactly as what does not exist, and what a token covers is decided at
//! request time from the memberships of the day (or, for a campaign's
//! data, from the memberships at that campaign's reference date).

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

const HAVRE: &str = "760780726";
const BOULOGNE: &str = "620103440";

/// A problem's detail with one id replaced, to compare the answer about
/// another scope's object with the answer about an absent one.
fn detail_without(reply: &Reply, id: i64) -> String {
    reply.body["detail"].as_str().unwrap_or_default().replace(&id.to_string(), "<id>")
}

/// The DSI of HDF-01 proposes a product; returns its id.
async fn proposal_of_another_ght(app: &TestApp) -> i64 {
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
    let other_dsi = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let body = serde_json::json!({"name": "Outil Secret Boulonnais", "vendor": "Éditeur du Nord"});
    let proposed = app.send(Method::POST, "/api/v1/catalogue/products", Some(&other_dsi), Some(body)).await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{proposed:?}");
    proposed.body["id"].as_i64().unwrap()
}

db_test!(another_ghts_pending_proposal_is_an_unknown_product_everywhere_a_ght_names_one, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let secret = proposal_of_another_ght(&app).await;
    let absent = secret + 1000;
    let csv = "Application;Sous-domaine\nLogiciel Maison Inconnu;DPI.CORE\n";
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let entry = rows.body[0]["id"].as_i64().unwrap();

    let attempts = |product: i64| {
        [
            (
                Method::PUT,
                "/api/v1/ghts/NOR-02/targets".to_owned(),
                serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": product}]}),
            ),
            (
                Method::POST,
                "/api/v1/ghts/NOR-02/review".to_owned(),
                serde_json::json!({"name": "Logiciel Maison Inconnu", "product_id": product}),
            ),
            (Method::PATCH, format!("/api/v1/entries/{entry}"), serde_json::json!({"product_id": product})),
        ]
    };
    for ((method, path, with_secret), (_, _, with_absent)) in attempts(secret).into_iter().zip(attempts(absent)) {
        let refused = app.send(method.clone(), &path, Some(&dsi), Some(with_secret)).await;
        let absent_reply = app.send(method.clone(), &path, Some(&dsi), Some(with_absent)).await;
        assert!(refused.status.is_client_error(), "{method} {path}: {refused:?}");
        assert_eq!(
            (refused.status, &refused.body["type"], detail_without(&refused, secret)),
            (absent_reply.status, &absent_reply.body["type"], detail_without(&absent_reply, absent)),
            "{method} {path}: another GHT's proposal answers as an absent product"
        );
        assert!(!refused.body.to_string().contains("Secret"), "{refused:?}");
    }
    let indicators = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None).await;
    assert!(!indicators.body.to_string().contains("Secret"));
});

const FECAMP: &str = "760780734";

/// Ends an établissement's membership of `from` on `on` and starts one in
/// `to` the same day, as the operator records a move (across regions here,
/// admitted on purpose).
async fn move_etablissement(app: &TestApp, finess: &str, from: &str, to: &str, on: &str) {
    let members = app.get(&format!("/api/v1/ghts/{from}/etablissements")).await;
    let id = members.body.as_array().unwrap().iter().find(|m| m["finess_ej"] == finess).unwrap()["membership"]["id"]
        .as_i64()
        .unwrap();
    let ended =
        app.post(&format!("/api/v1/ghts/{from}/memberships/{id}/end"), serde_json::json!({"valid_to": on})).await;
    assert_eq!(ended.status, StatusCode::OK, "{ended:?}");
    let joined = app
        .post(
            &format!("/api/v1/ghts/{to}/memberships"),
            serde_json::json!({"finess_ej": finess, "valid_from": on, "other_region": true}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{joined:?}");
}

db_test!(an_etablissement_token_covers_the_ght_of_the_day_not_the_one_of_its_making, |app| {
    app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
    let fecamp = app.token(Role::Etablissement, None, None, Some(FECAMP)).await;
    let read = |path: &'static str| app.send(Method::GET, path, Some(&fecamp), None);
    assert_eq!(read("/api/v1/ghts/NOR-02").await.status, StatusCode::OK);
    assert_problem(&read("/api/v1/ghts/HDF-01").await, StatusCode::NOT_FOUND, "not-found");

    let today = chrono::Utc::now().date_naive().to_string();
    move_etablissement(&app, FECAMP, "NOR-02", "HDF-01", &today).await;
    assert_eq!(read("/api/v1/ghts/HDF-01").await.status, StatusCode::OK);
    for former in ["/api/v1/ghts/NOR-02", "/api/v1/ghts/NOR-02/targets", "/api/v1/ghts/NOR-02/indicators?campaign=2026"]
    {
        assert_problem(&read(former).await, StatusCode::NOT_FOUND, "not-found");
    }
    let listed = read("/api/v1/ghts").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1, "{listed:?}");
    assert_eq!(listed.body["items"][0]["code"], "HDF-01");
});

db_test!(an_etablissements_campaign_data_is_read_by_the_ght_it_belonged_to_at_the_reference_date, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
    // Boulogne left HDF-01 for NOR-02 before the 2026 campaign's reference date.
    move_etablissement(&app, BOULOGNE, "HDF-01", "NOR-02", "2025-07-01").await;
    let csv = "Application;Sous-domaine\nDxCare;DPI.CORE\n";
    let path = format!("/api/v1/etablissements/{BOULOGNE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");

    let indicators = format!("/api/v1/etablissements/{BOULOGNE}/indicators?campaign=2026");
    let boulogne = app.token(Role::Etablissement, None, None, Some(BOULOGNE)).await;
    let nor_ars = app.token(Role::Regional, None, Some("NOR"), None).await;
    for reader in [&dsi, &boulogne, &nor_ars, &app.admin_token] {
        let reply = app.send(Method::GET, &indicators, Some(reader), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    }
    let former_dsi = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let former_ars = app.token(Role::Regional, None, Some("HDF"), None).await;
    let unknown = app
        .send(Method::GET, "/api/v1/etablissements/130784234/indicators?campaign=2026", Some(&former_dsi), None)
        .await;
    for former in [&former_dsi, &former_ars] {
        let reply = app.send(Method::GET, &indicators, Some(former), None).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        assert_eq!(
            reply.body["detail"].as_str().map(|d| d.replace(BOULOGNE, "<finess>")),
            unknown.body["detail"].as_str().map(|d| d.replace("130784234", "<finess>"))
        );
    }
});

db_test!(an_etablissements_header_mapping_applies_to_its_own_deposits_never_to_the_ghts, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let fecamp = app.token(Role::Etablissement, None, None, Some(FECAMP)).await;
    let own = format!("/api/v1/etablissements/{FECAMP}/campaigns/2026/inventory");
    // Fécamp reads « Application » as the vendor and « Outil metier » as
    // the application in its own file.
    let csv = b"Outil metier;Application\nPastel;Maincare\n".to_vec();
    let mapping = r#"{"Outil metier": "application", "Application": "vendor"}"#;
    let deposited = app.deposit(&own, &fecamp, "fecamp.csv", csv, Some(mapping)).await;
    assert_eq!(deposited.status, StatusCode::CREATED, "{deposited:?}");
    let again =
        app.deposit(&format!("{own}?dry_run=true"), &fecamp, "b.csv", b"OUTIL METIER\nGlims\n".to_vec(), None).await;
    assert_eq!(again.body["rows"][0]["application_raw"], "Glims", "its own later deposits use it: {again:?}");

    // Le Havre's deposits still read « Application » as the application.
    let havre = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?dry_run=true");
    let read = app.deposit(&havre, &dsi, "havre.csv", b"Application\nDxCare\n".to_vec(), None).await;
    assert_eq!(read.status, StatusCode::OK, "{read:?}");
    assert_eq!(read.body["rows"][0]["application_raw"], "DxCare", "{read:?}");
    let unknown = app.deposit(&havre, &dsi, "havre.csv", b"Outil metier\nDxCare\n".to_vec(), None).await;
    assert_problem(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "no-header-row");
});

db_test!(an_etablissement_withdraws_only_its_own_deposit_awaiting_validation, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let havre = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = |token: String, csv: &'static str| {
        let path = path.clone();
        let app = &app;
        async move {
            let reply = app.deposit(&path, &token, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
            (reply.body["upload"]["id"].as_i64().unwrap(), reply.body["upload"]["status"].as_str().unwrap().to_owned())
        }
    };
    let withdraw = |id: i64, token: String| {
        let app = &app;
        async move { app.send(Method::DELETE, &format!("/api/v1/uploads/{id}"), Some(&token), None).await }
    };

    let (by_dsi, status) = deposit(dsi.clone(), "Application\nDxCare\n").await;
    assert_eq!(status, "validated");
    assert_problem(&withdraw(by_dsi, havre.clone()).await, StatusCode::FORBIDDEN, "forbidden");

    let (pending, status) = deposit(havre.clone(), "Application\nDxCare\nPastel\n").await;
    assert_eq!(status, "submitted");
    let validated = app.send(Method::POST, &format!("/api/v1/uploads/{pending}/validate"), Some(&dsi), None).await;
    assert_eq!(validated.status, StatusCode::OK, "{validated:?}");
    assert_problem(&withdraw(pending, havre.clone()).await, StatusCode::FORBIDDEN, "forbidden");

    let (own, status) = deposit(havre.clone(), "Application\nDxCare\nPastel\nGlims\n").await;
    assert_eq!(status, "submitted");
    let withdrawn = withdraw(own, havre.clone()).await;
    assert_eq!(
        (withdrawn.status, withdrawn.body["status"].as_str()),
        (StatusCode::OK, Some("withdrawn")),
        "{withdrawn:?}"
    );
    assert_eq!(withdraw(pending, dsi.clone()).await.status, StatusCode::OK, "the DSI withdraws what it validated");
});

db_test!(a_member_from_another_region_is_admitted_only_on_purpose_and_audited, |app| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    let body = serde_json::json!({"finess_ej": BOULOGNE, "name": "CH de Boulogne-sur-Mer"});
    assert_eq!(app.post("/api/v1/etablissements", body).await.status, StatusCode::CREATED);
    let join = |other_region: Option<bool>| {
        let mut body = serde_json::json!({"finess_ej": BOULOGNE, "valid_from": "2024-01-01"});
        if let Some(flag) = other_region {
            body["other_region"] = serde_json::json!(flag);
        }
        app.post("/api/v1/ghts/NOR-02/memberships", body)
    };
    let refused = join(None).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("HDF") && detail.contains("NOR") && detail.contains("other_region"), "{detail}");
    assert_problem(&join(Some(false)).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let admitted = join(Some(true)).await;
    assert_eq!(admitted.status, StatusCode::CREATED, "{admitted:?}");
    let trail = app.get("/api/v1/audit-events?action=membership.create").await;
    let latest = &trail.body["items"][0];
    assert_eq!(
        (latest["after"]["finess_ej"].as_str(), latest["after"]["other_region"].as_bool()),
        (Some(BOULOGNE), Some(true))
    );
    assert_eq!(
        trail.body["items"][1]["after"]["other_region"],
        serde_json::Value::Null,
        "an ordinary member is not flagged"
    );
});

db_test!(a_proposal_by_another_ght_of_the_same_name_is_not_revealed, |app| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
    let nor = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let hdf = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let propose = |token: String| {
        let app = &app;
        async move {
            let body = serde_json::json!({"name": "Planificateur Bloc Régional", "vendor": "Éditeur local"});
            app.send(Method::POST, "/api/v1/catalogue/products", Some(&token), Some(body)).await
        }
    };
    let first = propose(hdf.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let second = propose(nor.clone()).await;
    assert_eq!(second.status, StatusCode::CREATED, "another GHT's proposal is not revealed: {second:?}");
    assert_ne!(first.body["id"], second.body["id"]);
    assert_problem(&propose(nor.clone()).await, StatusCode::CONFLICT, "conflict");

    // The operator approves one; the other is to be merged into it, not
    // approved as a second product of the same name.
    let approve = |id: serde_json::Value| {
        let app = &app;
        async move { app.post(&format!("/api/v1/catalogue/products/{id}/approve"), serde_json::json!({})).await }
    };
    assert_eq!(approve(first.body["id"].clone()).await.status, StatusCode::OK);
    let twice = approve(second.body["id"].clone()).await;
    assert_problem(&twice, StatusCode::CONFLICT, "conflict");
    assert!(twice.body["detail"].as_str().unwrap().contains("fusionnez"), "{twice:?}");
});
