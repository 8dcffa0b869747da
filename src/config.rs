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
    /// Longest time a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// The isolated parse worker.
    pub worker: WorkerSettings,
    /// Abuse limits, per replica.
    pub limits: LimitSettings,
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
        Ok(Settings {
            database_url: SecretString::from(database_url),
            bind,
            log_format,
            max_upload_bytes,
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
    fn the_database_url_is_not_printed_by_debug() {
        let settings = Settings::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://app:hunter2@db/convergence".to_owned())
        });
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }
}
