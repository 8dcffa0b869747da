//! Depositing inventories: normalisation, the report, the workflow, and
//! hostile files.

use crate::db_test;
use crate::fixtures::{V, csv_1252, row, xlsx};
#[allow(unused_imports)]
use crate::helpers::*;

pub(crate) const HAVRE: &str = "760780726";
const FECAMP: &str = "760780734";

fn messages<'a>(report: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    report["messages"].as_array().unwrap().iter().filter(|m| m["code"] == code).collect()
}

/// Title rows, a blank line, French values, typos, a sentinel, an unknown
/// column, an unmatched name and a total row.
fn messy_workbook() -> Vec<u8> {
    xlsx(&[
        ("Notice", vec![row(&["Remplir une ligne par application"])]),
        (
            "Inventaire",
            vec![
                row(&["INVENTAIRE APPLICATIF — CAMPAGNE 2026"]),
                vec![],
                row(&[
                    "Logiciel",
                    "Éditeur",
                    "Domaine fonctionnel",
                    "Version",
                    "Nb utilisateurs",
                    "Fin de contrat",
                    "Coût annuel TTC (€)",
                    "Connecté au référentiel d'identités",
                    "Couleur",
                ]),
                row(&[
                    "DxCare (Medasys)",
                    "Medasys",
                    "DPI",
                    "V7.4",
                    "1 200",
                    "31/12/2026",
                    "12 500,50 €",
                    "oui",
                    "bleu",
                ]),
                vec![
                    V::T("crosway"),
                    V::B,
                    V::T("Dossier de soins"),
                    V::B,
                    V::N(35.0),
                    V::N(46387.0),
                    V::N(3000.5),
                    V::T("non"),
                ],
                row(&["Développement interne", "", "Urgences"]),
                row(&["Registre Tartempion", "", "GEF.COMPTA"]),
                row(&["TOTAL", "", "", "", "1 235"]),
            ],
        ),
    ])
}

db_test!(a_messy_workbook_is_normalised_to_exact_values, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?dry_run=true");
    let reply = app.deposit(&path, &dsi, "inventaire havre.xlsx", messy_workbook(), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!(report["ignored_sheets"], serde_json::json!(["Notice"]));
    assert_eq!(report["sheets"][0]["header_row"], 3);
    assert_eq!(
        (report["rows_read"].as_i64(), report["rows_imported"].as_i64(), report["errors"].as_i64()),
        (Some(4), Some(4), Some(0))
    );

    let rows = reply.body["rows"].as_array().unwrap();
    let dxcare = &rows[0];
    assert_eq!(dxcare["row"], 4);
    assert_eq!(dxcare["state"], "product");
    assert_eq!(dxcare["product_id"], app.product_id("DxCare").await);
    assert_eq!(dxcare["match_method"], "stripped");
    assert_eq!(dxcare["subdomain"], "DPI.CORE");
    assert_eq!(dxcare["subdomain_inferred"], true);
    assert_eq!(dxcare["version"], "V7.4");
    assert_eq!(dxcare["users"], 1200);
    assert_eq!(dxcare["contract_end"], "2026-12-31");
    assert_eq!(dxcare["annual_cost"], 1_250_050);
    assert_eq!(dxcare["identity_connected"], true);
    assert_eq!(dxcare["extra"], serde_json::json!({"Couleur": "bleu"}));
    assert_eq!(dxcare["finess_ej"], HAVRE);

    let crossway = &rows[1];
    assert_eq!(crossway["product_id"], app.product_id("M-CrossWay").await);
    assert_eq!(crossway["match_method"], "fuzzy");
    assert_eq!(crossway["subdomain"], "DPI.CORE");
    // « Dossier de soins » names the patient-record domain: the product
    // decides its sub-domain.
    assert_eq!(crossway["subdomain_inferred"], true);
    assert_eq!(crossway["users"], 35);
    assert_eq!(crossway["contract_end"], "2026-12-31");
    assert_eq!(crossway["annual_cost"], 300_050);
    assert_eq!(crossway["identity_connected"], false);
    assert_eq!(crossway["flags"], serde_json::json!(["low_confidence"]));

    let in_house = &rows[2];
    assert_eq!((in_house["state"].as_str(), in_house["subdomain"].as_str()), (Some("in_house"), Some("URG.DPU")));
    let unmatched = &rows[3];
    assert_eq!((unmatched["state"].as_str(), unmatched["subdomain"].as_str()), (Some("unmatched"), Some("GEF.COMPTA")));
    assert_eq!(unmatched["normalised_name"], "registretartempion");

    let unknown = messages(report, "unknown_column");
    assert_eq!(unknown.len(), 1);
    assert_eq!((unknown[0]["sheet"].as_str(), unknown[0]["row"].as_i64()), (Some("Inventaire"), Some(3)));
    assert_eq!((unknown[0]["column"].as_str(), unknown[0]["header"].as_str()), (Some("I"), Some("Couleur")));
    let inferred = messages(report, "inferred_subdomain");
    assert_eq!(
        (inferred[0]["row"].as_i64(), inferred[0]["column"].as_str(), inferred[0]["value"].as_str()),
        (Some(4), Some("C"), Some("DPI"))
    );
    assert_eq!(inferred[0]["text"], "ne précise que le domaine DPI : le sous-domaine DPI.CORE est déduit du produit.");
    let unmatched_message = messages(report, "unmatched_product");
    assert_eq!((unmatched_message[0]["row"].as_i64(), unmatched_message[0]["column"].as_str()), (Some(7), Some("A")));
    assert_eq!(unmatched_message[0]["value"], "Registre Tartempion");
    assert_eq!(unmatched_message[0]["file"], "inventaire havre.xlsx");
    assert_eq!(messages(report, "low_confidence_match")[0]["row"], 5);
    assert_eq!(messages(report, "total_row_skipped")[0]["row"], 8);

    // A dry run writes nothing.
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(current.body, serde_json::json!([]));
});

