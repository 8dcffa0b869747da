//! The command line works against the same database as the service.

use std::process::Command;

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

pub(crate) fn convergence(database_url: &str, args: &[&str]) -> std::process::Output {
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

/// Runs `serve --demo` until it has said what it says at start-up, then
/// stops it; returns what it printed.
fn serve_demo_once(database_url: &str) -> String {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_convergence"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the service starts");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let last = line.starts_with("Par l'API") || line.starts_with("Le jeton de démonstration");
            if sender.send(line).is_err() || last {
                return;
            }
        }
    });
    let mut printed = Vec::new();
    while let Ok(line) = receiver.recv_timeout(std::time::Duration::from_secs(180)) {
        let last = line.starts_with("Par l'API") || line.starts_with("Le jeton de démonstration");
        printed.push(line);
        if last {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    printed.join("\n")
}

db_test!(serve_demo_prints_an_admin_token_only_when_it_loads_the_demo, |app| {
    let first = serve_demo_once(&app.database_url);
    assert!(first.contains("Données de démonstration chargées"), "{first}");
    let token = first.lines().find_map(|l| l.trim().strip_prefix("cvg_")).map(|t| format!("cvg_{t}"));
    let token = token.unwrap_or_else(|| panic!("a token on the first start: {first}"));
    assert_eq!(app.send(Method::GET, "/api/v1/ghts", Some(&token), None).await.status, StatusCode::OK);

    let second = serve_demo_once(&app.database_url);
    assert!(second.contains("déjà présentes"), "{second}");
    assert!(second.contains("token create --role admin"), "says how to make one: {second}");
    assert!(!second.contains("cvg_"), "no new token at a later start: {second}");
    let tokens = app.get("/api/v1/audit-events?action=token.create").await;
    let demo_tokens = tokens.body["items"].as_array().unwrap().iter().filter(|e| e["after"]["label"] == "démo").count();
    assert_eq!(demo_tokens, 1);
});

db_test!(tokens_expire_rotate_and_tell_when_they_were_last_used, |app| {
    use sea_orm::ConnectionTrait;
    app.given_ght("NOR-02", "NOR", &["760780726"]).await;
    let create = |extra: &[&str]| {
        let mut args = vec!["token", "create", "--role", "ght", "--ght", "NOR-02", "--label", "DSI Estuaire"];
        args.extend_from_slice(extra);
        convergence(&app.database_url, &args)
    };
    let past = create(&["--valid-until", "2020-01-01"]);
    assert!(!past.status.success());
    assert!(String::from_utf8_lossy(&past.stderr).contains("déjà passée"), "{}", String::from_utf8_lossy(&past.stderr));

    let today = chrono::Utc::now().date_naive().to_string();
    let created = create(&["--valid-until", &today]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let token = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert_eq!(app.send(Method::GET, "/api/v1/ghts/NOR-02", Some(&token), None).await.status, StatusCode::OK);

    // The last use shows in the listing (written in the background).
    let mut listing = String::new();
    for _ in 0..50 {
        listing = String::from_utf8(convergence(&app.database_url, &["token", "list"]).stdout).unwrap();
        if listing.contains("utilisé le") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = listing.lines().find(|l| l.contains("DSI Estuaire")).unwrap_or_default().to_owned();
    assert!(line.contains("utilisé le") && line.contains(&format!("actif jusqu'au {today}")), "{listing}");

    // Rotation: a new secret, the old one refused.
    let prefix = &token[4..16];
    let rotated = convergence(&app.database_url, &["token", "rotate", prefix]);
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    let new_token = String::from_utf8(rotated.stdout).unwrap().trim().to_owned();
    assert_ne!(new_token, token);
    assert_problem(
        &app.send(Method::GET, "/api/v1/ghts", Some(&token), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    assert_eq!(app.send(Method::GET, "/api/v1/ghts/NOR-02", Some(&new_token), None).await.status, StatusCode::OK);

    // Once its last day is past, it opens nothing.
    let txn = app.db.begin_write().await.unwrap();
    let backend = txn.get_database_backend();
    let past = if backend == sea_orm::DbBackend::Postgres {
        "NOW() - INTERVAL '1 day'"
    } else {
        "'2020-01-01 00:00:00+00:00'"
    };
    txn.execute_unprepared(&format!("UPDATE api_tokens SET expires_at = {past} WHERE label = 'DSI Estuaire'"))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_problem(
        &app.send(Method::GET, "/api/v1/ghts", Some(&new_token), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    let listing = String::from_utf8(convergence(&app.database_url, &["token", "list"]).stdout).unwrap();
    assert!(listing.lines().any(|l| l.contains("DSI Estuaire") && l.contains("expiré")), "{listing}");
});

db_test!(secrets_never_reach_the_log, |app| {
    use crate::identity_provider::{CLIENT_SECRET, IdentityProvider};
    use crate::sign_in::{Browser, PUBLIC_URL, come_back_at, start_at};
    use std::io::Read;
    let idp = IdentityProvider::start().await;
    let granted = app.post("/api/v1/users", serde_json::json!({"email": "marie@ght.fr", "role": "national"})).await;
    assert_eq!(granted.status, StatusCode::CREATED, "{granted:?}");
    // The service binds a port of its own choosing and says which in its
    // log (a port chosen here and released could be taken meanwhile by
    // another test's service, which would then answer in its place).
    let mut child = Command::new(env!("CARGO_BIN_EXE_convergence"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .envs(idp.settings())
        .env("CONVERGENCE_PUBLIC_URL", PUBLIC_URL)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the service starts");
    let (lines, log_lines) = std::sync::mpsc::channel::<String>();
    let mut readers = Vec::new();
    let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().unwrap());
    let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
    for pipe in [stdout, stderr] {
        let lines = lines.clone();
        readers.push(std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(pipe)).map_while(Result::ok) {
                let _ = lines.send(line);
            }
        }));
    }
    drop(lines);
    let mut log = String::new();
    let mut address = None;
    while address.is_none() {
        let line =
            log_lines.recv_timeout(std::time::Duration::from_secs(60)).expect("the service says where it listens");
        if line.contains("listening") {
            address = line.split("127.0.0.1:").nth(1).map(|rest| {
                let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                format!("127.0.0.1:{port}")
            });
        }
        log.push_str(&line);
        log.push('\n');
    }
    let address = address.unwrap();
    let client = reqwest::Client::new();
    for path in ["/api/v1/ghts", "/api/v1/nothing-here", "/api/v1/uploads/999999"] {
        let _ = client.get(format!("http://{address}{path}")).bearer_auth(&app.admin_token).send().await;
    }
    let _ =
        client.get(format!("http://{address}/api/v1/ghts")).bearer_auth("cvg_forgedforgedforgedforged").send().await;
    // A person signs in, reads and signs out.
    let mut browser = Browser::new();
    let base = format!("http://{address}");
    let started = start_at(&base, &mut browser, &idp).await;
    let id_token = idp.sign(&idp.claims("subject-marie", Some("marie@ght.fr"), &started.nonce));
    idp.answer_code("the-code", &id_token).await;
    assert_eq!(come_back_at(&base, &mut browser, "the-code", &started.state).await.status, StatusCode::SEE_OTHER);
    let me = browser.get(&format!("{base}/api/v1/session")).await;
    assert_eq!(me.body["label"], "marie@ght.fr", "{:?}", me.body);
    let session = browser.cookies["convergence_session"].clone();
    let csrf = me.body["csrf_token"].as_str().unwrap().to_owned();
    let verifier = idp.token_requests().await[0]["code_verifier"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let _ = child.kill();
    let _ = child.wait();
    for reader in readers {
        let _ = reader.join();
    }
    for line in log_lines.try_iter() {
        log.push_str(&line);
        log.push('\n');
    }
    assert!(log.contains("/api/v1/ghts"), "requests are logged: {log}");
    let secret = &app.admin_token[16..];
    assert!(!log.contains(secret), "the token's secret is in the log");
    assert!(!log.contains("forgedforged"), "a presented token is in the log");
    assert!(!log.to_lowercase().contains("bearer "), "an Authorization header is in the log");
    assert!(log.contains("/auth/oidc/callback"), "sign-ins are logged: {log}");
    for (what, secret) in [
        ("session cookie", &session[4..]),
        ("CSRF token", &csrf),
        ("client secret", CLIENT_SECRET),
        ("PKCE verifier", &verifier),
        ("state", &started.state),
        ("nonce", &started.nonce),
        ("ID token", &id_token[id_token.len() - 40..]),
    ] {
        assert!(!log.contains(secret), "the {what} is in the log");
    }
});

db_test!(the_cli_writes_the_exports_a_dsi_downloads, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let csv = b"Application;Sous-domaine\nDxCare;DPI.CORE\n".to_vec();
    let path = "/api/v1/etablissements/760780726/campaigns/2026/inventory";
    assert_eq!(app.deposit(path, &dsi, "a.csv", csv, None).await.status, StatusCode::CREATED);
    let dir = tempfile::tempdir().unwrap();
    let vision = dir.path().join("vision.xlsx");
    let output = convergence(
        &app.database_url,
        &["export", "vision", "--ght", "NOR-02", "--campaign", "2026", "-o", vision.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let progress = String::from_utf8_lossy(&output.stderr);
    assert!(progress.contains("Écrit : ") && progress.contains("vision-SI-NOR-02-2026.xlsx"), "{progress}");
    let book = crate::exports::Book::read(std::fs::read(&vision).unwrap());
    assert_eq!(book.names()[0], "Synthèse");
    assert_eq!(book.row_where("Inventaire consolidé", 3, "DxCare")[1].to_string(), "760780726");

    let table = dir.path().join("national.csv");
    let output = convergence(&app.database_url, &["export", "indicators", "--national", "-o", table.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(text.starts_with("\u{feff}Région;Code GHT;GHT;"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("NOR;NOR-02;")));

    let kit = dir.path().join("kit.xlsx");
    let output = convergence(
        &app.database_url,
        &["export", "kit", "--finess", "760780726", "--campaign", "2026", "-o", kit.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(crate::exports::Book::read(std::fs::read(&kit).unwrap()).names(), ["Inventaire", "Notice", "Listes"]);

    let refused = convergence(&app.database_url, &["export", "vision", "-o", table.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("précisez --ght"));
});
