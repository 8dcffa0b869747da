//! The inventory templates: committed files equal to what the service
//! writes from the taxonomy (cell by cell), served to every role, and a
//! filled example that imports with no error and no warning.

use calamine::{Data, Reader, Xlsx};

use crate::db_test;
use crate::helpers::*;

const HAVRE: &str = "760780726";

/// Every sheet of a workbook: its name and its cells as text.
fn cells_of(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect();
            (name, rows)
        })
        .collect()
}

async fn download(app: &TestApp, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let token = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    let response = app.client.get(format!("{}{path}", app.address)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers().clone();
    (headers, response.bytes().await.unwrap().to_vec())
}

db_test!(the_committed_templates_are_what_the_service_writes, |app| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    for (route, file) in [
        ("/api/v1/templates/inventaire.xlsx", "inventaire.xlsx"),
        ("/api/v1/templates/inventaire-exemple.xlsx", "inventaire-exemple.xlsx"),
    ] {
        let (headers, served) = download(&app, route).await;
        assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(headers["content-disposition"].to_str().unwrap().contains(&format!("filename*=UTF-8''{file}")));
        let committed = std::fs::read(format!("{}/import-templates/{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("import-templates/{file}: {e} (convergence templates writes it)"));
        assert_eq!(
            cells_of(&served),
            cells_of(&committed),
            "import-templates/{file} differs from what the service writes: run `convergence templates`"
        );
    }
});

db_test!(the_template_explains_and_guides_each_column, |app| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    let (_, bytes) = download(&app, "/api/v1/templates/inventaire.xlsx").await;
    let sheets = cells_of(&bytes);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Inventaire", "Notice", "Listes"]);
    let inventory = &sheets[0].1;
    assert_eq!(inventory[0][..3], ["Établissement", "FINESS", "Application"]);
    assert!(inventory[0].contains(&"Sous-domaine".to_owned()) && inventory[0].contains(&"Fin de contrat".to_owned()));
    assert_eq!(inventory.len(), 2, "the header and one example row");
    assert!(inventory[1].iter().any(|c| c.contains("supprimez cette ligne")));
    let notice = &sheets[1].1;
    let application = notice.iter().find(|r| r[0] == "C — Application").expect("Application explained");
    assert_eq!(application[1], "oui", "the one required column");
    let lists = &sheets[2].1;
    let subdomains: Vec<&String> = lists.iter().skip(1).map(|r| &r[1]).filter(|c| !c.is_empty()).collect();
    assert!(subdomains.iter().any(|s| s.starts_with("DPI.CORE — ")), "{subdomains:?}");
    let taxonomy = app.get("/api/v1/taxonomy").await;
    let expected: usize =
        taxonomy.body.as_array().unwrap().iter().map(|d| d["subdomains"].as_array().unwrap().len()).sum();
    assert_eq!(subdomains.len(), expected, "every sub-domain of the taxonomy in force");

    // Dropdowns, date and number checks, a frozen header, a hidden list sheet.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
    for needle in
        ["type=\"list\"", "type=\"date\"", "type=\"whole\"", "type=\"decimal\"", "state=\"frozen\"", "<autoFilter"]
    {
        assert!(sheet.contains(needle), "{needle} in the inventory sheet");
    }
    let mut book = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/workbook.xml").unwrap(), &mut book).unwrap();
    assert!(book.contains("name=\"Listes\"") && book.contains("state=\"hidden\""), "{book}");
});

db_test!(the_filled_example_imports_with_no_error_and_no_warning, |app| {
    app.given_ght_with_open_campaign().await;
    let (_, bytes) = download(&app, "/api/v1/templates/inventaire-exemple.xlsx").await;
    let token = app.token(Role::Etablissement, None, None, Some(HAVRE)).await;
    let path = format!("/api/v1/etablissements/{HAVRE}/campaigns/2026/inventory");
    let deposit = app.deposit(&path, &token, "inventaire-exemple.xlsx", bytes, None).await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{deposit:?}");
    let report = &deposit.body["report"];
    assert_eq!((report["errors"].as_i64(), report["warnings"].as_i64()), (Some(0), Some(0)), "{report:#}");
    let rows = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &app.admin_token.clone()).await;
    let rows = rows.body.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let dxcare = rows.iter().find(|r| r["application_raw"] == "DxCare").unwrap();
    assert_eq!(dxcare["state"], "product");
    assert_eq!(dxcare["subdomain"], "DPI.CORE");
    assert_eq!(dxcare["subdomain_inferred"], false);
    assert_eq!(dxcare["contract_end"], "2027-12-31");
    assert_eq!(dxcare["users"], 2400);
    assert_eq!(dxcare["annual_cost_cents"], 18_500_000);
    assert_eq!(dxcare["hosting"], "datacenter_ght");
    assert_eq!(dxcare["identity_connected"], true);
    let pastel = rows.iter().find(|r| r["application_raw"] == "Pastel").unwrap();
    assert_eq!(pastel["annual_cost_cents"], 4_250_050);
    assert_eq!(pastel["convergence_status"], "a_remplacer");
    assert!(rows.iter().all(|r| r["state"] == "product"), "every example product is in the catalogue");
    let _ = Data::Empty;
});
