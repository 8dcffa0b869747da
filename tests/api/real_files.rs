//! Real hospital files, the hard parts: each test deposits a file built in
//! the shape of a phenomenon seen in hand-filled national survey workbooks.

use crate::db_test;
use crate::fixtures::csv_1252;
#[allow(unused_imports)]
use crate::helpers::*;

const HAVRE: &str = "760780726";
const FECAMP: &str = "760780734";

/// The state a one-row dry run gives a name, deposited as admin.
async fn state_read(app: &TestApp, finess: &str, name: &str) -> serde_json::Value {
    let path = format!("/api/v1/etablissements/{finess}/campaigns/2026/inventory?dry_run=true");
    let csv = csv_1252(&format!("Application\n{name}\n"));
    app.deposit(&path, &app.admin_token, "a.csv", csv, None).await.body["rows"][0]["state"].clone()
}

fn messages<'a>(report: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    report["messages"].as_array().map(|all| all.iter().filter(|m| m["code"] == code).collect()).unwrap_or_default()
}

db_test!(placeholders_and_non_answers_are_states_and_a_row_without_a_name_is_kept_unspecified, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Établissement;FINESS;Application;Éditeur;Domaine\n\
         CH du Havre;760780726;MAIL ATTENTE REPONSE;;Messagerie\n\
         CH du Havre;760780726;fait maison;;Qualité\n\
         CH du Havre;760780726;?;;Paie\n\
         CH du Havre;760780726;mail envoyé sur le site;;PACS\n\
         CH du Havre;760780726;;Dedalus;SIL\n\
         ;;;;\n\
         CH du Havre;760780726;papier;;Rendez-vous\n\
         CH du Havre;760780726;DxCare;Dedalus;DPI\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "enquete.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!((report["rows_imported"].as_i64(), report["errors"].as_i64()), (Some(7), Some(0)), "{report}");
    assert!(messages(report, "unmatched_product").is_empty(), "{report}");
    let missing = messages(report, "missing_application");
    assert_eq!(missing.len(), 1, "{report}");
    assert_eq!((missing[0]["severity"].as_str(), missing[0]["row"].as_i64()), (Some("warning"), Some(6)));

    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let states: Vec<(String, String)> = rows
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["application_raw"].as_str().unwrap().to_owned(), r["state"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("MAIL ATTENTE REPONSE", "unspecified"),
        ("fait maison", "in_house"),
        ("?", "unspecified"),
        ("mail envoyé sur le site", "unspecified"),
        ("", "unspecified"),
        ("papier", "not_computerised"),
        ("DxCare", "product"),
    ];
    assert_eq!(states, expected.map(|(a, s)| (a.to_owned(), s.to_owned())));
    let empty = rows.body.as_array().unwrap().iter().find(|r| r["application_raw"] == "").unwrap();
    assert_eq!(empty["subdomain"], "LAB.SIL", "the row keeps what it says");

    let review = app.send(Method::GET, "/api/v1/ghts/NOR-02/review", Some(&dsi), None).await;
    assert_eq!(review.body["total_items"], 0, "no placeholder waits for review: {review:?}");
});

db_test!(names_with_joined_words_find_their_product_and_a_far_name_gets_no_suggestion, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Application;Éditeur;Domaine\n\
         CRISTALNET-DMU;;Urgences\n\
         DXUrgences;Dedalus;Urgences\n\
         Dopasoin urgences;;Urgences\n\
         ICARE;;Urgences\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "urgences.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let products: Vec<Option<i64>> = rows.body.as_array().unwrap().iter().map(|r| r["product_id"].as_i64()).collect();
    assert_eq!(
        products,
        [
            Some(app.product_id("CristalNet").await),
            Some(app.product_id("DxCare").await),
            Some(app.product_id("Dopa").await),
            None
        ]
    );
    let review = app.send(Method::GET, "/api/v1/ghts/NOR-02/review", Some(&dsi), None).await;
    let items = review.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{review:?}");
    assert_eq!(items[0]["normalised_name"], "icare");
    assert_eq!(items[0]["suggestions"], serde_json::json!([]), "ICARE is not DxCare");
});

