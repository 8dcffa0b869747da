//! Personal sign-in through OpenID Connect, against a wiremock provider:
//! the authorisation code flow with PKCE, the checks every ID token must
//! pass, server-side sessions with their expiry, CSRF protection, and the
//! person's name in the audit trail of what they change.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;

use crate::db_test;
use crate::helpers::*;
use crate::identity_provider::{CLIENT_ID, CLIENT_SECRET, IdentityProvider};

const HAVRE: &str = "760780726";
const FECAMP: &str = "760780734";
pub(crate) const PUBLIC_URL: &str = "http://localhost:8080";
const EMAIL: &str = "marie.curie@ght-caux.fr";

async fn spawn_with_provider(backend: Backend, idp: &IdentityProvider) -> Option<TestApp> {
    let mut settings = idp.settings();
    settings.push(("CONVERGENCE_PUBLIC_URL", PUBLIC_URL.to_owned()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(n, v)| (*n, v.as_str())).collect();
    spawn_app_with(backend, env!("CARGO_BIN_EXE_convergence"), &pairs).await
}

macro_rules! oidc_test {
    ($name:ident, |$app:ident, $idp:ident| $body:block) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $idp = IdentityProvider::start().await;
                let $app = spawn_with_provider(Backend::Sqlite, &$idp).await.expect("SQLite is always available");
                run_bounded(async { $body }).await;
                $app.close().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $idp = IdentityProvider::start().await;
                let Some($app) = spawn_with_provider(Backend::Postgres, &$idp).await else {
                    postgres_half_skipped();
                    return;
                };
                run_bounded(async { $body }).await;
                $app.close().await;
            }
        }
    };
}

/// A browser: follows no redirect, keeps its cookies.
pub(crate) struct Browser {
    client: reqwest::Client,
    pub(crate) cookies: HashMap<String, String>,
    set_cookies: Vec<String>,
}

/// What a browser read.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
    pub(crate) body: serde_json::Value,
}

impl Browser {
    pub(crate) fn new() -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, cookies: HashMap::new(), set_cookies: Vec::new() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let header = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            request = request.header("cookie", header);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap().to_owned();
            let (pair, _) = set.split_once(';').unwrap_or((&set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(set);
        }
        let body = response.json().await.unwrap_or_default();
        Page { status, location, body }
    }

    pub(crate) async fn get(&mut self, url: &str) -> Page {
        let request = self.client.get(url);
        self.send(request).await
    }
}

/// A sign-in sent to the provider: what the authorisation URL carried.
pub(crate) struct Started {
    pub(crate) state: String,
    pub(crate) nonce: String,
    challenge: String,
}

async fn start(app: &TestApp, browser: &mut Browser, idp: &IdentityProvider) -> Started {
    start_at(&app.address, browser, idp).await
}

/// Starts a sign-in at a service's address.
pub(crate) async fn start_at(address: &str, browser: &mut Browser, idp: &IdentityProvider) -> Started {
    let page = browser.get(&format!("{address}/auth/oidc/login?return_to=/ghts/NOR-02")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{:?}", page.body);
    assert!(page.location.starts_with(&format!("{}/authorize?", idp.issuer)), "{}", page.location);
    let url = url::Url::parse(&page.location).unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], format!("{PUBLIC_URL}/auth/oidc/callback"));
    assert_eq!(
        browser.cookies.get("convergence_sign_in"),
        Some(&query["state"]),
        "the sign-in is bound to the browser"
    );
    Started { state: query["state"].clone(), nonce: query["nonce"].clone(), challenge: query["code_challenge"].clone() }
}

async fn come_back(app: &TestApp, browser: &mut Browser, code: &str, state: &str) -> Page {
    come_back_at(&app.address, browser, code, state).await
}

/// Comes back from the provider to a service's address.
pub(crate) async fn come_back_at(address: &str, browser: &mut Browser, code: &str, state: &str) -> Page {
    browser.get(&format!("{address}/auth/oidc/callback?code={code}&state={state}")).await
}

/// Signs a person in with a valid ID token; returns the browser.
async fn signed_in(app: &TestApp, idp: &IdentityProvider, subject: &str, email: &str, code: &str) -> Browser {
    let mut browser = Browser::new();
    let started = start(app, &mut browser, idp).await;
    idp.answer_code(code, &idp.sign(&idp.claims(subject, Some(email), &started.nonce))).await;
    let page = come_back(app, &mut browser, code, &started.state).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{:?}", page.body);
    assert_eq!(page.location, "/ghts/NOR-02");
    browser
}