fn faulty_workbook() -> Vec<u8> {
    xlsx(&[(
        "Inventaire",
        vec![
            row(&["Application", "Fin de contrat", "Nb utilisateurs"]),
            row(&["Pastel", "31/02/2025", "40"]),
            row(&["", "31/12/2027", "12"]),
            row(&["Glims", "30/06/2027", "beaucoup"]),
            row(&["Magh2", "", ""]),
        ],
    )])
}

db_test!(strict_mode_refuses_the_whole_file_and_lists_every_error_with_its_position, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "faux.xlsx", faulty_workbook(), None).await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-inventory");
    let report = &reply.body["report"];
    assert_eq!(report["errors"], 3);
    let date = &messages(report, "unreadable_date")[0];
    assert_eq!(
        (date["sheet"].as_str(), date["row"].as_i64(), date["column"].as_str()),
        (Some("Inventaire"), Some(2), Some("B"))
    );
    assert_eq!((date["header"].as_str(), date["value"].as_str()), (Some("Fin de contrat"), Some("31/02/2025")));
    assert_eq!(date["text"], "n'est pas une date valide : indiquez-la au format JJ/MM/AAAA.");
    assert_eq!(messages(report, "missing_application")[0]["row"], 3);
    let number = &messages(report, "unreadable_number")[0];
    assert_eq!(
        (number["row"].as_i64(), number["column"].as_str(), number["value"].as_str()),
        (Some(4), Some("C"), Some("beaucoup"))
    );

    // Nothing of the inventory was written; the refused upload keeps its report.
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(current.body, serde_json::json!([]));
    let upload_id = reply.body["upload_id"].as_i64().unwrap();
    let upload = app.send(Method::GET, &format!("/api/v1/uploads/{upload_id}"), Some(&dsi), None).await;
    assert_eq!(upload.body["status"], "rejected");

    // The annotated copy highlights the faulty cells with a comment.
    let annotated = app
        .client
        .get(format!("{}/api/v1/uploads/{upload_id}/annotated.xlsx", app.address))
        .bearer_auth(&dsi)
        .send()
        .await
        .unwrap();
    assert_eq!(annotated.status(), StatusCode::OK);
    let bytes = annotated.bytes().await.unwrap().to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let comments_name = names.iter().find(|n| n.starts_with("xl/comments")).expect("comments part").clone();
    let mut comments = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(&comments_name).unwrap(), &mut comments).unwrap();
    assert!(
        comments.contains("ligne 2, colonne B (Fin de contrat) : « 31/02/2025 » n&apos;est pas une date valide")
            || comments.contains("ligne 2, colonne B (Fin de contrat) : « 31/02/2025 » n'est pas une date valide"),
        "{comments}"
    );
    // Written in constant memory, the sheet holds its strings inline.
    let mut sheet = String::new();
    for name in names.iter().filter(|n| n.starts_with("xl/worksheets/") || *n == "xl/sharedStrings.xml") {
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut sheet).unwrap();
    }
    assert!(sheet.contains("Statut de l&apos;import") || sheet.contains("Statut de l'import"), "{sheet}");
    assert!(sheet.contains("Erreur : ligne non importée"), "{sheet}");
});

