//! The pages driven in a real browser: headless Chromium through
//! WebDriver (`chromedriver`), against the service on a loopback port, as
//! a DSI, an établissement, DGOS and the operator use them. Each main page
//! is checked for accessibility basics and saved as a screenshot under
//! `target/tmp/ecrans/`.
//!
//! `.ci/run` installs Debian's `chromium` and `chromium-driver`; elsewhere,
//! without them, these tests say so and stop (under CI they fail).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::fixtures::csv_1252;

#[allow(unused_imports)]
use crate::helpers::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A browser test, on SQLite and on PostgreSQL like every database test
/// (the service's public address is the one it listens on, which the
/// browser names as its origin).
macro_rules! browser_test {
    ($name:ident, |$app:ident, $chrome:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($chrome) = Chrome::start(stringify!($name)).await else { return };
                let $app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
                let $chrome = $chrome.serving(&$app);
                run_bounded(async { $body }).await;
                $app.close().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($chrome) = Chrome::start(stringify!($name)).await else { return };
                let Some($app) = spawn_app(Backend::Postgres).await else {
                    $crate::helpers::postgres_half_skipped();
                    return;
                };
                let $chrome = $chrome.serving(&$app);
                run_bounded(async { $body }).await;
                $app.close().await;
            }
        }
    };
}

/// Headless Chromium driven through its WebDriver, with a fresh profile.
struct Chrome {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    base: String,
    test: &'static str,
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where screenshots go.
fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ecrans")
}

impl Chrome {
    /// Starts chromedriver and a browser; `None` (said once) when they are
    /// not installed, outside CI.
    async fn start(test: &'static str) -> Option<Chrome> {
        if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but {CHROMEDRIVER} or {CHROMIUM} is missing: the browser tests cannot run");
            }
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "\nNavigateur : {CHROMEDRIVER} ou {CHROMIUM} manque (apt-get install chromium chromium-driver), les tests dans le navigateur sont ignorés\n"
                );
            });
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a profile directory");
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                    "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let capabilities = capabilities.as_object().cloned().expect("capabilities are an object");
        let address = format!("http://127.0.0.1:{port}");
        let mut last = None;
        // chromedriver takes a moment to listen.
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&address).await {
                Ok(client) => {
                    let chrome = Chrome { client, driver, _profile: profile, base: String::new(), test };
                    std::fs::create_dir_all(screenshots()).expect("screenshot directory");
                    return Some(chrome);
                }
                Err(error) => last = Some(error.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no WebDriver session: {last:?}");
    }

    /// The same browser, pointed at this service.
    fn serving(mut self, app: &TestApp) -> Self {
        self.base = app.address.clone();
        self
    }

    async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("page opened");
    }

    /// The path (and query) the browser shows.
    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{query}", url.path())
    }

    /// The page's text, as a reader sees it.
    async fn text(&self) -> String {
        let text = self.client.execute("return document.body.innerText;", vec![]).await.expect("page text");
        text.as_str().unwrap_or_default().to_owned()
    }

    async fn fill(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.expect("field cleared");
        field.send_keys(value).await.expect("typed");
    }

    async fn choose(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        field.select_by_value(value).await.unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
    }

    async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks the button whose text contains `words`, and waits for the
    /// page it leads to.
    async fn press(&self, words: &str) {
        let xpath = format!("//button[contains(normalize-space(.), \"{words}\")]");
        self.follow(Locator::XPath(&xpath)).await;
    }

    /// Clicks what leads to another page (a link, a form's button) and
    /// waits until that page has replaced this one: WebDriver's click may
    /// return before the browser has left the page.
    async fn follow(&self, target: Locator<'_>) {
        let page = self.client.find(Locator::Css("html")).await.expect("the page");
        let element = self.client.find(target).await.unwrap_or_else(|e| panic!("{target:?}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("click {target:?}: {e}"));
        for _ in 0..200 {
            // The old page's element goes stale once the new page is there.
            if page.tag_name().await.is_err() {
                let ready = self.client.execute("return document.readyState;", vec![]).await;
                if ready.ok().and_then(|v| v.as_str().map(|s| s == "complete")).unwrap_or(false) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{target:?} led nowhere within 5 s");
    }

    /// Saves the page as `<test>-<name>.png` and checks its accessibility
    /// basics: every form field labelled, every image or chart with a text
    /// alternative, one level-1 heading and headings in order, table
    /// headers with their scope, the page in French.
    async fn check_page(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(screenshots().join(format!("{}-{name}.png", self.test)), png).expect("screenshot saved");
        let problems = self.client.execute(ACCESSIBILITY, vec![]).await.expect("accessibility script");
        let problems: Vec<String> = serde_json::from_value(problems).expect("a list of problems");
        assert!(problems.is_empty(), "page {name} ({}): {problems:#?}", self.path().await);
    }

    /// The session cookie, to download what a link points at as the
    /// browser would.
    async fn session_cookie(&self) -> String {
        let cookie = self.client.get_named_cookie("convergence_session").await.expect("session cookie");
        format!("convergence_session={}", cookie.value())
    }

    async fn sign_in(&self, token: &str) {
        self.goto("/connexion").await;
        self.fill("#token", token).await;
        self.press("Se connecter").await;
    }

    async fn finish(self) {
        let client = self.client.clone();
        let _ = client.close().await;
    }
}

/// The accessibility basics, checked in the page: returns what is wrong.
const ACCESSIBILITY: &str = r#"
const problems = [];
if (document.documentElement.lang !== 'fr') problems.push('langue de la page : ' + document.documentElement.lang);
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button', 'reset'].includes(el.type)) continue;
  const labelled = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest('label')
    || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!labelled) problems.push('champ sans étiquette : ' + (el.name || el.outerHTML.slice(0, 80)));
}
for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push('image sans alternative : ' + img.src);
for (const svg of document.querySelectorAll('svg')) {
  const named = svg.getAttribute('role') === 'img' && (svg.querySelector('title') || svg.getAttribute('aria-label'));
  if (!named && svg.getAttribute('aria-hidden') !== 'true') problems.push('graphique sans alternative');
}
let previous = 0, first = 0;
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  const level = Number(h.tagName[1]);
  if (level === 1) first++;
  if (previous === 0 && level !== 1) problems.push('la page ne commence pas par un titre de niveau 1');
  if (previous && level > previous + 1) problems.push('titre ' + h.tagName + ' après un H' + previous + ' : ' + h.textContent.trim().slice(0, 60));
  previous = level;
}
if (first !== 1) problems.push(first + ' titre(s) de niveau 1');
for (const th of document.querySelectorAll('thead th')) if (!th.getAttribute('scope')) problems.push('en-tête de colonne sans scope : ' + th.textContent.trim());
for (const a of document.querySelectorAll('a')) if (!a.textContent.trim() && !a.getAttribute('aria-label')) problems.push('lien sans texte : ' + a.href);
return problems;
"#;