async fn grant(app: &TestApp, email: &str, role: &str, ght: Option<&str>) -> serde_json::Value {
    let reply = app.post("/api/v1/users", serde_json::json!({"email": email, "role": role, "ght_code": ght})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    reply.body
}

async fn session_count(app: &TestApp) -> usize {
    use sea_orm::{EntityTrait, PaginatorTrait};
    convergence::store::entities::session::Entity::find().count(app.db.reader()).await.unwrap() as usize
}

oidc_test!(a_granted_person_signs_in_and_the_audit_trail_names_them, |app, idp| {
    app.given_ght("NOR-02", "NOR", &[HAVRE, FECAMP]).await;
    app.given_ght("HDF-01", "HDF", &["620103440"]).await;
    grant(&app, "Marie.Curie@GHT-Caux.fr", "ght", Some("NOR-02")).await;

    let mut browser = Browser::new();
    let started = start(&app, &mut browser, &idp).await;
    let claims = idp.claims("subject-marie", Some(EMAIL), &started.nonce);
    idp.answer_code("code-1", &idp.sign(&claims)).await;
    let page = come_back(&app, &mut browser, "code-1", &started.state).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{:?}", page.body);
    assert_eq!(page.location, "/ghts/NOR-02", "back where the person started");
    let session_cookie = browser.set_cookies.iter().find(|c| c.starts_with("convergence_session=")).unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session_cookie.contains(attribute), "{session_cookie}");
    }
    assert!(!browser.cookies.contains_key("convergence_sign_in"), "the binding cookie is cleared");

    // PKCE: the verifier sent with the code is the one of the challenge,
    // and the client authenticated itself.
    let exchanged = idp.token_requests().await;
    assert_eq!(exchanged.len(), 1);
    assert_eq!(convergence::auth::oidc::pkce_challenge(&exchanged[0]["code_verifier"]), started.challenge);
    assert_eq!(exchanged[0]["client_secret"], CLIENT_SECRET);
    assert_eq!(exchanged[0]["grant_type"], "authorization_code");

    // The session reads what a DSI of NOR-02 reads, and nothing else.
    let me = browser.get(&format!("{}/api/v1/session", app.address)).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["caller"], "person");
    assert_eq!(me.body["label"], EMAIL);
    assert_eq!(me.body["role"], "ght");
    assert_eq!(me.body["ght_code"], "NOR-02");
    let csrf = me.body["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(browser.get(&format!("{}/api/v1/ghts/NOR-02", app.address)).await.status, StatusCode::OK);
    assert_eq!(browser.get(&format!("{}/api/v1/ghts/HDF-01", app.address)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get(&format!("{}/api/v1/users", app.address)).await.status, StatusCode::FORBIDDEN);

    // A change without the CSRF token, or from another site, is refused.
    let dxcare = app.product_id("DxCare").await;
    let targets = serde_json::json!({"products": [{"subdomain": "DPI.CORE", "product_id": dxcare}]});
    let url = format!("{}/api/v1/ghts/NOR-02/targets", app.address);
    let bare = browser.client.put(&url).json(&targets);
    let refused = browser.send(bare).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["type"], "urn:convergence:problem:csrf");
    let elsewhere = browser.client.put(&url).header("x-csrf-token", &csrf).header("origin", "https://evil.example");
    assert_eq!(browser.send(elsewhere.json(&targets)).await.status, StatusCode::FORBIDDEN);
    let wrong = browser.client.put(&url).header("x-csrf-token", "0".repeat(64));
    assert_eq!(browser.send(wrong.json(&targets)).await.status, StatusCode::FORBIDDEN);
    let from_here = browser.client.put(&url).header("x-csrf-token", &csrf).header("origin", PUBLIC_URL);
    let changed = browser.send(from_here.json(&targets)).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);

    // The audit trail names the person.
    let events = app.get("/api/v1/audit-events?action=targets.replace").await;
    let event = &events.body["items"][0];
    assert_eq!(event["actor"], EMAIL, "{events:?}");
    assert_eq!(event["actor_kind"], "person");
    let opened = app.get("/api/v1/audit-events?action=session.open").await;
    assert_eq!(opened.body["items"][0]["actor"], EMAIL, "{opened:?}");
    let people = app.get("/api/v1/users").await;
    assert_eq!(people.body[0]["display_name"], "Marie Curie");
    assert_eq!(people.body[0]["bound"], true);

    // Sign-out ends the session on the server, not only in the browser.
    let secret = browser.cookies["convergence_session"].clone();
    let out = browser.client.post(format!("{}/auth/logout", app.address)).header("x-csrf-token", &csrf);
    assert_eq!(browser.send(out).await.status, StatusCode::NO_CONTENT);
    assert!(!browser.cookies.contains_key("convergence_session"));
    browser.cookies.insert("convergence_session".to_owned(), secret);
    let after = browser.get(&format!("{}/api/v1/session", app.address)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
});

