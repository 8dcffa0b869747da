//! Outbound integrations against wiremock: how every client retries and
//! fails, what the Annuaire Santé answers, and that no secret is logged.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use convergence::domain::Finess;
use convergence::integrations::annuaire::{Annuaire, AnnuaireSettings, FinessKind};
use convergence::integrations::outbound::{OutboundError, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

const KEY: &str = "s3cr3t-esante-key-0042";

fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(300),
    }
}

fn annuaire(server: &MockServer, attempts: u32) -> Annuaire {
    let settings = AnnuaireSettings {
        base: url::Url::parse(&format!("{}/fhir/v2", server.uri())).unwrap(),
        key: secrecy::SecretString::from(KEY),
    };
    Annuaire::new(settings, fast(attempts)).unwrap()
}

fn havre() -> Finess {
    Finess::parse("760780726").unwrap()
}

fn bundle(entries: &[(&str, &str)]) -> serde_json::Value {
    json!({
        "resourceType": "Bundle",
        "entry": entries.iter().map(|(finess, name)| json!({"resource": {
            "resourceType": "Organization",
            "identifier": [{"system": "https://finess.esante.gouv.fr", "value": finess,
                "type": {"coding": [{"code": "FINEJ"}]}}],
            "name": name,
            "address": [{"postalCode": "76600", "city": "LE HAVRE"}]
        }})).collect::<Vec<_>>()
    })
}

#[tokio::test]
async fn unavailability_and_rate_limits_are_retried_until_an_answer() {
    let server = MockServer::start().await;
    let organizations = || Mock::given(method("GET")).and(path("/fhir/v2/Organization"));
    organizations().respond_with(ResponseTemplate::new(503)).up_to_n_times(1).with_priority(1).mount(&server).await;
    organizations()
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    organizations()
        .and(header("ESANTE-API-KEY", KEY))
        .and(query_param("identifier", "760780726"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bundle(&[("760780726", "GH DU HAVRE")])))
        .with_priority(3)
        .mount(&server)
        .await;
    let found = annuaire(&server, 4).organizations(&[havre()]).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].name.as_str(), found[0].kind), ("GH DU HAVRE", Some(FinessKind::Ej)));
    assert_eq!(found[0].commune.as_deref(), Some("76600 LE HAVRE"));
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 3, "503, 429, then the answer");
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_attempts_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string("clé refusée"))
        .mount(&server)
        .await;
    let refused = annuaire(&server, 4).organizations(&[havre()]).await;
    assert!(matches!(&refused, Err(OutboundError::Refused { status: 401, .. })), "{refused:?}");
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 1, "no retry on a 4xx");
    let text = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("l'Annuaire Santé a refusé la requête (HTTP 401)"), "{text}");

    let down = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(502)).mount(&down).await;
    let unavailable = annuaire(&down, 3).organizations(&[havre()]).await;
    assert_eq!(
        unavailable.err(),
        Some(OutboundError::Unavailable { service: "l'Annuaire Santé", status: 502, attempts: 3 })
    );
    assert_eq!(down.received_requests().await.unwrap_or_default().len(), 3);

    let slow = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&slow)
        .await;
    let timed_out = annuaire(&slow, 2).organizations(&[havre()]).await;
    assert_eq!(timed_out.err(), Some(OutboundError::Timeout { service: "l'Annuaire Santé", attempts: 2 }));
}

#[tokio::test]
async fn finess_numbers_are_asked_fifty_at_a_time() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fhir/v2/Organization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bundle(&[])))
        .expect(3)
        .mount(&server)
        .await;
    let directory = convergence::reference::finess_directory().unwrap();
    let many: Vec<Finess> = directory.ejs().into_iter().take(120).cloned().collect();
    let found = annuaire(&server, 1).organizations(&many).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(found.is_empty());
    let requests = server.received_requests().await.unwrap_or_default();
    let asked: Vec<usize> = requests
        .iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "identifier").map_or(0, |(_, v)| v.split(',').count()))
        .collect();
    assert_eq!(asked, [50, 50, 20]);
}

