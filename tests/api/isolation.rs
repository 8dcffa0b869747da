//! Isolation, proven route by route: every route of the OpenAPI document
//! (a route added later is walked without editing this file), for every
//! identity outside a GHT's scope, answers about that GHT's objects exactly
//! as about absent ones, and never carries a marker of that GHT in a body
//! or a header; without a valid token, every route answers 401.

use std::collections::BTreeMap;

use crate::db_test;

#[allow(unused_imports)]
use crate::helpers::*;

const HAVRE: &str = "760780726";
const FECAMP: &str = "760780734";
const BOULOGNE: &str = "620103440";
/// A well-formed FINESS no établissement has here.
const ABSENT_FINESS: &str = "130784234";
const ABSENT_ID: i64 = 999_999;
/// Written in every name of GHT B's objects: it must never reach GHT A.
const MARKER: &str = "MARQUEUR-B";

/// GHT B's objects, by what a path parameter names.
struct Objects {
    upload: i64,
    entry: i64,
    product: i64,
    alias: i64,
    state_alias: i64,
    membership: i64,
    person: i64,
}

async fn given_two_ghts(app: &TestApp) -> Objects {
    app.given_ght("NOR-02", "NOR", &[HAVRE, FECAMP]).await;
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
    app.patch("/api/v1/ghts/HDF-01", serde_json::json!({"name": format!("GHT Opale {MARKER}")})).await;
    app.patch(&format!("/api/v1/etablissements/{BOULOGNE}"), serde_json::json!({"name": format!("CH {MARKER}")})).await;
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await.status, StatusCode::CREATED);
    let dsi_b = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let csv = format!(
        "Application;Sous-domaine;Commentaire\nOutil {MARKER};DPI.CORE;note {MARKER}\nDxCare;DPI.CORE;\nAttente {MARKER};GEF.COMPTA;\n"
    );
    let path = format!("/api/v1/etablissements/{BOULOGNE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi_b, &format!("depot-{MARKER}.csv"), csv.into_bytes(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let upload = deposit.body["upload"]["id"].as_i64().unwrap();
    let a_csv = b"Application;Sous-domaine\nDxCare;DPI.CORE\n".to_vec();
    let a_path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    assert_eq!(app.deposit(&a_path, &app.admin_token, "a.csv", a_csv, None).await.status, StatusCode::CREATED);
    let rows = app.all_rows("/api/v1/ghts/HDF-01/campaigns/2026/inventory", &dsi_b).await;
    let entry = rows.body[0]["id"].as_i64().unwrap();
    let body = serde_json::json!({"name": format!("Produit {MARKER}"), "vendor": format!("Éditeur {MARKER}")});
    let proposed = app.send(Method::POST, "/api/v1/catalogue/products", Some(&dsi_b), Some(body)).await;
    let product = proposed.body["id"].as_i64().unwrap();
    let dxcare = app.product_id("DxCare").await;
    let review = serde_json::json!({"name": format!("Outil {MARKER}"), "product_id": dxcare});
    let confirmed = app.send(Method::POST, "/api/v1/ghts/HDF-01/review", Some(&dsi_b), Some(review)).await;
    let alias = confirmed.body["alias_id"].as_i64().unwrap();
    // A placeholder of B's deposit, taught as a state: a state alias of B.
    let taught = serde_json::json!({"name": format!("Attente {MARKER}"), "state": "unspecified"});
    let state_confirmed = app.send(Method::POST, "/api/v1/ghts/HDF-01/review", Some(&dsi_b), Some(taught)).await;
    let state_alias = state_confirmed.body["alias_id"].as_i64().unwrap();
    let targets = serde_json::json!({
        "products": [{"subdomain": "DPI.CORE", "product_id": product}], "comment": format!("cible {MARKER}")});
    assert_eq!(
        app.send(Method::PUT, "/api/v1/ghts/HDF-01/targets", Some(&dsi_b), Some(targets)).await.status,
        StatusCode::OK
    );
    let members = app.get("/api/v1/ghts/HDF-01/etablissements").await;
    let membership = members.body[0]["membership"]["id"].as_i64().unwrap();
    let email = format!("dsi.{}@opale.fr", MARKER.to_lowercase());
    let granted =
        app.post("/api/v1/users", serde_json::json!({"email": email, "role": "ght", "ght_code": "HDF-01"})).await;
    assert_eq!(granted.status, StatusCode::CREATED, "{granted:?}");
    let person = granted.body["id"].as_i64().unwrap();
    Objects { upload, entry, product, alias, state_alias, membership, person }
}

/// A signed-in person of a GHT: granted, and a session opened as the
/// OpenID Connect callback opens one (the flow itself is tested in
/// `sign_in`); returns the session's secret.
async fn person_session(app: &TestApp, email: &str, ght: &str) -> String {
    use convergence::auth::session::{issue_session_secret, session_hash};
    let granted = app.post("/api/v1/users", serde_json::json!({"email": email, "role": "ght", "ght_code": ght})).await;
    assert_eq!(granted.status, StatusCode::CREATED, "{granted:?}");
    let secret = issue_session_secret();
    let end = chrono::Utc::now() + chrono::TimeDelta::hours(1);
    let id = granted.body["id"].as_i64().unwrap();
    convergence::store::sessions::open(app.db.writer(), id, session_hash(&secret), end).await.unwrap();
    secret
}

