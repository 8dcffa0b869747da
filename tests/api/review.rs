//! The review queue and the confirmation of mappings.

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(a_confirmed_mapping_becomes_a_ght_alias_and_renormalises_open_campaigns_only, |app| {
    // Campaign 2025: the name is deposited, then the campaign is closed.
    app.given_ght("NOR-02", "NOR", &["760780726", "760780734"]).await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    app.post("/api/v1/campaigns", serde_json::json!({"year": 2025})).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let havre = "/api/v1/etablissements/760780726/campaigns";
    let csv = b"Application;Domaine\nTableur bloc;BLOC.PLAN\ncrosway;DPI.CORE\nRegistre Tartempion;\n".to_vec();
    assert_eq!(
        app.deposit(&format!("{havre}/2025/inventory"), &dsi, "2025.csv", csv.clone(), None).await.status,
        StatusCode::CREATED
    );
    app.post("/api/v1/campaigns/2025/close", serde_json::json!({})).await;
    app.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await;
    let reply = app.deposit(&format!("{havre}/2026/inventory"), &dsi, "2026.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");

    let queue = app.send(Method::GET, "/api/v1/ghts/NOR-02/review", Some(&dsi), None).await;
    assert_eq!(queue.status, StatusCode::OK, "{queue:?}");
    let items = queue.body["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|i| i["normalised_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["crosway", "registretartempion", "tableurbloc"], "open campaigns only, one row each");
    let crosway = &items[0];
    assert_eq!(crosway["reason"], "low_confidence");
    assert_eq!(crosway["current_product"], app.product_id("M-CrossWay").await);
    assert_eq!(crosway["suggestions"][0]["name"], "M-CrossWay");
    assert_eq!(items[2]["reason"], "unmatched");
    assert_eq!(items[2]["spellings"], serde_json::json!(["Tableur bloc"]));
    assert_eq!(items[2]["etablissements"], serde_json::json!(["760780726"]));

    let planning = app.product_id("DxPlanning").await;
    let confirmed = app
        .send(
            Method::POST,
            "/api/v1/ghts/NOR-02/review",
            Some(&dsi),
            Some(serde_json::json!({"name": "TABLEUR-BLOC", "product_id": planning})),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:?}");
    assert_eq!(confirmed.body["rows_updated"], 1);

    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory?state=product", &dsi).await;
    let row =
        current.body.as_array().unwrap().iter().find(|e| e["application_raw"] == "Tableur bloc").cloned().unwrap();
    assert_eq!((row["product_id"].as_i64(), row["subdomain"].as_str()), (Some(planning), Some("BLOC.PLAN")));
    let frozen = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2025/inventory?state=unmatched", &dsi).await;
    let still: Vec<&str> =
        frozen.body.as_array().unwrap().iter().map(|e| e["application_raw"].as_str().unwrap()).collect();
    assert_eq!(still, ["Tableur bloc", "Registre Tartempion"], "the closed campaign is frozen");

    // Later deposits of this GHT use the alias; another GHT does not.
    let later = app
        .deposit(
            "/api/v1/etablissements/760780734/campaigns/2026/inventory?dry_run=true",
            &dsi,
            "f.csv",
            b"Application\ntableur bloc\n".to_vec(),
            None,
        )
        .await;
    assert_eq!(
        (later.body["rows"][0]["product_id"].as_i64(), later.body["rows"][0]["match_method"].as_str()),
        (Some(planning), Some("local_alias"))
    );
    let elsewhere = app
        .deposit(
            "/api/v1/etablissements/620103440/campaigns/2026/inventory?dry_run=true",
            &app.admin_token,
            "b.csv",
            b"Application\ntableur bloc\n".to_vec(),
            None,
        )
        .await;
    assert_eq!(elsewhere.body["rows"][0]["state"], "unmatched", "{elsewhere:?}");

    let trail = app.get("/api/v1/audit-events?object_type=alias").await;
    assert_eq!(trail.body["items"][0]["after"]["rows_updated"], 1);
    let regional = app.token(Role::Regional, None, Some("NOR"), None).await;
    let refused = app.send(Method::GET, "/api/v1/ghts/NOR-02/review", Some(&regional), None).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
});