db_test!(partial_mode_imports_the_valid_rows_and_keeps_the_rejected_ones_in_the_report, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?partial=true");
    let reply = app.deposit(&path, &dsi, "faux.xlsx", faulty_workbook(), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    assert_eq!(
        (reply.body["report"]["rows_imported"].as_i64(), reply.body["report"]["rows_rejected"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(reply.body["upload"]["status"], "validated");
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let names: Vec<&str> =
        current.body.as_array().unwrap().iter().map(|e| e["application_raw"].as_str().unwrap()).collect();
    assert_eq!(names, ["Magh2"]);
});

db_test!(an_upload_replaces_the_previous_inventory_and_the_same_bytes_write_nothing, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{FECAMP}/campaigns/2026/inventory");
    let first = csv_1252("Application;Éditeur;Coût annuel\nDxCare;Dedalus;1 000\nPastel;MiPih;\n");
    let second = csv_1252("Application;Éditeur\nOrbis;Dedalus\n");
    let one = app.deposit(&path, &dsi, "fecamp.csv", first.clone(), None).await;
    assert_eq!(one.status, StatusCode::CREATED, "{one:?}");
    let again = app.deposit(&path, &dsi, "fecamp-copie.csv", first, None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["duplicate"], true);
    assert_eq!(again.body["upload"]["id"], one.body["upload"]["id"]);
    let two = app.deposit(&path, &dsi, "fecamp-v2.csv", second, None).await;
    assert_eq!(two.status, StatusCode::CREATED);
    let names = |r: &Reply| -> Vec<String> {
        r.body.as_array().unwrap().iter().map(|e| e["application_raw"].as_str().unwrap().to_owned()).collect()
    };
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(names(&current), ["Orbis"]);

    // Withdrawing the second upload makes the first current again.
    let second_id = two.body["upload"]["id"].as_i64().unwrap();
    let withdrawn = app.send(Method::DELETE, &format!("/api/v1/uploads/{second_id}"), Some(&dsi), None).await;
    assert_eq!(withdrawn.body["status"], "withdrawn", "{withdrawn:?}");
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(names(&current), ["DxCare", "Pastel"]);
    let uploads = app.get("/api/v1/audit-events?object_type=upload").await;
    assert_eq!(uploads.body["total_items"], 3, "two deposits and one withdrawal");
});

db_test!(an_etablissement_deposit_waits_for_the_dsi_validation, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let etab = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &etab, "havre.csv", b"Application\nDxCare\n".to_vec(), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    assert_eq!(reply.body["upload"]["status"], "submitted");
    let id = reply.body["upload"]["id"].as_i64().unwrap();
    let by_etab = app.send(Method::POST, &format!("/api/v1/uploads/{id}/validate"), Some(&etab), None).await;
    assert_problem(&by_etab, StatusCode::FORBIDDEN, "forbidden");
    let validated = app.send(Method::POST, &format!("/api/v1/uploads/{id}/validate"), Some(&dsi), None).await;
    assert_eq!(validated.body["status"], "validated", "{validated:?}");
    assert_eq!(validated.body["validated_by"], "test ght");
    let twice = app.send(Method::POST, &format!("/api/v1/uploads/{id}/validate"), Some(&dsi), None).await;
    assert_problem(&twice, StatusCode::CONFLICT, "conflict");
    // An établissement cannot deposit for its neighbour.
    let other = app
        .deposit(
            &format!("/api/v1/etablissements/{FECAMP}/campaigns/2026/inventory"),
            &etab,
            "x.csv",
            b"Application\nDxCare\n".to_vec(),
            None,
        )
        .await;
    assert_problem(&other, StatusCode::NOT_FOUND, "not-found");
});

db_test!(a_page_kept_for_the_dsi_is_never_served_to_an_etablissement_nor_after_a_change, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let etab = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    for (finess, name) in [(HAVRE, "DxCare"), (FECAMP, "Pastel")] {
        let path = format!("/api/v1/etablissements/{finess}/campaigns/2026/inventory");
        let csv = format!("Application\n{name}\n").into_bytes();
        let reply = app.deposit(&path, &dsi, "inventaire.csv", csv, None).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    }
    let page = "/api/v1/ghts/NOR-02/campaigns/2026/inventory?page=1&page_size=50";
    let names = |r: &Reply| -> Vec<String> {
        let mut names: Vec<String> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["application_raw"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let by_dsi = app.send(Method::GET, page, Some(&dsi), None).await;
    assert_eq!(names(&by_dsi), ["DxCare", "Pastel"]);
    let by_etab = app.send(Method::GET, page, Some(&etab), None).await;
    assert_eq!(names(&by_etab), ["DxCare"], "the établissement reads its own rows, not the DSI's page");
    assert_eq!(by_etab.body["total_items"], 1);
    let again = app.send(Method::GET, page, Some(&dsi), None).await;
    assert_eq!(again.body, by_dsi.body);

    let id = by_dsi.body["items"].as_array().unwrap().iter().find(|e| e["application_raw"] == "Pastel").unwrap()["id"]
        .as_i64()
        .unwrap();
    let patched = app
        .send(Method::PATCH, &format!("/api/v1/entries/{id}"), Some(&dsi), Some(serde_json::json!({"version": "12.4"})))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:?}");
    let after = app.send(Method::GET, page, Some(&dsi), None).await;
    let pastel = after.body["items"].as_array().unwrap().iter().find(|e| e["application_raw"] == "Pastel").unwrap();
    assert_eq!(pastel["version"], "12.4", "a correction shows at once in the page that was kept");
});

db_test!(a_row_naming_another_etablissement_is_an_error_naming_the_row, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?dry_run=true");
    // 760000356 is a site of GH du Havre; 76078073 lost its key (CH de Fécamp's EJ is 760780734).
    let csv = b"FINESS;Application\n760000356;DxCare\n760780734;Pastel\n10000024;Glims\n".to_vec();
    let reply = app.deposit(&path, &dsi, "havre.csv", csv, None).await;
    let rows = reply.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0]["finess_ej"].as_str(), rows[0]["finess_et"].as_str()), (Some(HAVRE), Some("760000356")));
    let foreign = messages(&reply.body["report"], "foreign_finess");
    assert_eq!(foreign.len(), 2);
    assert_eq!(
        (foreign[0]["row"].as_i64(), foreign[0]["column"].as_str(), foreign[0]["value"].as_str()),
        (Some(3), Some("A"), Some("760780734"))
    );
    assert!(foreign[0]["text"].as_str().unwrap().contains("autre établissement"));
    let padded = messages(&reply.body["report"], "value_normalised");
    assert!(padded.iter().any(|m| m["row"] == 4 && m["text"].as_str().unwrap().contains("010000024")), "{padded:?}");
});

