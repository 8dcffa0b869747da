//! The OpenID Connect provider, over HTTP: discovery, signing keys, code
//! exchange, userinfo.
//!
//! The discovery document and key set are kept for an hour per replica;
//! a token signed with a key id not in the set fetches the set again (the
//! provider rotated its keys), at most once every ten seconds so that
//! forged key ids cannot make the service hammer the provider.
//!
//! The discovery document and the key set are read through the outbound
//! policy (timeouts, retries on unavailability); the code exchange and
//! userinfo are made once, with timeouts: a code is good for one use, and
//! a sign-in that waits on retries is worse than one that fails fast.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::Jwk;
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::auth::oidc::{self, Claims, Expected, Refusal};
use crate::config::OidcSettings;

/// What can go wrong when talking to the provider.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider cannot be reached or answers nonsense.
    #[error("le fournisseur d'identité ne répond pas correctement ({0})")]
    Unreachable(String),
    /// The provider refused the code (expired, already used, wrong PKCE
    /// verifier).
    #[error("le fournisseur d'identité a refusé le code de connexion ({0})")]
    CodeRefused(String),
    /// A token it gave does not pass the checks.
    #[error("{0}")]
    Refused(#[from] Refusal),
}

/// The provider's discovery document (the fields used).
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    /// Must equal the configured issuer.
    pub issuer: String,
    /// Where the browser is sent.
    pub authorization_endpoint: url::Url,
    /// Where the code is exchanged.
    pub token_endpoint: url::Url,
    /// The signing keys.
    pub jwks_uri: url::Url,
    /// Where the person's claims are read, when the ID token lacks them.
    #[serde(default)]
    pub userinfo_endpoint: Option<url::Url>,
    /// Where the browser is sent to sign out at the provider.
    #[serde(default)]
    pub end_session_endpoint: Option<url::Url>,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    id_token: String,
    #[serde(default)]
    access_token: Option<String>,
}

const KEPT_FOR: Duration = Duration::from_secs(3600);
const REFETCH_KEYS_AFTER: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
struct Cache {
    metadata: Option<(Metadata, Instant)>,
    keys: Option<(Vec<Jwk>, Instant)>,
}

/// A client of the configured provider.
#[derive(Debug)]
pub struct Provider {
    settings: OidcSettings,
    http: reqwest::Client,
    outbound: super::outbound::Outbound,
    cache: Mutex<Cache>,
}

