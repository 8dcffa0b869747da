//! Catalogue administration: proposals, approval, aliases, merges, acquisitions.

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

async fn product(app: &TestApp, name: &str) -> serde_json::Value {
    let reply = app.get(&format!("/api/v1/catalogue/products?q={}", name.replace(' ', "%20"))).await;
    reply.body["items"].as_array().unwrap().iter().find(|p| p["name"] == name).cloned().unwrap()
}

async fn dry_run(app: &TestApp, finess: &str, token: &str, name: &str) -> serde_json::Value {
    let path = format!("/api/v1/etablissements/{finess}/campaigns/2026/inventory?dry_run=true");
    let reply = app.deposit(&path, token, "a.csv", format!("Application\n{name}\n").into_bytes(), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    reply.body["rows"][0].clone()
}

db_test!(a_ght_proposal_is_usable_at_once_in_that_ght_and_everywhere_once_approved, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let proposed = app
        .send(
            Method::POST,
            "/api/v1/catalogue/products",
            Some(&dsi),
            Some(serde_json::json!({
            "name": "Bloc Planner", "vendor": "Éditeur régional", "default_subdomain": "BLOC.PLAN"})),
        )
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{proposed:?}");
    assert_eq!(
        (proposed.body["status"].as_str(), proposed.body["proposed_by_ght"].as_str()),
        (Some("pending"), Some("NOR-02"))
    );
    let id = proposed.body["id"].as_i64().unwrap();

    let own = dry_run(&app, "760780726", &dsi, "BLOC-PLANNER").await;
    assert_eq!((own["product_id"].as_i64(), own["subdomain"].as_str()), (Some(id), Some("BLOC.PLAN")));
    let other = dry_run(&app, "620103440", &app.admin_token, "Bloc Planner").await;
    assert_eq!(other["state"], "unmatched", "not yet national");

    let by_dsi = app.send(Method::POST, &format!("/api/v1/catalogue/products/{id}/approve"), Some(&dsi), None).await;
    assert_problem(&by_dsi, StatusCode::FORBIDDEN, "forbidden");
    let approved = app.post(&format!("/api/v1/catalogue/products/{id}/approve"), serde_json::json!({})).await;
    assert_eq!(approved.body["status"], "approved", "{approved:?}");
    let other = dry_run(&app, "620103440", &app.admin_token, "Bloc Planner").await;
    assert_eq!(other["product_id"], id);
    let regional = app.token(Role::Regional, None, Some("NOR"), None).await;
    let refused = app
        .send(
            Method::POST,
            "/api/v1/catalogue/products",
            Some(&regional),
            Some(serde_json::json!({"name": "X", "vendor": "Y"})),
        )
        .await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
    let duplicate =
        app.post("/api/v1/catalogue/products", serde_json::json!({"name": "Dx Care", "vendor": "Dedalus"})).await;
    assert_problem(&duplicate, StatusCode::CONFLICT, "conflict");
});

db_test!(an_admin_sees_ght_aliases_and_promotes_them_to_national, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let glims = product(&app, "Glims").await["id"].as_i64().unwrap();
    app.deposit(
        "/api/v1/etablissements/760780726/campaigns/2026/inventory",
        &dsi,
        "a.csv",
        b"Application\nLabo GLIMS v9\n".to_vec(),
        None,
    )
    .await;
    let confirmed = app
        .send(
            Method::POST,
            "/api/v1/ghts/NOR-02/review",
            Some(&dsi),
            Some(serde_json::json!({"name": "Labo GLIMS v9", "product_id": glims})),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:?}");

    let local = app.get("/api/v1/catalogue/aliases?local=true").await;
    let aliases = local.body.as_array().unwrap();
    assert_eq!(aliases.len(), 1);
    assert_eq!((aliases[0]["alias"].as_str(), aliases[0]["scope"].as_str()), (Some("Labo GLIMS v9"), Some("NOR-02")));
    let id = aliases[0]["id"].as_i64().unwrap();
    assert_eq!(dry_run(&app, "620103440", &app.admin_token, "labo glims v9").await["state"], "unmatched");
    let promoted = app.post(&format!("/api/v1/catalogue/aliases/{id}/promote"), serde_json::json!({})).await;
    assert_eq!(promoted.body["scope"], "national", "{promoted:?}");
    assert_eq!(dry_run(&app, "620103440", &app.admin_token, "labo glims v9").await["product_id"], glims);
    let again = app.post(&format!("/api/v1/catalogue/aliases/{id}/promote"), serde_json::json!({})).await;
    assert_problem(&again, StatusCode::CONFLICT, "conflict");

    let national = app
        .post("/api/v1/catalogue/aliases", serde_json::json!({"alias": "Glims Clinisys", "product_id": glims}))
        .await;
    assert_eq!(national.status, StatusCode::CREATED);
    let clash =
        app.post("/api/v1/catalogue/aliases", serde_json::json!({"alias": "glims-clinisys", "product_id": 1})).await;
    assert_problem(&clash, StatusCode::CONFLICT, "conflict");
});

