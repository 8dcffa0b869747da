//! The FINESS directory loaded from the public extract.

use serde_json::json;

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

const LOAD: &str = "/api/v1/reference/finess";
const GEOLOCATION: &str =
    "geolocalisation;140000027;476015.2;6899876.4;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-06-12";

/// A `structureet` line of the public extract.
pub fn site(et: &str, ej: &str, name: &str, commune: &str) -> String {
    format!(
        "structureet;{et};{ej};{name};{name} (NOM LONG);;;1;RUE;DE LA PAIX;;;440;14;CALVADOS;{commune};0231000000;;355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26140000000000;8610Z;03;ARS TG HOSPIT;1;Etablissement public de santé;1975-01-01;1975-01-01;2024-06-12"
    )
}

/// An extract of that date, ISO-8859-1 as published.
pub fn extract(date: &str, lines: &[String]) -> Vec<u8> {
    let text = format!("finess;etalab;95;{date}\n{}\n", lines.join("\n"));
    encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
}

const LISIEUX_EJ: &str = "140000035";
const LISIEUX: &str = "140000027";
const FALAISE: &str = "140000233";
const FALAISE_EJ: &str = "140000118";
const COTE_FLEURIE_EJ: &str = "140026279";
const PONT_L_EVEQUE_EJ: &str = "140000134";
const EQUEMAUVILLE: &str = "140000241";
const CRICQUEBOEUF: &str = "140026410";