db_test!(a_ght_workbook_routes_rows_by_finess_then_by_sheet_name, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let workbook = xlsx(&[
        ("Havre", vec![row(&["Application", "FINESS"]), row(&["DxCare", ""]), row(&["Pastel", "760780734"])]),
        ("Établissement 760780734", vec![row(&["Application"]), row(&["Glims"])]),
        ("Inconnu", vec![row(&["Application"]), row(&["Orbis"])]),
    ]);
    let path = "/api/v1/ghts/NOR-02/campaigns/2026/inventory";
    let refused = app.deposit(path, &dsi, "ght.xlsx", workbook.clone(), None).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-inventory");
    let unroutable = messages(&refused.body["report"], "unroutable_row");
    assert_eq!(unroutable.len(), 2, "{unroutable:?}");
    assert_eq!((unroutable[0]["sheet"].as_str(), unroutable[0]["row"].as_i64()), (Some("Havre"), Some(2)));
    assert_eq!((unroutable[1]["sheet"].as_str(), unroutable[1]["row"].as_i64()), (Some("Inconnu"), Some(2)));

    let partial = app.deposit(&format!("{path}?partial=true"), &dsi, "ght.xlsx", workbook, None).await;
    assert_eq!(partial.status, StatusCode::CREATED, "{partial:?}");
    let current = app.all_rows(path, &dsi).await;
    let rows: Vec<(String, String)> = current
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["finess_ej"].as_str().unwrap().to_owned(), e["application_raw"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(rows, [(FECAMP.to_owned(), "Pastel".to_owned()), (FECAMP.to_owned(), "Glims".to_owned())]);
});