db_test!(merging_products_moves_aliases_and_open_campaign_rows, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let dopa = product(&app, "Dopa").await["id"].as_i64().unwrap();
    let dxcare = product(&app, "DxCare").await["id"].as_i64().unwrap();
    app.deposit(
        "/api/v1/etablissements/760780726/campaigns/2026/inventory",
        &dsi,
        "a.csv",
        b"Application\nDopasoins\n".to_vec(),
        None,
    )
    .await;
    let merged =
        app.post(&format!("/api/v1/catalogue/products/{dopa}/merge"), serde_json::json!({"into": dxcare})).await;
    assert_eq!(merged.status, StatusCode::OK, "{merged:?}");
    assert_eq!(
        (merged.body["rows_moved"].as_i64(), merged.body["product"]["merged_into"].as_i64()),
        (Some(1), Some(dxcare))
    );
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(current.body[0]["product_id"], dxcare);
    assert_eq!(dry_run(&app, "760780726", &dsi, "Dopasoins").await["product_id"], dxcare, "the alias followed");
    let search = app.get("/api/v1/catalogue/products?q=dopa").await;
    assert!(
        search.body["items"].as_array().unwrap().iter().all(|p| p["name"] != "Dopa"),
        "merged products leave the catalogue"
    );
    let itself =
        app.post(&format!("/api/v1/catalogue/products/{dxcare}/merge"), serde_json::json!({"into": dxcare})).await;
    assert_problem(&itself, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(a_renamed_product_still_matches_its_former_name, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let id = product(&app, "Web100T").await["id"].as_i64().unwrap();
    let renamed = app
        .patch(
            &format!("/api/v1/catalogue/products/{id}"),
            serde_json::json!({"name": "Web100T Codage", "default_subdomain": "PMSI.CODAGE"}),
        )
        .await;
    assert_eq!(renamed.body["name"], "Web100T Codage", "{renamed:?}");
    assert_eq!(dry_run(&app, "760780726", &dsi, "web 100 t").await["product_id"], id, "the former name still matches");
    assert_eq!(dry_run(&app, "760780726", &dsi, "Web100T Codage").await["product_id"], id);
    let clash = app.patch(&format!("/api/v1/catalogue/products/{id}"), serde_json::json!({"name": "DxCare"})).await;
    assert_problem(&clash, StatusCode::CONFLICT, "conflict");
    let bad = app
        .patch(&format!("/api/v1/catalogue/products/{id}"), serde_json::json!({"default_subdomain": "PMSI.AUTRE"}))
        .await;
    assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(an_acquisition_is_recorded_per_product, |app| {
    let osiris = product(&app, "Osiris").await;
    assert_eq!(
        (osiris["vendor"].as_str(), osiris["former_vendors"].clone()),
        (Some("Evolucare"), serde_json::json!(["Cormin"]))
    );
    let id = osiris["id"].as_i64().unwrap();
    let reply = app
        .post(
            &format!("/api/v1/catalogue/products/{id}/vendor"),
            serde_json::json!({"vendor": "Nouvel Éditeur", "on": "2026-06-01"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let after = product(&app, "Osiris").await;
    assert_eq!(after["vendor"], "Nouvel Éditeur");
    assert_eq!(after["former_vendors"], serde_json::json!(["Cormin", "Evolucare"]));
    // Evolucare's other products are untouched: the lineage is per product.
    let same = app
        .post(&format!("/api/v1/catalogue/products/{id}/vendor"), serde_json::json!({"vendor": "nouvel editeur"}))
        .await;
    assert_problem(&same, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(targets_in_force_follow_a_merge_and_a_merged_product_is_no_target, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let dopa = product(&app, "Dopa").await["id"].as_i64().unwrap();
    let dxcare = product(&app, "DxCare").await["id"].as_i64().unwrap();
    let targets = serde_json::json!({
        "products": [{"subdomain": "DPI.CORE", "product_id": dopa}],
        "migrations": [{"finess_ej": "760780726", "subdomain": "DPI.CORE", "planned_on": "2026-06-30"}],
    });
    let set = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(targets.clone())).await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    let first_version = set.body["version"].as_i64().unwrap();
    let csv = b"Application;Sous-domaine\nDopasoins;DPI.CORE\n".to_vec();
    let path = "/api/v1/etablissements/760780726/campaigns/2026/inventory";
    assert_eq!(app.deposit(path, &dsi, "a.csv", csv, None).await.status, StatusCode::CREATED);
    let rate = || async {
        let body = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None).await.body;
        let values = body["computed"].as_array().cloned().unwrap_or_default();
        values.into_iter().find(|v| v["code"] == "APP.TARGET_RATE.DPI.CORE").map(|v| v["value"].clone())
    };
    assert_eq!(rate().await, Some(serde_json::json!(1.0)), "the only member that reported uses the target");

    let merged =
        app.post(&format!("/api/v1/catalogue/products/{dopa}/merge"), serde_json::json!({"into": dxcare})).await;
    assert_eq!(merged.status, StatusCode::OK, "{merged:?}");
    assert_eq!(merged.body["targets_moved"], serde_json::json!(["NOR-02"]));
    assert_eq!(rate().await, Some(serde_json::json!(1.0)), "the target followed the rows: the rate holds");
    let current = app.send(Method::GET, "/api/v1/ghts/NOR-02/targets", Some(&dsi), None).await;
    assert!(current.body["version"].as_i64().unwrap() > first_version, "a new version: {current:?}");
    assert_eq!(current.body["products"][0]["product_id"], dxcare);
    assert_eq!(current.body["migrations"][0]["finess_ej"], "760780726", "the planned migrations are kept");
    assert!(current.body["comment"].as_str().unwrap().contains("fusion"), "{current:?}");

    let again = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(targets)).await;
    assert_problem(&again, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(again.body["detail"].as_str().unwrap().contains("fusionné"), "{again:?}");
});
