//! One rule everywhere: no or bad token → 401; a route the role can never
//! use → 403; an object outside the token's scope → 404.

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

const HAVRE: &str = "760780726";
const PONT_AUDEMER: &str = "270000102";
const BOULOGNE: &str = "620103440";

async fn two_ghts(app: &TestApp) {
    app.given_ght("NOR-02", "NOR", &[HAVRE, PONT_AUDEMER]).await;
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
}

fn codes(reply: &Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|g| g["code"].as_str().unwrap().to_owned()).collect()
}

db_test!(requests_without_a_valid_token_are_refused_with_401, |app| {
    let none = app.send(Method::GET, "/api/v1/ghts", None, None).await;
    assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthenticated");
    let forged = format!("{}x", &app.admin_token[..app.admin_token.len() - 1]);
    let bad = app.send(Method::GET, "/api/v1/ghts", Some(&forged), None).await;
    assert_problem(&bad, StatusCode::UNAUTHORIZED, "unauthenticated");
    let garbage = app.send(Method::GET, "/api/v1/ghts", Some("not-a-token"), None).await;
    assert_problem(&garbage, StatusCode::UNAUTHORIZED, "unauthenticated");
});

db_test!(a_revoked_token_no_longer_opens_anything, |app| {
    let token = app.token(Role::National, None, None, None).await;
    assert_eq!(app.send(Method::GET, "/api/v1/ghts", Some(&token), None).await.status, StatusCode::OK);
    let prefix = token[4..16].to_owned();
    let principal = convergence::auth::Principal::command_line("test");
    convergence::service::tokens::revoke(
        &app.db,
        convergence::store::audit::Actor { principal: &principal, request_id: None },
        &prefix,
    )
    .await
    .unwrap();
    let after = app.send(Method::GET, "/api/v1/ghts", Some(&token), None).await;
    assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthenticated");
});

