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