/// A route's path with its parameters naming GHT B's objects (`absent`:
/// objects that do not exist, of the same shape), and the values put in.
fn fill(template: &str, objects: &Objects, absent: bool) -> (String, Vec<String>) {
    let mut values = Vec::new();
    let mut path = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        path.push_str(&rest[..start]);
        let name = &rest[start + 1..end];
        let before = &rest[..start];
        let value = match name {
            "code" if template.starts_with("/api/v1/regions") => if absent { "XXX" } else { "HDF" }.to_owned(),
            "code" => if absent { "HDF-09" } else { "HDF-01" }.to_owned(),
            "finess" => if absent { ABSENT_FINESS } else { BOULOGNE }.to_owned(),
            "year" => "2026".to_owned(),
            "indicator" => "GOV.SDSI".to_owned(),
            "id" => {
                let id = if before.ends_with("/uploads/") {
                    objects.upload
                } else if before.ends_with("/entries/") {
                    objects.entry
                } else if before.ends_with("/products/") {
                    objects.product
                } else if before.ends_with("/aliases/") {
                    objects.alias
                } else if before.ends_with("/states/") {
                    objects.state_alias
                } else if before.ends_with("/memberships/") {
                    objects.membership
                } else if before.ends_with("/users/") {
                    objects.person
                } else {
                    panic!("a new kind of id in {template}: tell this test what it names")
                };
                if absent { ABSENT_ID } else { id }.to_string()
            }
            other => panic!("a new path parameter {{{other}}} in {template}: tell this test what it names"),
        };
        if name != "year" && name != "indicator" {
            values.push(value.clone());
        }
        path.push_str(&value);
        rest = &rest[(end + 1).min(rest.len())..];
    }
    path.push_str(rest);
    (path, values)
}

/// A plausible body for a write, so that the answer is about the object,
/// not about a malformed request.
fn body_for(method: &Method, template: &str, product: i64) -> Option<serde_json::Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return None;
    }
    let body = match template {
        t if t.ends_with("/targets") => {
            serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": product}]})
        }
        t if t.ends_with("/review") => serde_json::json!({"name": "Outil", "product_id": product}),
        t if t.starts_with("/api/v1/entries/") => serde_json::json!({"product_id": product, "users": 3}),
        t if t.ends_with("/memberships") => serde_json::json!({"finess_ej": HAVRE, "valid_from": "2027-01-01"}),
        t if t.ends_with("/end") => serde_json::json!({"valid_to": "2027-01-01"}),
        t if t.ends_with("/answers/{indicator}") => serde_json::json!({"status": "done", "status_date": "2025-01-01"}),
        t if t.ends_with("/merge") => serde_json::json!({"into": product}),
        t if t.ends_with("/vendor") => serde_json::json!({"vendor": "Autre"}),
        "/api/v1/ghts/{code}" => serde_json::json!({"name": "renommé"}),
        "/api/v1/etablissements/{finess}" => serde_json::json!({"commune": "Ailleurs"}),
        "/api/v1/catalogue/products/{id}" => serde_json::json!({"name": "renommé"}),
        _ => serde_json::json!({}),
    };
    Some(body)
}

/// One answer, as compared: status, problem type, and the detail with the
/// values put in the path replaced by a placeholder.
#[derive(Debug, PartialEq)]
struct Answer {
    status: StatusCode,
    problem: String,
    detail: String,
}

async fn call(
    app: &TestApp,
    method: &Method,
    template: &str,
    path: &str,
    token: Option<&str>,
    product: i64,
) -> (Answer, String) {
    let url = format!("{}{path}{}", app.address, if *method == Method::GET { "?campaign=2026" } else { "" });
    let mut request = app.client.request(method.clone(), url);
    match token {
        // A person's session: its cookie, and its CSRF token for writes.
        Some(secret) if secret.starts_with("cvs_") => {
            request = request
                .header("cookie", format!("convergence_session={secret}"))
                .header("x-csrf-token", convergence::auth::session::csrf_token(secret));
        }
        Some(token) => request = request.bearer_auth(token),
        None => {}
    }
    let multipart = *method == Method::POST && (template.ends_with("/inventory") || template.ends_with("review.xlsx"));
    request = if multipart {
        let part = reqwest::multipart::Part::bytes(b"Application\nDxCare\n".to_vec()).file_name("f.csv");
        request.multipart(reqwest::multipart::Form::new().part("file", part))
    } else {
        match body_for(method, template, product) {
            Some(body) => request.json(&body),
            None => request,
        }
    };
    let response = request.send().await.expect("sent");
    let status = response.status();
    let headers = format!("{:?}", response.headers());
    let bytes = response.bytes().await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let answer = Answer {
        status,
        problem: json["type"].as_str().unwrap_or_default().to_owned(),
        detail: json["detail"].as_str().unwrap_or_default().to_owned(),
    };
    (answer, format!("{headers}\n{text}"))
}

