use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(every_write_records_who_did_what_with_before_and_after, |app| {
    app.given_ght("NOR-02", "NOR", &["760780726", "270000102"]).await;
    app.patch("/api/v1/ghts/NOR-02", serde_json::json!({"name": "GHT Estuaire"})).await;
    app.patch("/api/v1/etablissements/270000102", serde_json::json!({"commune": "Pont-Audemer"})).await;
    let members = app.get("/api/v1/ghts/NOR-02/etablissements").await;
    let id = members.body[0]["membership"]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/ghts/NOR-02/memberships/{id}/end"), serde_json::json!({"valid_to": "2024-01-01"})).await;
    app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await;
    app.post("/api/v1/campaigns/2026/close", serde_json::json!({})).await;

    let trail = app.get("/api/v1/audit-events?page_size=200").await;
    assert_eq!(trail.status, StatusCode::OK);
    let events = trail.body["items"].as_array().unwrap();
    let mut actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "token.create",
            "ght.create",
            "etablissement.create",
            "membership.create",
            "etablissement.create",
            "membership.create",
            "ght.update",
            "etablissement.update",
            "membership.end",
            "campaign.open",
            "campaign.close",
        ]
    );
    let rename = events.iter().find(|e| e["action"] == "ght.update").unwrap();
    assert_eq!(rename["actor"], "test admin");
    assert_eq!(rename["before"]["name"], "GHT NOR-02");
    assert_eq!(rename["after"]["name"], "GHT Estuaire");
    assert_eq!(rename["ght_code"], "NOR-02");
    assert!(rename["request_id"].as_str().is_some_and(|r| r.len() == 36), "{rename}");
    let token_event = events.iter().find(|e| e["action"] == "token.create").unwrap();
    assert!(!token_event.to_string().contains(&app.admin_token[17..]), "no secret in the trail");

    let filtered = app.get("/api/v1/audit-events?object_type=campaign&object_id=2026").await;
    assert_eq!(filtered.body["total_items"], 2);
});

db_test!(a_refused_write_leaves_no_trace, |app| {
    let before = app.get("/api/v1/audit-events").await.body["total_items"].as_i64().unwrap();
    let refused =
        app.post("/api/v1/ghts", serde_json::json!({"code": "HDF-04", "name": "x", "region_code": "NOR"})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing_member = app
        .post(
            "/api/v1/ghts/NOR-02/memberships",
            serde_json::json!({"finess_ej": "760780726", "valid_from": "2020-01-01"}),
        )
        .await;
    assert_problem(&missing_member, StatusCode::NOT_FOUND, "not-found");
    let after = app.get("/api/v1/audit-events").await.body["total_items"].as_i64().unwrap();
    assert_eq!(before, after);
    assert_eq!(app.get("/api/v1/ghts").await.body["total_items"], 0);
});

db_test!(the_trail_answers_who_changed_a_target_when_and_what_it_was_before, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let (dxcare, orbis) = (app.product_id("DxCare").await, app.product_id("ORBIS").await);
    let put = |product: i64| {
        let body = serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": product}]});
        app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(body))
    };
    assert_eq!(put(dxcare).await.status, StatusCode::OK);
    assert_eq!(put(orbis).await.status, StatusCode::OK);
    app.patch("/api/v1/ghts/HDF-01", serde_json::json!({"name": "GHT de la Côte d'Opale"})).await;

    let history =
        app.send(Method::GET, "/api/v1/audit-events?object_type=targets&object_id=NOR-02", Some(&dsi), None).await;
    assert_eq!(history.body["total_items"], 2, "{history:?}");
    let latest = &history.body["items"][0];
    assert_eq!(latest["actor"], "test ght");
    assert!(latest["occurred_at"].as_str().is_some());
    assert_eq!(latest["before"]["products"][0]["product_id"], dxcare, "what it was before");
    assert_eq!(latest["after"]["products"][0]["product_id"], orbis);
    assert_eq!(history.body["items"][1]["before"], serde_json::Value::Null, "the first version had none before it");

    // Filters: by actor, by action family, by period.
    let by_dsi = app.get("/api/v1/audit-events?actor=test%20ght").await;
    assert_eq!(by_dsi.body["total_items"], 2);
    let family = app.get("/api/v1/audit-events?action=ght.").await;
    let actions: Vec<&str> =
        family.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["ght.update", "ght.create", "ght.create"]);
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    let none = app.get(&format!("/api/v1/audit-events?until={yesterday}")).await;
    assert_eq!(none.body["total_items"], 0);
    let all_today = app.get(&format!("/api/v1/audit-events?from={today}&until={today}")).await;
    assert_eq!(all_today.body["total_items"], app.get("/api/v1/audit-events").await.body["total_items"]);
    let empty = app.get(&format!("/api/v1/audit-events?from={today}&until={yesterday}")).await;
    assert_problem(&empty, StatusCode::BAD_REQUEST, "bad-request");
    let long = app.get(&format!("/api/v1/audit-events?actor={}", "x".repeat(300))).await;
    assert_problem(&long, StatusCode::BAD_REQUEST, "bad-request");

    // An ARS reads its region's GHTs' events only; a DSI its GHT's.
    let hdf_ars = app.token(Role::Regional, None, Some("HDF"), None).await;
    let regional = app.send(Method::GET, "/api/v1/audit-events?page_size=200", Some(&hdf_ars), None).await;
    let ghts: Vec<&str> =
        regional.body["items"].as_array().unwrap().iter().map(|e| e["ght_code"].as_str().unwrap_or("-")).collect();
    assert!(!ghts.is_empty() && ghts.iter().all(|g| *g == "HDF-01"), "{ghts:?}");
    let own = app.send(Method::GET, "/api/v1/audit-events?page_size=200", Some(&dsi), None).await;
    assert!(own.body["items"].as_array().unwrap().iter().all(|e| e["ght_code"] == "NOR-02"), "{own:?}");
});