db_test!(an_unknown_header_mapped_once_is_recognised_at_later_deposits, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let csv = b"Outil metier;Editeur\nDxCare;Dedalus\n".to_vec();
    let without = app.deposit(&path, &dsi, "a.csv", csv.clone(), None).await;
    assert_problem(&without, StatusCode::UNPROCESSABLE_ENTITY, "no-header-row");
    assert!(without.body["detail"].as_str().unwrap().contains("Application"), "{without:?}");
    let mapped = app.deposit(&path, &dsi, "a.csv", csv, Some(r#"{"Outil metier": "application"}"#)).await;
    assert_eq!(mapped.status, StatusCode::CREATED, "{mapped:?}");
    let later =
        app.deposit(&format!("{path}?dry_run=true"), &dsi, "b.csv", b"OUTIL METIER\nPastel\n".to_vec(), None).await;
    assert_eq!(later.body["rows"][0]["application_raw"], "Pastel", "{later:?}");
    let bad = app.deposit(&path, &dsi, "a.csv", b"x\n".to_vec(), Some(r#"{"Outil": "couleur"}"#)).await;
    assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(hostile_and_broken_files_get_an_error_of_their_own_class, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let pdf = app.deposit(&path, &dsi, "inventaire.xlsx", b"%PDF-1.7 inventaire".to_vec(), None).await;
    assert_problem(&pdf, StatusCode::UNPROCESSABLE_ENTITY, "not-a-spreadsheet");
    assert!(pdf.body["detail"].as_str().unwrap().contains("document PDF"));
    let empty = app.deposit(&path, &dsi, "vide.csv", Vec::new(), None).await;
    assert_problem(&empty, StatusCode::UNPROCESSABLE_ENTITY, "empty-file");
    let truncated = messy_workbook()[..2000].to_vec();
    let broken = app.deposit(&path, &dsi, "coupé.xlsx", truncated, None).await;
    assert_problem(&broken, StatusCode::UNPROCESSABLE_ENTITY, "corrupted-file");
    let huge = vec![b'a'; 2 * 1024 * 1024 + 10];
    let too_large = app.deposit(&path, &dsi, "gros.csv", huge, None).await;
    assert_problem(&too_large, StatusCode::PAYLOAD_TOO_LARGE, "file-too-large");
    let bomb = {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        writer.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default()).unwrap();
        // 50 MiB of spaces compress ~1000 times: refused by ratio, before inflation.
        writer.write_all(&vec![b' '; 50 * 1024 * 1024]).unwrap();
        writer.finish().unwrap().into_inner()
    };
    let bombed = app.deposit(&path, &dsi, "bombe.xlsx", bomb, None).await;
    assert_problem(&bombed, StatusCode::PAYLOAD_TOO_LARGE, "file-too-large-decompressed");
    let no_header = app.deposit(&path, &dsi, "liste.csv", b"Nom;Prenom\nDupont;Jean\n".to_vec(), None).await;
    assert_problem(&no_header, StatusCode::UNPROCESSABLE_ENTITY, "no-header-row");
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(current.body, serde_json::json!([]));
});

db_test!(a_header_without_any_row_of_inventory_is_refused_as_such, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let blank_template = b"Application;Editeur;Domaine\n".to_vec();
    for query in ["", "?dry_run=true", "?partial=true"] {
        let reply = app.deposit(&format!("{path}{query}"), &dsi, "modele.csv", blank_template.clone(), None).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "no-inventory-rows");
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.contains("aucune ligne d'inventaire sous l'en-tête"), "{detail}");
        assert!(!detail.contains("0 erreur"), "{detail}");
    }
    // A total row under the header is not a row of inventory either.
    let only_total = xlsx(&[(
        "Inventaire",
        vec![row(&["Titre"]), row(&["Application", "Éditeur", "Nb utilisateurs"]), row(&["TOTAL", "", "12"])],
    )]);
    let reply = app.deposit(&path, &dsi, "inventaire.xlsx", only_total, None).await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "no-inventory-rows");
    assert!(reply.body["detail"].as_str().unwrap().contains("feuille « Inventaire », en-tête ligne 2"), "{reply:?}");
    let history = app.send(Method::GET, "/api/v1/ghts/NOR-02/campaigns/2026", Some(&dsi), None).await;
    assert_eq!(history.status, StatusCode::OK, "{history:?}");
    assert!(!history.body.to_string().contains("rejected"), "nothing is stored: {history:?}");
});