db_test!(a_column_without_a_header_naming_it_is_read_as_the_application_when_its_values_say_so, |app| {
    use crate::fixtures::{row, xlsx};
    let dsi = app.given_ght_with_open_campaign().await;
    let book = xlsx(&[
        (
            "Questionnaire",
            vec![
                row(&["FINESS", "Domaine", "V1"]),
                row(&[HAVRE, "DPI", "DxCare"]),
                row(&[HAVRE, "Biologie", "Glims"]),
                row(&[HAVRE, "Rendez-vous", "papier"]),
                row(&[HAVRE, "Qualité", "Registre des événements"]),
                row(&["Total", "", "4"]),
            ],
        ),
        (
            "Commentaires",
            vec![
                row(&["FINESS", "Domaine", "V2"]),
                row(&[HAVRE, "DPI", "migration prévue en 2027"]),
                row(&[HAVRE, "Biologie", "à revoir avec le laboratoire"]),
                row(&[HAVRE, "Qualité", "pas de réponse du service"]),
            ],
        ),
    ]);
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "questionnaire.xlsx", book, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!((report["rows_imported"].as_i64(), report["errors"].as_i64()), (Some(4), Some(0)), "{report}");
    let presumed = messages(report, "application_column_presumed");
    assert_eq!(presumed.len(), 1, "{report}");
    assert_eq!(
        (presumed[0]["sheet"].as_str(), presumed[0]["column"].as_str(), presumed[0]["severity"].as_str()),
        (Some("Questionnaire"), Some("C"), Some("info"))
    );
    assert!(presumed[0]["text"].as_str().unwrap().contains("3 sur 4"), "{report}");
    // What the sheet held before its column was judged is told after it.
    assert_eq!(messages(report, "total_row_skipped")[0]["row"], 6, "{report}");

    // The comments sheet's only unnamed column holds no software: left out,
    // with the reason and the mapping that would read it, and nothing else
    // said of it.
    assert_eq!(report["sheets"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["ignored_sheets"], serde_json::json!(["Commentaires"]));
    let about_comments: Vec<&serde_json::Value> =
        report["messages"].as_array().unwrap().iter().filter(|m| m["sheet"] == "Commentaires").collect();
    assert_eq!(about_comments.len(), 1, "{report}");
    let text = about_comments[0]["text"].as_str().unwrap();
    assert!(text.contains("« V2 »") && text.contains("mapping={\"V2\": \"application\"}"), "{text}");

    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let read: Vec<(&str, &str)> = rows
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["application_raw"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        read,
        [
            ("DxCare", "product"),
            ("Glims", "product"),
            ("papier", "not_computerised"),
            ("Registre des événements", "unmatched")
        ]
    );
});

db_test!(damaged_and_two_row_headers_are_read_and_what_was_understood_is_said, |app| {
    use crate::fixtures::{V, row, xlsx};
    let dsi = app.given_ght_with_open_campaign().await;
    let book = xlsx(&[(
        "Recensement",
        vec![
            row(&["Recensement des applications 2026"]),
            row(&["FINNES", "Logiciel", "", "Coût (k€)", "Contrat"]),
            row(&["", "Nom", "Ã‰diteur", "", "Fin contrat"]),
            vec![V::T(HAVRE), V::T("DxCare"), V::T("Dedalus"), V::N(12.5), V::T("31/12/2027")],
            // A page break repeats the header.
            row(&["FINNES", "Logiciel", "Éditeur", "Coût (k€)", "Fin contrat"]),
            vec![V::T(HAVRE), V::T("Pastel"), V::T("MiPih"), V::N(3.0), V::T("30/06/2028")],
        ],
    )]);
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "recensement.xlsx", book, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!((report["rows_imported"].as_i64(), report["warnings"].as_i64()), (Some(2), Some(0)), "{report}");
    assert_eq!(report["sheets"][0]["header_row"], 3);
    let understood: Vec<(&str, &str)> = messages(report, "header_understood")
        .iter()
        .map(|m| (m["header"].as_str().unwrap(), m["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(understood, [("FINNES", "info"), ("Ã‰diteur", "info")]);
    assert!(messages(report, "header_understood")[1]["text"].as_str().unwrap().contains("« Éditeur »"));
    assert_eq!(messages(report, "amounts_in_thousands").len(), 1);
    assert_eq!(messages(report, "repeated_header_skipped")[0]["row"], 5);

    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let read: Vec<(&str, i64, &str)> = rows
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["application_raw"].as_str().unwrap(),
                r["annual_cost_cents"].as_i64().unwrap(),
                r["contract_end"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(read, [("DxCare", 1_250_000, "2027-12-31"), ("Pastel", 300_000, "2028-06-30")]);
});

db_test!(
    vendor_cells_that_are_right_in_their_own_way_raise_no_warning_and_a_real_disagreement_names_the_lineage,
    |app| {
        let dsi = app.given_ght_with_open_campaign().await;
        // Twenty rows whose vendor cells are right, as hospitals write them.
        let right = [
            ("DxCare", "DEDALUS FRANCE"),
            ("DxCare", "Medasys"),
            ("ORBIS", "AGFA"),
            ("ORBIS", "Dedalus (ex-Agfa)"),
            ("M-CrossWay", "McKesson"),
            ("M-CrossWay", "Maincare (ex-McKesson)"),
            ("Pharma", "C.E."),
            ("Chimio", "Computer Engineering"),
            ("Millennium", "Oracle"),
            ("Millennium", "Cerner"),
            ("Hopital Manager", "Softway"),
            ("Centricity PACS", "GE"),
            ("syngo.plaza", "Siemens"),
            ("Glims", "NA"),
            ("Pastel", "N/A"),
            ("Magh2", "?"),
            ("Agirh", "-"),
            ("e.magnus", "Berger Levrault"),
            ("MOLIS", "CGM"),
            ("Octime", "inconnu"),
        ];
        let mut csv = String::from("Application;Éditeur\n");
        for (product, vendor) in right {
            csv.push_str(&format!("{product};{vendor}\n"));
        }
        csv.push_str("Glims;MiPih\n");
        let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
        let reply = app.deposit(&path, &dsi, "editeurs.csv", csv_1252(&csv), None).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        let report = &reply.body["report"];
        let mismatches = messages(report, "vendor_mismatch");
        assert_eq!(mismatches.len(), 1, "only the real disagreement: {report:#}");
        assert_eq!((mismatches[0]["row"].as_i64(), mismatches[0]["value"].as_str()), (Some(22), Some("MiPih")));
        let text = mismatches[0]["text"].as_str().unwrap();
        assert!(text.contains("« Glims » (Clinisys, anciennement MIPS)"), "{text}");
        assert_eq!(report["warnings"], 1, "{report:#}");
    }
);

db_test!(a_well_filled_five_row_file_has_no_warning_and_its_notes_are_collapsed_by_kind, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Établissement;FINESS;Application;Éditeur;Domaine;Version;Hébergement;Coût;Fin contrat\n\
         CH du Havre;760780726;DxCare;Dedalus;DPI;8.2;Hébergé au GHT;95 000;31/12/2028\n\
         CH du Havre;760780726;ResUrgences;Berger-Levrault;DPI - Urgences;4;hébergeur agréé;12 000;30/06/2027\n\
         CH du Havre;760780726;Pastel;MiPih;GAP / Identité;;datacenter GHT;20 000;\n\
         CH du Havre;760780726;Glims;Clinisys;Biologie;10;sur site;12 000;31/12/2029\n\
         CH du Havre;760780726;Magh2;MIPIH;Finances;;cloud;5 300;\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "havre-2026.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    assert_eq!((report["errors"].as_i64(), report["warnings"].as_i64()), (Some(0), Some(0)), "{report:#}");
    let notes: Vec<&str> = report["notes"].as_array().unwrap().iter().map(|n| n["summary"].as_str().unwrap()).collect();
    assert!(notes.contains(&"5 lignes : sous-domaine déduit du produit"), "{notes:?}");

    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let read: Vec<(&str, &str, &str)> = rows
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["application_raw"].as_str().unwrap(), r["subdomain"].as_str().unwrap(), r["hosting"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        read,
        [
            ("DxCare", "DPI.CORE", "datacenter_ght"),
            ("ResUrgences", "URG.DPU", "hds"),
            ("Pastel", "GAP.ADM", "datacenter_ght"),
            ("Glims", "LAB.SIL", "local"),
            ("Magh2", "GEF.COMPTA", "saas"),
        ]
    );
});

db_test!(
    a_finess_column_the_header_hides_is_named_with_the_mapping_to_send_and_a_cell_of_several_finess_says_so,
    |app| {
        let dsi = app.given_ght_with_open_campaign().await;
        let path = "/api/v1/ghts/NOR-02/campaigns/2026/inventory";
        let hidden = csv_1252("N° ETAB;Application\n760780726;DxCare\n760780734;Pastel\n");
        let reply = app.deposit(path, &dsi, "ght.csv", hidden, None).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-inventory");
        let unroutable = messages(&reply.body["report"], "unroutable_row");
        assert_eq!(unroutable.len(), 2, "{reply:?}");
        assert_eq!((unroutable[0]["column"].as_str(), unroutable[0]["header"].as_str()), (Some("A"), Some("N° ETAB")));
        let text = unroutable[0]["text"].as_str().unwrap();
        assert!(text.contains(r#"mapping={"N° ETAB": "finess"}"#), "{text}");

        // The mapping the message gives is the one that works.
        let mapped = app
            .deposit(
                path,
                &dsi,
                "ght.csv",
                csv_1252("N° ETAB;Application\n760780726;DxCare\n760780734;Pastel\n"),
                Some(r#"{"N° ETAB": "finess"}"#),
            )
            .await;
        assert_eq!(mapped.status, StatusCode::CREATED, "{mapped:?}");

        let several = csv_1252("FINESS;Application\n\"760780726\n760780734\n760780742\";Glims\n");
        let reply = app.deposit(path, &dsi, "ght2.csv", several, None).await;
        let found = messages(&reply.body["report"], "several_finess");
        assert_eq!(found.len(), 1, "{reply:?}");
        assert!(found[0]["text"].as_str().unwrap().starts_with("3 numéros FINESS dans une cellule"), "{found:?}");
    }
);

db_test!(an_unknown_column_of_dates_or_amounts_is_named_with_the_field_it_might_be, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Application;Terme;Budget;Couleur\n\
         DxCare;31/12/2027;95 000;bleu\n\
         Pastel;30/06/2028;20 000;vert\n\
         Glims;31/12/2029;12 000;rouge\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "termes.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let looks = messages(&reply.body["report"], "unknown_column_values");
    let named: Vec<(&str, &str)> =
        looks.iter().map(|m| (m["header"].as_str().unwrap(), m["severity"].as_str().unwrap())).collect();
    assert_eq!(named, [("Terme", "warning"), ("Budget", "warning")], "{looks:?}");
    assert!(looks[0]["text"].as_str().unwrap().contains(r#"mapping={"Terme": "contract_end"}"#), "{looks:?}");
    assert!(looks[1]["text"].as_str().unwrap().contains(r#"mapping={"Budget": "annual_cost"}"#), "{looks:?}");
});

db_test!(of_two_columns_for_the_application_the_latest_year_is_read_and_the_choice_is_said, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Logiciel 2013-2014;Logiciel 2015;Éditeur (si connu)\n\
         Cristal;DxCare;Dedalus\n\
         Pastel;Pastel;MiPih\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "enquete-2015.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    let chosen = messages(report, "column_chosen");
    assert_eq!(chosen.len(), 1, "{report:#}");
    assert_eq!(chosen[0]["column"], "B");
    assert!(chosen[0]["text"].as_str().unwrap().contains("l'année la plus récente (2015)"), "{chosen:?}");
    let duplicate = messages(report, "duplicate_column");
    assert_eq!(duplicate[0]["column"], "A");
    assert!(duplicate[0]["text"].as_str().unwrap().contains("la colonne B est lue"), "{duplicate:?}");
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let first = &rows.body.as_array().unwrap()[0];
    assert_eq!(first["application_raw"], "DxCare");
    assert_eq!(first["extra"]["Logiciel 2013-2014"], "Cristal", "the other column is kept");
});

db_test!(files_that_are_not_what_their_name_says_are_read_as_excel_reads_them_or_refused_in_french, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?dry_run=true");
    // The « export Excel » of a business application: an HTML table.
    let export = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>\
        <h1>Parc applicatif</h1><table><tr><th>Application</th><th>&Eacute;diteur</th><th>Commentaire</th></tr>\
        <tr><td>DxCare</td><td>Dedalus</td><td>migration<br>pr&eacute;vue</td></tr>\
        <tr><td>Pastel</td><td>MiPih</td><td>&nbsp;</td></tr></table></body></html>";
    let reply = app.deposit(&path, &dsi, "export_parc.xls", export.as_bytes().to_vec(), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["report"]["format"], "html");
    let rows = reply.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{reply:?}");
    assert_eq!((rows[0]["state"].as_str(), rows[0]["comment"].as_str()), (Some("product"), Some("migration\nprévue")));
    assert_eq!(rows[1]["application_raw"], "Pastel");

    // A web page that is not a table: an error page saved as .xls.
    let moved = b"<!DOCTYPE html><html><head><title>301 Moved Permanently</title></head><body><h1>Moved Permanently</h1></body></html>";
    let refused = app.deposit(&path, &dsi, "export_parc.xls", moved.to_vec(), None).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "not-a-spreadsheet");
    assert!(
        refused.body["detail"].as_str().unwrap().contains("ce fichier est une page web, pas un tableur"),
        "{refused:?}"
    );

    // An .ods from an online office suite: string cells carry office:value.
    let ods = crate::fixtures::ods_from_an_online_suite(&[&["Application", "Éditeur"], &["Glims", "Clinisys"]]);
    let reply = app.deposit(&path, &dsi, "inventaire (en ligne).ods", ods, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.body["rows"][0]["application_raw"], "Glims");
    assert_eq!(reply.body["rows"][0]["state"], "product");
});

db_test!(a_sheet_whose_application_column_lies_is_refused_naming_both_columns_and_never_imported, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    // Pasted one column off: the domains sit under « Application », the
    // software under « V1 ».
    let shifted = csv_1252(
        "Application;V1;Éditeur\n\
         Urgences;DxCare;Dedalus\n\
         Administratif;Pastel;MiPih\n\
         Biologie;Glims;Clinisys\n\
         Finances;Magh2;MiPih\n\
         Paie;Agirh;MiPih\n\
         Imagerie;Xplore;EDL\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let strict = app.deposit(&path, &dsi, "decale.csv", shifted.clone(), None).await;
    assert_problem(&strict, StatusCode::UNPROCESSABLE_ENTITY, "invalid-inventory");
    let lies = messages(&strict.body["report"], "application_column_lies");
    assert_eq!(lies.len(), 1, "{strict:?}");
    let text = lies[0]["text"].as_str().unwrap();
    assert!(
        text.contains("la colonne A (« Application »)") && text.contains("la colonne B (« V1 ») en reconnaît 6"),
        "{text}"
    );
    assert!(text.contains(r#"mapping={"V1": "application"}"#), "{text}");

    let partial = app.deposit(&format!("{path}?partial=true"), &dsi, "decale.csv", shifted, None).await;
    assert_eq!(
        (partial.body["report"]["rows_imported"].as_i64(), partial.body["report"]["rows_rejected"].as_i64()),
        (Some(0), Some(6)),
        "{partial:?}"
    );
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    assert_eq!(rows.body, serde_json::json!([]), "nothing of the sheet was imported");

    // Communes under « Logiciel »: the header is mis-assigned.
    let places = csv_1252("Logiciel;Éditeur\nLe Havre;Dedalus\nFécamp;MiPih\nLillebonne;MiPih\nBolbec;\nRouen;\n");
    let refused = app.deposit(&path, &dsi, "communes.csv", places, None).await;
    let lies = messages(&refused.body["report"], "application_column_lies");
    assert!(lies[0]["text"].as_str().unwrap().contains("noms de communes ou d'établissements"), "{refused:?}");
});

db_test!(the_label_and_the_product_settle_the_sub_domain_as_a_person_would, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Application;Domaine\n\
         NetSoins;Dossier de soins\n\
         DxCare;DPI psychiatrie\n\
         PMSIpilot;Urgences\n\
         Registre maison;Dossier de soins\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "domaines.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    let read = subdomains_read(&app, HAVRE, &dsi).await;
    assert_eq!(
        pairs(&read),
        [
            ("NetSoins", Some("DPI.MS")),
            ("DxCare", Some("DPI.PSY")),
            ("PMSIpilot", Some("URG.DPU")),
            ("Registre maison", None)
        ],
        "an EHPAD's resident record under « Dossier de soins » is DPI.MS"
    );
    let at = |code: &str| -> Vec<(i64, &str)> {
        messages(report, code).iter().map(|m| (m["row"].as_i64().unwrap(), m["severity"].as_str().unwrap())).collect()
    };
    assert_eq!(at("subdomain_from_label"), [(3, "info")]);
    assert_eq!(at("domain_conflict"), [(4, "warning")]);
});

db_test!(gestion_alone_is_read_by_the_products_domain_among_those_it_may_name, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Application;Domaine\n\
         Agirh;Gestion\n\
         Magh2;GESTION\n\
         Pastel;gestion\n\
         Tableur des congés;Gestion\n\
         DxCare;Gestion\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let reply = app.deposit(&path, &dsi, "gestion.csv", csv, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let report = &reply.body["report"];
    let read = subdomains_read(&app, HAVRE, &dsi).await;
    assert_eq!(
        pairs(&read),
        [
            ("Agirh", Some("GRH.PAIE")),
            ("Magh2", Some("GEF.COMPTA")),
            ("Pastel", Some("GAP.ADM")),
            ("Tableur des congés", None),
            ("DxCare", Some("DPI.CORE"))
        ],
        "the product chooses among GAP, GEF and GRH"
    );
    let at = |code: &str| -> Vec<(i64, &str)> {
        messages(report, code).iter().map(|m| (m["row"].as_i64().unwrap(), m["severity"].as_str().unwrap())).collect()
    };
    assert_eq!(at("inferred_subdomain")[..3], [(2, "info"), (3, "info"), (4, "info")]);
    // No product to choose, or a product of none of them: a person says which.
    assert_eq!(at("ambiguous_domain"), [(5, "warning"), (6, "warning")]);
    assert!(messages(report, "ambiguous_domain")[0]["text"].as_str().unwrap().contains("GAP, GEF, GRH"), "{report}");
    assert!(at("unknown_domain").is_empty(), "{report}");
});

db_test!(the_review_queue_resolves_a_placeholder_to_a_state_learned_by_the_ght_only, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let csv = csv_1252("Application\nen attente DSI\nBase Access du service\n");
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    assert_eq!(app.deposit(&path, &dsi, "a.csv", csv, None).await.status, StatusCode::CREATED);
    let review = "/api/v1/ghts/NOR-02/review";
    let queue = app.send(Method::GET, review, Some(&dsi), None).await;
    assert_eq!(queue.body["total_items"], 2, "{queue:?}");

    let waiting = serde_json::json!({"name": "en attente DSI", "state": "unspecified"});
    let done = app.send(Method::POST, review, Some(&dsi), Some(waiting)).await;
    assert_eq!((done.status, done.body["rows_updated"].as_i64()), (StatusCode::OK, Some(1)), "{done:?}");
    let in_house = serde_json::json!({"name": "Base Access du service", "state": "développement interne"});
    assert_eq!(app.send(Method::POST, review, Some(&dsi), Some(in_house)).await.status, StatusCode::OK);
    for wrong in [serde_json::json!({"name": "x"}), serde_json::json!({"name": "x", "state": "product"})] {
        let refused = app.send(Method::POST, review, Some(&dsi), Some(wrong)).await;
        assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let states: Vec<&str> = rows.body.as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["unspecified", "in_house"]);
    assert_eq!(app.send(Method::GET, review, Some(&dsi), None).await.body["total_items"], 0);

    // Learned for the GHT's later deposits, not for another GHT.
    let later = app
        .deposit(
            "/api/v1/etablissements/760780734/campaigns/2026/inventory?dry_run=true",
            &dsi,
            "b.csv",
            csv_1252("Application\nEN ATTENTE DSI\n"),
            None,
        )
        .await;
    assert_eq!(later.body["rows"][0]["state"], "unspecified", "{later:?}");
    let elsewhere = app
        .deposit(
            "/api/v1/etablissements/620103440/campaigns/2026/inventory?dry_run=true",
            &app.admin_token,
            "c.csv",
            csv_1252("Application\nen attente DSI\n"),
            None,
        )
        .await;
    assert_eq!(elsewhere.body["rows"][0]["state"], "unmatched", "{elsewhere:?}");
    let audit = app.get("/api/v1/audit-events?action=alias.confirm_state").await;
    assert_eq!(audit.body["total_items"], 2, "{audit:?}");
});

db_test!(the_review_workbook_resolves_a_name_to_a_state_in_its_choice_column, |app| {
    use crate::fixtures::{row, xlsx};
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252("Application\nOutil RH du service\nTableur bloc\n");
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    assert_eq!(app.deposit(&path, &dsi, "a.csv", csv, None).await.status, StatusCode::CREATED);
    let filled = xlsx(&[(
        "Revue",
        vec![
            row(&["Nom normalisé", "Orthographes", "Produit retenu"]),
            row(&["outilrhduservice", "Outil RH du service", "Développement interne"]),
            row(&["tableurbloc", "Tableur bloc", "DxPlanning"]),
        ],
    )]);
    let done = app.deposit("/api/v1/ghts/NOR-02/review.xlsx", &dsi, "revue.xlsx", filled, None).await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");
    assert_eq!(done.body["confirmed"], 2);
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &dsi).await;
    let states: Vec<&str> = rows.body.as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["in_house", "product"]);
});

db_test!(the_operator_keeps_the_national_spellings_of_states_adds_promotes_and_removes_them, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let states = "/api/v1/catalogue/states";
    let refused = app.send(Method::GET, states, Some(&dsi), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{refused:?}");
    let added = app.post(states, serde_json::json!({"alias": "en attente du référent", "state": "unspecified"})).await;
    assert_eq!((added.status, added.body["scope"].as_str()), (StatusCode::CREATED, Some("national")), "{added:?}");
    let twice = app.post(states, serde_json::json!({"alias": "EN ATTENTE DU REFERENT", "state": "in_house"})).await;
    assert_problem(&twice, StatusCode::CONFLICT, "conflict");

    assert_eq!(state_read(&app, "620103440", "En attente du référent").await, "unspecified", "national: every GHT");

    // A GHT's spelling, promoted to national.
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    app.deposit(&path, &dsi, "b.csv", csv_1252("Application\nTableur du cadre\n"), None).await;
    let taught = serde_json::json!({"name": "Tableur du cadre", "state": "in_house"});
    assert_eq!(
        app.send(Method::POST, "/api/v1/ghts/NOR-02/review", Some(&dsi), Some(taught)).await.status,
        StatusCode::OK
    );
    assert_eq!(state_read(&app, "620103440", "Tableur du cadre").await, "unmatched", "the GHT's own only");
    let local = app.get(&format!("{states}?local=true")).await;
    let taught = local.body.as_array().unwrap().iter().find(|a| a["alias"] == "Tableur du cadre").unwrap().clone();
    assert_eq!((taught["scope"].as_str(), taught["state"].as_str()), (Some("NOR-02"), Some("in_house")));
    let id = taught["id"].as_i64().unwrap();
    let promoted = app.post(&format!("{states}/{id}/promote"), serde_json::json!({})).await;
    assert_eq!(promoted.body["scope"], "national", "{promoted:?}");
    assert_eq!(state_read(&app, "620103440", "Tableur du cadre").await, "in_house");

    // Removed: later deposits no longer read it as a state.
    let removed = app.send(Method::DELETE, &format!("{states}/{id}"), Some(&app.admin_token), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(state_read(&app, "620103440", "Tableur du cadre").await, "unmatched");
    let gone = app.send(Method::DELETE, &format!("{states}/{id}"), Some(&app.admin_token), None).await;
    assert_problem(&gone, StatusCode::NOT_FOUND, "not-found");
    let audit = app.get("/api/v1/audit-events?action=state_alias.").await;
    assert_eq!(audit.body["total_items"], 3, "added, promoted, removed: {audit:?}");
});

/// Deposits a CSV and returns each row's (name, sub-domain) for an
/// établissement, with the report.
async fn deposit_domains(
    app: &TestApp,
    finess: &str,
    query: &str,
    token: &str,
    csv: &str,
) -> (Vec<(String, Option<String>)>, serde_json::Value) {
    let path = format!("/api/v1/etablissements/{finess}/campaigns/2026/inventory{query}");
    let reply = app.deposit(&path, token, "export.csv", csv_1252(csv), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    (subdomains_read(app, finess, token).await, reply.body["report"].clone())
}

/// Each current row of an établissement: (name, sub-domain).
async fn subdomains_read(app: &TestApp, finess: &str, token: &str) -> Vec<(String, Option<String>)> {
    let rows = app.all_rows(&format!("/api/v1/ghts/NOR-02/campaigns/2026/inventory?finess={finess}"), token).await;
    rows.body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["application_raw"].as_str().unwrap().to_owned(), r["subdomain"].as_str().map(str::to_owned)))
        .collect()
}

fn pairs(read: &[(String, Option<String>)]) -> Vec<(&str, Option<&str>)> {
    read.iter().map(|(name, subdomain)| (name.as_str(), subdomain.as_deref())).collect()
}

db_test!(the_domain_declared_for_a_file_layout_is_remembered_until_it_is_forgotten, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    // The emergency department's export, declared once.
    let (_, first) = deposit_domains(
        &app,
        HAVRE,
        "?domain=URG",
        &dsi,
        "Logiciel;Fournisseur;Poste\nResUrgences;Berger-Levrault;accueil\n",
    )
    .await;
    assert!(messages(&first, "file_domain_remembered").is_empty(), "{first}");

    // The next deposit of that export, from another établissement, without
    // the parameter: same layout, other rows, other spacing and case.
    let (read, report) = deposit_domains(
        &app,
        FECAMP,
        "",
        &dsi,
        "LOGICIEL ; fournisseur;POSTE\nRegistre des passages;;IOA\nGlims;Clinisys;labo\n",
    )
    .await;
    assert_eq!(
        pairs(&read),
        [("Registre des passages", Some("URG.DPU")), ("Glims", Some("URG.DPU"))],
        "the remembered domain, as if declared"
    );
    let remembered = messages(&report, "file_domain_remembered");
    assert_eq!(remembered.len(), 1, "{report}");
    assert_eq!((remembered[0]["severity"].as_str(), remembered[0]["row"].as_i64()), (Some("info"), Some(1)));
    assert!(remembered[0]["text"].as_str().unwrap().contains("URG"), "{report}");

    // Another layout is not concerned.
    let (read, report) =
        deposit_domains(&app, FECAMP, "", &dsi, "Logiciel;Fournisseur\nRegistre des passages;\n").await;
    assert_eq!(pairs(&read), [("Registre des passages", None)]);
    assert!(messages(&report, "file_domain_remembered").is_empty(), "{report}");

    // « aucun » forgets it, for this deposit and the next ones.
    let export = "Logiciel;Fournisseur;Poste\nRegistre des passages;;accueil\n";
    let (read, _) = deposit_domains(&app, HAVRE, "?domain=aucun", &dsi, export).await;
    assert_eq!(pairs(&read), [("Registre des passages", None)]);
    let (read, report) =
        deposit_domains(&app, FECAMP, "", &dsi, "Logiciel;Fournisseur;Poste\nRegistre des passages;;IOA\n").await;
    assert_eq!(pairs(&read), [("Registre des passages", None)]);
    assert!(messages(&report, "file_domain_remembered").is_empty(), "{report}");
});

db_test!(an_etablissement_declares_a_file_domain_for_its_own_deposits_only, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let fecamp = app.token(Role::Etablissement, None, None, Some(FECAMP)).await;
    let (read, _) = deposit_domains(&app, FECAMP, "?domain=LAB.SIL", &fecamp, "Logiciel;Automate\nGlims;Cobas\n").await;
    assert_eq!(pairs(&read), [("Glims", Some("LAB.SIL"))]);
    let (read, report) =
        deposit_domains(&app, FECAMP, "", &fecamp, "Logiciel;Automate\nOutil des prélèvements;Cobas\n").await;
    assert_eq!(pairs(&read), [("Outil des prélèvements", Some("LAB.SIL"))], "{report}");
    // The Havre's files of that layout are read as before.
    let (read, _) = deposit_domains(&app, HAVRE, "", &dsi, "Logiciel;Automate\nOutil des prélèvements;Cobas\n").await;
    assert_eq!(pairs(&read), [("Outil des prélèvements", None)]);
});

db_test!(a_file_declared_about_one_domain_gives_it_to_rows_without_one, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = csv_1252(
        "Application;Éditeur;Domaine\n\
         ResUrgences;Berger-Levrault;\n\
         DxCare;Dedalus;\n\
         Glims;Clinisys;Biologie\n\
         Registre des passages;;\n",
    );
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?domain=Urgences");
    let reply = app.deposit(&path, &dsi, "urgences.csv", csv.clone(), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    let read = subdomains_read(&app, HAVRE, &dsi).await;
    assert_eq!(
        pairs(&read),
        [
            ("ResUrgences", Some("URG.DPU")),
            ("DxCare", Some("URG.DPU")),
            ("Glims", Some("LAB.SIL")),
            ("Registre des passages", Some("URG.DPU"))
        ],
        "the declared domain for rows without one; a row's own cell wins"
    );
    let kept = messages(&reply.body["report"], "file_domain_kept");
    assert_eq!((kept.len(), kept[0]["row"].as_i64(), kept[0]["severity"].as_str()), (1, Some(3), Some("info")));

    // Refused even with the bytes deposited above.
    let unknown = app
        .deposit(
            &format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory?domain=Cuisine"),
            &dsi,
            "u.csv",
            csv,
            None,
        )
        .await;
    assert_problem(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(unknown.body["detail"].as_str().unwrap().contains("« Cuisine »"), "{unknown:?}");
});
