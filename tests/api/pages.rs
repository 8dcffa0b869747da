//! The pages people use, read as a browser reads them (no JavaScript).

use std::collections::HashMap;

use crate::db_test;
use crate::fixtures::csv_1252;
#[allow(unused_imports)]
use crate::helpers::*;

/// A browser without JavaScript: follows no redirect, keeps its cookies.
struct Browser {
    client: reqwest::Client,
    address: String,
    cookies: HashMap<String, String>,
}

/// What it read.
struct Read {
    status: StatusCode,
    location: String,
    content_type: String,
    text: String,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, address: app.address.clone(), cookies: HashMap::new() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Read {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            request = request.header("cookie", header);
        }
        let response = request.send().await.unwrap();
        let header =
            |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let (location, content_type) = (header("location"), header("content-type"));
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap_or_default();
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Read { status, location, content_type, text }
    }

    async fn get(&mut self, path: &str) -> Read {
        let request = self.client.get(format!("{}{path}", self.address));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Read {
        let request = self.client.post(format!("{}{path}", self.address)).form(form);
        self.send(request).await
    }

    /// A form with a file, as a browser sends it.
    async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, Vec<u8>)) -> Read {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_owned()));
        let request = self.client.post(format!("{}{path}", self.address)).multipart(form);
        self.send(request).await
    }

    /// Signs in with a token and returns the session's CSRF token.
    async fn sign_in(&mut self, token: &str) -> String {
        let signed = self.post("/connexion", &[("token", token), ("return_to", "/")]).await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text);
        hidden(&self.get("/").await.text, "csrf")
    }
}

/// The value of a hidden field of a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split_once(&marker).and_then(|(_, rest)| rest.split_once('"')).map(|(v, _)| v.to_owned()).unwrap_or_default()
}