db_test!(the_finess_extract_loads_once_closes_what_a_newer_one_no_longer_lists_and_fills_registrations, |app| {
    let first = extract(
        "2024-12-31",
        &[
            site(LISIEUX, LISIEUX_EJ, "CH LISIEUX (EXTRACTION)", "14100 LISIEUX"),
            site(FALAISE, FALAISE_EJ, "CH FALAISE", "14700 FALAISE"),
            site(EQUEMAUVILLE, COTE_FLEURIE_EJ, "CH COTE FLEURIE EQUEMAUVILLE", "14600 EQUEMAUVILLE"),
            GEOLOCATION.to_owned(),
            "structureej;140000035;nouveau type de ligne".to_owned(),
        ],
    );
    let loaded = app.deposit(LOAD, &app.admin_token, "etalab_cs1100507_stock.csv", first.clone(), None).await;
    assert_eq!(loaded.status, StatusCode::OK, "{loaded:?}");
    let report = &loaded.body;
    assert_eq!(
        (report["sites"].as_i64(), report["created"].as_i64(), report["closed"].as_i64()),
        (Some(3), Some(3), Some(0)),
        "{report}"
    );
    assert_eq!(report["extract_date"], "2024-12-31");
    assert_eq!(report["other_records"]["structureej"], 1);
    assert_eq!(report["already_loaded"], false);

    // The same file again changes nothing, and says so.
    let again = app.deposit(LOAD, &app.admin_token, "copie.csv", first, None).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!((again.body["already_loaded"].as_bool(), again.body["created"].as_i64()), (Some(true), Some(0)));
    assert!(again.body["summary"].as_str().unwrap().contains("déjà été chargé"), "{again:?}");

    // Registration reads the loaded directory: the name comes from it.
    let created = app
        .send(Method::POST, "/api/v1/etablissements", Some(&app.admin_token), Some(json!({"finess_ej": LISIEUX_EJ})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    assert_eq!(created.body["name"], "CH LISIEUX (EXTRACTION) (NOM LONG)");
    assert_eq!(created.body["commune"], "14100 LISIEUX");

    // A newer extract: one site changed, one gone, one new.
    let newer = extract(
        "2025-06-30",
        &[
            site(LISIEUX, LISIEUX_EJ, "CH LISIEUX (EXTRACTION)", "14100 LISIEUX"),
            site(EQUEMAUVILLE, COTE_FLEURIE_EJ, "CH COTE FLEURIE - EQUEMAUVILLE", "14600 EQUEMAUVILLE"),
            site(CRICQUEBOEUF, COTE_FLEURIE_EJ, "CH COTE FLEURIE - CRICQUEBOEUF", "14113 CRICQUEBOEUF"),
            GEOLOCATION.to_owned(),
        ],
    );
    let loaded = app.deposit(LOAD, &app.admin_token, "etalab_2025.csv", newer, None).await;
    assert_eq!(loaded.status, StatusCode::OK, "{loaded:?}");
    let counts = |r: &serde_json::Value| {
        ["created", "updated", "unchanged", "closed"].map(|k| r[k].as_i64().unwrap_or(-1)).to_vec()
    };
    assert_eq!(counts(&loaded.body), [1, 1, 1, 1], "{}", loaded.body);
    // Falaise is closed, not deleted: a registration no longer finds it in
    // the loaded directory and falls back on the shipped one.
    let multi = app
        .send(
            Method::POST,
            "/api/v1/etablissements",
            Some(&app.admin_token),
            Some(json!({"finess_ej": COTE_FLEURIE_EJ})),
        )
        .await;
    assert_problem(&multi, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(multi.body["detail"].as_str().unwrap().contains("regroupe 2 sites"), "{multi:?}");

    // An older extract would age the directory.
    let older = extract("2023-12-31", &[site(LISIEUX, LISIEUX_EJ, "CH LISIEUX", "14100 LISIEUX")]);
    let refused = app.deposit(LOAD, &app.admin_token, "ancienne.csv", older, None).await;
    assert_problem(&refused, StatusCode::CONFLICT, "conflict");

    let audit = app.get("/api/v1/audit-events?action=finess.load").await;
    assert_eq!(audit.body["total_items"], 2, "two loads changed the directory: {audit:?}");
});

db_test!(a_malformed_extract_changes_nothing_and_names_each_line_and_field, |app| {
    let broken = extract(
        "2024-12-31",
        &[
            site(LISIEUX, LISIEUX_EJ, "CH LISIEUX", "14100 LISIEUX"),
            site("140000028", LISIEUX_EJ, "CH LISIEUX BIS", "14100 LISIEUX"),
            "structureet;140000233;tronquée".to_owned(),
            site(FALAISE, FALAISE_EJ, "CH FALAISE", "14700 FALAISE").replace("1975-01-01;1975", "1975-13-01;1975"),
        ],
    );
    let refused = app.deposit(LOAD, &app.admin_token, "etalab.csv", broken, None).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let detail = refused.body["detail"].as_str().unwrap();
    for expected in
        ["3 ligne(s) illisible(s)", "ligne 3, champ nofinesset", "ligne 4, champ ligne", "ligne 5, champ dateouv"]
    {
        assert!(detail.contains(expected), "{expected} in {detail}");
    }
    // Nothing was loaded: the next valid extract creates every site.
    let valid = extract("2024-12-31", &[site(LISIEUX, LISIEUX_EJ, "CH LISIEUX", "14100 LISIEUX")]);
    let loaded = app.deposit(LOAD, &app.admin_token, "etalab.csv", valid, None).await;
    assert_eq!((loaded.body["created"].as_i64(), loaded.body["closed"].as_i64()), (Some(1), Some(0)), "{loaded:?}");

    let not_an_extract =
        app.deposit(LOAD, &app.admin_token, "inventaire.csv", b"Application\nDxCare\n".to_vec(), None).await;
    assert_problem(&not_an_extract, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(not_an_extract.body["detail"].as_str().unwrap().contains("structureet"), "{not_an_extract:?}");
});

db_test!(only_the_operator_loads_the_finess_extract, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let file = extract("2024-12-31", &[site(LISIEUX, LISIEUX_EJ, "CH LISIEUX", "14100 LISIEUX")]);
    let refused = app.deposit(LOAD, &dsi, "etalab.csv", file, None).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
});

db_test!(the_operator_loads_the_finess_extract_from_the_command_line, |app| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("etalab_cs1100507_stock.csv");
    std::fs::write(&path, extract("2024-12-31", &[site(LISIEUX, LISIEUX_EJ, "CH LISIEUX", "14100 LISIEUX")])).unwrap();
    let file = path.to_str().unwrap();
    let output = crate::cli::convergence(&app.database_url, &["reference", "load-finess", file]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("Extraction FINESS du 31/12/2024 : 1 sites, dont 1 nouveaux"), "{printed}");
    let again = crate::cli::convergence(&app.database_url, &["reference", "load-finess", file]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("déjà été chargé"));

    std::fs::write(&path, b"finess;etalab;95;2025-01-01\nstructureet;1;2\n").unwrap();
    let broken = crate::cli::convergence(&app.database_url, &["reference", "load-finess", file]);
    assert!(!broken.status.success());
    assert!(String::from_utf8_lossy(&broken.stderr).contains("ligne 2, champ ligne"), "{broken:?}");
});

const GHT_LOAD: &str = "/api/v1/reference/ghts";

/// The members of a GHT on a date: (FINESS, support).
async fn members_on(app: &TestApp, code: &str, date: &str) -> Vec<(String, bool)> {
    let reply = app.get(&format!("/api/v1/ghts/{code}/etablissements?at={date}")).await;
    reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("{reply:?}"))
        .iter()
        .map(|m| (m["finess_ej"].as_str().unwrap().to_owned(), m["is_support"].as_bool().unwrap()))
        .collect()
}

db_test!(the_dgos_ght_list_creates_ghts_and_members_and_a_move_ends_one_membership_and_opens_another, |app| {
    use crate::fixtures::{row, xlsx};
    // The 2024 layout: codes written with an underscore, the support marked.
    let list_2024 = xlsx(&[(
        "GHT_2024",
        vec![
            row(&["Liste des GHT — DGOS"]),
            row(&["GHT_CODE", "GHT_LIB", "ARS_CODE", "ES_FINESS", "GHT_SUPPORT"]),
            row(&["NOR_05", "GHT du Pays d'Auge", "NOR", LISIEUX_EJ, "O"]),
            row(&["NOR_05", "GHT du Pays d'Auge", "NOR", FALAISE_EJ, ""]),
            row(&["NOR_05", "GHT du Pays d'Auge", "NOR", PONT_L_EVEQUE_EJ, ""]),
        ],
    )]);
    let path = format!("{GHT_LOAD}?effective=2025-01-01");
    let loaded = app.deposit(&path, &app.admin_token, "ght_2024.xlsx", list_2024.clone(), None).await;
    assert_eq!(loaded.status, StatusCode::OK, "{loaded:?}");
    assert_eq!(loaded.body["ghts_created"], json!(["NOR-05"]));
    assert_eq!(loaded.body["etablissements_created"].as_array().unwrap().len(), 3);
    assert_eq!(loaded.body["joined"].as_array().unwrap().len(), 3);
    assert_eq!(loaded.body["supports_set"], json!(["NOR-05"]));
    assert_eq!(
        members_on(&app, "NOR-05", "2025-06-01").await,
        [(LISIEUX_EJ.to_owned(), true), (FALAISE_EJ.to_owned(), false), (PONT_L_EVEQUE_EJ.to_owned(), false)]
    );

    // The same list again changes nothing, and says so.
    let again = app.deposit(&path, &app.admin_token, "ght_2024.xlsx", list_2024, None).await;
    assert_eq!((again.body["changed"].as_bool(), again.body["unchanged"].as_i64()), (Some(false), Some(3)));
    assert!(again.body["summary"].as_str().unwrap().contains("rien n'a changé"), "{again:?}");

    // The 2017 layout a year later: Falaise moved to a new GHT, which also
    // takes a multi-site legal entity under the list's name; Pont-l'Évêque
    // is no longer listed and leaves.
    let list_2017 = xlsx(&[(
        "Feuil1",
        vec![
            row(&["REGION", "DENOMINATION GHT", "CODE GHT", "FINESS", "CATEGORIE", "DENOMINATION ETABLISSEMENT"]),
            row(&["Normandie", "GHT du Pays d'Auge", "NOR-05", LISIEUX_EJ, "CH", "CH DE LISIEUX"]),
            row(&["Normandie", "GHT Côte Fleurie", "NOR-06", FALAISE_EJ, "CH", "CH DE FALAISE"]),
            row(&["Normandie", "GHT Côte Fleurie", "NOR-06", COTE_FLEURIE_EJ, "CH", "CH DE LA CÔTE FLEURIE"]),
        ],
    )]);
    let moved = app
        .deposit(&format!("{GHT_LOAD}?effective=2026-01-01"), &app.admin_token, "ght_2017.xlsx", list_2017, None)
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{moved:?}");
    assert_eq!(moved.body["moved"], json!([{"finess": FALAISE_EJ, "ght": "NOR-06", "from_ght": "NOR-05"}]));
    assert_eq!(moved.body["left"], json!([{"finess": PONT_L_EVEQUE_EJ, "ght": "NOR-05", "from_ght": null}]));
    assert_eq!(moved.body["joined"], json!([{"finess": COTE_FLEURIE_EJ, "ght": "NOR-06", "from_ght": null}]));
    let fleurie = app.get(&format!("/api/v1/etablissements/{COTE_FLEURIE_EJ}")).await;
    assert_eq!(fleurie.body["name"], "CH DE LA CÔTE FLEURIE", "the list names a multi-site legal entity");
    // History is kept: Falaise was in NOR-05 in 2025, is in NOR-06 in 2026.
    assert_eq!(members_on(&app, "NOR-05", "2025-06-01").await.len(), 3);
    assert_eq!(members_on(&app, "NOR-05", "2026-06-01").await, [(LISIEUX_EJ.to_owned(), true)]);
    assert_eq!(members_on(&app, "NOR-06", "2026-06-01").await.len(), 2);
});

db_test!(an_unreadable_ght_list_changes_nothing_and_names_each_row, |app| {
    use crate::fixtures::{row, xlsx};
    let list = xlsx(&[(
        "GHT",
        vec![
            row(&["GHT_CODE", "GHT_LIB", "ES_FINESS"]),
            row(&["NOR_05", "GHT du Pays d'Auge", LISIEUX_EJ]),
            row(&["NOR_5", "GHT du Pays d'Auge", FALAISE_EJ]),
            row(&["NOR_05", "GHT du Pays d'Auge", "140000036"]),
        ],
    )]);
    let refused = app.deposit(GHT_LOAD, &app.admin_token, "ght.xlsx", list, None).await;
    assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("ligne 3, colonne A : « NOR_5 »"), "{detail}");
    assert!(detail.contains("ligne 4, colonne C : « 140000036 »"), "{detail}");
    let ght = app.get("/api/v1/ghts/NOR-05").await;
    assert_problem(&ght, StatusCode::NOT_FOUND, "not-found");

    let not_a_list = app
        .deposit(
            GHT_LOAD,
            &app.admin_token,
            "inventaire.xlsx",
            xlsx(&[("Inventaire", vec![row(&["Application"])])]),
            None,
        )
        .await;
    assert_problem(&not_a_list, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(not_a_list.body["detail"].as_str().unwrap().contains("GHT_CODE"), "{not_a_list:?}");
});

const FECAMP: &str = "760780734";
const SAINT_ROMAIN_EJ: &str = "760780759";

/// Records that `predecessor` became `successor` on `date`, as `token`.
async fn succeed(app: &TestApp, token: &str, predecessor: &str, successor: &str, date: &str) -> Reply {
    let path = format!("/api/v1/etablissements/{predecessor}/succession");
    app.send(Method::POST, &path, Some(token), Some(json!({"successor": successor, "date": date}))).await
}

/// The établissements a campaign expects from NOR-02.
async fn expected(app: &TestApp, year: i32) -> Vec<String> {
    let campaign = app.get(&format!("/api/v1/ghts/NOR-02/campaigns/{year}")).await;
    campaign.body["etablissements"]
        .as_array()
        .unwrap_or_else(|| panic!("{campaign:?}"))
        .iter()
        .map(|e| e["finess_ej"].as_str().unwrap().to_owned())
        .collect()
}

db_test!(a_succession_ends_one_membership_and_opens_the_successors_and_campaigns_expect_each_in_turn, |app| {
    app.given_ght_with_open_campaign().await;
    let opened = app.post("/api/v1/campaigns", json!({"year": 2027})).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
    let admin = app.admin_token.clone();
    let merged = succeed(&app, &admin, FECAMP, SAINT_ROMAIN_EJ, "2026-07-01").await;
    assert_eq!(merged.status, StatusCode::CREATED, "{merged:?}");
    assert_eq!(merged.body["predecessors"], json!([{"finess_ej": FECAMP, "effective_on": "2026-07-01"}]));
    assert_eq!(merged.body["memberships"][0]["ght_code"], "NOR-02");
    assert_eq!(merged.body["memberships"][0]["valid_from"], "2026-07-01");

    // The past campaign keeps the predecessor; the next expects the successor only.
    assert!(expected(&app, 2026).await.contains(&FECAMP.to_owned()));
    let next = expected(&app, 2027).await;
    assert!(next.contains(&SAINT_ROMAIN_EJ.to_owned()) && !next.contains(&FECAMP.to_owned()), "{next:?}");

    // The predecessor's page names its successor; its membership ended, kept.
    let old = app.get(&format!("/api/v1/etablissements/{FECAMP}")).await;
    assert_eq!(old.body["successors"], json!([{"finess_ej": SAINT_ROMAIN_EJ, "effective_on": "2026-07-01"}]));
    assert_eq!(old.body["memberships"][0]["valid_to"], "2026-07-01");

    let again = succeed(&app, &admin, FECAMP, SAINT_ROMAIN_EJ, "2026-07-01").await;
    assert_problem(&again, StatusCode::CONFLICT, "conflict");
    let audit = app.get("/api/v1/audit-events?action=etablissement.succession").await;
    assert_eq!(audit.body["total_items"], 1, "{audit:?}");
});

db_test!(a_succession_is_refused_when_it_cannot_be_true, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let admin = app.admin_token.clone();
    let by_dsi = succeed(&app, &dsi, FECAMP, SAINT_ROMAIN_EJ, "2026-07-01").await;
    assert_problem(&by_dsi, StatusCode::FORBIDDEN, "forbidden");
    let before_membership = succeed(&app, &admin, FECAMP, SAINT_ROMAIN_EJ, "2016-01-01").await;
    assert_problem(&before_membership, StatusCode::CONFLICT, "conflict");
    let unknown = succeed(&app, &admin, LISIEUX_EJ, SAINT_ROMAIN_EJ, "2026-07-01").await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not-found");
    let itself = succeed(&app, &admin, FECAMP, FECAMP, "2026-07-01").await;
    assert_problem(&itself, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
});

db_test!(the_operator_loads_the_ght_list_and_records_a_succession_from_the_command_line, |app| {
    use crate::fixtures::{row, xlsx};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ght_2024.xlsx");
    let list = xlsx(&[(
        "GHT",
        vec![
            row(&["GHT_CODE", "GHT_LIB", "ES_FINESS", "GHT_SUPPORT"]),
            row(&["NOR_05", "GHT du Pays d'Auge", LISIEUX_EJ, "O"]),
            row(&["NOR_05", "GHT du Pays d'Auge", FALAISE_EJ, ""]),
        ],
    )]);
    std::fs::write(&path, list).unwrap();
    let file = path.to_str().unwrap();
    let loaded =
        crate::cli::convergence(&app.database_url, &["reference", "load-ght", file, "--effective", "2025-01-01"]);
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    let printed = String::from_utf8_lossy(&loaded.stdout);
    assert!(printed.contains("1 GHT et 2 établissements créés ; 2 adhésions nouvelles"), "{printed}");

    let merged = crate::cli::convergence(
        &app.database_url,
        &["reference", "merge", FALAISE_EJ, LISIEUX_EJ, "--date", "2026-01-01"],
    );
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    assert!(String::from_utf8_lossy(&merged.stdout).contains("Succession enregistrée"), "{merged:?}");
    // Absorbed by a member of the same GHT: one member from then on.
    assert_eq!(members_on(&app, "NOR-05", "2026-06-01").await, [(LISIEUX_EJ.to_owned(), true)]);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_file_has_its_own_size_limit_above_the_uploads() {
    let settings = [("CONVERGENCE_MAX_UPLOAD_BYTES", "2000"), ("CONVERGENCE_MAX_REFERENCE_BYTES", "200000")];
    let app = spawn_app_with(Backend::Sqlite, env!("CARGO_BIN_EXE_convergence"), &settings)
        .await
        .expect("SQLite is always available");
    let lines: Vec<String> = (0..20).map(|_| site(LISIEUX, LISIEUX_EJ, "CH LISIEUX", "14100 LISIEUX")).collect();
    let file = extract("2024-12-31", &lines);
    assert!(file.len() > 2000, "larger than an upload may be");
    let loaded = app.deposit(LOAD, &app.admin_token, "etalab.csv", file.clone(), None).await;
    assert_eq!(loaded.status, StatusCode::OK, "{loaded:?}");
    assert_eq!(loaded.body["sites"], 1, "one site listed twenty times");

    app.given_ght_with_open_campaign().await;
    let inventory = app
        .deposit("/api/v1/etablissements/760780726/campaigns/2026/inventory", &app.admin_token, "x.csv", file, None)
        .await;
    assert_eq!(inventory.status, StatusCode::PAYLOAD_TOO_LARGE, "{inventory:?}");
    let huge = extract("2025-12-31", &(0..1000).map(|_| site(LISIEUX, LISIEUX_EJ, "CH", "X")).collect::<Vec<_>>());
    let refused = app.deposit(LOAD, &app.admin_token, "etalab.csv", huge, None).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "{refused:?}");
}
