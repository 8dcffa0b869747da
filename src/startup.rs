//! Building and running the application.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::{Modify as _, OpenApi as _};

use crate::config::LimitSettings;
use crate::config::Settings;
use crate::http::answers::AnswerCache;
use crate::http::limits::{BodyLimits, ConnectionLimiter, MAX_JSON_BYTES, RateLimiter, WorkerGate};
use crate::http::middleware::{self, ContextConfig, DocumentedRoutes};
use crate::http::openapi::{ApiDoc, StandardErrors, documented_routes};
use crate::http::request_id::{ClientRequestId, REQUEST_ID_HEADER};
use crate::http::{AppState, api};
use crate::store::{Db, seed};

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// Where the API documentation page is served.
pub const DOCS_PATH: &str = "/api/docs";

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    limits: LimitSettings,
}

impl Application {
    /// Connects to the database, migrates it, seeds the reference data,
    /// and binds the listener (port 0 picks a free port, for tests).
    ///
    /// # Errors
    /// When the database or the address is unusable.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        let seeded = seed::seed_reference(&db).await?;
        if seeded != seed::SeedReport::default() {
            tracing::info!(?seeded, "reference data seeded");
        }
        let listener = TcpListener::bind(settings.bind).await?;
        if settings.public_url_from_bind
            && let Some(url) = crate::config::local_url(listener.local_addr()?)
        {
            settings.public_url = url;
        }
        let worker = Arc::new(worker_config(&settings)?);
        let limits = settings.limits.clone();
        let workers = Arc::new(WorkerGate::new(limits.workers, limits.workers_per_token));
        let rate = Arc::new(RateLimiter::new(limits.rate_per_second, limits.rate_burst));
        let oidc = match settings.oidc.clone() {
            Some(oidc) => Some(Arc::new(crate::integrations::oidc::Provider::new(oidc, settings.outbound)?)),
            None => None,
        };
        let annuaire = match settings.annuaire.clone() {
            Some(annuaire) => {
                Some(Arc::new(crate::integrations::annuaire::Annuaire::new(annuaire, settings.outbound)?))
            }
            None => None,
        };
        let osis = match settings.osis.clone() {
            Some(osis) => Some(Arc::new(crate::integrations::osis::Osis::new(osis, settings.outbound)?)),
            None => None,
        };
        let router = router(AppState {
            annuaire,
            osis,
            db: db.clone(),
            settings: Arc::new(settings),
            worker,
            workers,
            rate,
            answers: Arc::default(),
            // A page weighs up to a few hundred kilobytes (500 rows).
            pages: Arc::new(AnswerCache::within(2048, 32 << 20)),
            oidc,
        });
        Ok(Application { listener, router, db, limits })
    }

    /// The address actually bound.
    ///
    /// # Errors
    /// When the socket has no local address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The database the application uses.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until `shutdown` completes, then lets in-flight requests end.
    ///
    /// Each connection gets its headers read within the configured time (a
    /// half-sent request does not hold a socket), and one client address
    /// holds at most its share of connections: past it, a new connection is
    /// closed at once.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
        use hyper_util::server::conn::auto::Builder;
        use hyper_util::service::TowerToHyperService;

        let connections = ConnectionLimiter::new(self.limits.connections_per_ip);
        let mut builder = Builder::new(TokioExecutor::new());
        builder.http1().timer(TokioTimer::new()).header_read_timeout(self.limits.header_read_timeout);
        builder.http2().timer(TokioTimer::new());
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors, a connection reset before
                        // accept…: keep serving the others.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Some(slot) = connections.admit(peer.ip()) else {
                tracing::warn!(client = %peer.ip(), "too many connections from one address: closed");
                drop(stream);
                continue;
            };
            let service = TowerToHyperService::new(self.router.clone());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(error = %error, "connection ended");
                }
                drop(slot);
            });
        }
        graceful.shutdown().await;
        Ok(())
    }
}

/// The parse worker as the settings describe it; by default the worker is
/// this very binary.
///
/// # Errors
/// When the current executable cannot be found.
pub fn worker_config(settings: &Settings) -> std::io::Result<crate::intake::worker::WorkerConfig> {
    let program = match &settings.worker.program {
        Some(program) => program.clone(),
        None => std::env::current_exe()?,
    };
    Ok(crate::intake::worker::WorkerConfig {
        program,
        memory_bytes: settings.worker.memory_bytes,
        cpu_seconds: settings.worker.cpu_seconds,
        timeout: settings.worker.timeout,
        limits: crate::import::Limits {
            max_file_bytes: settings.max_upload_bytes as u64,
            ..crate::import::Limits::default()
        },
    })
}

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let (api_router, openapi) = api::router().with_state(state.clone()).split_for_parts();
    let mut openapi = ApiDoc::openapi().merge_from(openapi);
    StandardErrors.modify(&mut openapi);
    let mut documented: std::collections::HashSet<String> =
        documented_routes(&openapi).into_iter().map(|(_, path)| path).collect();
    documented.insert(OPENAPI_PATH.to_owned());
    documented.insert(DOCS_PATH.to_owned());
    documented
        .extend(crate::http::web::PATHS.iter().chain(&crate::http::web::CATALOGUE_PATHS).map(|p| (*p).to_owned()));
    let context =
        ContextConfig { documented: DocumentedRoutes(Arc::new(documented)), timeout: state.settings.request_timeout };
    let docs_page = Arc::new(crate::http::docs::page(&serde_json::to_value(&openapi).unwrap_or_default()));
    let openapi = Arc::new(openapi);
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let body_limits = BodyLimits {
        upload: state.settings.max_body_bytes() as u64,
        reference: state.settings.max_reference_body_bytes() as u64,
        other: MAX_JSON_BYTES,
    };
    api_router
        .merge(crate::http::web::router().with_state(state.clone()))
        .route(OPENAPI_PATH, get(move || async move { axum::Json(openapi.as_ref().clone()) }))
        .route(DOCS_PATH, get(move || async move { axum::response::Html(docs_page.as_ref().clone()) }))
        .fallback(middleware::route_not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn_with_state(body_limits, crate::http::limits::limit_body))
        .layer(axum::middleware::from_fn_with_state(context, middleware::request_context))
        // `limit_body` applies each kind's own limit; this one only lets the
        // largest through to it.
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes().max(state.settings.max_reference_body_bytes())))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            let client_request_id = request.extensions().get::<ClientRequestId>().map(|c| c.0.as_str());
            tracing::info_span!(
                "request",
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %request_id,
                client_request_id,
                principal = tracing::field::Empty,
            )
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::map_request(crate::http::request_id::screen))
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}
