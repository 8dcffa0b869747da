//! Typed settings: defaults in code, overrides from the environment.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// Default database: an SQLite file beside the working directory, created on
/// first run, so that the service starts with no setup at all.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/convergence.db?mode=rwc";
/// Default listening address: loopback only, since nothing is exposed until
/// an operator decides so.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Database URL; secret because it may hold a password.
    pub database_url: SecretString,
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Log output format.
    pub log_format: LogFormat,
    /// Largest accepted uploaded file; request bodies may exceed it by the
    /// multipart envelope only.
    pub max_upload_bytes: usize,
    /// Largest national reference file an operator loads through the API
    /// (the full FINESS extract is about 30 MB).
    pub max_reference_bytes: usize,
    /// Longest time a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// The isolated parse worker.
    pub worker: WorkerSettings,
    /// Abuse limits, per replica.
    pub limits: LimitSettings,
    /// The address people reach the service at (behind the load balancer):
    /// the OpenID Connect callback is built on it, and session cookies are
    /// `Secure` unless it is plain HTTP on loopback.
    pub public_url: url::Url,
    /// Whether `public_url` was only derived from `bind` (no
    /// `CONVERGENCE_PUBLIC_URL`): the service then takes the address it
    /// actually listens on (`serve --bind`, a free port), as a developer's
    /// browser names it.
    pub public_url_from_bind: bool,
    /// How long a person's session lasts.
    pub sessions: SessionSettings,
    /// Personal sign-in, when an identity provider is configured.
    pub oidc: Option<OidcSettings>,
    /// The Annuaire Santé, when its base URL and key are configured.
    pub annuaire: Option<crate::integrations::annuaire::AnnuaireSettings>,
    /// The OSIS-like endpoint submissions are pushed to, when configured.
    pub osis: Option<crate::integrations::osis::OsisSettings>,
    /// Timeouts and retries of every outbound call.
    pub outbound: crate::integrations::outbound::RetryPolicy,
}

/// How long a person's session lasts.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// Without a request for this long, the session ends.
    pub idle: Duration,
    /// Whatever the activity, the session ends this long after sign-in.
    pub absolute: Duration,
}

/// The OpenID Connect provider (ProConnect, or the operator's Keycloak).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer, exactly as the provider writes it in its tokens; its
    /// discovery document is at `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    /// This service's client id at the provider.
    pub client_id: String,
    /// This service's client secret (never logged).
    pub client_secret: SecretString,
    /// The scopes asked for.
    pub scopes: String,
}

/// The address a browser on this machine reaches a listener at: its own
/// address, or loopback for one listening on every interface.
pub fn local_url(addr: std::net::SocketAddr) -> Option<url::Url> {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    url::Url::parse(&format!("http://{}", std::net::SocketAddr::new(ip, addr.port()))).ok()
}

/// Whether a URL names this machine (plain HTTP is then acceptable).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Abuse limits, per replica (see `http::limits`).
#[derive(Debug, Clone)]
pub struct LimitSettings {
    /// Requests a second per token, on average.
    pub rate_per_second: u32,
    /// Requests per token in a burst.
    pub rate_burst: u32,
    /// Parse workers running at once.
    pub workers: usize,
    /// Parse workers running at once for one token.
    pub workers_per_token: usize,
    /// Connections open at once from one client address.
    pub connections_per_ip: usize,
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
}

/// How uploads are parsed in a child process.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The binary to run in worker mode (default: this very binary).
    pub program: Option<std::path::PathBuf>,
    /// Address-space cap of a worker.
    pub memory_bytes: u64,
    /// CPU-time cap of a worker.
    pub cpu_seconds: u64,
    /// Wall-clock limit of a parse.
    pub timeout: Duration,
}

impl Settings {
    /// The largest request body: an upload plus its multipart envelope.
    pub fn max_body_bytes(&self) -> usize {
        self.max_upload_bytes.saturating_add(1024 * 1024)
    }

    /// The largest body of a national reference file's load.
    pub fn max_reference_body_bytes(&self) -> usize {
        self.max_reference_bytes.saturating_add(1024 * 1024)
    }
}

/// A setting that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration invalide : {name} = « {value} » ({reason})")]
pub struct ConfigError {
    /// The environment variable.
    pub name: &'static str,
    /// Its value (never a secret).
    pub value: String,
    /// What was expected.
    pub reason: &'static str,
}

