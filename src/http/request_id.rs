//! The id of the request being served: set by the request-context
//! middleware, read by error documents and the audit trail.

/// Header carrying the request id, set on the way in (or taken from a
/// trusted proxy) and echoed on the way out.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    /// The request id, for the task serving the request.
    pub(super) static REQUEST_ID: String;
}

/// The id of the request being served, for error documents and audit.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
