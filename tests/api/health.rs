use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(probes_answer_without_a_token, |app| {
    let live = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body["status"], "ok");
    let ready = app.send(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
});

db_test!(readiness_fails_with_503_once_the_database_is_gone, |app| {
    app.db.clone().close().await.expect("pools closed");
    let ready = app.send(Method::GET, "/readyz", None, None).await;
    assert_problem(&ready, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
});

db_test!(unknown_routes_and_methods_are_problem_documents, |app| {
    let missing = app.get("/api/v1/nothing-here").await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "not-found");
    let method = app.send(Method::DELETE, "/api/v1/regions", Some(&app.admin_token), None).await;
    assert_problem(&method, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
});

db_test!(oversized_and_malformed_bodies_are_refused_in_french, |app| {
    // The service answers 413 from the declared length, before reading the
    // body, and closes the connection: a client still writing the body may
    // see a broken pipe instead of the answer. The request is written by
    // hand, headers only, and the answer read back.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "POST /api/v1/ghts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 3200000\r\nConnection: close\r\n\r\n",
        app.admin_token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("urn:convergence:problem:payload-too-large"), "{answer}");
    // A connection of its own: the service answered 413 before reading the
    // body and closes that connection, which a pooled client could reuse.
    let raw = reqwest::Client::new()
        .post(format!("{}/api/v1/ghts", app.address))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = raw.json().await.expect("problem body");
    assert_eq!(body["type"], "urn:convergence:problem:bad-request");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("JSON illisible")), "{body}");
});

db_test!(every_response_carries_a_request_id, |app| {
    let response = app.client.get(format!("{}/healthz", app.address)).send().await.expect("sent");
    let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
});

db_test!(a_clients_request_id_is_kept_only_when_short_and_safe, |app| {
    let post = |request_id: String| {
        app.client
            .post(format!("{}/api/v1/ghts", app.address))
            .bearer_auth(&app.admin_token)
            .header("x-request-id", request_id)
            .json(&serde_json::json!({"code": "NOR-07", "name": "GHT NOR-07", "region_code": "NOR"}))
            .send()
    };
    let kept = post("trace-4711.a_b".to_owned()).await.expect("sent");
    assert_eq!(kept.headers()["x-request-id"], "trace-4711.a_b");
    for hostile in ["x".repeat(5000), "forged\" injected=1".to_owned(), "id avec espaces".to_owned()] {
        let response = post(hostile.clone()).await.expect("sent");
        let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 36, "a UUID of the service's own: {id}");
        let body: serde_json::Value = response.json().await.expect("problem body");
        assert_eq!(body["request_id"], id.as_str(), "the error names the service's id: {body}");
    }
    let trail = app.get("/api/v1/audit-events?action=ght.create").await;
    assert_eq!(trail.body["items"][0]["request_id"], "trace-4711.a_b");
    let events = app.get("/api/v1/audit-events").await;
    let ids: Vec<&str> =
        events.body["items"].as_array().unwrap().iter().filter_map(|e| e["request_id"].as_str()).collect();
    assert!(ids.iter().all(|id| id.len() <= 64), "{ids:?}");
});

/// The embedded database copies its write-ahead log into the database file
/// in the background, while the service runs: a copy of the file (a backup)
/// holds what was written, not only what was written before the last stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writes_reach_the_database_file_while_the_service_runs() {
    use sea_orm::ConnectionTrait;

    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    app.given_ght("NOR-09", "NOR", &[]).await;
    // `immutable` makes SQLite read the database file alone, ignoring the log.
    let file_only = format!("{}&immutable=true", app.database_url.replace("mode=rwc", "mode=ro"));
    let mut found = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let Ok(reader) = sea_orm::Database::connect(&file_only).await else { continue };
        let statement = sea_orm::Statement::from_string(
            reader.get_database_backend(),
            "SELECT COUNT(*) AS n FROM ghts WHERE code = 'NOR-09'",
        );
        let count = reader.query_one_raw(statement).await.ok().flatten().and_then(|r| r.try_get::<i64>("", "n").ok());
        let _ = reader.close().await;
        if count == Some(1) {
            found = true;
            break;
        }
    }
    assert!(found, "the new GHT is in the database file within 5 s");
    app.close().await;
}

/// A new embedded database is created with 8 KiB pages, which halve the
/// pages an import writes.
#[tokio::test]
async fn a_new_embedded_database_has_pages_of_8_kib() {
    use sea_orm::ConnectionTrait;

    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let statement = sea_orm::Statement::from_string(app.db.backend(), "PRAGMA page_size");
    let size =
        app.db.reader().query_one_raw(statement).await.ok().flatten().and_then(|r| r.try_get_by_index::<i64>(0).ok());
    assert_eq!(size, Some(8192));
    app.close().await;
}

db_test!(errors_that_are_not_the_services_own_are_still_problem_json_in_french, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let upload = format!("{}/api/v1/etablissements/760780726/campaigns/2026/inventory", app.address);
    let english =
        ["must", "expected", "Failed", "boundary is", "invalid type", "unknown variant", "Content-Type was not"];
    let check = |what: &str, status: StatusCode, content_type: String, body: serde_json::Value| {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_eq!(content_type, "application/problem+json", "{what}: {body}");
        let detail = body["detail"].as_str().unwrap_or_default().to_owned();
        assert!(!detail.is_empty(), "{what}: {body}");
        assert!(!english.iter().any(|word| detail.contains(word)), "{what}: library English in « {detail} »");
    };
    let read = |response: reqwest::Response| async move {
        let status = response.status();
        let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
        (status, content_type, response.json::<serde_json::Value>().await.unwrap_or_default())
    };

    let json_on_upload = app.client.post(&upload).bearer_auth(&dsi).json(&serde_json::json!({"file": "x"})).send();
    let (status, content_type, body) = read(json_on_upload.await.unwrap()).await;
    check("a JSON body on an upload route", status, content_type, body);

    let no_boundary =
        app.client.post(&upload).bearer_auth(&dsi).header("content-type", "multipart/form-data").body("--x\r\n").send();
    let (status, content_type, body) = read(no_boundary.await.unwrap()).await;
    check("a multipart body without its boundary", status, content_type, body);

    let broken = app
        .client
        .post(&upload)
        .bearer_auth(&dsi)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nApplication\nDxCare")
        .send();
    let (status, content_type, body) = read(broken.await.unwrap()).await;
    check("a multipart body that breaks off", status, content_type, body);

    let severity = app.send(Method::GET, "/api/v1/uploads/1/messages?severity=fatal", Some(&dsi), None).await;
    check("an unknown variant", severity.status, severity.content_type.clone(), severity.body.clone());

    let mapping = app
        .deposit(&upload.replace(&app.address, ""), &dsi, "a.csv", b"Application\nDxCare\n".to_vec(), Some("{1: 2}"))
        .await;
    assert_problem(&mapping, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let detail = mapping.body["detail"].as_str().unwrap();
    assert!(!english.iter().any(|word| detail.contains(word)), "library English in « {detail} »");
});
