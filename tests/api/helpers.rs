//! Test harness: a real application on a random port, with a fresh
//! database per test (an SQLite file, or a PostgreSQL database cloned from a
//! migrated template when `TEST_DATABASE_URL` is set).

use std::sync::OnceLock;

use convergence::auth::Principal;
use convergence::config::Settings;
pub use convergence::domain::Role;
use convergence::domain::{Finess, GhtCode, RegionCode};
use convergence::service::tokens::{self, NewToken};
use convergence::startup::Application;
use convergence::store::Db;
use convergence::store::audit::Actor;
use migration::{Migrator, MigratorTrait};
pub use reqwest::{Method, StatusCode};
use sea_orm::sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use secrecy::SecretString;
use serde_json::Value;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once on SQLite and once on PostgreSQL (the latter
/// skipped, with a message, when `TEST_DATABASE_URL` is not set).
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::helpers::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
                run_bounded(async { $body }).await;
                // Close the pools before the temporary directory goes away.
                $app.close().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = spawn_app(Backend::Postgres).await else {
                    $crate::helpers::postgres_half_skipped();
                    return;
                };
                run_bounded(async { $body }).await;
                $app.close().await;
            }
        }
    };
}

/// What happens to a PostgreSQL half without `TEST_DATABASE_URL`: under CI
/// it fails (a green run must have run both databases); elsewhere the run
/// says once, uncaptured, how many PostgreSQL halves it leaves out.
pub fn postgres_half_skipped() {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL half of this test cannot run");
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        // Straight to the process's stderr: the test harness captures
        // `eprintln!`, and this line is for whoever runs the suite.
        let _ = writeln!(
            std::io::stderr(),
            "\nPostgreSQL : TEST_DATABASE_URL n'est pas défini, les moitiés PostgreSQL des {} tests de base de données sont ignorées (SQLite seulement)\n",
            database_tests()
        );
    });
}

/// How many tests are written with [`db_test!`] (each has a PostgreSQL half).
fn database_tests() -> usize {
    const SOURCES: [&str; 18] = [
        include_str!("access.rs"),
        include_str!("audit.rs"),
        include_str!("campaigns.rs"),
        include_str!("catalogue_admin.rs"),
        include_str!("cli.rs"),
        include_str!("corpus.rs"),
        include_str!("demo.rs"),
        include_str!("fixture_ght.rs"),
        include_str!("ghts.rs"),
        include_str!("health.rs"),
        include_str!("indicators.rs"),
        include_str!("inventory.rs"),
        include_str!("migrations.rs"),
        include_str!("openapi.rs"),
        include_str!("reference.rs"),
        include_str!("review.rs"),
        include_str!("pages.rs"),
        include_str!("fixtures.rs"),
    ];
    SOURCES.iter().map(|source| source.lines().filter(|l| l.starts_with("db_test!(")).count()).sum()
}

/// Longest a test body may run: a hang fails with the test's name instead
/// of stalling the whole suite.
pub const TEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Runs a test body under [`TEST_TIMEOUT`].
pub async fn run_bounded(body: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_TIMEOUT, body).await.is_err() {
        panic!("test body did not finish within {TEST_TIMEOUT:?}");
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub database_url: String,
    pub admin_token: String,
    _dir: Option<tempfile::TempDir>,
}

/// A test's PostgreSQL database is dropped with it: thousands of test
/// runs would otherwise fill the disk of a developer's machine.
impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(name) = self.database_url.rsplit('/').next().filter(|n| n.starts_with("convergence_test_")) else {
            return;
        };
        let Some(base) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else { return };
        let name = name.to_owned();
        let dropping = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&base).await {
                    let _ = admin.execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropping.join();
    }
}

/// A response read as JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    /// Reads a response: status, content type, and the body as JSON (a
    /// string when it is not JSON, null when empty).
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body read");
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Reply { status, content_type, body }
    }
}

/// Starts an application; `None` when the backend is not available.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with_worker(backend, env!("CARGO_BIN_EXE_convergence")).await
}

