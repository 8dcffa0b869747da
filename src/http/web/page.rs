//! What every page shares: who is calling (from the session, decided by
//! the same code as the API), rendering in the binary's templates, and
//! errors said as pages in French.

use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, context};
use serde::Serialize;

use super::super::AppState;
use super::super::auth::session_secret;
use super::super::cookies::{same_origin, see_other};
use super::super::request_id::current_request_id;
use crate::auth::Principal;
use crate::auth::session::csrf_token;
use crate::domain::Role;
use crate::error::AppError;
use crate::store::audit::Actor;

/// The templates, by name, compiled once.
const TEMPLATES: [(&str, &str); 14] = [
    ("base.html", include_str!("templates/base.html")),
    ("connexion.html", include_str!("templates/connexion.html")),
    ("accueil.html", include_str!("templates/accueil.html")),
    ("erreur.html", include_str!("templates/erreur.html")),
    ("tableau.html", include_str!("templates/tableau.html")),
    ("ght.html", include_str!("templates/ght.html")),
    ("campagne.html", include_str!("templates/campagne.html")),
    ("simulation.html", include_str!("templates/simulation.html")),
    ("depot.html", include_str!("templates/depot.html")),
    ("ligne.html", include_str!("templates/ligne.html")),
    ("revue.html", include_str!("templates/revue.html")),
    ("cibles.html", include_str!("templates/cibles.html")),
    ("admin.html", include_str!("templates/admin.html")),
    ("rapport.html", include_str!("templates/rapport.html")),
];

fn templates() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        // Templates ending in .html are escaped: user text is never markup.
        for (name, source) in TEMPLATES {
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(%error, template = name, "a page template does not compile");
            }
        }
        env
    })
}

/// A page rendered from its template.
///
/// # Errors
/// `Internal` when the template is missing or fails (a fault of the
/// service, logged).
pub fn render(name: &str, values: minijinja::Value) -> Result<Html<String>, AppError> {
    let template = templates().get_template(name).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Html(template.render(values).map_err(|e| AppError::Internal(e.into()))?))
}

/// The signed-in caller as the layout shows them (and the CSRF token every
/// form of the page carries).
#[derive(Debug, Clone, Serialize)]
pub struct CallerView {
    /// Who, as the audit trail names them.
    pub label: String,
    /// Their role, as the API names it.
    pub role: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Whether the navigation shows the dashboard.
    pub compares: bool,
    /// Whether the navigation shows the administration.
    pub administers: bool,
    /// The GHT page the navigation links to, for a DSI or an établissement.
    pub own_ght: Option<String>,
}

/// The signed-in caller of a page. Without a session, a page answers with
/// the sign-in page (coming back here after); a change must come from this
/// service's own pages and carry the session's CSRF token in a field
/// ([`Visitor::check_csrf`]).
#[derive(Debug)]
pub struct Visitor {
    /// Who, with the role and scope decided now from its token or grant.
    pub principal: Principal,
    /// The layout's view of them.
    pub view: CallerView,
    request_id: Option<String>,
}

impl Visitor {
    /// The caller as the audit trail records it.
    pub fn actor(&self) -> Actor<'_> {
        Actor { principal: &self.principal, request_id: self.request_id.as_deref() }
    }

    /// Refuses a role that can never use this page: the policy of the API
    /// routes that do the same thing, so that a page and its route decide
    /// alike.
    ///
    /// # Errors
    /// `Forbidden` for another role.
    pub fn require<P: crate::http::auth::Policy>(&self) -> Result<(), PageError> {
        if P::ROLES.contains(&self.principal.role) {
            Ok(())
        } else {
            Err(self.error(AppError::Forbidden { role: self.principal.role.to_string() }))
        }
    }

    /// Checks the CSRF field of a form.
    ///
    /// # Errors
    /// `CsrfRejected` when it is not the session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if crate::auth::digests_match(sent, &self.view.csrf) { Ok(()) } else { Err(self.error(AppError::CsrfRejected)) }
    }

    /// An error page with this caller's layout.
    pub fn error(&self, error: AppError) -> PageError {
        PageError::new(error, Some(self.view.clone()))
    }

    /// A page for this caller.
    ///
    /// # Errors
    /// As [`render`].
    pub fn page(&self, name: &str, values: minijinja::Value) -> Result<Response, PageError> {
        let values = context! { caller => &self.view, ..values };
        render(name, values).map(IntoResponse::into_response).map_err(|e| self.error(e))
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let plain = |error: AppError| PageError::new(error, None).into_response();
        let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let to_sign_in = || {
            let back = if parts.method.is_safe() { here } else { "/" };
            let location = format!("/connexion?return_to={}", encode(back));
            see_other(&location, Vec::new()).unwrap_or_else(plain)
        };
        let Some(secret) = session_secret(&parts.headers) else { return Err(to_sign_in()) };
        let principal = match crate::service::sign_in::authenticate(&state.db, state.settings.sessions, secret).await {
            Ok(Some(principal)) => principal,
            Ok(None) => return Err(to_sign_in()),
            Err(error) => return Err(plain(error)),
        };
        state.rate.check(principal.caller, std::time::Instant::now()).map_err(plain)?;
        if !parts.method.is_safe() && !same_origin(&state.settings, &parts.headers) {
            return Err(plain(AppError::CsrfRejected));
        }
        tracing::Span::current().record("principal", principal.label.as_str());
        let view = CallerView {
            label: principal.label.clone(),
            role: principal.role.to_string(),
            csrf: csrf_token(secret),
            compares: matches!(principal.role, Role::Admin | Role::National | Role::Regional),
            administers: principal.role == Role::Admin,
            own_ght: principal.own_ght().map(ToString::to_string),
        };
        Ok(Visitor { principal, view, request_id: current_request_id() })
    }
}