db_test!(a_closed_campaign_refuses_deposits, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.post("/api/v1/campaigns/2026/close", serde_json::json!({})).await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "a.csv", b"Application\nDxCare\n".to_vec(), None).await;
    assert_problem(&reply, StatusCode::CONFLICT, "conflict");
    assert!(reply.body["detail"].as_str().unwrap().contains("close"));
});

db_test!(a_row_corrected_through_the_api_is_audited, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    app.deposit(&path, &dsi, "a.csv", b"Application;Nb utilisateurs\nLogiciel du service;12\n".to_vec(), None).await;
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let entry = &current.body[0];
    assert_eq!(entry["state"], "unmatched");
    let glims = app.product_id("Glims").await;
    let id = entry["id"].as_i64().unwrap();
    let patched = app
        .send(
            Method::PATCH,
            &format!("/api/v1/entries/{id}"),
            Some(&dsi),
            Some(serde_json::json!({"product_id": glims, "subdomain": "LAB.SIL"})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:?}");
    assert_eq!(
        (patched.body["state"].as_str(), patched.body["subdomain"].as_str()),
        (Some("product"), Some("LAB.SIL"))
    );
    let trail = app.get(&format!("/api/v1/audit-events?object_type=inventory_entry&object_id={id}")).await;
    assert_eq!(trail.body["items"][0]["before"]["state"], "unmatched");
    assert_eq!(trail.body["items"][0]["after"]["product_id"], glims);
});

db_test!(concurrent_deposits_for_one_etablissement_are_serialised, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let files: Vec<Vec<u8>> =
        (0..4).map(|i| format!("Application;Version\nDxCare;{i}\nPastel;{i}\nGlims;{i}\n").into_bytes()).collect();
    let mut tasks = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        let client = app.client.clone();
        let url = format!("{}{path}", app.address);
        let token = dsi.clone();
        tasks.push(tokio::spawn(async move {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(file).file_name(format!("v{i}.csv")));
            client.post(url).bearer_auth(token).multipart(form).send().await.map(|r| r.status())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::CREATED);
    }
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let rows = current.body.as_array().unwrap();
    assert_eq!(rows.len(), 3, "exactly one upload is current, whole: {rows:?}");
    let versions: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(versions.len(), 1);
});

db_test!(a_large_report_keeps_every_message_and_serves_them_page_by_page, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut csv = String::from("Application\n");
    for i in 0..1200 {
        csv.push_str(&format!("Outil local {i}\n"));
    }
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "gros.csv", csv.into_bytes(), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!((report["messages_total"].as_i64(), report["warnings"].as_i64()), (Some(1200), Some(1200)));
    assert_eq!(report["messages"].as_array().unwrap().len(), 1000, "the first thousand inline");
    let id = reply.body["upload"]["id"].as_i64().unwrap();
    let last = app
        .send(
            Method::GET,
            &format!("/api/v1/uploads/{id}/messages?severity=warning&page=6&page_size=200"),
            Some(&dsi),
            None,
        )
        .await;
    assert_eq!(last.body["total_items"], 1200);
    let items = last.body["items"].as_array().unwrap();
    assert_eq!((items[0]["row"].as_i64(), items[199]["row"].as_i64()), (Some(1002), Some(1201)));
    assert_eq!(items[199]["value"], "Outil local 1199");
    assert_eq!(items[199]["file"], "gros.csv");
    let errors =
        app.send(Method::GET, &format!("/api/v1/uploads/{id}/messages?severity=error"), Some(&dsi), None).await;
    assert_eq!(errors.body["total_items"], 0);
});

