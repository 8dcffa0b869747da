//! How every outbound call behaves: connect and request timeouts; retries
//! with exponential backoff and jitter on timeouts, 429 (honouring
//! `Retry-After`) and 5xx only, never on another 4xx; a bounded number of
//! attempts; errors in French naming the service; nothing secret logged
//! (requests are built by the caller, and only the service's name, the
//! attempt and the status are ever written to the log).

use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;

/// Timeouts and retries of an outbound service.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts at most (the first included).
    pub attempts: u32,
    /// The first wait; each next one doubles, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest wait between two attempts (a longer `Retry-After` is
    /// cut to it).
    pub max_delay: Duration,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Time for a whole request.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What went wrong with an outbound call, said in French for the operator
/// or the user who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// No answer in time, after every attempt.
    #[error("{service} ne répond pas dans le délai ({attempts} tentative(s))")]
    Timeout {
        /// The service, in French.
        service: &'static str,
        /// Attempts made.
        attempts: u32,
    },
    /// No connection could be made, after every attempt.
    #[error("{service} est injoignable ({attempts} tentative(s))")]
    Unreachable {
        /// The service, in French.
        service: &'static str,
        /// Attempts made.
        attempts: u32,
    },
    /// The service refused the request (a 4xx other than 429): retrying
    /// would not help.
    #[error("{service} a refusé la requête (HTTP {status}) : {detail}")]
    Refused {
        /// The service, in French.
        service: &'static str,
        /// The HTTP status.
        status: u16,
        /// The start of its answer.
        detail: String,
    },
    /// The service stayed unavailable (429 or 5xx) after every attempt.
    #[error("{service} est indisponible (HTTP {status}) après {attempts} tentative(s)")]
    Unavailable {
        /// The service, in French.
        service: &'static str,
        /// The last HTTP status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The answer cannot be read.
    #[error("{service} a répondu un document illisible ({detail})")]
    Invalid {
        /// The service, in French.
        service: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// An answer: its status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status (a success).
    pub status: StatusCode,
    /// The body.
    pub body: bytes::Bytes,
}

/// One attempt of a call, as it is recorded (a submission keeps each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 1 for the first.
    pub number: u32,
    /// The HTTP status, when there was an answer.
    pub http_status: Option<u16>,
    /// What happened, in French.
    pub outcome: String,
}

/// A client of one outbound service.
#[derive(Debug, Clone)]
pub struct Outbound {
    http: reqwest::Client,
    policy: RetryPolicy,
    service: &'static str,
}

impl Outbound {
    /// A client of a service (`service` names it in errors and logs, in
    /// French: « l'Annuaire Santé »).
    ///
    /// # Errors
    /// When the TLS stack cannot be set up.
    pub fn new(service: &'static str, policy: RetryPolicy) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.request_timeout)
            // A redirect is answered as a refusal: no key follows it.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("convergence/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Outbound { http, policy, service })
    }

    /// The service's name, in French.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// Sends the request `build` makes (again at each attempt) until it
    /// succeeds, fails for good, or the attempts run out.
    ///
    /// # Errors
    /// See [`OutboundError`].
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, OutboundError> {
        self.send_recorded(build, &mut |_| {}).await
    }

    /// [`Outbound::send`], telling `record` each attempt as it ends.
    ///
    /// # Errors
    /// See [`OutboundError`].
    pub async fn send_recorded(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        record: &mut (dyn FnMut(Attempt) + Send),
    ) -> Result<Answer, OutboundError> {
        let service = self.service;
        let attempts = self.policy.attempts.max(1);
        let mut last = OutboundError::Unreachable { service, attempts };
        for attempt in 1..=attempts {
            let wait = match build(&self.http).send().await {
                Ok(response) if response.status().is_success() => {
                    let status = response.status();
                    record(Attempt {
                        number: attempt,
                        http_status: Some(status.as_u16()),
                        outcome: "accepté".to_owned(),
                    });
                    let body = response
                        .bytes()
                        .await
                        .map_err(|e| OutboundError::Invalid { service, detail: without_url(&e) })?;
                    return Ok(Answer { status, body });
                }
                Ok(response) => {
                    let status = response.status();
                    let retry_after = retry_after(&response);
                    if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
                        let text = response.text().await.unwrap_or_default();
                        let detail: String = text.chars().take(300).collect();
                        let refused = OutboundError::Refused { service, status: status.as_u16(), detail };
                        record(Attempt {
                            number: attempt,
                            http_status: Some(status.as_u16()),
                            outcome: refused.to_string(),
                        });
                        return Err(refused);
                    }
                    tracing::warn!(service, attempt, status = status.as_u16(), "outbound call answered unavailable");
                    record(Attempt {
                        number: attempt,
                        http_status: Some(status.as_u16()),
                        outcome: "indisponible, nouvel essai prévu".to_owned(),
                    });
                    last = OutboundError::Unavailable { service, status: status.as_u16(), attempts: attempt };
                    retry_after.map(|d| d.min(self.policy.max_delay))
                }
                Err(error) if error.is_timeout() => {
                    tracing::warn!(service, attempt, "outbound call timed out");
                    record(Attempt {
                        number: attempt,
                        http_status: None,
                        outcome: "pas de réponse dans le délai".to_owned(),
                    });
                    last = OutboundError::Timeout { service, attempts: attempt };
                    None
                }
                Err(error) if error.is_connect() || error.is_request() => {
                    tracing::warn!(service, attempt, "outbound call could not connect");
                    record(Attempt { number: attempt, http_status: None, outcome: "connexion impossible".to_owned() });
                    last = OutboundError::Unreachable { service, attempts: attempt };
                    None
                }
                Err(error) => {
                    let invalid = OutboundError::Invalid { service, detail: without_url(&error) };
                    record(Attempt { number: attempt, http_status: None, outcome: invalid.to_string() });
                    return Err(invalid);
                }
            };
            if attempt < attempts {
                tokio::time::sleep(wait.unwrap_or_else(|| self.backoff(attempt))).await;
            }
        }
        Err(last)
    }

    /// The wait after a failed attempt: exponential, with half of it drawn
    /// at random so that replicas do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.policy.base_delay.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exponential.min(self.policy.max_delay);
        let half = capped / 2;
        half + Duration::from_millis(rand::rng().random_range(0..=half.as_millis().try_into().unwrap_or(u64::MAX)))
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare from APIs: the
/// backoff applies then).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// An error's text without its URL (which may carry identifiers).
fn without_url(error: &reqwest::Error) -> String {
    let text = error.to_string();
    match error.url() {
        Some(url) => text.replace(url.as_str(), "…"),
        None => text,
    }
}
