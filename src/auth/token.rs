//! Token generation, parsing and hashing (pure; storage is in `store::tokens`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

const MARKER: &str = "cvg_";
const PREFIX_HEX_LEN: usize = 12;

/// A freshly generated token: the secret text, shown once, and what is
/// stored about it.
#[derive(Debug)]
pub struct IssuedToken {
    /// The whole token, `cvg_<prefix>_<secret>`: give it to its holder once.
    pub token: String,
    /// The public prefix that identifies the token in listings and lookups.
    pub prefix: String,
    /// SHA-256 of the whole token, hex-encoded.
    pub sha256: String,
}

/// Generates a token: a 48-bit public prefix (for lookup and listings) and
/// a 256-bit secret.
pub fn issue_token() -> IssuedToken {
    let mut rng = rand::rng();
    let mut prefix_bytes = [0u8; PREFIX_HEX_LEN / 2];
    rng.fill_bytes(&mut prefix_bytes);
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    let prefix = hex::encode(prefix_bytes);
    let token = format!("{MARKER}{prefix}_{}", URL_SAFE_NO_PAD.encode(secret));
    let sha256 = hash_token(&token);
    IssuedToken { token, prefix, sha256 }
}

/// SHA-256 of a token, hex-encoded.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A presented token split into its lookup prefix; `None` when its shape is
/// not that of a token (no database lookup is then needed).
#[derive(Debug, PartialEq, Eq)]
pub struct TokenParts<'a> {
    /// The public prefix.
    pub prefix: &'a str,
}

impl<'a> TokenParts<'a> {
    /// Splits a presented token.
    pub fn parse(token: &'a str) -> Option<Self> {
        let rest = token.strip_prefix(MARKER)?;
        let prefix = rest.get(..PREFIX_HEX_LEN)?;
        let secret = rest.get(PREFIX_HEX_LEN..)?.strip_prefix('_')?;
        let shaped = prefix.bytes().all(|b| b.is_ascii_hexdigit())
            && secret.len() == 43
            && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then_some(TokenParts { prefix })
    }
}

/// Constant-time equality of two hex digests.
pub fn digests_match(presented: &str, stored: &str) -> bool {
    use subtle::ConstantTimeEq;
    presented.len() == stored.len() && bool::from(presented.as_bytes().ct_eq(stored.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_parse_and_hash_to_their_stored_digest() {
        let issued = issue_token();
        assert_eq!(TokenParts::parse(&issued.token), Some(TokenParts { prefix: &issued.prefix }));
        assert!(digests_match(&hash_token(&issued.token), &issued.sha256));
        assert_eq!(issued.sha256.len(), 64);
    }

    #[test]
    fn two_tokens_differ() {
        assert_ne!(issue_token().token, issue_token().token);
    }

    #[test]
    fn malformed_tokens_are_rejected_before_any_lookup() {
        let issued = issue_token();
        for bad in
            ["", "cvg_", "Bearer x", &issued.token[..issued.token.len() - 1], &issued.token.replace("cvg_", "xyz_")]
        {
            assert_eq!(TokenParts::parse(bad), None, "{bad}");
        }
        assert!(!digests_match(&hash_token("a"), &hash_token("b")));
    }
}