db_test!(each_role_lists_only_the_ghts_of_its_scope, |app| {
    two_ghts(&app).await;
    let national = app.token(Role::National, None, None, None).await;
    let regional = app.token(Role::Regional, None, Some("NOR"), None).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let etab = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    for (token, expected) in [
        (&app.admin_token, vec!["HDF-01", "NOR-02"]),
        (&national, vec!["HDF-01", "NOR-02"]),
        (&regional, vec!["NOR-02"]),
        (&dsi, vec!["NOR-02"]),
        (&etab, vec!["NOR-02"]),
    ] {
        let reply = app.send(Method::GET, "/api/v1/ghts", Some(token), None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(codes(&reply), expected);
    }
    let filtered = app.send(Method::GET, "/api/v1/ghts?region=HDF", Some(&national), None).await;
    assert_eq!(codes(&filtered), ["HDF-01"]);
});

db_test!(objects_outside_the_scope_are_404_exactly_like_missing_ones, |app| {
    two_ghts(&app).await;
    let regional = app.token(Role::Regional, None, Some("NOR"), None).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let etab = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    let national = app.token(Role::National, None, None, None).await;

    let missing = app.send(Method::GET, "/api/v1/ghts/OCC-09", Some(&dsi), None).await;
    for token in [&regional, &dsi, &etab] {
        let other = app.send(Method::GET, "/api/v1/ghts/HDF-01", Some(token), None).await;
        assert_problem(&other, StatusCode::NOT_FOUND, "not-found");
        assert_eq!(other.body["title"], missing.body["title"]);
        let members = app.send(Method::GET, "/api/v1/ghts/HDF-01/etablissements", Some(token), None).await;
        assert_problem(&members, StatusCode::NOT_FOUND, "not-found");
        let etablissement =
            app.send(Method::GET, &format!("/api/v1/etablissements/{BOULOGNE}"), Some(token), None).await;
        assert_problem(&etablissement, StatusCode::NOT_FOUND, "not-found");
    }
    assert_eq!(app.send(Method::GET, "/api/v1/ghts/HDF-01", Some(&national), None).await.status, StatusCode::OK);
    assert_eq!(app.send(Method::GET, "/api/v1/ghts/NOR-02", Some(&regional), None).await.status, StatusCode::OK);

    // An établissement sees itself, not its neighbours.
    let own = app.send(Method::GET, &format!("/api/v1/etablissements/{HAVRE}"), Some(&etab), None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["finess_ej"], HAVRE);
    let neighbour = app.send(Method::GET, &format!("/api/v1/etablissements/{PONT_AUDEMER}"), Some(&etab), None).await;
    assert_problem(&neighbour, StatusCode::NOT_FOUND, "not-found");
    let by_dsi = app.send(Method::GET, &format!("/api/v1/etablissements/{PONT_AUDEMER}"), Some(&dsi), None).await;
    assert_eq!(by_dsi.status, StatusCode::OK);
});

db_test!(routes_a_role_can_never_use_are_403, |app| {
    two_ghts(&app).await;
    let national = app.token(Role::National, None, None, None).await;
    let regional = app.token(Role::Regional, None, Some("NOR"), None).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let etab = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    let new_ght = serde_json::json!({"code": "NOR-07", "name": "GHT test", "region_code": "NOR"});
    for token in [&national, &regional, &dsi, &etab] {
        let reply = app.send(Method::POST, "/api/v1/ghts", Some(token), Some(new_ght.clone())).await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
        let reply = app
            .send(
                Method::POST,
                "/api/v1/etablissements",
                Some(token),
                Some(serde_json::json!({"finess_ej": "870000015"})),
            )
            .await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
    }
    for token in [&regional, &dsi, &etab] {
        let reply =
            app.send(Method::POST, "/api/v1/campaigns", Some(token), Some(serde_json::json!({"year": 2026}))).await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
    }
    let opened =
        app.send(Method::POST, "/api/v1/campaigns", Some(&national), Some(serde_json::json!({"year": 2026}))).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    let reply = app.send(Method::GET, "/api/v1/audit-events", Some(&etab), None).await;
    assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
});

db_test!(a_dsi_changes_its_own_ght_settings_and_nothing_else, |app| {
    two_ghts(&app).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let regional = app.token(Role::Regional, None, Some("NOR"), None).await;
    let on = serde_json::json!({"auto_validate": true});
    let own = app.send(Method::PATCH, "/api/v1/ghts/NOR-02", Some(&dsi), Some(on.clone())).await;
    assert_eq!(own.status, StatusCode::OK, "{own:?}");
    assert_eq!(own.body["auto_validate"], true);
    let other = app.send(Method::PATCH, "/api/v1/ghts/HDF-01", Some(&dsi), Some(on.clone())).await;
    assert_problem(&other, StatusCode::NOT_FOUND, "not-found");
    let rename =
        app.send(Method::PATCH, "/api/v1/ghts/NOR-02", Some(&dsi), Some(serde_json::json!({"name": "Autre"}))).await;
    assert_problem(&rename, StatusCode::FORBIDDEN, "forbidden");
    let by_ars = app.send(Method::PATCH, "/api/v1/ghts/NOR-02", Some(&regional), Some(on)).await;
    assert_problem(&by_ars, StatusCode::FORBIDDEN, "forbidden");
});

db_test!(a_dsi_reads_only_its_own_audit_trail, |app| {
    two_ghts(&app).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let reply = app.send(Method::GET, "/api/v1/audit-events?page_size=200", Some(&dsi), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let ghts: Vec<&str> =
        reply.body["items"].as_array().unwrap().iter().map(|e| e["ght_code"].as_str().unwrap_or("")).collect();
    assert!(!ghts.is_empty());
    assert!(ghts.iter().all(|g| *g == "NOR-02"), "{ghts:?}");
});

db_test!(a_ghts_inventory_listing_holds_to_the_scope_whatever_its_filters, |app| {
    two_ghts(&app).await;
    app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let other_dsi = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let neighbour = app.token(Role::Etablissement, None, None, Some(PONT_AUDEMER)).await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposited = app.deposit(&path, &dsi, "a.csv", b"Application\nDxCare\n".to_vec(), None).await;
    assert_eq!(deposited.status, StatusCode::CREATED, "{deposited:?}");
    let listing = "/api/v1/ghts/NOR-02/campaigns/2026/inventory";

    let missing = app.send(Method::GET, "/api/v1/ghts/OCC-09/campaigns/2026/inventory", Some(&other_dsi), None).await;
    for query in ["", "?finess=760780726", "?page=2&page_size=1"] {
        let other = app.send(Method::GET, &format!("{listing}{query}"), Some(&other_dsi), None).await;
        assert_problem(&other, StatusCode::NOT_FOUND, "not-found");
        assert_eq!(other.body["title"], missing.body["title"]);
    }
    // A filter naming another GHT's établissement finds nothing, rather than its rows.
    let foreign = app.send(Method::GET, &format!("{listing}?finess={BOULOGNE}"), Some(&dsi), None).await;
    assert_eq!((foreign.status, foreign.body["total_items"].as_u64()), (StatusCode::OK, Some(0)), "{foreign:?}");
    // An établissement sees its own rows only, even when it names a neighbour.
    for query in ["", "?finess=760780726"] {
        let own = app.send(Method::GET, &format!("{listing}{query}"), Some(&neighbour), None).await;
        assert_eq!(own.body["total_items"].as_u64(), Some(0), "{own:?}");
    }
    assert_eq!(app.all_rows(listing, &dsi).await.body.as_array().map(Vec::len), Some(1));
});
