//! The command line works against the same database as the service.

use std::process::Command;

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

fn convergence(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_convergence"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

db_test!(a_token_made_by_the_cli_opens_the_api_within_its_scope, |app| {
    app.given_ght("NOR-02", "NOR", &["760780726"]).await;
    let output = convergence(
        &app.database_url,
        &["token", "create", "--role", "ght", "--ght", "nor_02", "--label", "DSI Estuaire"],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("cvg_"), "{token}");
    let own = app.send(Method::GET, "/api/v1/ghts/NOR-02", Some(&token), None).await;
    assert_eq!(own.status, StatusCode::OK);

    let listed = convergence(&app.database_url, &["token", "list"]);
    let listing = String::from_utf8(listed.stdout).unwrap();
    assert!(listing.contains("DSI Estuaire") && listing.contains("NOR-02"), "{listing}");
    assert!(!listing.contains(&token[17..]), "secrets are never listed");

    let prefix = &token[4..16];
    let revoked = convergence(&app.database_url, &["token", "revoke", prefix]);
    assert!(revoked.status.success());
    let after = app.send(Method::GET, "/api/v1/ghts/NOR-02", Some(&token), None).await;
    assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthenticated");
});

db_test!(cli_errors_are_clear_and_fail_the_command, |app| {
    let missing_scope = convergence(&app.database_url, &["token", "create", "--role", "regional"]);
    assert!(!missing_scope.status.success());
    assert!(String::from_utf8_lossy(&missing_scope.stderr).contains("exige une région"));
    let bad_year = convergence(&app.database_url, &["campaign", "open", "1999"]);
    assert!(!bad_year.status.success());
    assert!(String::from_utf8_lossy(&bad_year.stderr).contains("2016"));
    let opened = convergence(&app.database_url, &["campaign", "open", "2026", "--deadline", "2026-06-30"]);
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
    let campaigns = app.get("/api/v1/campaigns").await;
    assert_eq!(campaigns.body[0]["deadline"], "2026-06-30");
    let closed = convergence(&app.database_url, &["campaign", "close", "2026"]);
    assert!(closed.status.success());
    assert_eq!(app.get("/api/v1/campaigns").await.body[0]["status"], "closed");
});

db_test!(the_cli_imports_a_file_and_prints_a_readable_report, |app| {
    app.given_ght_with_open_campaign().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("fecamp.csv");
    std::fs::write(&good, b"Application;Fin de contrat\nDxCare;31/12/2027\nBO;\n").unwrap();
    let output = convergence(
        &app.database_url,
        &["import", good.to_str().unwrap(), "--finess", "760780734", "--campaign", "2026"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("fecamp.csv (csv) : 2 ligne(s) lue(s), 2 importée(s), 0 rejetée(s)"), "{stdout}");
    assert!(
        stdout
            .contains("Feuille « fecamp.csv », ligne 3, colonne A (Application) : « BO » n'est pas dans le catalogue"),
        "{stdout}"
    );
    assert!(stdout.contains("enregistré (validé)"), "{stdout}");

    let bad = dir.path().join("faux.csv");
    std::fs::write(&bad, b"Application;Fin de contrat\nDxCare;31/02/2027\n").unwrap();
    let refused = convergence(
        &app.database_url,
        &["import", bad.to_str().unwrap(), "--finess", "760780734", "--campaign", "2026"],
    );
    assert!(!refused.status.success());
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(
        stdout.contains("ligne 2, colonne B (Fin de contrat) : « 31/02/2027 » n'est pas une date valide"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("inventaire refusé"));
    let current = app.all_rows("/api/v1/ghts/NOR-02/campaigns/2026/inventory", &app.admin_token).await;
    assert_eq!(current.body.as_array().unwrap().len(), 2);
});

#[test]
fn the_command_line_speaks_french_in_its_help_and_its_errors() {
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_convergence")).args(args).output().expect("runs");
    for args in [&["--help"][..], &["import", "--help"], &["token", "create", "-h"], &["campaign", "open", "--help"]] {
        let output = run(args);
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(help.contains("Utilisation : convergence"), "{args:?}: {help}");
        assert!(help.contains("Affiche l'aide"), "{args:?}: {help}");
        for english in ["Usage:", "Print help", "Print version", "Commands:", "Start the", "Import an", "Create a"] {
            assert!(!help.contains(english), "{args:?}: « {english} » in {help}");
        }
    }
    assert!(String::from_utf8(run(&["--help"]).stdout).unwrap().contains("Commandes"));
    let unknown = run(&["import", "inventaire.csv", "--bogus"]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = String::from_utf8(unknown.stderr).unwrap();
    assert!(message.contains("argument inconnu : --bogus"), "{message}");
    assert!(!message.contains("error:") && !message.contains("unexpected"), "{message}");
    let missing = String::from_utf8(run(&["import", "inventaire.csv"]).stderr).unwrap();
    assert!(missing.contains("argument obligatoire manquant") && missing.contains("--campaign"), "{missing}");
}