db_test!(a_dsi_signs_in_with_a_token_sees_its_ght_and_its_exports_and_signs_out, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let mut browser = Browser::new(&app);

    let home = browser.get("/").await;
    assert_eq!((home.status, home.location.as_str()), (StatusCode::SEE_OTHER, "/connexion?return_to=%2F"));
    let page = browser.get("/connexion").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    for expected in ["<html lang=\"fr\">", "<label for=\"token\">", "id=\"token\"", "Aller au contenu"] {
        assert!(page.text.contains(expected), "{expected} in {}", page.text);
    }

    let refused = browser.post("/connexion", &[("token", "cvg_0000000000000000_faux"), ("return_to", "/")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text.contains("Connexion refusée : jeton inconnu, révoqué ou expiré."), "{}", refused.text);
    assert!(refused.text.contains("role=\"alert\""));

    let signed = browser.post("/connexion", &[("token", &dsi), ("return_to", "/")]).await;
    assert_eq!((signed.status, signed.location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text);
    assert!(home.text.contains("Vous êtes la DSI du GHT NOR-02."), "{}", home.text);
    assert!(home.text.contains("<th scope=\"row\"><a href=\"/ght/NOR-02\">NOR-02</a></th>"), "{}", home.text);
    assert!(!home.text.contains("HDF-01"), "another GHT is never shown");
    // The export links work with the page's session.
    let vision = browser.get("/api/v1/ghts/NOR-02/exports/vision.xlsx").await;
    assert_eq!(vision.status, StatusCode::OK);
    assert!(vision.content_type.contains("spreadsheetml"), "{}", vision.content_type);

    // Sign-out needs the page's CSRF field, then ends the session.
    let forged = browser.post("/deconnexion", &[("csrf", "0")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf = hidden(&home.text, "csrf");
    let out = browser.post("/deconnexion", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/connexion"));
    assert!(browser.cookies.is_empty());
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);
});

db_test!(user_text_is_escaped_and_the_stylesheet_is_served_from_the_binary, |app| {
    app.given_ght_with_open_campaign().await;
    let renamed = app
        .send(
            Method::PATCH,
            "/api/v1/ghts/NOR-02",
            Some(&app.admin_token),
            Some(serde_json::json!({"name": "<script>alert(1)</script>"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{renamed:?}");
    let mut browser = Browser::new(&app);
    let admin = app.admin_token.clone();
    browser.post("/connexion", &[("token", &admin)]).await;
    let home = browser.get("/").await;
    assert!(home.text.contains("&lt;script&gt;"), "{}", home.text);
    assert!(!home.text.contains("<script>"));
    let css = browser.get("/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type.starts_with("text/css"));
    assert!(css.text.contains(":focus"), "focus stays visible");
    let malformed = browser.post("/connexion", &[("jeton", "x")]).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.text.contains("formulaire attendu : token"), "{}", malformed.text);
});

db_test!(a_simulated_deposit_writes_nothing_and_only_its_depositor_confirms_it_once, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&dsi).await;
    let csv = csv_1252("Application;Domaine\ncrosway;DPI.CORE\nTableur bloc;BLOC.PLAN\n");
    let fields = [("campagne", "2026"), ("cible", "760780726")];

    let forged =
        browser.upload("/ght/NOR-02/depot", &[("csrf", "0"), fields[0], fields[1]], ("h.csv", csv.clone())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    let simulated =
        browser.upload("/ght/NOR-02/depot", &[("csrf", &csrf), fields[0], fields[1]], ("h.csv", csv.clone())).await;
    assert_eq!(simulated.status, StatusCode::OK, "{}", simulated.text);
    assert!(simulated.text.contains("Rien n'a encore été enregistré."), "{}", simulated.text);
    let key = hidden(&simulated.text, "cle");
    assert_eq!(key.len(), 64, "an unguessable key: {key}");
    let rows = app.get("/api/v1/ghts/NOR-02/campaigns/2026/inventory").await;
    assert_eq!(rows.body["total_items"], 0, "a simulation writes nothing");

    // Another signed-in caller cannot confirm it, even knowing the key.
    let mut other = Browser::new(&app);
    let admin = app.admin_token.clone();
    let other_csrf = other.sign_in(&admin).await;
    let stolen = other.post("/ght/NOR-02/depot/confirmer", &[("csrf", &other_csrf), ("cle", &key)]).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND, "{}", stolen.text);

    let confirmed = browser.post("/ght/NOR-02/depot/confirmer", &[("csrf", &csrf), ("cle", &key)]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.text);
    assert!(confirmed.location.starts_with("/depots/"), "{}", confirmed.location);
    let rows = app.get("/api/v1/ghts/NOR-02/campaigns/2026/inventory").await;
    assert_eq!(rows.body["total_items"], 2, "the simulated file is the one imported");
    let again = browser.post("/ght/NOR-02/depot/confirmer", &[("csrf", &csrf), ("cle", &key)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a key confirms once");

    // A strict deposit with an error is shown without a confirmation.
    let broken = csv_1252("Application;Fin de contrat\nDxCare;31/02/2027\n");
    let refused =
        browser.upload("/ght/NOR-02/depot", &[("csrf", &csrf), fields[0], fields[1]], ("b.csv", broken)).await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text);
    assert!(refused.text.contains("ne peut pas être déposé tel quel"), "{}", refused.text);
    assert!(!refused.text.contains("name=\"cle\""), "nothing to confirm");
    assert!(refused.text.contains("31&#x2f;02&#x2f;2027"), "the value at fault is shown: {}", refused.text);
});

db_test!(a_page_form_from_elsewhere_or_without_the_csrf_token_changes_nothing, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&dsi).await;
    let product = app.product_id("DxCare").await.to_string();
    let form = [("csrf", csrf.as_str()), ("sous_domaine", "DPI.CORE"), ("produit", product.as_str())];
    let forged = browser.post("/ght/NOR-02/cibles", &[("csrf", "0"), form[1], form[2]]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let request = browser
        .client
        .post(format!("{}/ght/NOR-02/cibles", app.address))
        .header("origin", "https://ailleurs.example")
        .form(&form);
    let elsewhere = browser.send(request).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "{}", elsewhere.text);
    let targets = app.send(Method::GET, "/api/v1/ghts/NOR-02/targets", Some(&dsi), None).await;
    assert_eq!(targets.status, StatusCode::NOT_FOUND, "no target was set: {targets:?}");

    // The catalogue search is a plain form: the products come as choices.
    let search = browser.get("/ght/NOR-02/cibles?sous_domaine=DPI.CORE&recherche=dxcare").await;
    assert!(search.text.contains(&format!("id=\"produit-{product}\"")), "{}", search.text);
    assert!(
        search.text.contains("name=\"sous_domaine\" id=\"sous-domaine-cible\" value=\"DPI.CORE\""),
        "{}",
        search.text
    );
    assert!(
        search.text.contains("<script src=\"/static/recherche.js\" defer></script>"),
        "as one types, with JavaScript"
    );
    let headers_page = browser.client.get(format!("{}/ght/NOR-02/cibles", app.address)).send().await.unwrap();
    let csp = headers_page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");

    let saved = browser.post("/ght/NOR-02/cibles", &form).await;
    assert_eq!(
        (saved.status, saved.location.as_str()),
        (StatusCode::SEE_OTHER, "/ght/NOR-02/cibles?enregistre=DPI.CORE")
    );
    let targets = app.send(Method::GET, "/api/v1/ghts/NOR-02/targets", Some(&dsi), None).await;
    assert_eq!(targets.body["products"][0]["subdomain"], "DPI.CORE", "{targets:?}");
});

db_test!(pages_refuse_what_the_role_may_not_do_and_hide_what_the_scope_does_not_cover, |app| {
    app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    let fecamp = app.token(Role::Etablissement, None, None, Some("760780734")).await;
    let dsi = app.token(Role::Ght, Some("NOR-02"), None, None).await;
    let ars = app.token(Role::Regional, None, Some("NOR"), None).await;

    let mut browser = Browser::new(&app);
    browser.sign_in(&fecamp).await;
    for path in ["/admin", "/tableau-de-bord", "/ght/NOR-02/revue"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {}", page.text);
        assert!(page.text.contains("Opération non autorisée"), "{path}");
    }
    let mut browser = Browser::new(&app);
    browser.sign_in(&dsi).await;
    assert_eq!(browser.get("/tableau-de-bord").await.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/ght/HDF-01").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/ght/pas-un-code").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/depots/999999").await.status, StatusCode::NOT_FOUND);

    // An ARS compares its region's GHTs only.
    let mut browser = Browser::new(&app);
    browser.sign_in(&ars).await;
    let board = browser.get("/tableau-de-bord").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.text);
    assert!(board.text.contains("NOR-02") && !board.text.contains("HDF-01"), "{}", board.text);
    assert_eq!(browser.get("/tableau-de-bord?region=HDF").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/ght/HDF-01").await.status, StatusCode::NOT_FOUND);
    // An address no page has: the not-found page for a browser, a problem
    // document for the API.
    let request = browser.client.get(format!("{}/ght/NOR-02/inexistante", app.address)).header("accept", "text/html");
    let missing = browser.send(request).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.content_type.starts_with("text/html") && missing.text.contains("Cette page n&#x27;existe pas"),
        "{}",
        missing.text
    );
    let request = browser.client.get(format!("{}/api/v1/inexistante", app.address)).header("accept", "text/html");
    assert!(browser.send(request).await.content_type.starts_with("application/problem+json"));
    let twice = browser.get("/tableau-de-bord?region=NOR&region=HDF").await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert!(twice.text.contains("un paramètre de la page est en double"), "{}", twice.text);
    // Bounded numbers: a page number out of range is refused, not sent to SQL.
    assert_eq!(browser.get("/ght/NOR-02?page=99999999999").await.status, StatusCode::BAD_REQUEST);
});

db_test!(an_etablissement_deposits_and_its_dsi_validates_corrects_and_withdraws_from_the_pages, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let fecamp = app.token(Role::Etablissement, None, None, Some("760780734")).await;
    let mut own = Browser::new(&app);
    let csrf = own.sign_in(&fecamp).await;
    let csv = csv_1252("Application;Domaine;Nombre d'utilisateurs\nDxCare;DPI.CORE;120\n");
    let fields = [("csrf", csrf.as_str()), ("campagne", "2026"), ("cible", "760780734")];
    let simulated = own.upload("/ght/NOR-02/depot", &fields, ("fecamp.csv", csv)).await;
    assert_eq!(simulated.status, StatusCode::OK, "{}", simulated.text);
    let key = hidden(&simulated.text, "cle");
    let confirmed = own.post("/ght/NOR-02/depot/confirmer", &[("csrf", &csrf), ("cle", &key)]).await;
    let upload = confirmed.location.clone();
    let page = own.get(&upload).await;
    assert!(page.text.contains("statut : <strong>en attente de validation</strong>"), "{}", page.text);
    assert!(!page.text.contains("Valider ce dépôt"), "an établissement does not validate its own deposit");

    // The DSI validates it from the upload's page.
    let mut dsi_browser = Browser::new(&app);
    let dsi_csrf = dsi_browser.sign_in(&dsi).await;
    let campaign = dsi_browser.get("/ght/NOR-02/campagne").await;
    assert!(campaign.text.contains("en attente de validation"), "{}", campaign.text);
    let page = dsi_browser.get(&upload).await;
    assert!(page.text.contains("Valider ce dépôt"), "{}", page.text);
    let validated = dsi_browser.post(&format!("{upload}/valider"), &[("csrf", &dsi_csrf)]).await;
    assert_eq!((validated.status, validated.location.as_str()), (StatusCode::SEE_OTHER, upload.as_str()));
    assert!(dsi_browser.get(&upload).await.text.contains("statut : <strong>validé</strong>"));

    // One row corrected in place, then the deposit withdrawn.
    let rows = app.get("/api/v1/ghts/NOR-02/campaigns/2026/inventory").await;
    let entry = rows.body["items"][0]["id"].as_i64().unwrap();
    let form = dsi_browser.get(&format!("/lignes/{entry}")).await;
    assert!(form.text.contains("value=\"120\""), "{}", form.text);
    let corrected =
        dsi_browser.post(&format!("/lignes/{entry}"), &[("csrf", &dsi_csrf), ("utilisateurs", "340")]).await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER, "{}", corrected.text);
    let rows = app.get("/api/v1/ghts/NOR-02/campaigns/2026/inventory").await;
    assert_eq!(rows.body["items"][0]["users"], 340);
    let refused = dsi_browser.post(&format!("/lignes/{entry}"), &[("csrf", &dsi_csrf), ("utilisateurs", "-3")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    let withdrawn = dsi_browser.post(&format!("{upload}/retirer"), &[("csrf", &dsi_csrf)]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert!(dsi_browser.get(&upload).await.text.contains("statut : <strong>retiré</strong>"));
    // The établissement cannot correct a row: the page is refused.
    assert_eq!(own.get(&format!("/lignes/{entry}")).await.status, StatusCode::FORBIDDEN);
});

db_test!(the_operator_opens_a_campaign_and_loads_a_finess_extract_from_the_pages, |app| {
    let mut browser = Browser::new(&app);
    let admin = app.admin_token.clone();
    let csrf = browser.sign_in(&admin).await;
    let opened =
        browser.post("/admin/campagnes", &[("csrf", &csrf), ("annee", "2027"), ("limite", "2027-06-30")]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text);
    let page = browser.get(&opened.location).await;
    assert!(page.text.contains("Campagne 2027 ouverte."), "{}", page.text);
    let again = browser.post("/admin/campagnes", &[("csrf", &csrf), ("annee", "2027")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert!(again.text.contains("la campagne 2027 existe déjà"), "{}", again.text);

    let file = crate::directory::extract(
        "2024-12-31",
        &[crate::directory::site("140000027", "140000035", "CH LISIEUX", "14100 LISIEUX")],
    );
    let loaded = browser.upload("/admin/referentiel/finess", &[("csrf", &csrf)], ("finess.csv", file.clone())).await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
    assert!(loaded.text.contains("Extraction FINESS finess.csv chargée."), "{}", loaded.text);
    let again = browser.upload("/admin/referentiel/finess", &[("csrf", &csrf)], ("finess.csv", file)).await;
    assert!(again.text.contains("déjà"), "the same extract twice changes nothing and says so: {}", again.text);

    // Registered from the loaded directory, then made a member of a new GHT.
    let created = browser
        .post("/admin/ght", &[("csrf", &csrf), ("code", "NOR-09"), ("nom", "GHT du Pays d'Auge"), ("region", "NOR")])
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let registered = browser.post("/admin/etablissements", &[("csrf", &csrf), ("finess", "140000035")]).await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER, "{}", registered.text);
    let said = browser.get(&registered.location).await.text;
    assert!(said.contains("LISIEUX") && said.contains("(140000035) est enregistré."), "{said}");
    let joined = browser
        .post(
            "/admin/adhesions",
            &[("csrf", &csrf), ("ght", "NOR-09"), ("finess", "140000035"), ("debut", "2026-01-01")],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.text);
    let members = browser.get("/admin?ght=NOR-09").await;
    assert!(members.text.contains("CH LISIEUX"), "{}", members.text);
});

db_test!(a_form_from_the_address_the_service_listens_on_is_from_its_own_pages, |app| {
    // No CONVERGENCE_PUBLIC_URL: the service is reached where it listens
    // (a free port here, `serve --bind` on a developer's machine).
    let dsi = app.given_ght_with_open_campaign().await;
    let mut browser = Browser::new(&app);
    let form = [("token", dsi.as_str()), ("return_to", "/")];
    let local = app.address.replace("127.0.0.1", "localhost");
    for (origin, expected) in [
        (app.address.as_str(), StatusCode::SEE_OTHER),
        (local.as_str(), StatusCode::SEE_OTHER),
        ("http://127.0.0.1:1", StatusCode::FORBIDDEN),
    ] {
        let request = browser.client.post(format!("{}/connexion", app.address)).header("origin", origin).form(&form);
        assert_eq!(browser.send(request).await.status, expected, "{origin}");
    }
});

db_test!(a_column_the_report_did_not_recognise_is_mapped_from_the_deposit_form_and_remembered, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut browser = Browser::new(&app);
    let csrf = browser.sign_in(&dsi).await;
    let csv = csv_1252("Truc métier;Domaine\nDxCare;DPI.CORE\nPastel;GAP.ADM\n");
    let base = [("csrf", csrf.as_str()), ("campagne", "2026"), ("cible", "760780726")];
    let unread = browser.upload("/ght/NOR-02/depot", &base, ("a.csv", csv.clone())).await;
    assert!(!unread.text.contains("name=\"cle\""), "no application column, nothing to confirm: {}", unread.text);
    let form = browser.get("/ght/NOR-02/campagne").await;
    assert!(form.text.contains("<option value=\"application\">Application</option>"), "{}", form.text);

    let mapped = [base[0], base[1], base[2], ("entete", "Truc métier"), ("champ", "application")];
    let simulated = browser.upload("/ght/NOR-02/depot", &mapped, ("a.csv", csv.clone())).await;
    let key = hidden(&simulated.text, "cle");
    assert_eq!(key.len(), 64, "{}", simulated.text);
    let confirmed = browser.post("/ght/NOR-02/depot/confirmer", &[("csrf", &csrf), ("cle", &key)]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.text);
    let rows = app.get("/api/v1/ghts/NOR-02/campaigns/2026/inventory").await;
    assert_eq!(rows.body["total_items"], 2, "the mapping declared with the simulation is the one imported");

    // Remembered for the GHT: the same layout reads without it next time.
    let again = browser.upload("/ght/NOR-02/depot", &base, ("b.csv", csv)).await;
    assert!(again.text.contains("name=\"cle\""), "{}", again.text);
});

db_test!(every_page_answers_about_another_scopes_objects_exactly_as_about_absent_ones, |app| {
    // GHT B (HDF-01) with a deposit and a row; the outsiders are of GHT A.
    let dsi_a = app.given_ght_with_open_campaign().await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    app.patch("/api/v1/ghts/HDF-01", serde_json::json!({"name": "GHT MARQUEUR-B"})).await;
    let dsi_b = app.token(Role::Ght, Some("HDF-01"), None, None).await;
    let csv = csv_1252("Application;Domaine\nOutil MARQUEUR-B;DPI.CORE\n");
    let path = "/api/v1/etablissements/620103440/campaigns/2026/inventory";
    let deposit = app.deposit(path, &dsi_b, "b.csv", csv, None).await;
    let upload = deposit.body["upload"]["id"].as_i64().unwrap().to_string();
    let rows = app.all_rows("/api/v1/ghts/HDF-01/campaigns/2026/inventory", &dsi_b).await;
    let entry = rows.body[0]["id"].as_i64().unwrap().to_string();
    let outsiders = [
        dsi_a,
        app.token(Role::Etablissement, None, None, Some("760780734")).await,
        app.token(Role::Regional, None, Some("NOR"), None).await,
    ];
    // Every page that names an object (a page added later is walked too).
    let paths: Vec<&str> = convergence::http::web::PATHS
        .iter()
        .chain(&convergence::http::web::CATALOGUE_PATHS)
        .copied()
        .filter(|p| p.contains('{'))
        .collect();
    assert!(paths.len() >= 15, "{paths:?}");
    for token in &outsiders {
        let mut browser = Browser::new(&app);
        let csrf = browser.sign_in(token).await;
        for template in &paths {
            let object = |code: &str, id: &str| {
                template.replace("{code}", code).replace("{id}", id).replace("{year}", "2026").replace("{prefix}", "0")
            };
            let theirs = object("HDF-01", if template.starts_with("/lignes/") { &entry } else { &upload });
            let absent = object("NOR-99", "999999");
            for method in [Method::GET, Method::POST] {
                let mut answers = Vec::new();
                for path in [&theirs, &absent] {
                    let request = browser.client.request(method.clone(), format!("{}{path}", app.address));
                    let request =
                        if method == Method::POST { request.form(&[("csrf", csrf.as_str())]) } else { request };
                    let read = browser.send(request).await;
                    assert!(!read.text.contains("MARQUEUR-B"), "{method} {path} shows B's data: {}", read.text);
                    // Each answer names its own request: the rest must be the same.
                    let text = match read.text.split_once("\"request_id\":\"") {
                        Some((before, after)) => {
                            format!("{before}{}", after.split_once('"').map_or("", |(_, rest)| rest))
                        }
                        None => read.text,
                    };
                    answers.push((read.status, read.location, text));
                }
                assert_eq!(answers[0], answers[1], "{method} {template}: B's object answers unlike an absent one");
            }
        }
    }
});
