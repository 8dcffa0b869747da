//! OpenID Connect, the pure part: the secrets of a sign-in (state, nonce,
//! PKCE), the authorisation URL, and the checks an ID token must pass.
//!
//! The provider is talked to in `integrations::oidc`; what is kept between
//! the redirect and the callback is in `store::sessions`. Nothing here does
//! IO, so every refusal (bad signature, wrong issuer or audience, expired,
//! replayed nonce) is tested without a network.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The random values of one sign-in.
#[derive(Debug, Clone)]
pub struct SignInSecrets {
    /// Sent to the provider and back; binds the callback to the browser
    /// that started the sign-in (a cookie carries it too). Only its SHA-256
    /// is stored.
    pub state: String,
    /// Must come back inside the ID token: a token minted for another
    /// sign-in is refused.
    pub nonce: String,
    /// The PKCE verifier, sent with the code; its S256 challenge goes in
    /// the authorisation URL.
    pub pkce_verifier: String,
}

fn random_text() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl SignInSecrets {
    /// Fresh secrets, 256 random bits each.
    pub fn generate() -> Self {
        SignInSecrets { state: random_text(), nonce: random_text(), pkce_verifier: random_text() }
    }

    /// The S256 challenge of the PKCE verifier (RFC 7636 §4.2).
    pub fn pkce_challenge(&self) -> String {
        pkce_challenge(&self.pkce_verifier)
    }
}

/// The S256 challenge of a PKCE verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// What the client asks of the provider.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizationRequest<'a> {
    /// The provider's authorisation endpoint.
    pub endpoint: &'a url::Url,
    /// This service's client id.
    pub client_id: &'a str,
    /// This service's callback.
    pub redirect_uri: &'a str,
    /// The scopes asked for (`openid` first).
    pub scopes: &'a str,
}

impl AuthorizationRequest<'_> {
    /// The URL the browser is sent to: authorisation code flow with PKCE
    /// (S256), state and nonce.
    pub fn url(&self, secrets: &SignInSecrets) -> url::Url {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", self.client_id)
            .append_pair("redirect_uri", self.redirect_uri)
            .append_pair("scope", self.scopes)
            .append_pair("state", &secrets.state)
            .append_pair("nonce", &secrets.nonce)
            .append_pair("code_challenge", &secrets.pkce_challenge())
            .append_pair("code_challenge_method", "S256");
        url
    }
}

/// What an ID token (or a signed userinfo answer) must be to be believed.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The provider's issuer, exactly.
    pub issuer: &'a str,
    /// This service's client id, which must be in the audience.
    pub client_id: &'a str,
    /// The nonce of this sign-in (`None` for a userinfo answer).
    pub nonce: Option<&'a str>,
}

/// The claims this service reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    /// The person's stable identifier at the provider.
    pub sub: String,
    /// Their e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the provider checked it (absent at some providers).
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Their full name.
    #[serde(default)]
    pub name: Option<String>,
    /// First name(s).
    #[serde(default)]
    pub given_name: Option<String>,
    /// Last name (OIDC).
    #[serde(default)]
    pub family_name: Option<String>,
    /// Last name (ProConnect).
    #[serde(default)]
    pub usual_name: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    aud: serde_json::Value,
}

impl Claims {
    /// The name to show: `name`, else first and last names.
    pub fn display_name(&self) -> Option<String> {
        if let Some(name) = self.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            return Some(name.to_owned());
        }
        let last = self.family_name.as_deref().or(self.usual_name.as_deref());
        let joined = [self.given_name.as_deref(), last].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let joined = joined.trim();
        (!joined.is_empty()).then(|| joined.to_owned())
    }
}

/// Why a token is not believed (in French: it ends on the person's screen).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a JWT, or of an algorithm this service does not accept.
    #[error("le jeton d'identité est illisible ou d'un algorithme refusé ({0})")]
    Malformed(String),
    /// No key of the provider has this token's key id.
    #[error("le jeton d'identité est signé d'une clé inconnue du fournisseur")]
    UnknownKey,
    /// The signature does not verify.
    #[error("la signature du jeton d'identité est invalide")]
    BadSignature,
    /// Issued by someone else.
    #[error("le jeton d'identité ne vient pas du fournisseur attendu")]
    WrongIssuer,
    /// Issued for another client.
    #[error("le jeton d'identité n'est pas destiné à ce service")]
    WrongAudience,
    /// Expired (past a minute of clock skew).
    #[error("le jeton d'identité a expiré")]
    Expired,
    /// The nonce is not this sign-in's.
    #[error("le jeton d'identité n'appartient pas à cette connexion (nonce)")]
    WrongNonce,
}

/// The signature algorithms accepted: asymmetric only (never `none`, never
/// a shared secret a key set could smuggle in).
const ACCEPTED: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Clock skew tolerated on `exp`, in seconds.
const LEEWAY_SECS: u64 = 60;

