//! An OpenID Connect provider on a wiremock server: discovery, signing
//! keys, token endpoint and userinfo, with keys made for each test (no key
//! is kept in the repository).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "convergence-test";
pub const CLIENT_SECRET: &str = "client-secret-never-logged";
const KEY_ID: &str = "provider-key-1";

struct SigningKey {
    encoding: EncodingKey,
    jwk: Value,
}

fn new_key(kid: &str) -> SigningKey {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key generated");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).expect("key read");
    // Uncompressed point: 0x04 ‖ x ‖ y.
    let point = pair.public_key().as_ref();
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    });
    SigningKey { encoding: EncodingKey::from_ec_der(pkcs8.as_ref()), jwk }
}

/// The provider, and what a test needs to mint its tokens.
pub struct IdentityProvider {
    pub server: MockServer,
    pub issuer: String,
    key: SigningKey,
    intruder: SigningKey,
}

impl IdentityProvider {
    /// Starts the provider with its discovery document and key set.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let issuer = server.uri();
        let key = new_key(KEY_ID);
        let intruder = new_key(KEY_ID);
        Mock::given(method("GET"))
            .and(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/authorize"),
                "token_endpoint": format!("{issuer}/token"),
                "jwks_uri": format!("{issuer}/jwks"),
                "userinfo_endpoint": format!("{issuer}/userinfo"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["ES256"],
            })))
            .mount(&server)
            .await;
        // An encryption key and a key of an unknown type sit beside the
        // signing key, as at real providers.
        Mock::given(method("GET"))
            .and(path("/jwks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"keys": [
                {"kty": "RSA", "use": "enc", "kid": "enc-1", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"},
                {"kty": "unknown"},
                key.jwk,
            ]})))
            .mount(&server)
            .await;
        IdentityProvider { server, issuer, key, intruder }
    }

    /// The settings that point the service at this provider.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CONVERGENCE_OIDC_ISSUER", self.issuer.clone()),
            ("CONVERGENCE_OIDC_CLIENT_ID", CLIENT_ID.to_owned()),
            ("CONVERGENCE_OIDC_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ]
    }

    /// Claims of a valid ID token for a person.
    pub fn claims(&self, subject: &str, email: Option<&str>, nonce: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "iss": self.issuer, "aud": CLIENT_ID, "sub": subject, "nonce": nonce,
            "iat": now, "exp": now + 300, "given_name": "Marie", "usual_name": "Curie",
        });
        if let Some(email) = email {
            claims["email"] = json!(email);
        }
        claims
    }

    /// Signs claims with the provider's key.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with(&self.key, claims)
    }

    /// Signs claims with another key under the provider's key id.
    pub fn forge(&self, claims: &Value) -> String {
        self.sign_with(&self.intruder, claims)
    }

    fn sign_with(&self, key: &SigningKey, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(KEY_ID.to_owned());
        jsonwebtoken::encode(&header, claims, &key.encoding).expect("token signed")
    }

    /// Answers the exchange of `code` with this ID token.
    pub async fn answer_code(&self, code: &str, id_token: &str) {
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains(format!("code={code}&")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("access-{code}"), "token_type": "Bearer", "expires_in": 60,
                "id_token": id_token,
            })))
            .mount(&self.server)
            .await;
    }

    /// Answers userinfo for the access token of `code`.
    pub async fn answer_userinfo(&self, code: &str, claims: Value) {
        Mock::given(method("GET"))
            .and(path("/userinfo"))
            .and(wiremock::matchers::header("authorization", format!("Bearer access-{code}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(claims))
            .mount(&self.server)
            .await;
    }

    /// The bodies the token endpoint received, decoded.
    pub async fn token_requests(&self) -> Vec<std::collections::HashMap<String, String>> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == "/token")
            .map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect())
            .collect()
    }
}
