//! The HTTP interface: thin handlers that parse, call the core and the
//! store, and map the result to a response.

pub mod answers;
pub mod api;
pub mod auth;
pub mod cookies;
pub mod docs;
pub mod extract;
pub mod limits;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod request_id;
pub mod web;

use std::sync::Arc;

use crate::config::Settings;
use crate::store::Db;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings the service started with.
    pub settings: Arc<Settings>,
    /// How uploads are parsed.
    pub worker: Arc<crate::intake::worker::WorkerConfig>,
    /// Parse workers running at once, in all and per token.
    pub workers: Arc<limits::WorkerGate>,
    /// Requests per token.
    pub rate: Arc<limits::RateLimiter>,
    /// Regional and national answers kept for a moment.
    pub answers: Arc<answers::AnswerCache>,
    /// Pages of GHT inventories kept for a moment (see `http::answers`).
    pub pages: Arc<answers::AnswerCache>,
    /// The OpenID Connect provider, when personal sign-in is configured.
    pub oidc: Option<Arc<crate::integrations::oidc::Provider>>,
    /// The Annuaire Santé, when configured.
    pub annuaire: Option<Arc<crate::integrations::annuaire::Annuaire>>,
    /// The OSIS-like endpoint, when configured.
    pub osis: Option<Arc<crate::integrations::osis::Osis>>,
}
