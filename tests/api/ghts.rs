use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(an_admin_registers_etablissements_from_the_finess_directory, |app| {
    // CH de Fécamp has a single site: everything comes from the directory.
    let fecamp = app.post("/api/v1/etablissements", serde_json::json!({"finess_ej": "760780734"})).await;
    assert_eq!(fecamp.status, StatusCode::CREATED, "{fecamp:?}");
    assert_eq!(fecamp.body["departement"], "76");
    assert_eq!(fecamp.body["sites"].as_array().unwrap().len(), 1);
    assert!(fecamp.body["name"].as_str().unwrap().contains("FECAMP"), "{fecamp:?}");

    // The CHU de Rouen has seven sites: the directory cannot name the legal entity.
    let unnamed = app.post("/api/v1/etablissements", serde_json::json!({"finess_ej": "760780239"})).await;
    assert_problem(&unnamed, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(unnamed.body["detail"].as_str().unwrap().contains("regroupe 7 sites"), "{unnamed:?}");
    let named =
        app.post("/api/v1/etablissements", serde_json::json!({"finess_ej": "760780239", "name": "CHU de Rouen"})).await;
    assert_eq!(named.status, StatusCode::CREATED, "{named:?}");
    assert_eq!(named.body["name"], "CHU de Rouen");
    assert_eq!(named.body["sites"].as_array().unwrap().len(), 7);
    assert_eq!(named.body["category"], "Centre Hospitalier Régional (C.H.R.)");
});

db_test!(an_admin_builds_a_ght_and_designates_its_support, |app| {
    app.given_ght("NOR-03", "NOR", &["760780239", "760780270"]).await;
    let chu = app.get("/api/v1/etablissements/760780239").await;
    assert_eq!(chu.body["memberships"][0]["ght_code"], "NOR-03");

    let support = app.patch("/api/v1/ghts/NOR-03", serde_json::json!({"support_finess_ej": "760780239"})).await;
    assert_eq!(support.status, StatusCode::OK, "{support:?}");
    let members = app.get("/api/v1/ghts/NOR-03/etablissements").await;
    let flags: Vec<(String, bool)> = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["finess_ej"].as_str().unwrap().to_owned(), m["is_support"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, [("760780239".to_owned(), true), ("760780270".to_owned(), false)]);
});

db_test!(ght_creation_refuses_bad_codes_and_duplicates_in_french, |app| {
    let bad = app.post("/api/v1/ghts", serde_json::json!({"code": "NOR4", "name": "x", "region_code": "NOR"})).await;
    assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(bad.body["detail"].as_str().unwrap().contains("n'est pas un code GHT"), "{bad:?}");
    let mismatch =
        app.post("/api/v1/ghts", serde_json::json!({"code": "HDF-04", "name": "x", "region_code": "NOR"})).await;
    assert_problem(&mismatch, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let ok =
        app.post("/api/v1/ghts", serde_json::json!({"code": "nor_04", "name": "GHT x", "region_code": "nor"})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{ok:?}");
    assert_eq!(ok.body["code"], "NOR-04");
    let again =
        app.post("/api/v1/ghts", serde_json::json!({"code": "NOR-04", "name": "GHT x", "region_code": "NOR"})).await;
    assert_problem(&again, StatusCode::CONFLICT, "conflict");
    let empty =
        app.post("/api/v1/ghts", serde_json::json!({"code": "NOR-05", "name": "  ", "region_code": "NOR"})).await;
    assert_problem(&empty, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(a_finess_with_a_wrong_key_is_refused_with_the_reason, |app| {
    let reply = app.post("/api/v1/etablissements", serde_json::json!({"finess_ej": "760780238"})).await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(reply.body["detail"].as_str().unwrap().contains("clé de contrôle incorrecte"), "{reply:?}");
    // 870000007 passes its key but is in no directory entry.
    let unknown = app.post("/api/v1/etablissements", serde_json::json!({"finess_ej": "870000007"})).await;
    assert_problem(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(unknown.body["detail"].as_str().unwrap().contains("n'est pas dans le répertoire"), "{unknown:?}");
    let named = app
        .post("/api/v1/etablissements", serde_json::json!({"finess_ej": "870000007", "name": "Hôpital fictif"}))
        .await;
    assert_eq!(named.status, StatusCode::CREATED, "{named:?}");
    assert_eq!(named.body["sites"], serde_json::json!([]));
    let dup = app
        .post("/api/v1/etablissements", serde_json::json!({"finess_ej": "870000007", "name": "Hôpital fictif"}))
        .await;
    assert_problem(&dup, StatusCode::CONFLICT, "conflict");
});

db_test!(memberships_keep_their_history_and_never_overlap, |app| {
    app.given_ght("PDL-01", "PDL", &["440053643"]).await;
    app.given_ght("PDL-02", "PDL", &[]).await;
    let twice = app
        .post(
            "/api/v1/ghts/PDL-02/memberships",
            serde_json::json!({"finess_ej": "440053643", "valid_from": "2020-01-01"}),
        )
        .await;
    assert_problem(&twice, StatusCode::CONFLICT, "conflict");
    let members = app.get("/api/v1/ghts/PDL-01/etablissements").await;
    let id = members.body[0]["membership"]["id"].as_i64().unwrap();
    let before_start = app
        .post(&format!("/api/v1/ghts/PDL-01/memberships/{id}/end"), serde_json::json!({"valid_to": "2015-01-01"}))
        .await;
    assert_problem(&before_start, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let ended = app
        .post(&format!("/api/v1/ghts/PDL-01/memberships/{id}/end"), serde_json::json!({"valid_to": "2022-01-01"}))
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{ended:?}");
    let again = app
        .post(&format!("/api/v1/ghts/PDL-01/memberships/{id}/end"), serde_json::json!({"valid_to": "2023-01-01"}))
        .await;
    assert_problem(&again, StatusCode::CONFLICT, "conflict");
    let moved = app
        .post(
            "/api/v1/ghts/PDL-02/memberships",
            serde_json::json!({"finess_ej": "440053643", "valid_from": "2022-01-01"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{moved:?}");

    let in_2021 = app.get("/api/v1/ghts/PDL-01/etablissements?at=2021-12-31").await;
    assert_eq!(in_2021.body.as_array().unwrap().len(), 1);
    let today = app.get("/api/v1/ghts/PDL-01/etablissements").await;
    assert_eq!(today.body.as_array().unwrap().len(), 0);
    let history = app.get("/api/v1/etablissements/440053643").await;
    let ghts: Vec<&str> =
        history.body["memberships"].as_array().unwrap().iter().map(|m| m["ght_code"].as_str().unwrap()).collect();
    assert_eq!(ghts, ["PDL-01", "PDL-02"]);
    let other_ght = app
        .post(&format!("/api/v1/ghts/PDL-02/memberships/{id}/end"), serde_json::json!({"valid_to": "2023-01-01"}))
        .await;
    assert_problem(&other_ght, StatusCode::NOT_FOUND, "not-found");
});

db_test!(the_support_must_be_a_current_member, |app| {
    app.given_ght("NOR-06", "NOR", &["760780023"]).await;
    let reply = app.patch("/api/v1/ghts/NOR-06", serde_json::json!({"support_finess_ej": "760780239"})).await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let unknown_field = app.patch("/api/v1/ghts/NOR-06", serde_json::json!({"colour": "blue"})).await;
    assert_problem(&unknown_field, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(malformed_requests_are_explained_in_french, |app| {
    let missing = app.post("/api/v1/ghts", serde_json::json!({"code": "NOR-09", "region_code": "NOR"})).await;
    assert_problem(&missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let detail = missing.body["detail"].as_str().unwrap();
    assert!(detail.contains("champ obligatoire manquant : `name`"), "{detail}");
    assert!(!detail.contains("Failed to"), "{detail}");
    let bad_type = app.post("/api/v1/campaigns", serde_json::json!({"year": "deux mille"})).await;
    assert!(bad_type.body["detail"].as_str().unwrap().contains("type de valeur invalide"), "{bad_type:?}");
    let bad_path = app.get("/api/v1/uploads/abc").await;
    assert_problem(&bad_path, StatusCode::NOT_FOUND, "not-found");
    assert!(!bad_path.body["detail"].as_str().unwrap().contains("Cannot parse"), "{bad_path:?}");
    let bad_query = app.get("/api/v1/catalogue/products?page=abc").await;
    assert_problem(&bad_query, StatusCode::BAD_REQUEST, "bad-request");
    assert!(bad_query.body["detail"].as_str().unwrap().starts_with("paramètre de requête invalide"), "{bad_query:?}");
});
