//! Exports read back with calamine: sheet names, headers and the values of
//! the hand-computed fixture GHT (see `fixture_ght`), cell by cell.

use calamine::{Data, Reader, Xlsx};

use crate::helpers::*;

/// A workbook's sheets, by name, as rows of cells.
pub struct Book {
    sheets: Vec<(String, Vec<Vec<Data>>)>,
    bytes: Vec<u8>,
}

impl Book {
    pub fn read(bytes: Vec<u8>) -> Self {
        let mut book = Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("a workbook");
        let names = book.sheet_names().to_vec();
        let sheets = names
            .into_iter()
            .map(|name| {
                let range = book.worksheet_range(&name).expect("a sheet");
                // Absolute positions: row and column 0 are A1.
                let (top, left) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
                let mut rows = vec![Vec::new(); top];
                for row in range.rows() {
                    let mut cells = vec![Data::Empty; left];
                    cells.extend(row.iter().cloned());
                    rows.push(cells);
                }
                (name, rows)
            })
            .collect();
        Book { sheets, bytes }
    }

    pub fn names(&self) -> Vec<&str> {
        self.sheets.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub fn sheet(&self, name: &str) -> &[Vec<Data>] {
        &self.sheets.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no sheet {name}")).1
    }

    /// The text of a cell (empty when absent).
    pub fn text(&self, sheet: &str, row: usize, col: usize) -> String {
        self.sheet(sheet).get(row).and_then(|r| r.get(col)).map(ToString::to_string).unwrap_or_default()
    }

    /// The first row whose column `col` holds `value`.
    pub fn row_where(&self, sheet: &str, col: usize, value: &str) -> &[Data] {
        self.sheet(sheet)
            .iter()
            .find(|r| r.get(col).is_some_and(|c| *c == value))
            .unwrap_or_else(|| panic!("no row of {sheet} with {value} in column {col}"))
    }

    /// Whether the archive holds a part (a chart, a drawing).
    pub fn has_part(&self, prefix: &str) -> bool {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(self.bytes.clone())).expect("a zip");
        archive.file_names().filter_map(Result::ok).any(|n| n.starts_with(prefix))
    }
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// Downloads an export; checks its content type and file name.
pub async fn download(app: &TestApp, token: &str, path: &str, file_name: &str) -> Book {
    let response = app.client.get(format!("{}{path}", app.address)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains(&format!("filename*=UTF-8''{file_name}")), "{disposition}");
    Book::read(response.bytes().await.unwrap().to_vec())
}

/// The fixture GHT's vision for 2026 (targets DxCare on DPI.CORE and Glims
/// on LAB.SIL; H and F on DxCare, D on M-CrossWay; see `fixture_ght`).
pub async fn assert_fixture_vision(app: &TestApp, dsi: &str, h: &str, f: &str, d: &str) {
    let book = download(app, dsi, "/api/v1/ghts/NOR-02/exports/vision.xlsx", "vision-SI-NOR-02-2026.xlsx").await;
    assert_eq!(book.names(), ["Synthèse", "Matrice", "Inventaire consolidé", "Trajectoires", "Échéances"]);

    // Synthèse: 2026 against 2025, coloured by direction, completeness.
    let synthesis = "Synthèse";
    assert!(book.text(synthesis, 0, 0).contains("NOR-02") && book.text(synthesis, 0, 0).contains("2026"));
    assert!(book.text(synthesis, 1, 0).starts_with("Extraction du "));
    assert!((number(&book.sheet(synthesis)[2][1]) - 1.0).abs() < 1e-9, "3 of 3 reporting");
    assert_eq!(book.text(synthesis, 4, 4), "Campagne 2025");
    let rate = book.row_where(synthesis, 0, "APP.TARGET_RATE.DPI.CORE");
    assert!((number(&rate[2]) - 2.0 / 3.0).abs() < 1e-9, "{rate:?}");
    assert!((number(&rate[4]) - 1.0).abs() < 1e-9, "2025: everyone on DxCare");
    assert!((number(&rate[5]) + 1.0 / 3.0).abs() < 1e-9, "the change");
    assert_eq!(rate[6].to_string(), "plus haut = mieux");
    let sdsi = book.row_where(synthesis, 0, "GOV.SDSI");
    assert_eq!(sdsi[7].to_string(), "non déclaré");

    // Matrice: the product(s) of each cell, marked and coloured.
    let matrix = "Matrice";
    let header = &book.sheet(matrix)[3];
    let column = |code: &str| header.iter().position(|c| c.to_string().starts_with(code)).unwrap();
    let (dpi, lab, pharma) = (column("DPI.CORE"), column("LAB.SIL"), column("PHARMA.GEST"));
    assert_eq!(book.text(matrix, 4, dpi), "DxCare", "the target under the sub-domain");
    let line = |finess: &str| book.sheet(matrix).iter().find(|r| r[0].to_string().ends_with(finess)).unwrap().clone();
    assert_eq!(line(h)[dpi].to_string(), "✔ DxCare");
    assert_eq!(line(d)[dpi].to_string(), "✘ M-CrossWay");
    assert_eq!(line(d)[lab].to_string(), "∅ Non informatisé");
    assert_eq!(line(f)[pharma].to_string(), "? Logiciel du service");
    assert_eq!(line(h)[pharma].to_string(), "", "no row");
    let legend: Vec<String> = book.sheet(matrix).iter().map(|r| r[0].to_string()).collect();
    for words in ["✔ Sur la cible", "✘ Hors cible", "? Nom non reconnu", "∅ Non informatisé", "Pas de cible fixée"]
    {
        assert!(legend.contains(&words.to_owned()), "legend {words}: {legend:?}");
    }

    // Inventaire consolidé: every counted row of 2026, typed.
    let inventory = "Inventaire consolidé";
    assert_eq!(book.text(inventory, 0, 0), "Établissement");
    assert_eq!(book.text(inventory, 0, 3), "Application");
    assert_eq!(book.sheet(inventory).len(), 1 + 8, "H 3, F 3, D 2 rows");
    let pastel = book.row_where(inventory, 3, "Pastel");
    assert_eq!(pastel[1].to_string(), h);
    assert_eq!(pastel[7].to_string(), "GAP.ADM");
    assert_eq!(number(&pastel[8]), 100.0);
    assert_eq!(number(&pastel[11]), 20_000.0);
    assert_eq!(pastel[12].to_string(), "Non");
    let crossway = book.row_where(inventory, 3, "Crossway");
    assert_eq!(crossway[4].to_string(), "M-CrossWay", "raw and normalised names side by side");
    assert!(matches!(crossway[10], Data::DateTime(_)), "a real date: {:?}", crossway[10]);

    // Trajectoires: a table and a chart per targeted sub-domain.
    let trajectories = "Trajectoires";
    assert!(book.sheet(trajectories).iter().any(|r| r[0].to_string().starts_with("DPI.CORE — ")));
    let y2026 = book.sheet(trajectories).iter().filter(|r| matches!(r[0], Data::Float(y) if y == 2026.0)).count();
    assert_eq!(y2026, 2, "DPI.CORE and LAB.SIL");
    assert!(book.has_part("xl/charts/chart1.xml") && book.has_part("xl/charts/chart2.xml"));

    // Échéances: D's CrossWay is the one off-target row, with its cost.
    let deadlines = "Échéances";
    let headers: Vec<String> = book.sheet(deadlines)[3].iter().map(ToString::to_string).collect();
    assert_eq!(headers[0], "Fin de contrat");
    let crossway = book.row_where(deadlines, 2, d);
    assert_eq!(crossway[4].to_string(), "M-CrossWay");
    assert_eq!(crossway[6].to_string(), "DxCare");
    assert_eq!(number(&crossway[7]), 50_000.0);
    let at_stake = book.row_where(deadlines, 6, "Coût annuel en jeu");
    assert_eq!(number(&at_stake[7]), 50_000.0);
    assert_eq!(book.sheet(deadlines).len(), 4 + 1 + 2, "one row, the total and the note");
}

/// The rows of NOR-02's inventory of a campaign, as compared across a
/// round trip: these fields of each, sorted.
async fn rows_of(app: &TestApp, token: &str, year: i32, fields: &[&str]) -> Vec<String> {
    let path = format!("/api/v1/ghts/NOR-02/campaigns/{year}/inventory");
    let rows = app.all_rows(&path, token).await;
    let mut rows: Vec<String> = rows
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| fields.iter().map(|k| r[*k].to_string()).collect::<Vec<_>>().join(" | "))
        .collect();
    rows.sort();
    rows
}