db_test!(the_review_queue_goes_out_as_a_workbook_and_comes_back_filled, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = b"Application\nTableur bloc\nOutil RH maison\nTableur bloc\n".to_vec();
    app.deposit("/api/v1/etablissements/760780726/campaigns/2026/inventory", &dsi, "a.csv", csv, None).await;

    let exported = app
        .client
        .get(format!("{}/api/v1/ghts/NOR-02/review.xlsx", app.address))
        .bearer_auth(&dsi)
        .send()
        .await
        .unwrap();
    assert_eq!(exported.status(), StatusCode::OK);
    let bytes = exported.bytes().await.unwrap().to_vec();
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = calamine::Reader::worksheet_range(&mut workbook, "Revue").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "Nom normalisé");
    assert_eq!(rows[0][7], "Produit retenu");
    assert_eq!((rows[1][0].as_str(), rows[1][1].as_str(), rows[1][2].as_str()), ("tableurbloc", "Tableur bloc", "2"));
    assert_eq!(rows[2][0], "outilrhmaison");

    // The DSI fills in one line with a product name, leaves the other blank.
    let filled = crate::fixtures::xlsx(&[(
        "Revue",
        vec![
            crate::fixtures::row(&[
                "Nom normalisé",
                "Orthographes",
                "Occurrences",
                "Établissements",
                "Motif",
                "Suggestion",
                "Score",
                "Produit retenu",
            ]),
            crate::fixtures::row(&[
                "tableurbloc",
                "Tableur bloc",
                "2",
                "760780726",
                "non reconnu",
                "",
                "",
                "DxPlanning",
            ]),
            crate::fixtures::row(&["outilrhmaison", "Outil RH maison", "1", "760780726", "non reconnu", "", "", ""]),
        ],
    )]);
    let wrong = crate::fixtures::xlsx(&[(
        "Revue",
        vec![
            crate::fixtures::row(&["Nom normalisé", "Orthographes", "Produit retenu"]),
            crate::fixtures::row(&["outilrhmaison", "Outil RH maison", "Planificateur inconnu"]),
        ],
    )]);
    let refused = app.deposit("/api/v1/ghts/NOR-02/review.xlsx", &dsi, "revue.xlsx", wrong, None).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(refused.body["detail"].as_str().unwrap().contains("ligne 2"), "{refused:?}");
    let done = app.deposit("/api/v1/ghts/NOR-02/review.xlsx", &dsi, "revue.xlsx", filled, None).await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");
    assert_eq!((done.body["confirmed"].as_i64(), done.body["rows_updated"].as_i64()), (Some(1), Some(2)));
    let queue = app.send(Method::GET, "/api/v1/ghts/NOR-02/review", Some(&dsi), None).await;
    let names: Vec<&str> =
        queue.body["items"].as_array().unwrap().iter().map(|i| i["normalised_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["outilrhmaison"]);
});

db_test!(a_filled_review_workbook_recomputes_its_ght_once_whatever_the_number_of_names, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let havre = b"Application\nTableur bloc\nOutil RH maison\n".to_vec();
    app.deposit("/api/v1/etablissements/760780726/campaigns/2026/inventory", &dsi, "a.csv", havre, None).await;
    let fecamp = b"Application\nAgenda maison\n".to_vec();
    app.deposit("/api/v1/etablissements/760780734/campaigns/2026/inventory", &dsi, "b.csv", fecamp, None).await;
    let filled = crate::fixtures::xlsx(&[(
        "Revue",
        vec![
            crate::fixtures::row(&["Nom normalisé", "Orthographes", "Produit retenu"]),
            crate::fixtures::row(&["tableurbloc", "Tableur bloc", "DxPlanning"]),
            crate::fixtures::row(&["outilrhmaison", "Outil RH maison", "DxCare"]),
            crate::fixtures::row(&["agendamaison", "Agenda maison", "Pastel"]),
        ],
    )]);
    let done = app.deposit("/api/v1/ghts/NOR-02/review.xlsx", &dsi, "revue.xlsx", filled, None).await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");
    assert_eq!((done.body["confirmed"].as_i64(), done.body["rows_updated"].as_i64()), (Some(3), Some(3)));
    assert_eq!(
        done.body["indicators_recomputed"],
        serde_json::json!([{"ght_code": "NOR-02", "campaign": 2026}]),
        "one recomputation for the deposit, not one per name"
    );
    let trail = app.get("/api/v1/audit-events?object_type=alias").await;
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 3, "each name is still confirmed and audited");

    let one = app
        .send(
            Method::POST,
            "/api/v1/ghts/NOR-02/review",
            Some(&dsi),
            Some(serde_json::json!({"name": "Tableur bloc", "product_id": app.product_id("DxCare").await})),
        )
        .await;
    assert_eq!(one.status, StatusCode::OK, "{one:?}");
    assert_eq!(one.body["indicators_recomputed"], serde_json::json!([]), "no row moved: nothing to recompute");
});

db_test!(the_review_queue_is_read_page_by_page_most_frequent_first, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut csv = String::from("Application\n");
    for (name, times) in [("Outil alpha local", 3), ("Outil beta local", 2), ("Outil gamma local", 1)] {
        for _ in 0..times {
            csv.push_str(name);
            csv.push('\n');
        }
    }
    let path = "/api/v1/etablissements/760780726/campaigns/2026/inventory";
    assert_eq!(app.deposit(path, &dsi, "i.csv", csv.into_bytes(), None).await.status, StatusCode::CREATED);
    let page = |n: u32| {
        let path = format!("/api/v1/ghts/NOR-02/review?page={n}&page_size=2");
        let (app, dsi) = (&app, dsi.clone());
        async move { app.send(Method::GET, &path, Some(&dsi), None).await }
    };
    let first = page(1).await;
    assert_eq!(
        (first.body["total_items"].as_u64(), first.body["total_pages"].as_u64()),
        (Some(3), Some(2)),
        "{first:?}"
    );
    let names = |reply: &Reply| -> Vec<(String, u64)> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["spellings"][0].as_str().unwrap().to_owned(), i["occurrences"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(names(&first), [("Outil alpha local".to_owned(), 3), ("Outil beta local".to_owned(), 2)]);
    assert_eq!(names(&page(2).await), [("Outil gamma local".to_owned(), 1)]);
    let past = page(3).await;
    assert_eq!((past.body["items"].as_array().map(Vec::len), past.body["total_items"].as_u64()), (Some(0), Some(3)));
});