oidc_test!(id_tokens_that_fail_a_check_open_no_session, |app, idp| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    grant(&app, EMAIL, "ght", Some("NOR-02")).await;
    let now = chrono::Utc::now().timestamp();
    type Tamper = fn(&IdentityProvider, serde_json::Value) -> String;
    let cases: [(&str, Tamper, &str); 6] = [
        ("bad signature", |idp, c| idp.forge(&c), "signature"),
        (
            "wrong audience",
            |idp, mut c| {
                c["aud"] = serde_json::json!("another-client");
                idp.sign(&c)
            },
            "destiné",
        ),
        (
            "wrong issuer",
            |idp, mut c| {
                c["iss"] = serde_json::json!("https://evil.example");
                idp.sign(&c)
            },
            "fournisseur attendu",
        ),
        (
            "expired",
            |idp, mut c| {
                let past = chrono::Utc::now().timestamp() - 3600;
                c["exp"] = serde_json::json!(past);
                c["iat"] = serde_json::json!(past - 300);
                idp.sign(&c)
            },
            "expiré",
        ),
        (
            "another sign-in's nonce",
            |idp, mut c| {
                c["nonce"] = serde_json::json!("a-nonce-of-another-sign-in");
                idp.sign(&c)
            },
            "nonce",
        ),
        (
            "several audiences, authorised party elsewhere",
            |idp, mut c| {
                c["aud"] = serde_json::json!([CLIENT_ID, "another-client"]);
                c["azp"] = serde_json::json!("another-client");
                idp.sign(&c)
            },
            "destiné",
        ),
    ];
    assert!(now > 0);
    for (index, (case, tamper, says)) in cases.into_iter().enumerate() {
        let mut browser = Browser::new();
        let started = start(&app, &mut browser, &idp).await;
        let code = format!("bad-{index}");
        let token = tamper(&idp, idp.claims("subject-marie", Some(EMAIL), &started.nonce));
        idp.answer_code(&code, &token).await;
        let page = come_back(&app, &mut browser, &code, &started.state).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{case}: {:?}", page.body);
        assert_eq!(page.body["type"], "urn:convergence:problem:sign-in-refused", "{case}");
        let detail = page.body["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{case}: {detail}");
        assert!(!browser.cookies.contains_key("convergence_session"), "{case}");
    }
    assert_eq!(session_count(&app).await, 0);
    // The same person with a valid token gets in: the refusals were about
    // the tokens.
    signed_in(&app, &idp, "subject-marie", EMAIL, "good").await;
    assert_eq!(session_count(&app).await, 1);
});

oidc_test!(a_sign_in_is_used_once_and_only_in_its_browser, |app, idp| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    grant(&app, EMAIL, "ght", Some("NOR-02")).await;
    let mut browser = Browser::new();
    let started = start(&app, &mut browser, &idp).await;
    idp.answer_code("code-r", &idp.sign(&idp.claims("subject-marie", Some(EMAIL), &started.nonce))).await;

    // Another browser (no binding cookie) cannot finish it.
    let mut other = Browser::new();
    let stolen = come_back(&app, &mut other, "code-r", &started.state).await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN, "{:?}", stolen.body);

    let binding = browser.cookies["convergence_sign_in"].clone();
    assert_eq!(come_back(&app, &mut browser, "code-r", &started.state).await.status, StatusCode::SEE_OTHER);
    // Replayed, even with the binding cookie put back: refused.
    browser.cookies.insert("convergence_sign_in".to_owned(), binding);
    let replayed = come_back(&app, &mut browser, "code-r", &started.state).await;
    assert_eq!(replayed.status, StatusCode::FORBIDDEN);
    assert!(replayed.body["detail"].as_str().unwrap().contains("déjà utilisée"), "{:?}", replayed.body);
    // An unknown state, and the provider's own refusal.
    browser.cookies.insert("convergence_sign_in".to_owned(), "forged".to_owned());
    assert_eq!(come_back(&app, &mut browser, "x", "forged").await.status, StatusCode::FORBIDDEN);
    let denied = browser.get(&format!("{}/auth/oidc/callback?error=access_denied", app.address)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(session_count(&app).await, 1);
});