fn routes(document: &serde_json::Value) -> Vec<(Method, String)> {
    let mut routes = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            routes.push((method, path.clone()));
        }
    }
    routes
}

db_test!(every_route_answers_about_another_scope_as_about_nothing, |app| {
    let objects = given_two_ghts(&app).await;
    let document = app.send(Method::GET, "/api/openapi.json", None, None).await.body;
    let routes = routes(&document);
    assert!(routes.len() >= 50, "{} routes", routes.len());

    // Identities that do not see GHT B (NOR-02's DSI, one of its
    // établissements, the ARS of Normandie).
    let outsiders = [
        ("ght A", app.token(Role::Ght, Some("NOR-02"), None, None).await),
        ("etablissement A", app.token(Role::Etablissement, None, None, Some(HAVRE)).await),
        ("regional A", app.token(Role::Regional, None, Some("NOR"), None).await),
        ("person of ght A (session)", person_session(&app, "dsi@ght-caux.fr", "NOR-02").await),
    ];
    let mut walked = BTreeMap::new();
    for (method, template) in &routes {
        if !template.starts_with("/api/v1/") {
            continue;
        }
        for (who, token) in &outsiders {
            let (of_b, values) = fill(template, &objects, false);
            let (of_nothing, absent_values) = fill(template, &objects, true);
            let (absent, _) = call(&app, method, template, &of_nothing, Some(token), ABSENT_ID).await;
            let (seen, raw) = call(&app, method, template, &of_b, Some(token), objects.product).await;
            assert!(!raw.contains(MARKER), "{who} {method} {of_b} carries GHT B's marker: {raw}");
            assert!(!raw.contains(&MARKER.to_lowercase()), "{who} {method} {of_b} carries GHT B's marker: {raw}");
            if values.is_empty() {
                // Nothing of B's in the path: the listing itself must not leak.
                continue;
            }
            let placeholder = |answer: Answer, values: &[String]| Answer {
                detail: values.iter().fold(answer.detail, |d, v| d.replace(v.as_str(), "<v>")),
                ..answer
            };
            let seen = placeholder(seen, &values);
            let absent = placeholder(absent, &absent_values);
            assert!(
                !seen.status.is_success(),
                "{who} {method} {of_b}: a success about another scope's object: {seen:?}"
            );
            assert_eq!(seen, absent, "{who} {method} {template}: another scope's object answers as an absent one");
            *walked.entry(seen.status.as_u16()).or_insert(0) += 1;
        }
    }
    // The walk is not vacuous: most answers are the 404 of an absent object.
    assert!(walked.get(&404).copied().unwrap_or(0) > 40, "{walked:?}");
});

db_test!(without_a_valid_token_every_route_answers_401, |app| {
    use sea_orm::ConnectionTrait;
    let objects = given_two_ghts(&app).await;
    let revoked = app.token(Role::National, None, None, None).await;
    let principal = convergence::auth::Principal::command_line("test");
    let actor = convergence::store::audit::Actor { principal: &principal, request_id: None };
    convergence::service::tokens::revoke(&app.db, actor, &revoked[4..16]).await.unwrap();
    let expired = app.token(Role::Admin, None, None, None).await;
    let txn = app.db.begin_write().await.unwrap();
    let past = if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        "NOW() - INTERVAL '1 day'"
    } else {
        "'2020-01-01 00:00:00+00:00'"
    };
    let sql = format!("UPDATE api_tokens SET expires_at = {past} WHERE prefix = '{}'", &expired[4..16]);
    txn.execute_unprepared(&sql).await.unwrap();
    txn.commit().await.unwrap();
    // A person whose grant was withdrawn: their session opens nothing.
    let withdrawn = person_session(&app, "parti@ght-caux.fr", "NOR-02").await;
    let people = app.get("/api/v1/users").await;
    let id = people.body.as_array().unwrap().iter().find(|p| p["email"] == "parti@ght-caux.fr").unwrap()["id"].clone();
    let admin = app.admin_token.clone();
    assert_eq!(
        app.send(Method::DELETE, &format!("/api/v1/users/{id}"), Some(&admin), None).await.status,
        StatusCode::OK
    );
    let document = app.send(Method::GET, "/api/openapi.json", None, None).await.body;
    for (method, template) in routes(&document) {
        if !template.starts_with("/api/v1/") {
            continue;
        }
        let (path, _) = fill(&template, &objects, false);
        for (who, token) in [
            ("no token", None),
            ("revoked", Some(revoked.as_str())),
            ("expired", Some(expired.as_str())),
            ("withdrawn person", Some(withdrawn.as_str())),
        ] {
            let (answer, raw) = call(&app, &method, &template, &path, token, objects.product).await;
            assert_eq!(
                (answer.status, answer.problem.as_str()),
                (StatusCode::UNAUTHORIZED, "urn:convergence:problem:unauthenticated"),
                "{who} {method} {path}"
            );
            assert!(!raw.contains(MARKER), "{who} {method} {path}: {raw}");
        }
    }
});