impl Settings {
    /// Reads the settings from the environment (see the README's
    /// configuration table), with defaults for each.
    ///
    /// # Errors
    /// When a variable is set to a value that cannot be read.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Same as [`Settings::from_env`] with an explicit lookup, for tests.
    ///
    /// # Errors
    /// When a variable is set to a value that cannot be read.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let bind_raw = lookup("CONVERGENCE_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_raw.parse().map_err(|_| ConfigError {
            name: "CONVERGENCE_BIND",
            value: bind_raw.clone(),
            reason: "adresse:port attendue, ex. 127.0.0.1:8080",
        })?;
        let log_format = match lookup("LOG_FORMAT").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError { name: "LOG_FORMAT", value: other.to_owned(), reason: "pretty ou json" });
            }
        };
        let max_upload_bytes = number(&lookup, "CONVERGENCE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)?;
        let max_reference_bytes = number(&lookup, "CONVERGENCE_MAX_REFERENCE_BYTES", 64 * 1024 * 1024)?;
        let worker_memory_mb = number(&lookup, "CONVERGENCE_WORKER_MEMORY_MB", 2048)?;
        let worker_cpu_secs = number(&lookup, "CONVERGENCE_WORKER_CPU_SECS", 60)?;
        let parse_timeout_secs = number(&lookup, "CONVERGENCE_PARSE_TIMEOUT_SECS", 90)?;
        let worker_program = lookup("CONVERGENCE_WORKER_BIN").map(std::path::PathBuf::from);
        let timeout_secs = number(&lookup, "CONVERGENCE_REQUEST_TIMEOUT_SECS", 120)?;
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let limits = LimitSettings {
            rate_per_second: u32::try_from(number(&lookup, "CONVERGENCE_RATE_PER_SECOND", 100)?).unwrap_or(u32::MAX),
            rate_burst: u32::try_from(number(&lookup, "CONVERGENCE_RATE_BURST", 200)?).unwrap_or(u32::MAX),
            workers: number(&lookup, "CONVERGENCE_WORKERS", cores)?,
            workers_per_token: number(&lookup, "CONVERGENCE_WORKERS_PER_TOKEN", 2)?,
            connections_per_ip: number(&lookup, "CONVERGENCE_CONNECTIONS_PER_IP", 256)?,
            header_read_timeout: Duration::from_secs(number(&lookup, "CONVERGENCE_HEADER_TIMEOUT_SECS", 10)? as u64),
        };
        let public_given = lookup("CONVERGENCE_PUBLIC_URL");
        let public_url_from_bind = public_given.is_none();
        let public_raw = public_given.unwrap_or_else(|| format!("http://{bind}"));
        let public_url = url::Url::parse(public_raw.trim_end_matches('/'))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or(ConfigError {
                name: "CONVERGENCE_PUBLIC_URL",
                value: public_raw.clone(),
                reason: "URL http(s) attendue, ex. https://convergence.example.fr",
            })?;
        let sessions = SessionSettings {
            idle: Duration::from_secs(60 * number(&lookup, "CONVERGENCE_SESSION_IDLE_MINUTES", 60)? as u64),
            absolute: Duration::from_secs(3600 * number(&lookup, "CONVERGENCE_SESSION_HOURS", 12)? as u64),
        };
        let oidc = oidc_settings(&lookup)?;
        let annuaire = outbound_endpoint(&lookup, "CONVERGENCE_ANNUAIRE_URL", "CONVERGENCE_ANNUAIRE_KEY")?
            .map(|(base, key)| crate::integrations::annuaire::AnnuaireSettings { base, key });
        let osis = outbound_endpoint(&lookup, "CONVERGENCE_OSIS_URL", "CONVERGENCE_OSIS_TOKEN")?
            .map(|(base, token)| crate::integrations::osis::OsisSettings { base, token });
        let outbound = crate::integrations::outbound::RetryPolicy {
            attempts: number(&lookup, "CONVERGENCE_OUTBOUND_ATTEMPTS", 4)?.min(10) as u32,
            base_delay: Duration::from_millis(number(&lookup, "CONVERGENCE_OUTBOUND_BACKOFF_MS", 500)? as u64),
            max_delay: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_millis(number(&lookup, "CONVERGENCE_OUTBOUND_TIMEOUT_MS", 30_000)? as u64),
        };
        Ok(Settings {
            annuaire,
            osis,
            outbound,
            public_url,
            public_url_from_bind,
            sessions,
            oidc,
            database_url: SecretString::from(database_url),
            bind,
            log_format,
            max_upload_bytes,
            max_reference_bytes,
            request_timeout: Duration::from_secs(timeout_secs as u64),
            worker: WorkerSettings {
                program: worker_program,
                memory_bytes: worker_memory_mb as u64 * 1024 * 1024,
                cpu_seconds: worker_cpu_secs as u64,
                timeout: Duration::from_secs(parse_timeout_secs as u64),
            },
            limits,
        })
    }

    /// The database backend name, safe to log (the URL may hold a password).
    pub fn database_kind(&self) -> &'static str {
        if self.database_url.expose_secret().starts_with("postgres") { "postgresql" } else { "sqlite" }
    }
}

