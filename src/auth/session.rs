//! Session secrets and the CSRF token derived from them (pure; storage is
//! in `store::sessions`).
//!
//! The browser holds the session secret in an `HttpOnly` cookie; the
//! database holds its SHA-256 only. The CSRF token is derived from the
//! secret, so that it needs no storage of its own: a page of this service
//! gets it from `GET /api/v1/session` and sends it back in the
//! `X-CSRF-Token` header (or a form field), which another site's page
//! cannot read nor guess.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::token::{digests_match, hash_token};

const MARKER: &str = "cvs_";

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "convergence_session";
/// The name of the cookie binding a sign-in in flight to its browser.
pub const SIGN_IN_COOKIE: &str = "convergence_sign_in";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A new session secret: 256 random bits.
pub fn issue_session_secret() -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    format!("{MARKER}{}", URL_SAFE_NO_PAD.encode(secret))
}

/// Whether a presented value has the shape of a session secret (no lookup
/// is made otherwise).
pub fn is_session_secret(presented: &str) -> bool {
    presented.strip_prefix(MARKER).is_some_and(|rest| {
        rest.len() == 43 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// SHA-256 of a session secret, hex: what is stored.
pub fn session_hash(secret: &str) -> String {
    hash_token(secret)
}

/// The CSRF token of a session.
pub fn csrf_token(secret: &str) -> String {
    hex::encode(Sha256::digest(format!("csrf:{secret}").as_bytes()))
}

/// Whether a presented CSRF token is the session's (constant time).
pub fn csrf_matches(secret: &str, presented: &str) -> bool {
    digests_match(presented, &csrf_token(secret))
}

/// The value of one cookie in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(n, _)| *n == name).map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_have_their_shape_and_differ() {
        let (a, b) = (issue_session_secret(), issue_session_secret());
        assert!(is_session_secret(&a) && is_session_secret(&b));
        assert_ne!(a, b);
        assert!(!is_session_secret(&a[..a.len() - 1]));
        assert!(!is_session_secret("cvg_0123456789ab_x"));
    }

    #[test]
    fn the_csrf_token_belongs_to_its_session() {
        let (a, b) = (issue_session_secret(), issue_session_secret());
        assert!(csrf_matches(&a, &csrf_token(&a)));
        assert!(!csrf_matches(&a, &csrf_token(&b)));
        assert!(!csrf_matches(&a, ""));
        assert_ne!(csrf_token(&a), session_hash(&a), "the stored hash does not give the CSRF token");
    }

    #[test]
    fn cookies_are_found_by_name() {
        let header = "theme=dark; convergence_session=cvs_abc ; other=1";
        assert_eq!(cookie_value(header, SESSION_COOKIE), Some("cvs_abc"));
        assert_eq!(cookie_value(header, "missing"), None);
    }
}