impl Provider {
    /// A client of the provider; nothing is fetched until the first
    /// sign-in.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (TLS roots).
    pub fn new(settings: OidcSettings, policy: super::outbound::RetryPolicy) -> Result<Self, ProviderError> {
        let outbound = super::outbound::Outbound::new("le fournisseur d'identité", policy)
            .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
        let http = reqwest::Client::builder()
            .connect_timeout(policy.connect_timeout)
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("convergence/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
        Ok(Provider { settings, http, outbound, cache: Mutex::default() })
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, ProviderError> {
        let answer =
            self.outbound.send(|http| http.get(url)).await.map_err(|e| ProviderError::Unreachable(e.to_string()))?;
        serde_json::from_slice::<T>(&answer.body).map_err(|e| ProviderError::Unreachable(format!("{url} : {e}")))
    }

    /// The discovery document, fetched once an hour.
    ///
    /// # Errors
    /// `Unreachable` when it cannot be read, or names another issuer.
    pub async fn metadata(&self) -> Result<Metadata, ProviderError> {
        if let Some((metadata, at)) = &self.cache().metadata
            && at.elapsed() < KEPT_FOR
        {
            return Ok(metadata.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.settings.issuer.trim_end_matches('/'));
        let metadata: Metadata = self.get_json(&url).await?;
        if metadata.issuer != self.settings.issuer {
            return Err(ProviderError::Unreachable(format!(
                "le document de découverte annonce l'émetteur « {} » au lieu de « {} »",
                metadata.issuer, self.settings.issuer
            )));
        }
        self.cache().metadata = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    /// The signing keys, fetched again when a token names a key id that is
    /// not among them.
    async fn keys_for(&self, metadata: &Metadata, kid: Option<&str>) -> Result<Vec<Jwk>, ProviderError> {
        if let Some((keys, at)) = &self.cache().keys {
            let knows = kid.is_none_or(|kid| keys.iter().any(|k| k.common.key_id.as_deref() == Some(kid)));
            if (knows && at.elapsed() < KEPT_FOR) || at.elapsed() < REFETCH_KEYS_AFTER {
                return Ok(keys.clone());
            }
        }
        let set: serde_json::Value = self.get_json(metadata.jwks_uri.as_str()).await?;
        let keys = oidc::usable_keys(&set);
        self.cache().keys = Some((keys.clone(), Instant::now()));
        Ok(keys)
    }

    /// Checks a token signed by the provider.
    async fn verify(&self, metadata: &Metadata, token: &str, nonce: Option<&str>) -> Result<Claims, ProviderError> {
        let kid = oidc::key_id(token)?;
        let keys = self.keys_for(metadata, kid.as_deref()).await?;
        let expected = Expected { issuer: &self.settings.issuer, client_id: &self.settings.client_id, nonce };
        Ok(oidc::verify(token, &keys, expected)?)
    }

    /// Exchanges an authorisation code (with its PKCE verifier) and checks
    /// the ID token; the claims are completed from the userinfo endpoint
    /// when the ID token carries no e-mail.
    ///
    /// # Errors
    /// `CodeRefused` when the provider refuses the code; `Refused` when the
    /// ID token fails a check; `Unreachable` otherwise.
    pub async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
        redirect_uri: &str,
        nonce: &str,
    ) -> Result<Claims, ProviderError> {
        let metadata = self.metadata().await?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", pkce_verifier),
            ("client_id", &self.settings.client_id),
            ("client_secret", self.settings.client_secret.expose_secret()),
        ];
        let answer = self
            .http
            .post(metadata.token_endpoint.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| ProviderError::Unreachable(without_url(&e)))?;
        let status = answer.status();
        if status.is_client_error() {
            #[derive(Deserialize)]
            struct OAuthError {
                error: String,
            }
            let reason = answer.json::<OAuthError>().await.map_or_else(|_| format!("HTTP {status}"), |e| e.error);
            return Err(ProviderError::CodeRefused(reason));
        }
        if !status.is_success() {
            return Err(ProviderError::Unreachable(format!("échange du code : HTTP {}", status.as_u16())));
        }
        let tokens: TokenAnswer =
            answer.json().await.map_err(|e| ProviderError::Unreachable(format!("échange du code : {e}")))?;
        let mut claims = self.verify(&metadata, &tokens.id_token, Some(nonce)).await?;
        if claims.email.is_none()
            && let (Some(endpoint), Some(access)) = (&metadata.userinfo_endpoint, &tokens.access_token)
        {
            let info = self.userinfo(&metadata, endpoint, access).await?;
            if info.sub != claims.sub {
                return Err(ProviderError::Unreachable("userinfo décrit une autre personne".to_owned()));
            }
            claims.email = info.email;
            claims.email_verified = claims.email_verified.or(info.email_verified);
            claims.name = claims.name.or(info.name);
            claims.given_name = claims.given_name.or(info.given_name);
            claims.family_name = claims.family_name.or(info.family_name);
            claims.usual_name = claims.usual_name.or(info.usual_name);
        }
        Ok(claims)
    }

    /// The userinfo answer: JSON, or a JWT signed by the provider
    /// (ProConnect), which is then checked as an ID token is.
    async fn userinfo(&self, metadata: &Metadata, endpoint: &url::Url, access: &str) -> Result<Claims, ProviderError> {
        let answer = self
            .http
            .get(endpoint.clone())
            .bearer_auth(access)
            .send()
            .await
            .map_err(|e| ProviderError::Unreachable(without_url(&e)))?;
        if !answer.status().is_success() {
            return Err(ProviderError::Unreachable(format!("userinfo : HTTP {}", answer.status().as_u16())));
        }
        let signed = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/jwt"));
        let body = answer.text().await.map_err(|e| ProviderError::Unreachable(without_url(&e)))?;
        if signed {
            self.verify(metadata, body.trim(), None).await
        } else {
            serde_json::from_str(&body).map_err(|e| ProviderError::Unreachable(format!("userinfo : {e}")))
        }
    }
}

/// A client error without the URL (which may carry a code or a state).
fn without_url(error: &reqwest::Error) -> String {
    let mut error = error.to_string();
    if let Some(start) = error.find(" for url (") {
        error.truncate(start);
    }
    error
}
