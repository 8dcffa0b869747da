//! Abuse limits: requests per token, parse workers at once, bodies told
//! too large before they are read, slow headers, connections per address.
//! They are per replica and touch no data: SQLite is enough.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[allow(unused_imports)]
use crate::helpers::*;

const PROGRAM: &str = env!("CARGO_BIN_EXE_convergence");

async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_with(Backend::Sqlite, PROGRAM, extra).await.expect("SQLite is always available")
}

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads what the server sends until it closes or `wait` passes.
async fn read_all(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut buffer = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut buffer)).await {
        Ok(_) => Some(String::from_utf8_lossy(&buffer).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_past_its_rate_is_told_when_to_come_back() {
    let app = app_with(&[("CONVERGENCE_RATE_PER_SECOND", "1"), ("CONVERGENCE_RATE_BURST", "3")]).await;
    let national = app.token(Role::National, None, None, None).await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..5 {
        let response =
            app.client.get(format!("{}/api/v1/ghts", app.address)).bearer_auth(&national).send().await.unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["type"], "urn:convergence:problem:rate-limited");
        }
    }
    assert_eq!(&statuses[..3], [StatusCode::OK; 3], "{statuses:?}");
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    let other = app.client.get(format!("{}/api/v1/ghts", app.address)).bearer_auth(&app.admin_token).send();
    assert_eq!(other.await.unwrap().status(), StatusCode::OK, "another token has its own share");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = app.client.get(format!("{}/api/v1/ghts", app.address)).bearer_auth(&national).send();
    assert_eq!(later.await.unwrap().status(), StatusCode::OK, "it comes back");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_share_of_parse_workers_a_token_is_told_to_come_back() {
    // A worker that takes its time: the first deposit holds it.
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow-worker");
    std::fs::write(&slow, "#!/bin/sh\nsleep 3\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let app = spawn_app_with(Backend::Sqlite, slow.to_str().unwrap(), &[("CONVERGENCE_WORKERS_PER_TOKEN", "1")])
        .await
        .unwrap();
    let dsi = app.given_ght_with_open_campaign().await;
    let path = "/api/v1/etablissements/760780726/campaigns/2026/inventory";
    let first = {
        let (client, url, token) = (app.client.clone(), format!("{}{path}", app.address), dsi.clone());
        tokio::spawn(async move {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(b"Application\nDxCare\n".to_vec()).file_name("a.csv"));
            client.post(url).bearer_auth(token).multipart(form).send().await.map(|r| r.status())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = app.deposit(path, &dsi, "b.csv", b"Application\nPastel\n".to_vec(), None).await;
    assert_problem(&second, StatusCode::SERVICE_UNAVAILABLE, "busy");
    let other_token = app.deposit(path, &app.admin_token, "c.csv", b"Application\nGlims\n".to_vec(), None).await;
    assert_ne!(other_token.body["type"], "urn:convergence:problem:busy", "another token has its own share");
    let _ = first.await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_upload_is_refused_before_its_body_is_read() {
    let app = app_with(&[]).await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    let head = format!(
        "POST /api/v1/etablissements/760780726/campaigns/2026/inventory HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=B\r\n\
         Content-Length: 9000000000\r\nConnection: close\r\n\r\n",
        app.admin_token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // Not a byte of the body is sent: the answer comes all the same.
    let answer = read_all(&mut stream, Duration::from_secs(10)).await.expect("answered without the body");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");

    let json = app.post(
        "/api/v1/ghts",
        serde_json::json!({"code": "NOR-09", "name": "x".repeat(1_100_000), "region_code": "NOR"}),
    );
    assert_problem(&json.await, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_does_not_hold_its_connection() {
    let app = app_with(&[("CONVERGENCE_HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let closed = read_all(&mut stream, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "the connection is cut within the header timeout");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_its_share_of_connections() {
    let app = app_with(&[("CONVERGENCE_CONNECTIONS_PER_IP", "3")]).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(host(&app)).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buffer = [0u8; 12];
        stream.read_exact(&mut buffer).await.unwrap();
        assert_eq!(&buffer, b"HTTP/1.1 200");
        held.push(stream);
    }
    let mut fourth = TcpStream::connect(host(&app)).await.unwrap();
    let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let answer = read_all(&mut fourth, Duration::from_secs(5)).await.unwrap_or_default();
    assert!(answer.is_empty(), "closed without an answer: {answer}");
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = TcpStream::connect(host(&app)).await.unwrap();
    again.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let answer = read_all(&mut again, Duration::from_secs(5)).await.unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 200"), "a freed place is taken again: {answer}");
    app.close().await;
}
