use migration::{Migrator, MigratorTrait};

use axum::http::Method;
use sea_orm::ConnectionTrait;

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(migrations_revert_and_reapply_cleanly, |app| {
    let applied = Migrator::get_applied_migrations(app.db.reader()).await.unwrap();
    assert_eq!(applied.len(), Migrator::migrations().len());
    // Down needs exclusive use of the database: close the application's pools first.
    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    Migrator::down(db.reader(), None).await.unwrap();
    assert!(Migrator::get_applied_migrations(db.reader()).await.unwrap().is_empty());
    db.migrate().await.unwrap();
    assert_eq!(Migrator::get_pending_migrations(db.reader()).await.unwrap().len(), 0);
    let seeded = convergence::store::seed::seed_reference(&db).await.unwrap();
    assert_eq!((seeded.regions, seeded.subdomains, seeded.products), (18, 43, 91));
    let again = convergence::store::seed::seed_reference(&db).await.unwrap();
    assert_eq!(again, convergence::store::seed::SeedReport::default(), "seeding runs once");
});

db_test!(report_messages_survive_the_move_into_pages_and_back, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut csv = String::from("Application;Fin de contrat\n");
    for i in 0..1500 {
        // Every third row has an unreadable date: an error beside each row's warning.
        csv.push_str(&format!("Outil local {i};{}\n", if i % 3 == 0 { "bientôt" } else { "31/12/2027" }));
    }
    let path = format!("/api/v1/etablissements/{}/campaigns/2026/inventory?partial=true", crate::inventory::HAVRE);
    let reply = app.deposit(&path, &dsi, "gros.csv", csv.into_bytes(), None).await;
    let id = reply.body["upload"]["id"].as_i64().unwrap();
    let errors_page = format!("/api/v1/uploads/{id}/messages?severity=error&page=2&page_size=200");
    let before = app.send(Method::GET, &errors_page, Some(&dsi), None).await.body;
    assert_eq!(before["total_items"], 500);
    let items = before["items"].as_array().unwrap();
    // Error k is on data row 3k, Excel row 3k + 2: page 2 holds k = 200..=399.
    assert_eq!((items[0]["row"].as_i64(), items[199]["row"].as_i64()), (Some(602), Some(1199)));
    assert!(items.iter().all(|m| m["severity"] == "error" && m["value"] == "bientôt"));

    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    // Revert down to (and including) the migration that introduced the pages.
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let pages = names.iter().position(|n| n.contains("message_pages")).unwrap();
    Migrator::down(db.reader(), Some((names.len() - pages) as u32)).await.unwrap();
    let rows = db
        .reader()
        .query_one_raw(sea_orm::Statement::from_string(
            db.reader().get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM upload_messages WHERE upload_id = {id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows.try_get::<i64>("", "n").unwrap(), 2000, "one row per message once reverted");
    db.migrate().await.unwrap();
    let upload = convergence::store::inventory::find_upload(db.reader(), id).await.unwrap().unwrap();
    let page = convergence::store::pagination::Page { number: 2, size: 200 };
    let after = convergence::store::inventory::messages(
        db.reader(),
        &upload,
        Some(convergence::normalise::report::Severity::Error),
        page,
    )
    .await
    .unwrap();
    assert_eq!(after.total_items, 500);
    assert_eq!(serde_json::to_value(&after.items).unwrap(), before["items"]);
    db.close().await.unwrap();
});

db_test!(indicator_values_survive_the_move_into_documents_and_back, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = "Application;Sous-domaine;Coût annuel\nDxCare;DPI.CORE;100 000\nORBIS;DPI.CORE;\nPastel;GAP.ADM;20 000\n";
    let path = format!("/api/v1/etablissements/{}/campaigns/2026/inventory", crate::inventory::HAVRE);
    let reply = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(reply.status, axum::http::StatusCode::CREATED, "{reply:?}");
    let ght_path = "/api/v1/ghts/NOR-02/indicators?campaign=2026";
    let etablissement_path = format!("/api/v1/etablissements/{}/indicators?campaign=2026", crate::inventory::HAVRE);
    let before = app.send(Method::GET, ght_path, Some(&dsi), None).await.body;
    let before_etablissement = app.send(Method::GET, &etablissement_path, Some(&dsi), None).await.body;
    assert_eq!(before_etablissement["reporting"], true);

    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let documents = names.iter().position(|n| n.contains("indicator_documents")).unwrap();
    Migrator::down(db.reader(), Some((names.len() - documents) as u32)).await.unwrap();
    let backend = db.reader().get_database_backend();
    let count = |sql: &str| {
        let statement = sea_orm::Statement::from_string(backend, sql.to_owned());
        async { db.reader().query_one_raw(statement).await.unwrap().unwrap().try_get::<i64>("", "n").unwrap() }
    };
    // One row per value once reverted: the GHT's and Le Havre's.
    let ght_rows = count("SELECT COUNT(*) AS n FROM indicator_values WHERE finess_ej IS NULL").await;
    let etablissement_rows = count("SELECT COUNT(*) AS n FROM indicator_values WHERE finess_ej = '760780726'").await;
    assert_eq!(ght_rows as usize, before["computed"].as_array().unwrap().len());
    assert_eq!(etablissement_rows as usize, before_etablissement["computed"].as_array().unwrap().len());
    db.migrate().await.unwrap();

    // Read again from the documents, as they were.
    let ght = convergence::domain::GhtCode::parse("NOR-02").unwrap();
    let year = convergence::domain::CampaignYear::new(2026).unwrap();
    let pairs = |values: &[convergence::compute::indicators::Value]| {
        values.iter().map(|v| (v.code.clone(), v.value)).collect::<Vec<_>>()
    };
    let served = |body: &serde_json::Value| {
        body["computed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["code"].as_str().unwrap().to_owned(), v["value"].as_f64()))
            .collect::<Vec<_>>()
    };
    let after = convergence::service::indicators::read(db.reader(), &ght, year, None).await.unwrap().unwrap();
    assert!(after.computed_at.is_some(), "read from the stored run, not recomputed");
    assert_eq!(pairs(&after.values), served(&before));
    let havre = convergence::service::indicators::read(db.reader(), &ght, year, Some(crate::inventory::HAVRE))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pairs(&havre.values), served(&before_etablissement));
    assert!(
        havre
            .values
            .iter()
            .any(|v| v.code == "COST.ANNUAL" && v.known_share.is_some_and(|k| (k - 2.0 / 3.0).abs() < 1e-9))
    );
    db.close().await.unwrap();
});