/// Starts an application whose parse worker is `program` (to see what the
/// service does when its worker cannot start, or answers garbage).
pub async fn spawn_app_with_worker(backend: Backend, program: &str) -> Option<TestApp> {
    spawn_app_with(backend, program, &[]).await
}

/// Starts an application with some settings of its own (`extra`: variable
/// name and value), to try a limit.
pub async fn spawn_app_with(backend: Backend, program: &str, extra: &[(&str, &str)]) -> Option<TestApp> {
    let (database_url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => (postgres_database().await?, None),
    };
    let settings = Settings::from_lookup(|name| {
        if let Some((_, value)) = extra.iter().find(|(n, _)| *n == name) {
            return Some((*value).to_owned());
        }
        match name {
            "DATABASE_URL" => Some(database_url.clone()),
            "CONVERGENCE_BIND" => Some("127.0.0.1:0".to_owned()),
            "CONVERGENCE_MAX_UPLOAD_BYTES" => Some("2097152".to_owned()),
            "CONVERGENCE_WORKER_BIN" => Some(program.to_owned()),
            // Tests deposit in parallel with one token: limits of their own.
            "CONVERGENCE_WORKERS" | "CONVERGENCE_WORKERS_PER_TOKEN" => Some("16".to_owned()),
            "CONVERGENCE_RATE_PER_SECOND" | "CONVERGENCE_RATE_BURST" => Some("100000".to_owned()),
            _ => None,
        }
    })
    .expect("test settings");
    let app = Application::build(settings).await.expect("application builds");
    let address = format!("http://{}", app.local_addr().expect("bound address"));
    let db = app.db().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let mut test_app = TestApp {
        address,
        client: reqwest::Client::builder().timeout(std::time::Duration::from_secs(120)).build().expect("HTTP client"),
        db,
        database_url,
        admin_token: String::new(),
        _dir: dir,
    };
    test_app.admin_token = test_app.token(Role::Admin, None, None, None).await;
    Some(test_app)
}

impl TestApp {
    /// Closes the database pools (a second close is harmless).
    pub async fn close(&self) {
        let _ = self.db.clone().close().await;
    }

    /// Issues a token through the service.
    pub async fn token(&self, role: Role, ght: Option<&str>, region: Option<&str>, finess: Option<&str>) -> String {
        let principal = Principal::command_line("test");
        let actor = Actor { principal: &principal, request_id: None };
        let new = NewToken {
            role,
            label: format!("test {role}"),
            ght: ght.map(|c| GhtCode::parse(c).expect("GHT code")),
            region: region.map(|c| RegionCode::parse(c).expect("region")),
            finess: finess.map(|f| Finess::parse(f).expect("FINESS")),
            valid_until: None,
        };
        let (_, token) = tokens::create(&self.db, actor, new).await.expect("token created");
        token
    }