db_test!(an_ods_exported_by_google_drive_without_mimetype_is_read, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let ods = crate::fixtures::ods_without_mimetype(&[&["Application", "Éditeur"], &["Pastel", "MiPih"]]);
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?dry_run=true");
    let reply = app.deposit(&path, &dsi, "inventaire (Google Drive).ods", ods, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["report"]["format"], "ods");
    assert_eq!(reply.body["rows"][0]["application_raw"], "Pastel");
    assert_eq!(reply.body["rows"][0]["state"], "product");
});

db_test!(a_worksheet_with_rows_out_of_order_is_read_again_whole_and_stored_once, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    // 1,500 rows: a first batch of rows has been streamed and stored when
    // the reader meets row 3 at the end of the worksheet.
    let bytes = crate::fixtures::xlsx_with_a_row_out_of_order(1500);
    let reply = app.deposit(&path, &dsi, "désordre.xlsx", bytes, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!((report["rows_read"].as_i64(), report["rows_imported"].as_i64()), (Some(1500), Some(1500)));
    assert_eq!(report["sheets"], serde_json::json!([{"name": "Inventaire", "header_row": 1, "rows": 1500}]));

    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let rows = current.body.as_array().unwrap();
    assert_eq!(rows.len(), 1500, "every row once");
    let mut numbers: Vec<i64> = rows.iter().map(|e| e["row"].as_i64().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=1501).collect::<Vec<i64>>());
    let third = rows.iter().find(|e| e["row"] == 3).unwrap();
    assert_eq!((third["application_raw"].as_str(), third["users"].as_i64()), (Some("Logiciel 2"), Some(2)));

    // Each row's messages are stored once too.
    let upload_id = reply.body["upload"]["id"].as_i64().unwrap();
    let messages = app.send(Method::GET, &format!("/api/v1/uploads/{upload_id}/messages"), Some(&dsi), None).await;
    assert_eq!(messages.body["total_items"], report["messages_total"], "{messages:?}");
    assert_eq!(report["messages_total"], 1500, "one unmatched product per row");
});

