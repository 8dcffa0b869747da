//! The OpenAPI document describes every route; every described route is
//! served and guarded.

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(every_route_is_described_with_its_roles_security_and_errors, |app| {
    let doc = app.send(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{:?}", paths.keys());
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            // A success, or the redirection of a sign-in.
            assert!(
                responses.keys().any(|s| s.starts_with('2') || s.starts_with('3')),
                "{method} {path}: no success response"
            );
            if !path.starts_with("/api/") {
                continue;
            }
            let description = operation["description"].as_str().unwrap_or_default();
            assert!(description.contains("Rôles :"), "{method} {path}: roles not described");
            assert_eq!(operation["security"][0]["bearer"], serde_json::json!([]), "{method} {path}");
            assert_eq!(operation["security"][1]["session"], serde_json::json!([]), "{method} {path}");
            for status in ["401", "403", "404", "500"] {
                let content = &responses[status]["content"]["application/problem+json"];
                assert!(content.is_object(), "{method} {path}: {status} not described as a problem");
            }
            // The route exists and is guarded: without a token it answers 401.
            let concrete = path
                .replace("{code}", "NOR-02")
                .replace("{finess}", "760780239")
                .replace("{year}", "2026")
                .replace("{id}", "1");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let reply = app.send(method.clone(), &concrete, None, Some(serde_json::json!({}))).await;
            assert_problem(&reply, StatusCode::UNAUTHORIZED, "unauthenticated");
        }
    }
    assert!(doc.body["components"]["schemas"]["Problem"].is_object());
});

db_test!(the_api_documentation_page_is_served_whole_in_french, |app| {
    let response = app.client.get(format!("{}/api/docs", app.address)).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">") && html.contains("Documentation de l'API"));
    let document = app.send(Method::GET, "/api/openapi.json", None, None).await.body;
    for path in document["paths"].as_object().unwrap().keys() {
        assert!(html.contains(&format!("<code>{path}</code>")), "{path} is documented on the page");
    }
    for outside in ["src=\"http", "href=\"http", "<script", "@import", "url("] {
        assert!(!html.contains(outside), "nothing fetched from elsewhere: {outside}");
    }
});