oidc_test!(only_granted_people_get_in_and_revoking_ends_their_sessions, |app, idp| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    // Nobody granted this address.
    let mut browser = Browser::new();
    let started = start(&app, &mut browser, &idp).await;
    idp.answer_code("c-none", &idp.sign(&idp.claims("subject-x", Some("x@ailleurs.fr"), &started.nonce))).await;
    let page = come_back(&app, &mut browser, "c-none", &started.state).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body["detail"].as_str().unwrap().contains("aucun droit"), "{:?}", page.body);

    let person = grant(&app, EMAIL, "ght", Some("NOR-02")).await;
    let mut browser = signed_in(&app, &idp, "subject-marie", EMAIL, "c-1").await;
    let me = format!("{}/api/v1/session", app.address);
    assert_eq!(browser.get(&me).await.status, StatusCode::OK);

    // Another identity at the provider with the same address is not Marie.
    let mut impostor = Browser::new();
    let started = start(&app, &mut impostor, &idp).await;
    idp.answer_code("c-imp", &idp.sign(&idp.claims("subject-other", Some(EMAIL), &started.nonce))).await;
    let page = come_back(&app, &mut impostor, "c-imp", &started.state).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body["detail"].as_str().unwrap().contains("autre identité"), "{:?}", page.body);

    let id = person["id"].as_i64().unwrap();
    let revoked = app.send(Method::DELETE, &format!("/api/v1/users/{id}"), Some(&app.admin_token.clone()), None).await;
    assert_eq!(revoked.status, StatusCode::OK, "{revoked:?}");
    assert_eq!(browser.get(&me).await.status, StatusCode::UNAUTHORIZED, "revoked at once");
    let mut again = Browser::new();
    let started = start(&app, &mut again, &idp).await;
    idp.answer_code("c-2", &idp.sign(&idp.claims("subject-marie", Some(EMAIL), &started.nonce))).await;
    assert_eq!(come_back(&app, &mut again, "c-2", &started.state).await.status, StatusCode::FORBIDDEN);
    let events = app.get("/api/v1/audit-events?object_type=user").await;
    let actions: Vec<&str> =
        events.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.revoke", "user.create"]);
});

oidc_test!(sessions_expire_when_idle_and_at_their_end, |app, idp| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    grant(&app, EMAIL, "ght", Some("NOR-02")).await;
    let me = format!("{}/api/v1/session", app.address);
    let postgres = app.db.reader().get_database_backend() == sea_orm::DbBackend::Postgres;
    let hours_ago = |h: i64| {
        if postgres { format!("NOW() - INTERVAL '{h} hours'") } else { format!("datetime('now', '-{h} hours')") }
    };

    let mut idle = signed_in(&app, &idp, "subject-marie", EMAIL, "c-idle").await;
    assert_eq!(idle.get(&me).await.status, StatusCode::OK);
    // Two hours without a request (the idle limit is one hour).
    let sql = format!("UPDATE sessions SET last_seen_at = {}", hours_ago(2));
    app.db.writer().execute_unprepared(&sql).await.unwrap();
    assert_eq!(idle.get(&me).await.status, StatusCode::UNAUTHORIZED);

    let mut old = signed_in(&app, &idp, "subject-marie", EMAIL, "c-old").await;
    assert_eq!(old.get(&me).await.status, StatusCode::OK);
    let sql = format!("UPDATE sessions SET expires_at = {} WHERE ended_at IS NULL", hours_ago(1));
    app.db.writer().execute_unprepared(&sql).await.unwrap();
    assert_eq!(old.get(&me).await.status, StatusCode::UNAUTHORIZED, "past its absolute end, however active");
});

oidc_test!(the_address_comes_from_userinfo_when_the_id_token_has_none, |app, idp| {
    app.given_ght("NOR-02", "NOR", &[HAVRE]).await;
    let refused = app.post("/api/v1/users", serde_json::json!({"email": "pas-une-adresse", "role": "national"})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused:?}");
    let regional =
        app.post("/api/v1/users", serde_json::json!({"email": EMAIL, "role": "regional", "region_code": "NOR"})).await;
    assert_eq!(regional.status, StatusCode::CREATED, "{regional:?}");

    let mut browser = Browser::new();
    let started = start(&app, &mut browser, &idp).await;
    idp.answer_code("c-ui", &idp.sign(&idp.claims("subject-marie", None, &started.nonce))).await;
    idp.answer_userinfo("c-ui", serde_json::json!({"sub": "subject-marie", "email": EMAIL})).await;
    let page = come_back(&app, &mut browser, "c-ui", &started.state).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{:?}", page.body);
    let me = browser.get(&format!("{}/api/v1/session", app.address)).await;
    assert_eq!(me.body["role"], "regional");
    assert_eq!(me.body["region_code"], "NOR");
});