db_test!(a_campaigns_inventory_lists_its_members_at_its_reference_date_page_by_page, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let havre = b"Application;Sous-domaine\nDxCare;DPI.CORE\nPastel;GAP.ADM\nGlims;LAB.SIL\n".to_vec();
    let deposited = app
        .deposit(&format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory"), &dsi, "h.csv", havre, None)
        .await;
    assert_eq!(deposited.status, StatusCode::CREATED, "{deposited:?}");
    let fecamp = b"Application;Sous-domaine\nORBIS;DPI.CORE\n".to_vec();
    let deposited = app
        .deposit(&format!("/api/v1/etablissements/{FECAMP}/campaigns/2026/inventory"), &dsi, "f.csv", fecamp, None)
        .await;
    assert_eq!(deposited.status, StatusCode::CREATED, "{deposited:?}");
    // Fécamp leaves the GHT after the campaign's reference date (1 January).
    let ght = app.get("/api/v1/ghts/NOR-02/etablissements").await;
    let membership =
        ght.body.as_array().unwrap().iter().find(|m| m["finess_ej"] == FECAMP).unwrap()["membership"]["id"]
            .as_i64()
            .unwrap();
    let ended = app
        .post(
            &format!("/api/v1/ghts/NOR-02/memberships/{membership}/end"),
            serde_json::json!({"valid_to": "2026-06-01"}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{ended:?}");

    let path = "/api/v1/ghts/NOR-02/campaigns/2026/inventory";
    let first = app.send(Method::GET, &format!("{path}?page_size=2"), Some(&dsi), None).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert_eq!((first.body["total_items"].as_u64(), first.body["total_pages"].as_u64()), (Some(4), Some(2)));
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let rows = app.all_rows(path, &dsi).await;
    let names: Vec<&str> =
        rows.body.as_array().unwrap().iter().map(|e| e["application_raw"].as_str().unwrap()).collect();
    assert_eq!(names, ["DxCare", "Pastel", "Glims", "ORBIS"], "a former member's rows of this campaign stay");

    let only = app.all_rows(&format!("{path}?finess={FECAMP}"), &dsi).await;
    assert_eq!(only.body.as_array().unwrap().len(), 1, "{only:?}");
    let dpi = app.all_rows(&format!("{path}?subdomain=DPI.CORE"), &dsi).await;
    let finess: Vec<&str> = dpi.body.as_array().unwrap().iter().map(|e| e["finess_ej"].as_str().unwrap()).collect();
    assert_eq!(finess, [HAVRE, FECAMP]);
    for bad in ["page=0", "page=9223372036854775807", "page_size=201", "finess=123", "subdomain=dpi", "state=inconnu"] {
        let refused = app.send(Method::GET, &format!("{path}?{bad}"), Some(&dsi), None).await;
        assert_problem(&refused, StatusCode::BAD_REQUEST, "bad-request");
    }
    let unknown = app.send(Method::GET, "/api/v1/ghts/NOR-02/campaigns/2030/inventory", Some(&dsi), None).await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not-found");
});

/// A worker that cannot start, or that answers what the service cannot
/// decode, is the service's fault: 503 or 500 with a request id, never « le
/// fichier est probablement endommagé ».
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_parse_worker_is_the_services_fault_not_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent-convergence");
    let garbling = dir.path().join("garbling-worker");
    // A frame of five bytes that decode as no event at all.
    std::fs::write(&garbling, "#!/bin/sh\nprintf '\\005\\000\\000\\000\\377\\377\\377\\377\\377'\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&garbling, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let csv = b"Application\nDxCare\n".to_vec();
    for (program, status, slug) in [
        (missing.display().to_string(), StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        (garbling.display().to_string(), StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    ] {
        let app = spawn_app_with_worker(Backend::Sqlite, &program).await.unwrap();
        let dsi = app.given_ght_with_open_campaign().await;
        for query in ["", "?dry_run=true"] {
            let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory{query}");
            let reply = app.deposit(&path, &dsi, "a.csv", csv.clone(), None).await;
            assert_problem(&reply, status, slug);
            let detail = reply.body["detail"].as_str().unwrap();
            assert!(!detail.contains("endommagé") && !detail.contains("fichier"), "{detail}");
        }
        let nothing = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
        assert_eq!(nothing.body, serde_json::json!([]), "nothing stored");
        app.close().await;
    }
}

db_test!(a_damaged_file_is_explained_in_french_without_the_librarys_words, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let truncated = messy_workbook()[..2000].to_vec();
    let reply = app.deposit(&path, &dsi, "coupé.xlsx", truncated, None).await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "corrupted-file");
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("archive zip"), "{detail}");
    for english in ["invalid ", "Invalid", "EOCD", "Zip archive", "central directory", " error", "Error"] {
        assert!(!detail.contains(english), "untranslated library text in « {detail} »");
    }
});

db_test!(a_dry_run_answers_the_first_thousand_rows_and_messages_with_the_counts_of_all, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    // Every row is read, half of them with a cell that is refused.
    let mut csv = String::from("Application;Nombre d'utilisateurs\n");
    for i in 0..3000 {
        let users = if i % 2 == 0 { "12" } else { "beaucoup" };
        csv.push_str(&format!("Outil {i};{users}\n"));
    }
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?dry_run=true&partial=true");
    let reply = app.deposit(&path, &dsi, "gros.csv", csv.into_bytes(), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body["detail"]);
    assert_eq!(reply.body["rows"].as_array().unwrap().len(), 1000);
    assert_eq!(reply.body["report"]["rows_read"], 3000);
    let messages = reply.body["report"]["messages"].as_array().unwrap().len();
    let total = reply.body["report"]["messages_total"].as_u64().unwrap();
    assert_eq!(reply.body["report"]["rows_imported"], 1500);
    assert!(messages == 1000 && total >= 1500, "{messages} inline of {total}");
});