/// A form sent from one of the service's pages by a signed-in caller, its
/// CSRF field checked against the session before the handler runs: every
/// change a page makes goes through here (or [`Uploaded`]).
#[derive(Debug)]
pub struct Submitted<T> {
    /// Who sent it.
    pub visitor: Visitor,
    /// Its fields (besides `csrf`).
    pub form: T,
}

/// A form with nothing but its CSRF field.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoFields {}

#[derive(serde::Deserialize)]
struct WithCsrf<T> {
    csrf: String,
    #[serde(flatten)]
    fields: T,
}

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<AppState> for Submitted<T> {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let sent = match axum::Form::<WithCsrf<T>>::from_request(request, state).await {
            Ok(axum::Form(sent)) => sent,
            Err(_) => {
                let error = AppError::BadRequest(
                    "formulaire illisible : un champ manque ou n'a pas la forme attendue ; renvoyez-le depuis la page"
                        .to_owned(),
                );
                return Err(visitor.error(error).into_response());
            }
        };
        visitor.check_csrf(&sent.csrf).map_err(IntoResponse::into_response)?;
        Ok(Submitted { visitor, form: sent.fields })
    }
}

/// A form with a file sent from one of the service's pages (a deposit, a
/// review workbook, a national reference file), its CSRF field checked;
/// the file limited as the API limits it (a reference file has the larger
/// limit), each text field to 4 KiB.
#[derive(Debug)]
pub struct Uploaded {
    /// Who sent it.
    pub visitor: Visitor,
    /// Its text fields.
    pub form: TextFields,
    /// The file chosen (its name and bytes), if any.
    pub file: Option<(String, Vec<u8>)>,
}

/// The text fields of a form with a file.
#[derive(Debug, Default)]
pub struct TextFields(std::collections::HashMap<String, String>);

impl TextFields {
    /// A field, trimmed; `None` when absent or blank.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

impl axum::extract::FromRequest<AppState> for Uploaded {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let limit = if crate::http::limits::is_reference_route(parts.uri.path()) {
            state.settings.max_reference_bytes
        } else {
            state.settings.max_upload_bytes
        };
        let request = axum::extract::Request::from_parts(parts, body);
        let read = async {
            let multipart = axum::extract::Multipart::from_request(request, state).await?;
            crate::http::extract::form_parts(multipart, limit, "fichier").await
        };
        let (fields, file) = match read.await {
            Ok(read) => read,
            Err(error) => return Err(visitor.error(error).into_response()),
        };
        visitor.check_csrf(fields.get("csrf").map_or("", String::as_str)).map_err(IntoResponse::into_response)?;
        Ok(Uploaded { visitor, form: TextFields(fields), file })
    }
}

/// A page's query string; one it cannot read (a key twice, say) is said in
/// French, as a page.
#[derive(Debug)]
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(query)) => Ok(PageQuery(query)),
            Err(_) => Err(PageError::from(AppError::BadRequest(
                "adresse illisible : un paramètre de la page est en double ou mal formé".to_owned(),
            ))),
        }
    }
}

/// A page's form, or a French message when it is not one.
///
/// # Errors
/// `BadRequest` naming the fields expected.
pub fn form<T>(
    form: Result<axum::Form<T>, axum::extract::rejection::FormRejection>,
    fields: &str,
) -> Result<T, AppError> {
    form.map(|axum::Form(form)| form).map_err(|_| AppError::BadRequest(format!("formulaire attendu : {fields}")))
}

/// A query-string value, percent-encoded.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An error said as a page: its status, its French title and message, the
/// layout of the caller when known. A GHT out of scope is the same
/// not-found page as an absent one.
#[derive(Debug)]
pub struct PageError(Box<Failure>);

#[derive(Debug)]
struct Failure {
    error: AppError,
    caller: Option<CallerView>,
}

impl PageError {
    fn new(error: AppError, caller: Option<CallerView>) -> Self {
        PageError(Box::new(Failure { error, caller }))
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError::new(error, None)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let Failure { error, caller } = *self.0;
        let (status, _, title) = error.classify();
        let message = match &error {
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "page failed");
                error.to_string()
            }
            AppError::NotFound(_) => {
                "Cette page n'existe pas, ou elle ne fait pas partie de votre périmètre.".to_owned()
            }
            other => other.to_string(),
        };
        let page = render("erreur.html", context! { caller, status => status.as_u16(), title, message });
        match page {
            Ok(page) => (status, page).into_response(),
            Err(_) => (status, format!("{title} : {message}")).into_response(),
        }
    }
}