/// An établissement's inventory: a known product written loosely, and a
/// name nobody knows.
const HAVRE_CSV: &str = "Application;Domaine\ncrosway;DPI.CORE\nTableur bloc;BLOC.PLAN\n";

/// Downloads a link with the browser's session: its status and content type.
async fn download(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String, usize) {
    let response =
        app.client.get(format!("{}{path}", app.address)).header("cookie", cookie).send().await.expect("download");
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = response.bytes().await.expect("body").len();
    (status, content_type, bytes)
}

browser_test!(a_dsi_deposits_reviews_sets_a_target_downloads_and_signs_out_in_a_browser, |app, chrome| {
    let dsi = app.given_ght_with_open_campaign().await;
    let crossway = app.product_id("M-CrossWay").await;

    // Sign-in: a wrong token is refused on the page, the right one opens it.
    chrome.goto("/ght/NOR-02").await;
    assert!(chrome.path().await.starts_with("/connexion"), "{}", chrome.path().await);
    chrome.check_page("connexion").await;
    chrome.sign_in("cvg_0000000000000000_faux").await;
    assert!(chrome.text().await.contains("Connexion refusée"), "{}", chrome.text().await);
    chrome.sign_in(&dsi).await;
    assert_eq!(chrome.path().await, "/");
    assert!(chrome.text().await.contains("Vous êtes la DSI du GHT NOR-02."), "{}", chrome.text().await);
    chrome.check_page("accueil").await;

    // Before any deposit: nothing in the matrix, no rate.
    chrome.follow(Locator::Css("a[href='/ght/NOR-02']")).await;
    let before = chrome.text().await;
    assert!(before.contains("Aucune ligne validée ni cible"), "{before}");

    // A target for DPI.CORE, found by a search that is a plain form.
    chrome.goto("/ght/NOR-02/cibles").await;
    chrome.choose("#sous_domaine_recherche", "DPI.CORE").await;
    chrome.fill("#recherche", "crossway").await;
    // As one types, the matching products appear without a reload (the
    // same search is a plain form without JavaScript: tests/api/pages.rs).
    let choice = format!("#produit-{crossway}");
    chrome.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(&choice)).await.unwrap();
    assert_eq!(chrome.path().await, "/ght/NOR-02/cibles", "no page was loaded");
    chrome.click(&choice).await;
    chrome.fill("#commentaire", "Choix du comité stratégique").await;
    chrome.press("Enregistrer la cible").await;
    let targets = chrome.text().await;
    assert!(targets.contains("Nouvelle version des cibles enregistrée (DPI.CORE)"), "{targets}");
    assert!(targets.contains("M-CrossWay"), "{targets}");
    chrome.check_page("cibles").await;

    // A deposit: simulated first, its report read, then confirmed.
    chrome.goto("/ght/NOR-02/campagne").await;
    let campaign = chrome.text().await;
    assert!(campaign.contains("0 établissement(s) sur 2 ont un inventaire validé"), "{campaign}");
    chrome.check_page("campagne").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inventaire-havre.csv");
    std::fs::write(&file, csv_1252(HAVRE_CSV)).unwrap();
    chrome.choose("#cible", "760780726").await;
    let input = chrome.client.find(Locator::Css("#fichier")).await.unwrap();
    input.send_keys(&file.display().to_string()).await.unwrap();
    chrome.press("Lire le fichier").await;
    let simulation = chrome.text().await;
    assert!(simulation.contains("Simulation du dépôt (établissement 760780726)"), "{simulation}");
    assert!(simulation.contains("Rien n'a encore été enregistré."), "{simulation}");
    assert!(simulation.contains("Tableur bloc"), "the rows read are shown: {simulation}");
    chrome.check_page("simulation").await;
    let nothing_yet = app.get("/api/v1/ghts/NOR-02/campaigns/2026/inventory").await;
    assert_eq!(nothing_yet.body["total_items"], 0, "a simulation writes nothing");
    chrome.press("Confirmer le dépôt de 2 ligne(s)").await;
    let upload = chrome.path().await;
    assert!(upload.starts_with("/depots/"), "{upload}");
    let page = chrome.text().await;
    assert!(page.contains("statut : validé"), "a DSI's deposit counts at once: {page}");
    chrome.check_page("depot").await;
    let annotated = chrome
        .client
        .find(Locator::Css("a[href$='/annotated.xlsx']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();

    // The GHT page reflects it: the product on target, the rate computed.
    chrome.goto("/ght/NOR-02").await;
    let ght = chrome.text().await;
    assert!(ght.contains("Sur la cible : ✔ M-CrossWay") || ght.contains("✔ M-CrossWay"), "{ght}");
    assert!(ght.contains("Taux de convergence applicative"), "{ght}");
    assert!(ght.contains("100,0 %"), "one établissement concerned, on target: {ght}");
    assert!(ght.contains("Tableur bloc"), "the inventory lists the rows: {ght}");
    chrome.check_page("ght").await;

    // The review: the unknown name resolved in one click.
    chrome.goto("/ght/NOR-02/revue").await;
    assert!(chrome.text().await.contains("« Tableur bloc »"), "{}", chrome.text().await);
    chrome.check_page("revue").await;
    chrome.follow(Locator::XPath("//section[h2[contains(., 'Tableur bloc')]]//button[@value='state:in_house']")).await;
    let reviewed = chrome.text().await;
    assert!(reviewed.contains("« Tableur bloc » est rapproché"), "{reviewed}");
    assert!(!reviewed.contains("« Tableur bloc »\n"), "no longer in the queue: {reviewed}");

    // Every export downloads with the page's session.
    let cookie = chrome.session_cookie().await;
    for path in [
        "/api/v1/ghts/NOR-02/exports/vision.xlsx",
        "/api/v1/ghts/NOR-02/exports/schema-directeur.xlsx",
        "/api/v1/ghts/NOR-02/exports/resah.xlsx",
        "/api/v1/ghts/NOR-02/exports/kit.xlsx",
        "/api/v1/ghts/NOR-02/review.xlsx",
        annotated.as_str(),
    ] {
        let (status, content_type, bytes) = download(&app, &cookie, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(content_type.contains("spreadsheetml"), "{path}: {content_type}");
        assert!(bytes > 1000, "{path}: {bytes} bytes");
    }

    // Sign-out ends the session.
    chrome.press("Se déconnecter").await;
    assert!(chrome.path().await.starts_with("/connexion"), "{}", chrome.path().await);
    chrome.goto("/ght/NOR-02").await;
    assert!(chrome.path().await.starts_with("/connexion"), "{}", chrome.path().await);
    let (status, _, _) = download(&app, &cookie, "/api/v1/ghts/NOR-02/exports/vision.xlsx").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session is over");
    chrome.finish().await;
});

browser_test!(another_ghts_dsi_finds_nothing_and_an_etablissement_sees_its_own_only, |app, chrome| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let stranger = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let fecamp = app.token(Role::Etablissement, None, None, Some("760780734")).await;
    let havre = "/api/v1/etablissements/760780726/campaigns/2026/inventory";
    let deposited = app.deposit(havre, &dsi, "havre.csv", csv_1252(HAVRE_CSV), None).await;
    assert_eq!(deposited.status, StatusCode::CREATED, "{deposited:?}");
    let upload = deposited.body["upload"]["id"].as_i64().unwrap();
    let fecamp_csv = csv_1252("Application;Domaine\nHexagone Web;GAP.ADT\n");
    let fecamp_path = "/api/v1/etablissements/760780734/campaigns/2026/inventory";
    assert_eq!(app.deposit(fecamp_path, &fecamp, "fecamp.csv", fecamp_csv, None).await.status, StatusCode::CREATED);

    // Another GHT's DSI: this GHT's pages are the not-found page, exactly
    // as a GHT that does not exist.
    chrome.sign_in(&stranger).await;
    chrome.goto("/ght/NOR-99").await;
    let absent = chrome.text().await;
    assert!(absent.contains("Cette page n'existe pas, ou elle ne fait pas partie de votre périmètre."), "{absent}");
    chrome.check_page("introuvable").await;
    for path in [
        "/ght/NOR-02".to_owned(),
        "/ght/NOR-02/campagne".to_owned(),
        "/ght/NOR-02/revue".to_owned(),
        "/ght/NOR-02/cibles".to_owned(),
        format!("/depots/{upload}"),
    ] {
        chrome.goto(&path).await;
        assert_eq!(chrome.text().await, absent, "{path}");
    }
    chrome.press("Se déconnecter").await;

    // An établissement: its own line and rows, its own deposit only.
    chrome.sign_in(&fecamp).await;
    chrome.goto("/ght/NOR-02").await;
    let own = chrome.text().await;
    assert!(own.contains("760780734") && own.contains("Hexagone Web"), "{own}");
    assert!(!own.contains("760780726") && !own.contains("crosway"), "not the Havre's: {own}");
    chrome.goto("/ght/NOR-02/campagne").await;
    let campaign = chrome.text().await;
    assert!(!campaign.contains("760780726"), "{campaign}");
    let options = chrome.client.find_all(Locator::Css("#cible option")).await.unwrap();
    assert_eq!(options.len(), 1, "it deposits for itself only");
    chrome.goto(&format!("/depots/{upload}")).await;
    assert!(chrome.text().await.contains("Cette page n'existe pas"), "the Havre's deposit is not its own");
    chrome.finish().await;
});

browser_test!(dgos_reads_the_dashboard_and_the_operator_administers_in_a_browser, |app, chrome| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let havre = "/api/v1/etablissements/760780726/campaigns/2026/inventory";
    assert_eq!(app.deposit(havre, &dsi, "havre.csv", csv_1252(HAVRE_CSV), None).await.status, StatusCode::CREATED);
    let dgos = app.token(Role::National, None, None, None).await;

    chrome.sign_in(&dgos).await;
    chrome.goto("/tableau-de-bord").await;
    let board = chrome.text().await;
    assert!(board.contains("Tableau de bord de la convergence — campagne 2026"), "{board}");
    assert!(board.contains("NOR-02") && board.contains("HDF-01"), "{board}");
    assert!(board.contains("1 / 2"), "the Havre reported, Fécamp did not: {board}");
    chrome.check_page("tableau-de-bord").await;
    chrome.choose("#region", "HDF").await;
    chrome.press("Afficher").await;
    let region = chrome.text().await;
    assert!(region.contains("HDF-01") && !region.contains("NOR-02"), "{region}");
    let cookie = chrome.session_cookie().await;
    let (status, content_type, _) = download(&app, &cookie, "/api/v1/national/exports/indicators.xlsx").await;
    assert_eq!((status, content_type.contains("spreadsheetml")), (StatusCode::OK, true));
    chrome.goto("/admin").await;
    assert!(chrome.text().await.contains("Opération non autorisée"), "{}", chrome.text().await);
    chrome.press("Se déconnecter").await;

    // The operator creates a token, sees it once, revokes it.
    chrome.sign_in(&app.admin_token).await;
    chrome.goto("/admin").await;
    chrome.check_page("administration").await;
    chrome.fill("#titulaire", "DSI des Hauts-de-France").await;
    chrome.choose("#role", "ght").await;
    chrome.fill("#jeton-ght", "HDF-01").await;
    chrome.press("Créer le jeton").await;
    let secret = chrome.client.find(Locator::Css("#secret")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(secret.starts_with("cvg_"), "{secret}");
    let works = app.send(Method::GET, "/api/v1/ghts/HDF-01", Some(&secret), None).await;
    assert_eq!(works.status, StatusCode::OK);
    chrome.goto("/admin").await;
    assert!(!chrome.text().await.contains(&secret), "shown once only");
    let prefix = secret.split('_').nth(1).unwrap();
    chrome.follow(Locator::Css(&format!("form[action='/admin/jetons/{prefix}/revocation'] button"))).await;
    assert!(chrome.text().await.contains("révoqué"), "{}", chrome.text().await);
    let refused = app.send(Method::GET, "/api/v1/ghts/HDF-01", Some(&secret), None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    chrome.finish().await;
});