db_test!(without_a_provider_sign_in_is_absent, |app| {
    let reply = app.send(Method::GET, "/auth/oidc/login", None, None).await;
    assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    // A session cookie of the right shape but unknown opens nothing.
    let response = app
        .client
        .get(format!("{}/api/v1/session", app.address))
        .header("cookie", format!("convergence_session=cvs_{}", "A".repeat(43)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
});

db_test!(a_token_pasted_once_opens_a_browser_session_that_ends_with_the_token, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut browser = Browser::new();
    let sign_in = format!("{}/auth/token", app.address);

    // Refused: an unknown token, or a form posted from another site.
    let unknown = browser.client.post(&sign_in).form(&[("token", "cvg_0000000000000000_nope")]);
    let refused = browser.send(unknown).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["type"], "urn:convergence:problem:sign-in-refused");
    let elsewhere = browser.client.post(&sign_in).header("origin", "https://evil.example").form(&[("token", &dsi)]);
    assert_eq!(browser.send(elsewhere).await.status, StatusCode::FORBIDDEN);
    assert!(browser.cookies.is_empty());

    let signed = browser.client.post(&sign_in).form(&[("token", dsi.as_str()), ("return_to", "/ghts/NOR-02")]);
    let signed = browser.send(signed).await;
    assert_eq!((signed.status, signed.location.as_str()), (StatusCode::SEE_OTHER, "/ghts/NOR-02"));
    let cookie =
        browser.set_cookies.iter().find(|c| c.starts_with("convergence_session=")).cloned().unwrap_or_default();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains(&dsi), "the session is not the token");

    // The token's role and scope, decided at each request; CSRF for changes.
    let me = browser.get(&format!("{}/api/v1/session", app.address)).await;
    assert_eq!((me.body["caller"].as_str(), me.body["ght_code"].as_str()), (Some("token"), Some("NOR-02")));
    let csrf = me.body["csrf_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(csrf.len(), 64, "{:?}", me.body);
    assert_eq!(browser.get(&format!("{}/api/v1/ghts/HDF-01", app.address)).await.status, StatusCode::NOT_FOUND);
    let answer = format!("{}/api/v1/ghts/NOR-02/campaigns/2026/answers/GOV.SDSI", app.address);
    let body = serde_json::json!({"status": "en_cours"});
    let bare = browser.client.put(&answer).json(&body);
    assert_eq!(browser.send(bare).await.status, StatusCode::FORBIDDEN, "no CSRF token");
    let with_csrf = browser.client.put(&answer).header("x-csrf-token", &csrf).json(&body);
    let changed = browser.send(with_csrf).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);

    // Revoking the token ends the session at once.
    let principal = convergence::auth::Principal::command_line("test");
    let actor = convergence::store::audit::Actor { principal: &principal, request_id: None };
    convergence::service::tokens::revoke(&app.db, actor, &dsi[4..16]).await.unwrap();
    let after = browser.get(&format!("{}/api/v1/session", app.address)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
});

db_test!(signing_out_ends_a_token_session_on_the_server, |app| {
    let dsi = app.given_ght_with_open_campaign().await;
    let mut browser = Browser::new();
    let signed = browser.client.post(format!("{}/auth/token", app.address)).form(&[("token", dsi.as_str())]);
    assert_eq!(browser.send(signed).await.status, StatusCode::SEE_OTHER);
    let me = browser.get(&format!("{}/api/v1/session", app.address)).await;
    let csrf = me.body["csrf_token"].as_str().unwrap_or_default().to_owned();
    let secret = browser.cookies["convergence_session"].clone();
    let out = browser.client.post(format!("{}/auth/logout", app.address)).header("x-csrf-token", &csrf);
    assert_eq!(browser.send(out).await.status, StatusCode::NO_CONTENT);
    browser.cookies.insert("convergence_session".to_owned(), secret);
    assert_eq!(browser.get(&format!("{}/api/v1/session", app.address)).await.status, StatusCode::UNAUTHORIZED);
    // The token itself still opens the API.
    let direct = app.send(Method::GET, "/api/v1/ghts/NOR-02", Some(&dsi), None).await;
    assert_eq!(direct.status, StatusCode::OK);
});