    /// Sends a request with an optional token and JSON body.
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::read(request.send().await.expect("request sent")).await
    }

    /// GET as admin.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(&self.admin_token.clone()), None).await
    }

    /// POST as admin.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(&self.admin_token.clone()), Some(body)).await
    }

    /// PATCH as admin.
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(&self.admin_token.clone()), Some(body)).await
    }

    /// Creates a GHT with registered members (FINESS EJ from the directory),
    /// as admin. Returns nothing: failures panic with the reply.
    pub async fn given_ght(&self, code: &str, region: &str, members: &[&str]) {
        let reply = self
            .post(
                "/api/v1/ghts",
                serde_json::json!({"code": code, "name": format!("GHT {code}"), "region_code": region}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        for finess in members {
            let existing = self.get(&format!("/api/v1/etablissements/{finess}")).await;
            if existing.status == StatusCode::NOT_FOUND {
                let body = serde_json::json!({"finess_ej": finess, "name": format!("Établissement {finess}")});
                let reply = self.post("/api/v1/etablissements", body).await;
                assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
            }
            let reply = self
                .post(
                    &format!("/api/v1/ghts/{code}/memberships"),
                    serde_json::json!({"finess_ej": finess, "valid_from": "2016-07-01"}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        }
    }
}

/// Asserts that a reply is a problem document with this status and type.
pub fn assert_problem(reply: &Reply, status: StatusCode, slug: &str) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.content_type, "application/problem+json", "{reply:?}");
    assert_eq!(reply.body["type"], format!("urn:convergence:problem:{slug}"), "{reply:?}");
    assert_eq!(reply.body["status"], status.as_u16(), "{reply:?}");
    assert!(reply.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{reply:?}");
    assert!(reply.body["request_id"].as_str().is_some_and(|d| !d.is_empty()), "{reply:?}");
}

/// A fresh PostgreSQL database cloned from a migrated template, or `None`
/// without `TEST_DATABASE_URL`.
async fn postgres_database() -> Option<String> {
    let base = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let template = template_name();
    let mut admin = PgConnection::connect(&base).await.expect("TEST_DATABASE_URL reachable");
    admin.execute("SELECT pg_advisory_lock(727272)").await.expect("lock");
    let exists: Option<(i32,)> = sea_orm::sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&template)
        .fetch_optional(&mut admin)
        .await
        .expect("template lookup");
    if exists.is_none() {
        admin.execute(AssertSqlSafe(format!("CREATE DATABASE {template}"))).await.expect("template created");
        let url = with_database(&base, &template);
        let db = Db::connect(&SecretString::from(url)).await.expect("template reachable");
        db.migrate().await.expect("template migrated");
        db.close().await.expect("template closed");
    }
    admin.execute("SELECT pg_advisory_unlock(727272)").await.expect("unlock");
    let name = format!("convergence_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
        .await
        .expect("test database created from the template");
    admin.close().await.ok();
    Some(with_database(&base, &name))
}

/// The template's name changes with the set of migrations, so a stale
/// template is never reused.
fn template_name() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in names.join(",").bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("convergence_tpl_{hash:016x}")
    })
    .clone()
}

/// Replaces the database name of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (main, query) = url.split_once('?').map_or((url, None), |(m, q)| (m, Some(q)));
    let authority_end = main.find("://").map_or(0, |i| i + 3);
    let base = match main[authority_end..].find('/') {
        Some(i) => &main[..authority_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    /// Deposits a file (multipart) with a token; `query` is appended as is.
    pub async fn deposit(
        &self,
        path: &str,
        token: &str,
        file_name: &str,
        bytes: Vec<u8>,
        mapping: Option<&str>,
    ) -> Reply {
        let mut form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()));
        if let Some(mapping) = mapping {
            form = form.text("mapping", mapping.to_owned());
        }
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("deposit sent");
        Reply::read(response).await
    }

    /// A catalogue product's id, found by its exact name through the API.
    pub async fn product_id(&self, name: &str) -> i64 {
        let reply = self.get(&format!("/api/v1/catalogue/products?q={}", name.replace(' ', "%20"))).await;
        let items = reply.body["items"].as_array().expect("catalogue page");
        items.iter().find(|p| p["name"] == name).and_then(|p| p["id"].as_i64()).expect("product in the catalogue")
    }

    /// A GHT (NOR-02: GH du Havre and CH de Fécamp) with campaign 2026 open;
    /// returns the DSI's token.
    pub async fn given_ght_with_open_campaign(&self) -> String {
        self.given_ght("NOR-02", "NOR", &["760780726", "760780734"]).await;
        let opened = self.post("/api/v1/campaigns", serde_json::json!({"year": 2026})).await;
        assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
        self.token(Role::Ght, Some("NOR-02"), None, None).await
    }
}

impl TestApp {
    /// Every row of a paginated inventory listing, page after page, as one
    /// reply whose body is the array of items (the status of the last page).
    pub async fn all_rows(&self, path: &str, token: &str) -> Reply {
        let mut items = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        for page in 1.. {
            let reply =
                self.send(Method::GET, &format!("{path}{separator}page={page}&page_size=200"), Some(token), None).await;
            if reply.status != StatusCode::OK {
                return reply;
            }
            items.extend(reply.body["items"].as_array().cloned().unwrap_or_default());
            if page >= reply.body["total_pages"].as_u64().unwrap_or(0) {
                return Reply { body: Value::Array(items), ..reply };
            }
        }
        unreachable!("pages are counted")
    }
}
