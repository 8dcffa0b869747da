//! The scope holds for every object: what belongs to another GHT answers
//! exactly as what does not exist, and what a token covers is decided at
//! request time from the memberships of the day (or, for a campaign's
//! data, from the memberships at that campaign's reference date).

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

const HAVRE: &str = "760780726";
const BOULOGNE: &str = "620103440";

/// A problem's detail with one id replaced, to compare the answer about
/// another scope's object with the answer about an absent one.
fn detail_without(reply: &Reply, id: i64) -> String {
    reply.body["detail"].as_str().unwrap_or_default().replace(&id.to_string(), "<id>")
}

/// The DSI of HDF-01 proposes a product; returns its id.
async fn proposal_of_another_ght(app: &TestApp) -> i64 {
    app.given_ght("HDF-01", "HDF", &[BOULOGNE]).await;
    let other_dsi = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let body = serde_json::json!({"name": "Outil Secret Boulonnais", "vendor": "Éditeur du Nord"});
    let proposed = app.send(Method::POST, "/api/v1/catalogue/products", Some(&other_dsi), Some(body)).await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{proposed:?}");
    proposed.body["id"].as_i64().unwrap()
}

db_test!(another_ghts_pending_proposal_is_an_unknown_product_everywhere_a_ght_names_one, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let secret = proposal_of_another_ght(&app).await;
    let absent = secret + 1000;
    let csv = "Application;Sous-domaine\nLogiciel Maison Inconnu;DPI.CORE\n";
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let entry = rows.body[0]["id"].as_i64().unwrap();

    let attempts = |product: i64| {
        [
            (
                Method::PUT,
                "/api/v1/ghts/NOR-02/targets".to_owned(),
                serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": product}]}),
            ),
            (
                Method::POST,
                "/api/v1/ghts/NOR-02/review".to_owned(),
                serde_json::json!({"name": "Logiciel Maison Inconnu", "product_id": product}),
            ),
            (Method::PATCH, format!("/api/v1/entries/{entry}"), serde_json::json!({"product_id": product})),
        ]
    };
    for ((method, path, with_secret), (_, _, with_absent)) in attempts(secret).into_iter().zip(attempts(absent)) {
        let refused = app.send(method.clone(), &path, Some(&dsi), Some(with_secret)).await;
        let absent_reply = app.send(method.clone(), &path, Some(&dsi), Some(with_absent)).await;
        assert!(refused.status.is_client_error(), "{method} {path}: {refused:?}");
        assert_eq!(
            (refused.status, &refused.body["type"], detail_without(&refused, secret)),
            (absent_reply.status, &absent_reply.body["type"], detail_without(&absent_reply, absent)),
            "{method} {path}: another GHT's proposal answers as an absent product"
        );
        assert!(!refused.body.to_string().contains("Secret"), "{refused:?}");
    }
    let indicators = app.send(Method::GET, "/api/v1/ghts/NOR-02/indicators?campaign=2026", Some(&dsi), None).await;
    assert!(!indicators.body.to_string().contains("Secret"));
});