db_test!(the_match_method_moves_out_of_the_flags_and_back, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    // DxCare by its name, « Dx Kare » by a close spelling, « Outil maison » unmatched.
    let csv = "Application\nDxCare\nDx Kare\nOutil maison\n";
    let path = format!("/api/v1/etablissements/{}/campaigns/2026/inventory", crate::inventory::HAVRE);
    let reply = app.deposit(&path, &dsi, "inventaire.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(reply.status, axum::http::StatusCode::CREATED, "{reply:?}");
    let listing = "/api/v1/ghts/NOR-02/campaigns/2026/inventory";
    let before = app.all_rows(listing, &dsi).await.body;
    let methods = |rows: &serde_json::Value| -> Vec<(Option<String>, Vec<String>)> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let flags = r["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_owned()).collect();
                (r["match_method"].as_str().map(str::to_owned), flags)
            })
            .collect()
    };
    let served = methods(&before);
    assert_eq!(served[0], (Some("alias".to_owned()), vec![]));
    assert_eq!(served[1].0.as_deref(), Some("fuzzy"), "{served:?}");
    assert!(served[1].1.iter().all(|f| !f.starts_with("match:")), "the flags hold flags only: {served:?}");
    assert_eq!(served[2], (None, vec![]));

    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    // Down to the eighth migration, whatever came after the ninth.
    let down_to_eighth = u32::try_from(Migrator::migrations().len() - 8).unwrap();
    Migrator::down(db.reader(), Some(down_to_eighth)).await.unwrap();
    let backend = db.reader().get_database_backend();
    let flags: Vec<String> = db
        .reader()
        .query_all_raw(sea_orm::Statement::from_string(backend, "SELECT flags FROM inventory_entries ORDER BY id"))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get::<String>("", "flags").unwrap())
        .collect();
    assert_eq!(flags[0], r#"["match:alias"]"#, "reverted into the flags as before");
    assert!(flags[1].contains("match:fuzzy"), "{flags:?}");
    assert_eq!(flags[2], "[]");
    db.migrate().await.unwrap();
    let year = convergence::domain::CampaignYear::new(2026).unwrap();
    let page = convergence::store::pagination::Page { number: 1, size: 200 };
    let filter = convergence::store::inventory::EntryFilter::default();
    let members = [crate::inventory::HAVRE.to_owned()];
    let rows =
        convergence::store::inventory::current_entries(db.reader(), year, &members, &filter, page).await.unwrap();
    let after: Vec<(Option<String>, Vec<String>)> = rows
        .items
        .iter()
        .map(|r| (r.match_method.map(|m| m.to_string()), serde_json::from_str(&r.flags).unwrap()))
        .collect();
    assert_eq!(after, served, "the same methods and flags once migrated again");
    db.close().await.unwrap();
});

db_test!(product_names_per_proposer_rebuild_keeps_every_product_alias_and_former_vendor, |app| {
    use sea_orm::ConnectionTrait;
    let counts = |db: convergence::store::Db| async move {
        let backend = db.reader().get_database_backend();
        let mut counts = Vec::new();
        for table in ["products", "product_aliases", "product_vendors"] {
            let row = db
                .reader()
                .query_one_raw(sea_orm::Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
                .await
                .unwrap()
                .unwrap();
            counts.push(row.try_get::<i64>("", "n").unwrap());
        }
        counts
    };
    let before = counts(app.db.clone()).await;
    assert!(before.iter().all(|n| *n > 0), "{before:?}");
    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    // Down past the rebuild and up again, as an operator rolling back would.
    let after_eleventh = u32::try_from(Migrator::migrations().len() - 11).unwrap();
    Migrator::down(db.writer(), Some(after_eleventh)).await.unwrap();
    assert_eq!(counts(db.clone()).await, before, "down keeps every row");
    db.migrate().await.unwrap();
    assert_eq!(counts(db.clone()).await, before, "up keeps every row");
    db.close().await.unwrap();
});

db_test!(gestion_is_added_to_a_taxonomy_seeded_before_and_only_once, |app| {
    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    let backend = db.reader().get_database_backend();
    let domains = || async {
        db.reader()
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT domain_code FROM taxonomy_synonyms WHERE normalised_key = 'gestion' ORDER BY domain_code",
            ))
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.try_get::<String>("", "domain_code").unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(domains().await, ["GAP", "GEF", "GRH"], "seeded from the reference data");
    // As a database seeded before the word was added: down to the
    // seventeenth migration, whatever came after the eighteenth.
    let down_to_seventeenth = u32::try_from(Migrator::migrations().len() - 17).unwrap();
    Migrator::down(db.reader(), Some(down_to_seventeenth)).await.unwrap();
    assert!(domains().await.is_empty());
    db.migrate().await.unwrap();
    assert_eq!(domains().await, ["GAP", "GEF", "GRH"]);
    db.close().await.unwrap();
});