fn oidc_settings(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<OidcSettings>, ConfigError> {
    let issuer = lookup("CONVERGENCE_OIDC_ISSUER").filter(|v| !v.trim().is_empty());
    let client_id = lookup("CONVERGENCE_OIDC_CLIENT_ID").filter(|v| !v.trim().is_empty());
    let client_secret = lookup("CONVERGENCE_OIDC_CLIENT_SECRET").filter(|v| !v.is_empty());
    let (issuer, client_id, client_secret) = match (issuer, client_id, client_secret) {
        (None, None, None) => return Ok(None),
        (Some(issuer), Some(client_id), Some(secret)) => (issuer, client_id, secret),
        (issuer, _, _) => {
            return Err(ConfigError {
                name: "CONVERGENCE_OIDC_ISSUER",
                value: issuer.unwrap_or_default(),
                reason: "l'émetteur, l'identifiant client et le secret client OpenID Connect vont ensemble",
            });
        }
    };
    let parsed = url::Url::parse(&issuer).ok();
    let acceptable = parsed.is_some_and(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)));
    if !acceptable {
        return Err(ConfigError {
            name: "CONVERGENCE_OIDC_ISSUER",
            value: issuer,
            reason: "URL https attendue (http seulement sur cette machine)",
        });
    }
    Ok(Some(OidcSettings {
        issuer,
        client_id,
        client_secret: SecretString::from(client_secret),
        scopes: lookup("CONVERGENCE_OIDC_SCOPES").unwrap_or_else(|| "openid email profile".to_owned()),
    }))
}

/// An outbound service's base URL and secret, which go together; none
/// when neither is set (the feature is then off).
fn outbound_endpoint(
    lookup: &impl Fn(&str) -> Option<String>,
    url_name: &'static str,
    secret_name: &'static str,
) -> Result<Option<(url::Url, SecretString)>, ConfigError> {
    let url = lookup(url_name).filter(|v| !v.trim().is_empty());
    let secret = lookup(secret_name).filter(|v| !v.is_empty());
    let (url, secret) = match (url, secret) {
        (None, None) => return Ok(None),
        (Some(url), Some(secret)) => (url, secret),
        (url, _) => {
            return Err(ConfigError {
                name: url_name,
                value: url.unwrap_or_default(),
                reason: "l'adresse et la clé vont ensemble",
            });
        }
    };
    let parsed =
        url::Url::parse(url.trim()).ok().filter(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback(u)));
    match parsed {
        Some(parsed) => Ok(Some((parsed, SecretString::from(secret)))),
        None => Err(ConfigError {
            name: url_name,
            value: url,
            reason: "URL https attendue (http seulement sur cette machine)",
        }),
    }
}

fn number(lookup: &impl Fn(&str) -> Option<String>, name: &'static str, default: usize) -> Result<usize, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().ok().filter(|n| *n > 0).ok_or(ConfigError {
            name,
            value: raw,
            reason: "entier positif attendu",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_environment() {
        let settings = Settings::from_lookup(|_| None).map_err(|e| e.to_string());
        let Ok(settings) = settings else { panic!("{settings:?}") };
        assert_eq!(settings.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(settings.bind.to_string(), DEFAULT_BIND);
        assert_eq!(settings.max_upload_bytes, 20 * 1024 * 1024);
        assert_eq!(settings.worker.memory_bytes, 2048 * 1024 * 1024);
        assert_eq!(settings.database_kind(), "sqlite");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let error = Settings::from_lookup(|name| (name == "LOG_FORMAT").then(|| "xml".to_owned()));
        assert_eq!(error.map(|_| ()).map_err(|e| e.name), Err("LOG_FORMAT"));
    }

    #[test]
    fn sign_in_needs_its_three_settings_and_https() {
        let partial =
            Settings::from_lookup(|name| (name == "CONVERGENCE_OIDC_ISSUER").then(|| "https://idp.example".to_owned()));
        assert_eq!(partial.map(|_| ()).map_err(|e| e.name), Err("CONVERGENCE_OIDC_ISSUER"));
        let with = |issuer: &'static str| {
            Settings::from_lookup(move |name| match name {
                "CONVERGENCE_OIDC_ISSUER" => Some(issuer.to_owned()),
                "CONVERGENCE_OIDC_CLIENT_ID" => Some("convergence".to_owned()),
                "CONVERGENCE_OIDC_CLIENT_SECRET" => Some("s3cret-value".to_owned()),
                _ => None,
            })
        };
        assert!(with("http://idp.example/realms/x").is_err(), "plain HTTP off this machine");
        let settings = with("https://idp.example/realms/x/").map_err(|e| e.to_string());
        let Ok(settings) = settings else { panic!("{settings:?}") };
        let oidc = settings.oidc.unwrap_or_else(|| panic!("configured"));
        assert_eq!(oidc.issuer, "https://idp.example/realms/x/", "compared exactly with the tokens' issuer");
        assert!(!format!("{oidc:?}").contains("s3cret-value"));
        assert!(with("http://127.0.0.1:9999").is_ok());
    }

    #[test]
    fn the_database_url_is_not_printed_by_debug() {
        let settings = Settings::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://app:hunter2@db/convergence".to_owned())
        });
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }
}
