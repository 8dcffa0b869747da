//! The pages people use, read as a browser reads them (no JavaScript).

use std::collections::HashMap;

use crate::db_test;
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
