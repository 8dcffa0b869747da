//! Pushing a GHT's indicators to an OSIS-like endpoint. OSIS has no public
//! API: the contract is this service's own (`OsisSubmission` in the
//! OpenAPI document); the endpoint receives it as `POST {base}/submissions`
//! with a bearer token and an `Idempotency-Key`, so that it too can
//! recognise a repeated submission.

use secrecy::{ExposeSecret, SecretString};

use super::outbound::{Answer, Attempt, Outbound, OutboundError, RetryPolicy};

/// Where OSIS submissions are pushed.
#[derive(Debug, Clone)]
pub struct OsisSettings {
    /// The endpoint's base URL; submissions are `POST {base}/submissions`.
    pub base: url::Url,
    /// The bearer token it expects (never logged).
    pub token: SecretString,
}

/// A client of the configured endpoint.
#[derive(Debug, Clone)]
pub struct Osis {
    outbound: Outbound,
    settings: OsisSettings,
}

impl Osis {
    /// A client; nothing is sent until asked.
    ///
    /// # Errors
    /// When the TLS stack cannot be set up.
    pub fn new(settings: OsisSettings, policy: RetryPolicy) -> Result<Self, reqwest::Error> {
        Ok(Osis { outbound: Outbound::new("OSIS", policy)?, settings })
    }

    /// Sends a submission's body under its key; every attempt is returned
    /// with the outcome.
    pub async fn submit(
        &self,
        body: &serde_json::Value,
        idempotency_key: &str,
    ) -> (Result<Answer, OutboundError>, Vec<Attempt>) {
        let url = self.settings.base.as_str().trim_end_matches('/').to_owned() + "/submissions";
        let mut attempts = Vec::new();
        let result = self
            .outbound
            .send_recorded(
                |http| {
                    http.post(&url)
                        .bearer_auth(self.settings.token.expose_secret())
                        .header("Idempotency-Key", idempotency_key)
                        .json(body)
                },
                &mut |attempt| attempts.push(attempt),
            )
            .await;
        (result, attempts)
    }
}