/// What a deposit must keep of a row.
const KEPT: [&str; 12] = [
    "finess_ej",
    "finess_et",
    "state",
    "product_id",
    "subdomain",
    "version",
    "users",
    "hosting",
    "contract_end",
    "annual_cost_cents",
    "identity_connected",
    "convergence_status",
];

/// The vision's *Inventaire consolidé*, deposited back on the GHT-level
/// route, imports with no error and gives the same normalised inventory.
pub async fn assert_vision_round_trip(app: &TestApp, dsi: &str) {
    let before = rows_of(app, dsi, 2026, &[&KEPT[..], &["application_raw"]].concat()).await;
    let response = app
        .client
        .get(format!("{}/api/v1/ghts/NOR-02/exports/vision.xlsx", app.address))
        .bearer_auth(dsi)
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap().to_vec();
    let deposit = app.deposit("/api/v1/ghts/NOR-02/campaigns/2026/inventory", dsi, "vision.xlsx", bytes, None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    assert_eq!(deposit.body["report"]["errors"], 0, "{:#}", deposit.body["report"]);
    let after = rows_of(app, dsi, 2026, &[&KEPT[..], &["application_raw"]].concat()).await;
    assert_eq!(after, before, "the same normalised inventory");
}

/// The fixture GHT's RESAH annex for 2026.
pub async fn assert_fixture_resah(app: &TestApp, dsi: &str, h: &str, d: &str) {
    let book = download(app, dsi, "/api/v1/ghts/NOR-02/exports/resah.xlsx", "annexe-RESAH-NOR-02-2026.xlsx").await;
    let sheets = ["Présentation GHT", "Établissements", "Inventaire applicatif", "Synthèse par domaine"];
    assert_eq!(book.names(), sheets);
    for sheet in sheets {
        assert!(book.text(sheet, 0, 0).contains("NOR-02"), "{sheet}");
        assert_eq!(book.text(sheet, 1, 0), "Campagne 2026", "{sheet}: the campaign year");
        assert!(book.text(sheet, 1, 2).starts_with("Extraction du "), "{sheet}: the extraction date");
    }
    let presentation = "Présentation GHT";
    assert_eq!(book.row_where(presentation, 0, "Code")[1].to_string(), "NOR-02");
    assert_eq!(book.row_where(presentation, 0, "Nombre d'établissements parties")[1].to_string(), "3");
    assert!(book.row_where(presentation, 0, "Région (ARS)")[1].to_string().ends_with("(NOR)"));
    let members = "Établissements";
    let headers: Vec<String> = book.sheet(members)[3].iter().map(ToString::to_string).collect();
    assert_eq!(headers, ["FINESS juridique", "Raison sociale", "Catégorie", "Commune"]);
    assert_eq!(book.sheet(members).len(), 4 + 3);
    assert!(!book.row_where(members, 0, h)[1].to_string().is_empty(), "the raison sociale");
    let inventory = "Inventaire applicatif";
    assert_eq!(book.text(inventory, 3, 0), "FINESS juridique");
    assert_eq!(book.text(inventory, 3, 13), "Cible du GHT");
    assert_eq!(book.sheet(inventory).len(), 4 + 8);
    let crossway = book.sheet(inventory).iter().find(|r| r[0] == d && r[4] == "M-CrossWay").expect("D's CrossWay");
    assert!(crossway[3].to_string().starts_with("DPI.CORE — "));
    assert_eq!(crossway[13].to_string(), "DxCare");
    assert_eq!(crossway[14].to_string(), "Crossway", "the name as declared");
    let synthesis = "Synthèse par domaine";
    let header: Vec<String> = book.sheet(synthesis)[3].iter().map(ToString::to_string).collect();
    let d_column = header.iter().position(|c| c.ends_with(&format!("({d})"))).expect("a column per établissement");
    let dpi = book.sheet(synthesis).iter().find(|r| r[1].to_string().starts_with("DPI.CORE")).unwrap();
    assert_eq!(dpi[2].to_string(), "DxCare");
    assert_eq!(dpi[d_column].to_string(), "M-CrossWay");
}

/// The fixture GHT's schéma directeur inputs for 2026.
pub async fn assert_fixture_schema_directeur(app: &TestApp, dsi: &str, d: &str) {
    let book = download(
        app,
        dsi,
        "/api/v1/ghts/NOR-02/exports/schema-directeur.xlsx",
        "entr%C3%A9es-sch%C3%A9ma-directeur-NOR-02-2026.xlsx",
    )
    .await;
    assert_eq!(book.names(), ["État actuel", "Projets de migration", "Coûts par domaine"]);
    let state = "État actuel";
    let dpi = book.sheet(state).iter().find(|r| r[1].to_string().starts_with("DPI.CORE")).unwrap().clone();
    assert_eq!(dpi[2].to_string(), "DxCare (2)\nM-CrossWay (1)");
    assert_eq!(number(&dpi[3]), 3.0);
    assert_eq!(dpi[4].to_string(), "DxCare");
    assert!((number(&dpi[5]) - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(number(&dpi[6]), 1.0);
    let gap = book.sheet(state).iter().find(|r| r[1].to_string().starts_with("GAP.ADM")).unwrap().clone();
    assert_eq!(gap[4].to_string(), "pas de cible");

    let projects = "Projets de migration";
    assert_eq!(book.sheet(projects).len(), 4 + 2, "D's DPI.CORE and LAB.SIL");
    let dpi = book.sheet(projects).iter().find(|r| r[1] == d && r[2].to_string().starts_with("DPI.CORE")).unwrap();
    assert_eq!(dpi[3].to_string(), "M-CrossWay");
    assert_eq!(dpi[4].to_string(), "DxCare");
    assert!(matches!(dpi[5], Data::DateTime(_)), "the planned date: {:?}", dpi[5]);
    assert_eq!(number(&dpi[7]), 50_000.0);
    let lab = book.sheet(projects).iter().find(|r| r[1] == d && r[2].to_string().starts_with("LAB.SIL")).unwrap();
    assert_eq!(lab[3].to_string(), "Non informatisé");
    assert_eq!(lab[5].to_string(), "non planifiée");

    let costs = "Coûts par domaine";
    let total = book.row_where(costs, 0, "Total");
    assert_eq!((number(&total[1]), number(&total[2])), (250_000.0, 50_000.0));
    assert_eq!((number(&total[3]), number(&total[4])), (7.0, 7.0));
}

/// The national and regional tables for 2026 (NOR-02 alone).
pub async fn assert_fixture_national(app: &TestApp, dsi: &str) {
    let dgos = app.token(Role::National, None, None, None).await;
    let book = download(app, &dgos, "/api/v1/national/exports/indicators.xlsx", "indicateurs-national-2026.xlsx").await;
    assert_eq!(book.names(), ["Indicateurs par GHT", "Indicateurs"]);
    let sheet = "Indicateurs par GHT";
    let header = &book.sheet(sheet)[3];
    let column = header.iter().position(|c| c.to_string().starts_with("APP.TARGET_RATE.DPI.CORE\n")).unwrap();
    assert_eq!(header[column + 1].to_string(), "évolution");
    let line = book.row_where(sheet, 1, "NOR-02");
    assert_eq!(line[0].to_string(), "NOR");
    assert!((number(&line[column]) - 2.0 / 3.0).abs() < 1e-9);
    assert!((number(&line[column + 1]) + 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(number(&line[column + 2]), 1.0, "its rank");
    let median = book.sheet(sheet).iter().find(|r| r[2].to_string().starts_with("Médiane — ")).unwrap();
    assert!((number(&median[column]) - 2.0 / 3.0).abs() < 1e-9, "the regional median");
    assert!(book.sheet(sheet).iter().any(|r| r[2] == "1er quartile"), "the national distribution");

    let response = app
        .client
        .get(format!("{}/api/v1/national/exports/indicators.csv", app.address))
        .bearer_auth(&dgos)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 with a BOM");
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let headers: Vec<&str> = lines[0].split(';').collect();
    let at = headers.iter().position(|h| *h == "APP.TARGET_RATE.DPI.CORE valeur").unwrap();
    let fields: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(&fields[..2], ["NOR", "NOR-02"]);
    assert_eq!((fields[at], fields[at + 1], fields[at + 2]), ("0,666667", "-0,333333", "1"), "decimal commas");

    // An ARS reads its region's table, not another's; a DSI reads neither.
    let ars = app.token(Role::Regional, None, Some("NOR"), None).await;
    let other = app.token(Role::Regional, None, Some("HDF"), None).await;
    let region = "/api/v1/regions/NOR/exports/indicators.xlsx";
    let regional = download(app, &ars, region, "indicateurs-NOR-2026.xlsx").await;
    assert!(regional.text(sheet, 0, 0).contains("(NOR)"));
    assert_problem(&app.send(Method::GET, region, Some(&other), None).await, StatusCode::NOT_FOUND, "not-found");
    let national = "/api/v1/national/exports/indicators.xlsx";
    assert_problem(&app.send(Method::GET, national, Some(&ars), None).await, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(&app.send(Method::GET, region, Some(dsi), None).await, StatusCode::FORBIDDEN, "forbidden");
}

crate::db_test!(a_campaign_kit_brings_last_years_rows_back_unchanged, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let (havre, fecamp) = ("760780726", "760780734");
    let header = "Application;Sous-domaine;Éditeur;Version;Nombre d'utilisateurs;Hébergement;Fin de contrat;\
                  Coût annuel TTC;Connecté au référentiel d'identités;Criticité;Statut;Commentaire\n";
    let havre_rows = "Dx Care;DPI.CORE;Dedalus;8.2;250;Datacenter du GHT;31/12/2027;95 000;oui;critique;cible GHT;=SOMME(A1)\n\
                      Outil du labo;LAB.SIL;;;12;;;;non;;;\n\
                      Développement interne;PHARMA.GEST;;;;Local;;1 500,50;;faible;à remplacer;\n";
    let fecamp_rows = "Crossway;DPI.CORE;Maincare;8;150;Local;30/06/2026;60 000;oui;haute;à remplacer;\n";
    for (finess, rows) in [(havre, havre_rows), (fecamp, fecamp_rows)] {
        let path = format!("/api/v1/etablissements/{finess}/campaigns/2026/inventory");
        let csv = format!("{header}{rows}").into_bytes();
        assert_eq!(app.deposit(&path, &dsi, "2026.csv", csv, None).await.status, StatusCode::CREATED);
    }
    assert_eq!(app.post("/api/v1/campaigns/2026/close", serde_json::json!({})).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/campaigns", serde_json::json!({"year": 2027})).await.status, StatusCode::CREATED);
    let admin = app.admin_token.clone();
    // The name as written aside: the kit writes the catalogue's.
    let before = rows_of(&app, &admin, 2026, &[&KEPT[..], &["criticality"]].concat()).await;

    // An établissement's kit: its 2026 rows, normalised, in the template.
    let own = app.token(Role::Etablissement, None, None, Some(havre)).await;
    let path = format!("/api/v1/etablissements/{havre}/exports/kit.xlsx?campaign=2027");
    let kit = download(&app, &own, &path, &format!("kit-campagne-{havre}-2027.xlsx")).await;
    assert_eq!(kit.names(), ["Inventaire", "Notice", "Listes"]);
    let dxcare = kit.row_where("Inventaire", 2, "DxCare");
    assert!(dxcare[7].to_string().starts_with("DPI.CORE — "), "{dxcare:?}");
    assert_eq!(dxcare[23 - 1].to_string(), "=SOMME(A1)", "a comment that looks like a formula stays text");
    let other = format!("/api/v1/etablissements/{fecamp}/exports/kit.xlsx");
    assert_problem(&app.send(Method::GET, &other, Some(&own), None).await, StatusCode::NOT_FOUND, "not-found");

    // The GHT's kit, one sheet per member, deposited back unchanged on the
    // GHT's route: no error, the same normalised rows.
    let ght_kit = app
        .client
        .get(format!("{}/api/v1/ghts/NOR-02/exports/kit.xlsx?campaign=2027", app.address))
        .bearer_auth(&dsi)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let sheets = Book::read(ght_kit.clone()).names().len();
    assert_eq!(sheets, 2 + 2, "one sheet per member, the notice and the lists");
    let deposit = app.deposit("/api/v1/ghts/NOR-02/campaigns/2027/inventory", &dsi, "kit.xlsx", ght_kit, None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    assert_eq!(deposit.body["report"]["errors"], 0, "{:#}", deposit.body["report"]);
    let after = rows_of(&app, &admin, 2027, &[&KEPT[..], &["criticality"]].concat()).await;
    assert_eq!(after, before, "the same normalised rows");
});

/// A closed campaign's vision shows the targets of its time; an open one
/// today's (the fixture's DSI dropped the LAB.SIL target after 2025 closed).
pub async fn assert_targets_of_their_time(app: &TestApp, dsi: &str) {
    let lab_target = |book: &Book| {
        let header = &book.sheet("Matrice")[3];
        let column = header.iter().position(|c| c.to_string().starts_with("LAB.SIL")).unwrap();
        book.text("Matrice", 4, column)
    };
    let closed =
        download(app, dsi, "/api/v1/ghts/NOR-02/exports/vision.xlsx?campaign=2025", "vision-SI-NOR-02-2025.xlsx").await;
    assert_eq!(lab_target(&closed), "Glims", "2025, closed, against its own targets");
    let years = |book: &Book| -> Vec<f64> {
        book.sheet("Trajectoires")
            .iter()
            .filter_map(|r| if let Data::Float(y) = r[0] { Some(y) } else { None })
            .collect()
    };
    assert!(years(&closed).contains(&2025.0), "{:?}", years(&closed));
    assert!(!years(&closed).contains(&2026.0), "a closed campaign's trajectories stop at it: {:?}", years(&closed));
    let open =
        download(app, dsi, "/api/v1/ghts/NOR-02/exports/vision.xlsx?campaign=2026", "vision-SI-NOR-02-2026.xlsx").await;
    assert_eq!(lab_target(&open), "—", "2026, open, against today's");
}
