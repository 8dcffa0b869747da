use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(a_campaign_opens_with_a_default_reference_date_and_closes_once, |app| {
    let opened = app.post("/api/v1/campaigns", serde_json::json!({"year": 2026, "deadline": "2026-06-30"})).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    assert_eq!(opened.body["reference_date"], "2026-01-01");
    assert_eq!(opened.body["status"], "open");
    let again = app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await;
    assert_problem(&again, StatusCode::CONFLICT, "conflict");
    let closed = app.post("/api/v1/campaigns/2026/close", serde_json::json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{closed:?}");
    assert_eq!(closed.body["status"], "closed");
    assert!(closed.body["closed_at"].is_string());
    let twice = app.post("/api/v1/campaigns/2026/close", serde_json::json!({})).await;
    assert_problem(&twice, StatusCode::CONFLICT, "conflict");
    let missing = app.post("/api/v1/campaigns/2031/close", serde_json::json!({})).await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "not-found");
});

db_test!(campaign_values_are_checked, |app| {
    let early = app.post("/api/v1/campaigns", serde_json::json!({"year": 2015})).await;
    assert_problem(&early, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let deadline = app
        .post(
            "/api/v1/campaigns",
            serde_json::json!({"year": 2027, "reference_date": "2027-01-01", "deadline": "2026-12-31"}),
        )
        .await;
    assert_problem(&deadline, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(campaigns_are_listed_newest_first, |app| {
    for year in [2024, 2026, 2025] {
        assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": year})).await.status, StatusCode::CREATED);
    }
    let list = app.get("/api/v1/campaigns").await;
    let years: Vec<i64> = list.body.as_array().unwrap().iter().map(|c| c["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2026, 2025, 2024]);
});

db_test!(concurrent_openings_of_one_campaign_make_one_winner_and_no_failure, |app| {
    let mut handles = Vec::new();
    for _ in 0..6 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/campaigns", app.address);
        let token = app.admin_token.clone();
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({"year": 2028}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap().unwrap());
    }
    statuses.sort();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 5, "{statuses:?}");
});

db_test!(a_stored_value_that_cannot_be_decoded_is_an_internal_error_never_a_default, |app| {
    use sea_orm::ConnectionTrait;
    app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await;
    // A year no campaign can have, written behind the service's back.
    let backend = app.db.reader().get_database_backend();
    let opened_at = if backend == sea_orm::DbBackend::Postgres { "NOW()" } else { "CURRENT_TIMESTAMP" };
    let sql = format!(
        "INSERT INTO campaigns (year, reference_date, status, opened_at) VALUES (1999, '1999-01-01', 'open', {opened_at})"
    );
    let txn = app.db.begin_write().await.unwrap();
    txn.execute_unprepared(&sql).await.unwrap();
    txn.commit().await.unwrap();
    let reply = app.get("/api/v1/campaigns").await;
    assert_problem(&reply, StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert!(!reply.body.to_string().contains("1999"), "nothing of it reaches the client: {reply:?}");
});