/// The key id a token names, to find its key (`None` when it names none).
///
/// # Errors
/// `Malformed` when the header cannot be read.
pub fn key_id(token: &str) -> Result<Option<String>, Refusal> {
    jsonwebtoken::decode_header(token).map(|h| h.kid).map_err(|e| Refusal::Malformed(e.to_string()))
}

/// Checks a signed token against the provider's signing keys and what is
/// expected of it; returns its claims.
///
/// # Errors
/// The first [`Refusal`] that applies.
pub fn verify(token: &str, keys: &[Jwk], expected: Expected<'_>) -> Result<Claims, Refusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| Refusal::Malformed(e.to_string()))?;
    if !ACCEPTED.contains(&header.alg) {
        return Err(Refusal::Malformed(format!("{:?}", header.alg)));
    }
    let signing = keys.iter().filter(|k| !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption)));
    let key = match &header.kid {
        Some(kid) => signing.clone().find(|k| k.common.key_id.as_deref() == Some(kid)),
        // Without a key id, a provider must have one signing key only.
        None => {
            let mut all = signing.clone();
            all.next().filter(|_| all.next().is_none())
        }
    }
    .ok_or(Refusal::UnknownKey)?;
    if let Some(alg) = key.common.key_algorithm
        && alg.to_string() != format!("{:?}", header.alg)
    {
        return Err(Refusal::BadSignature);
    }
    let decoding = DecodingKey::from_jwk(key).map_err(|_| Refusal::UnknownKey)?;
    let mut validation = Validation::new(header.alg);
    validation.leeway = LEEWAY_SECS;
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Claims>(token, &decoding, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
                    Refusal::BadSignature
                }
                ErrorKind::ExpiredSignature => Refusal::Expired,
                ErrorKind::InvalidIssuer => Refusal::WrongIssuer,
                ErrorKind::InvalidAudience => Refusal::WrongAudience,
                _ => Refusal::Malformed(e.to_string()),
            }
        })?
        .claims;
    // Several audiences: the authorised party must be this client (OIDC
    // Core §3.1.3.7, items 4 and 5).
    if claims.aud.as_array().is_some_and(|all| all.len() > 1) && claims.azp.as_deref() != Some(expected.client_id) {
        return Err(Refusal::WrongAudience);
    }
    if let Some(nonce) = expected.nonce {
        let matches = claims.nonce.as_deref().is_some_and(|got| {
            use subtle::ConstantTimeEq;
            got.len() == nonce.len() && bool::from(got.as_bytes().ct_eq(nonce.as_bytes()))
        });
        if !matches {
            return Err(Refusal::WrongNonce);
        }
    }
    Ok(claims)
}

/// Keys of a provider's key set that this service can use; the others
/// (encryption keys, unknown types) are skipped rather than failing the
/// whole set.
pub fn usable_keys(set: &serde_json::Value) -> Vec<Jwk> {
    set.get("keys")
        .and_then(serde_json::Value::as_array)
        .map(|keys| keys.iter().filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn each_sign_in_has_its_own_secrets() {
        let (a, b) = (SignInSecrets::generate(), SignInSecrets::generate());
        assert_ne!(a.state, b.state);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.pkce_verifier, b.pkce_verifier);
        assert_eq!(a.state.len(), 43);
    }

    #[test]
    fn the_authorisation_url_carries_the_flow() {
        let endpoint = url::Url::parse("https://idp.example/authorize?tenant=x").unwrap_or_else(|e| panic!("{e}"));
        let secrets = SignInSecrets::generate();
        let url = AuthorizationRequest {
            endpoint: &endpoint,
            client_id: "convergence",
            redirect_uri: "https://app.example/auth/oidc/callback",
            scopes: "openid email",
        }
        .url(&secrets);
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["tenant"], "x");
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert_eq!(pairs["code_challenge"], secrets.pkce_challenge());
        assert_eq!(pairs["state"], secrets.state);
        assert_eq!(pairs["nonce"], secrets.nonce);
        assert!(!url.as_str().contains(&secrets.pkce_verifier), "the verifier never leaves the service");
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        // {"alg":"none"}.{"sub":"x"}.
        let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
        let refused = verify(token, &[], Expected { issuer: "i", client_id: "c", nonce: None });
        assert!(matches!(refused, Err(Refusal::Malformed(_))), "{refused:?}");
    }

    #[test]
    fn display_names_fall_back_to_given_and_usual_names() {
        let claims: Claims = serde_json::from_value(serde_json::json!({
            "sub": "s", "given_name": "Marie", "usual_name": "Curie"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.display_name().as_deref(), Some("Marie Curie"));
    }

    #[test]
    fn encryption_keys_and_unknown_keys_are_skipped() {
        let set = serde_json::json!({"keys": [
            {"kty": "weird"},
            {"kty": "RSA", "use": "sig", "kid": "k1", "alg": "RS256", "n": "AQAB", "e": "AQAB"}
        ]});
        let keys = usable_keys(&set);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].common.key_id.as_deref(), Some("k1"));
    }
}