/// A log sink the test reads.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_is_never_logged_even_when_calls_fail() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let failed = annuaire(&server, 3).organizations(&[havre()]).await;
    assert!(failed.is_err());
    let text = failed.err().map(|e| e.to_string()).unwrap_or_default();
    let log = String::from_utf8(captured.0.lock().map(|l| l.clone()).unwrap_or_default()).unwrap_or_default();
    assert!(log.contains("outbound call answered unavailable"), "the retries are logged: {log}");
    assert!(!log.contains(KEY) && !text.contains(KEY), "the key leaked: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_asks_the_annuaire_sante_when_the_directory_does_not_know_the_finess() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fhir/v2/Organization"))
        .and(header("ESANTE-API-KEY", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(bundle(&[("750000028", "CLINIQUE DU PARC")])))
        .mount(&server)
        .await;
    let base = format!("{}/fhir/v2", server.uri());
    let settings = [
        ("CONVERGENCE_ANNUAIRE_URL", base.as_str()),
        ("CONVERGENCE_ANNUAIRE_KEY", KEY),
        ("CONVERGENCE_OUTBOUND_ATTEMPTS", "2"),
        ("CONVERGENCE_OUTBOUND_BACKOFF_MS", "5"),
    ];
    let app = spawn_app_with(Backend::Sqlite, env!("CARGO_BIN_EXE_convergence"), &settings)
        .await
        .expect("SQLite is always available");
    let status = app.get("/api/v1/integrations").await;
    assert_eq!(status.body["annuaire_sante"]["enabled"], true, "{status:?}");
    let created = app
        .send(Method::POST, "/api/v1/etablissements", Some(&app.admin_token), Some(json!({"finess_ej": "750000028"})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    assert_eq!(
        (created.body["name"].as_str(), created.body["commune"].as_str()),
        (Some("CLINIQUE DU PARC"), Some("76600 LE HAVRE"))
    );
}

db_test!(without_configuration_the_integrations_are_reported_disabled, |app| {
    let status = app.get("/api/v1/integrations").await;
    assert_eq!(status.status, StatusCode::OK, "{status:?}");
    assert_eq!(status.body["annuaire_sante"]["enabled"], false);
    assert!(status.body["annuaire_sante"]["detail"].as_str().unwrap().contains("CONVERGENCE_ANNUAIRE_URL"));
    assert_eq!(status.body["osis"]["enabled"], false);
    // Registration works without it, from the directory.
    let created = app
        .send(Method::POST, "/api/v1/etablissements", Some(&app.admin_token), Some(json!({"finess_ej": "760780734"})))
        .await;
    assert!(created.status == StatusCode::CREATED || created.status == StatusCode::CONFLICT, "{created:?}");
});

const OSIS_TOKEN: &str = "osis-bearer-7f3a91";

async fn app_with_osis(server: &MockServer) -> TestApp {
    let base = format!("{}/osis", server.uri());
    let settings = [
        ("CONVERGENCE_OSIS_URL", base.as_str()),
        ("CONVERGENCE_OSIS_TOKEN", OSIS_TOKEN),
        ("CONVERGENCE_OUTBOUND_ATTEMPTS", "3"),
        ("CONVERGENCE_OUTBOUND_BACKOFF_MS", "5"),
    ];
    spawn_app_with(Backend::Sqlite, env!("CARGO_BIN_EXE_convergence"), &settings)
        .await
        .expect("SQLite is always available")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_is_submitted_to_osis_once_with_every_attempt_recorded() {
    let server = MockServer::start().await;
    let submissions = || {
        Mock::given(method("POST"))
            .and(path("/osis/submissions"))
            .and(header("Authorization", format!("Bearer {OSIS_TOKEN}").as_str()))
    };
    submissions().respond_with(ResponseTemplate::new(503)).up_to_n_times(1).with_priority(1).mount(&server).await;
    submissions()
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"receipt": "R-2026-0001"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let app = app_with_osis(&server).await;
    let dsi = app.given_ght_with_open_campaign().await;
    let national = app.token(Role::National, None, None, None).await;

    // The contract DGOS pulls.
    let pulled = app.send(Method::GET, "/api/v1/ghts/NOR-02/campaigns/2026/osis.json", Some(&national), None).await;
    assert_eq!(pulled.status, StatusCode::OK, "{pulled:?}");
    assert_eq!(
        (pulled.body["contract"].as_str(), pulled.body["ght"]["code"].as_str()),
        (Some("convergence.osis/1"), Some("NOR-02"))
    );
    assert!(!pulled.body["computed"].as_array().unwrap().is_empty(), "{pulled:?}");
    assert_eq!(pulled.body["content_hash"].as_str().map(str::len), Some(64));

    let path = "/api/v1/ghts/NOR-02/campaigns/2026/submit";
    let sent = app.send(Method::POST, path, Some(&dsi), None).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{sent:?}");
    assert_eq!(sent.body["status"], "sent");
    let attempts: Vec<(i64, i64)> = sent.body["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["number"].as_i64().unwrap(), a["http_status"].as_i64().unwrap()))
        .collect();
    assert_eq!(attempts, [(1, 503), (2, 201)]);
    assert!(sent.body["response"].as_str().unwrap().contains("R-2026-0001"));
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 2);
    let key = received[1].headers.get("Idempotency-Key").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(key, sent.body["idempotency_key"].as_str().unwrap());
    let body: serde_json::Value = serde_json::from_slice(&received[1].body).unwrap();
    assert_eq!(body["content_hash"], pulled.body["content_hash"], "what is sent is what DGOS pulls");

    // The same content again is not sent again.
    let again = app.send(Method::POST, path, Some(&dsi), None).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!((again.body["already_sent"].as_bool(), again.body["id"].clone()), (Some(true), sent.body["id"].clone()));
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 2);

    // DGOS reads the record; a reader may not submit.
    let record = app.send(Method::GET, "/api/v1/ghts/NOR-02/submissions", Some(&national), None).await;
    assert_eq!(record.body.as_array().map(Vec::len), Some(1), "{record:?}");
    assert_eq!(record.body[0]["attempts"].as_array().map(Vec::len), Some(2));
    let by_national = app.send(Method::POST, path, Some(&national), None).await;
    assert_problem(&by_national, StatusCode::FORBIDDEN, "forbidden");

    // Another GHT's DSI sees nothing of it.
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let other = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    for (verb, route) in [
        (Method::GET, "/api/v1/ghts/NOR-02/campaigns/2026/osis.json"),
        (Method::POST, path),
        (Method::GET, "/api/v1/ghts/NOR-02/submissions"),
    ] {
        let reply = app.send(verb, route, Some(&other), None).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_submission_is_recorded_and_tried_again_on_the_next_submit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_string("schema_version inconnue"))
        .mount(&server)
        .await;
    let app = app_with_osis(&server).await;
    let dsi = app.given_ght_with_open_campaign().await;
    let path = "/api/v1/ghts/NOR-02/campaigns/2026/submit";
    let refused = app.send(Method::POST, path, Some(&dsi), None).await;
    assert_problem(&refused, StatusCode::BAD_GATEWAY, "upstream");
    assert!(refused.body["detail"].as_str().unwrap().contains("OSIS a refusé la requête (HTTP 422)"), "{refused:?}");
    let again = app.send(Method::POST, path, Some(&dsi), None).await;
    assert_problem(&again, StatusCode::BAD_GATEWAY, "upstream");
    let record = app.send(Method::GET, "/api/v1/ghts/NOR-02/submissions", Some(&dsi), None).await;
    assert_eq!(record.body[0]["status"], "failed");
    let numbers: Vec<i64> =
        record.body[0]["attempts"].as_array().unwrap().iter().map(|a| a["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2], "one attempt each, no retry on a 4xx, numbered in turn");
}

db_test!(without_an_osis_endpoint_submitting_says_so_and_osis_json_is_still_served, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let refused = app.send(Method::POST, "/api/v1/ghts/NOR-02/campaigns/2026/submit", Some(&dsi), None).await;
    assert_problem(&refused, StatusCode::CONFLICT, "conflict");
    assert!(refused.body["detail"].as_str().unwrap().contains("CONVERGENCE_OSIS_URL"), "{refused:?}");
    let pulled = app.send(Method::GET, "/api/v1/ghts/NOR-02/campaigns/2026/osis.json", Some(&dsi), None).await;
    assert_eq!(pulled.status, StatusCode::OK, "{pulled:?}");
});

db_test!(the_refresh_fills_what_registrations_lack_and_lists_names_that_differ, |app| {
    app.given_ght_with_open_campaign().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/fhir/v2/Organization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bundle(&[("760780726", "GROUPE HOSPITALIER DU HAVRE")])))
        .mount(&server)
        .await;
    let principal = convergence::auth::Principal::command_line("test");
    let actor = convergence::store::audit::Actor { principal: &principal, request_id: None };
    let refresh =
        convergence::service::directory::refresh_from_annuaire(&app.db, actor, &annuaire(&server, 1)).await.unwrap();
    assert_eq!((refresh.asked, refresh.found), (2, 1));
    assert_eq!(refresh.unknown, ["760780734"]);
    let havre = app.get("/api/v1/etablissements/760780726").await;
    let differs = refresh.names_differ.iter().any(|(finess, registered, annuaire)| {
        finess == "760780726"
            && registered == havre.body["name"].as_str().unwrap()
            && annuaire == "GROUPE HOSPITALIER DU HAVRE"
    });
    assert!(differs, "{refresh:?}");
    assert_ne!(havre.body["name"], "GROUPE HOSPITALIER DU HAVRE", "a name is never changed silently");
});
