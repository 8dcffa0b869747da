//! The application error: what a request or a command can fail with.
//!
//! Messages are French, for people; the cause chain of an internal error
//! goes to the log, never to the client. `http::problem` turns each variant
//! into an RFC 9457 problem document with a stable `type`.

use sea_orm::DbErr;

use crate::store::{StoreError, is_unique_violation};

/// Everything an operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No credential, or a token or session that is unknown, revoked or
    /// expired.
    #[error(
        "authentification requise : fournissez un jeton valide dans l'en-tête Authorization (Bearer), ou connectez-vous (/auth/oidc/login)"
    )]
    Unauthenticated,
    /// The role of the token can never use this route.
    #[error("votre rôle ({role}) ne permet pas cette opération")]
    Forbidden {
        /// The role of the token.
        role: String,
    },
    /// A state-changing request from a session without its CSRF token (or
    /// from another site's page).
    #[error("requête refusée : le jeton anti-CSRF de la session manque ou ne correspond pas (en-tête X-CSRF-Token)")]
    CsrfRejected,
    /// A person's sign-in is refused (no grant, token not believed, replayed
    /// or expired sign-in).
    #[error("connexion refusée : {0}")]
    SignInRefused(String),
    /// An outside service this one depends on failed.
    #[error("{0}")]
    Upstream(String),
    /// The object does not exist, or is outside the token's scope.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (unreadable JSON, bad query parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The request is well-formed but a value is refused.
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The body exceeds the configured limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The request took longer than the configured timeout.
    #[error("le traitement a dépassé le délai autorisé ; réessayez plus tard")]
    Timeout,
    /// The caller sent more requests than its share (per token, per
    /// replica); it may try again after the given number of seconds.
    #[error("trop de requêtes pour ce jeton : réessayez dans {retry_after} seconde(s)")]
    RateLimited {
        /// Seconds before the next request is accepted.
        retry_after: u64,
    },
    /// Every parse worker of this replica (or the caller's share of them)
    /// is busy; try again after the given number of seconds.
    #[error("{reason} ; réessayez dans {retry_after} seconde(s)")]
    Busy {
        /// What is busy, in French.
        reason: &'static str,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The database cannot be reached.
    #[error("le service est momentanément indisponible ; réessayez plus tard")]
    Unavailable,
    /// An uploaded file that cannot be read at all.
    #[error("{0}")]
    Ingest(crate::import::IngestError),
    /// An inventory with errors, refused as a whole (strict mode); the
    /// report lists every error, and the upload is kept as `rejected` so its
    /// annotated copy can be downloaded.
    #[error("le fichier contient {} erreur(s) : rien n'a été importé. Corrigez les lignes signalées dans le rapport (ou dans la copie annotée du fichier), puis déposez-le à nouveau ; partial=true importe les lignes valides seulement.", report.errors)]
    InvalidInventory {
        /// The rejected upload.
        upload_id: i64,
        /// The full report.
        report: Box<crate::normalise::report::Report>,
    },
    /// A failure of the service itself; details go to the log only.
    #[error("erreur interne du service ; l'incident est journalisé avec l'identifiant de la requête")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A not-found error saying what was looked for.
    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        if is_unique_violation(&error) {
            return AppError::Conflict("cet objet existe déjà".to_owned());
        }
        match error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::error!(error = %error, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::reference::ReferenceError> for AppError {
    fn from(error: crate::reference::ReferenceError) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<crate::intake::worker::WorkerError> for AppError {
    /// A file the worker refused is the user's to fix (422/413); a worker
    /// that cannot run, or that answers what the service cannot decode, is
    /// the service's fault: 503 (perhaps passing) or 500, logged here with
    /// its cause, never blamed on the file.
    fn from(error: crate::intake::worker::WorkerError) -> Self {
        use crate::intake::worker::WorkerError;
        match error {
            WorkerError::File(error) => AppError::Ingest(error),
            WorkerError::Unavailable(detail) => {
                tracing::error!(%detail, "parse worker unavailable");
                AppError::Unavailable
            }
            protocol @ WorkerError::Protocol(_) => AppError::Internal(protocol.into()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Database(error) => error.into(),
            corrupt @ StoreError::Corrupt { .. } => AppError::Internal(corrupt.into()),
        }
    }
}

impl From<crate::integrations::outbound::OutboundError> for AppError {
    fn from(error: crate::integrations::outbound::OutboundError) -> Self {
        AppError::Upstream(error.to_string())
    }
}
