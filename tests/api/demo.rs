use convergence::demo::{self, DemoOutcome};

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(the_demo_ght_loads_once_with_its_members_campaigns_and_targets, |app| {
    let worker = crate::corpus::worker_config();
    assert_eq!(demo::load(&app.db, &worker).await.unwrap(), DemoOutcome::Loaded);
    assert_eq!(demo::load(&app.db, &worker).await.unwrap(), DemoOutcome::AlreadyPresent);

    let ghts = app.get("/api/v1/ghts").await;
    assert_eq!(ghts.body["items"][0]["code"], demo::DEMO_GHT);
    assert_eq!(ghts.body["items"][0]["support_finess_ej"], "760780726");
    let members = app.get(&format!("/api/v1/ghts/{}/etablissements", demo::DEMO_GHT)).await;
    let finess: Vec<&str> = members.body.as_array().unwrap().iter().map(|m| m["finess_ej"].as_str().unwrap()).collect();
    assert_eq!(finess, ["270000102", "760780726", "760780734", "760780742", "760780759"]);
    let expected: Vec<String> = demo::demo_members().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(expected.len(), 5);

    let campaigns = app.get("/api/v1/campaigns").await;
    let states: Vec<(i64, &str)> = campaigns
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["year"].as_i64().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [(2026, "open"), (2025, "closed")]);

    let trail = app.get("/api/v1/audit-events?object_type=targets").await;
    assert_eq!(trail.body["total_items"], 1);
    let targets = &trail.body["items"][0]["after"]["products"];
    assert_eq!(targets.as_array().unwrap().len(), 5);
    let answers = app.get("/api/v1/audit-events?object_type=indicator_answer").await;
    assert_eq!(answers.body["total_items"], 14);

    // Inventories came through the importer: every member in 2025, all but one in 2026.
    let uploads = app.get("/api/v1/audit-events?object_type=upload&page_size=50").await;
    assert_eq!(uploads.body["total_items"], 9);
    let current =
        app.all_rows(&format!("/api/v1/ghts/{}/campaigns/2026/inventory", demo::DEMO_GHT), &app.admin_token).await;
    let rows = current.body.as_array().unwrap();
    // 8 (Le Havre) + 9 (Pont-Audemer, one unknown name) + 9 (Fécamp, one placeholder) + 10 (Lillebonne, two DPI rows and an in-house tool).
    assert_eq!(rows.len(), 36);
    let reporting: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["finess_ej"].as_str().unwrap()).collect();
    assert_eq!(reporting.into_iter().collect::<Vec<_>>(), ["270000102", "760780726", "760780734", "760780742"]);
    let fecamp_dpi = rows.iter().find(|r| r["finess_ej"] == "760780734" && r["subdomain"] == "DPI.CORE").unwrap();
    assert_eq!(fecamp_dpi["application_raw"], "M-CrossWay", "the late migration");
    let review = app.get(&format!("/api/v1/ghts/{}/review", demo::DEMO_GHT)).await;
    let names: Vec<&str> =
        review.body["items"].as_array().unwrap().iter().map(|i| i["normalised_name"].as_str().unwrap()).collect();
    // « MAIL ATTENTE REPONSE » (Fécamp) is a survey answer, not a name to review.
    assert_eq!(names, ["crosway", "logicielduservice"]);

    // A DSI token for the demo GHT sees it.
    let dsi = app.token(Role::Ght, Some(demo::DEMO_GHT), None, None).await;
    let own = app.send(Method::GET, &format!("/api/v1/ghts/{}", demo::DEMO_GHT), Some(&dsi), None).await;
    assert_eq!(own.status, StatusCode::OK);
});
