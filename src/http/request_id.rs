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

/// Longest request id accepted from a client.
const MAX_CLIENT_ID_LEN: usize = 64;

/// A request id a client sent but the service did not keep (too long, or
/// with characters that do not belong in a log line or an audit record):
/// kept apart, shortened and escaped, for the request's log span only.
#[derive(Debug, Clone)]
pub struct ClientRequestId(pub String);

/// Whether a client's request id is kept as the request's id: a UUID, or a
/// short token of letters, digits, `.`, `_` and `-` (what proxies and
/// tracing systems send).
pub fn acceptable(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_CLIENT_ID_LEN
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Keeps a client's request id only when [`acceptable`]; otherwise drops
/// the header (a UUID is generated next) and keeps the client's value
/// apart, as [`ClientRequestId`].
pub async fn screen(mut request: axum::extract::Request) -> axum::extract::Request {
    let Some(sent) = request.headers().get(REQUEST_ID_HEADER) else { return request };
    let kept = sent.to_str().is_ok_and(acceptable);
    if !kept {
        let raw = String::from_utf8_lossy(sent.as_bytes());
        let shortened: String = raw.chars().take(MAX_CLIENT_ID_LEN).collect();
        let apart = ClientRequestId(shortened.escape_default().to_string());
        request.headers_mut().remove(REQUEST_ID_HEADER);
        request.extensions_mut().insert(apart);
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_and_short_safe_tokens_are_kept_anything_else_is_not() {
        assert!(acceptable("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(acceptable("req_1234.abc-Z"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("forged\nline"));
        assert!(!acceptable("id with spaces"));
        assert!(!acceptable("<script>"));
    }
}
