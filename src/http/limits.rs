//! Abuse limits, per replica: requests per token, parse workers at once
//! (in all and per token), connections per client address, and body sizes
//! told before the body is read.
//!
//! They are kept in each replica's memory on purpose: they protect that
//! replica's CPU, memory and sockets, which is what they are about; a
//! client spread over N replicas by the load balancer gets at most N times
//! its share. Nothing here needs to be exact across replicas.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::Caller;
use crate::error::AppError;

/// Requests per token: a bucket of `burst` requests refilled at
/// `per_second`.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<Caller, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_second` requests a second on average, and
    /// bursts of `burst`.
    pub fn new(per_second: u32, burst: u32) -> Self {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from the token's bucket.
    ///
    /// # Errors
    /// `RateLimited` with the seconds until the next request is allowed.
    pub fn check(&self, caller: Caller, now: Instant) -> Result<(), AppError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(caller).or_insert(Bucket { tokens: self.burst, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(AppError::RateLimited { retry_after: wait.ceil().max(1.0) as u64 })
        }
    }
}

/// Parse workers running at once: each reads a file in a process of its
/// own under a memory cap, so their number bounds the replica's memory.
#[derive(Debug)]
pub struct WorkerGate {
    total: Arc<Semaphore>,
    per_token_max: usize,
    per_token: Arc<Mutex<HashMap<Caller, usize>>>,
}

/// A running worker's place; freed when dropped.
#[derive(Debug)]
pub struct WorkerPermit {
    _total: OwnedSemaphorePermit,
    token: Caller,
    per_token: Arc<Mutex<HashMap<Caller, usize>>>,
}

impl Drop for WorkerPermit {
    fn drop(&mut self) {
        let mut counts = self.per_token.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.token) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.token);
            }
        }
    }
}

/// How long a refused caller is told to wait for a worker.
const WORKER_RETRY_AFTER: u64 = 10;

impl WorkerGate {
    /// A gate of `total` workers, `per_token` of them for one token.
    pub fn new(total: usize, per_token: usize) -> Self {
        WorkerGate {
            total: Arc::new(Semaphore::new(total.max(1))),
            per_token_max: per_token.max(1),
            per_token: Arc::default(),
        }
    }

    /// A worker's place for a token's request, at once or not at all.
    ///
    /// # Errors
    /// `Busy` when the token already has its share running, or every
    /// worker of the replica is.
    pub fn admit(&self, token: Caller) -> Result<WorkerPermit, AppError> {
        let mut counts = self.per_token.lock().unwrap_or_else(PoisonError::into_inner);
        let running = counts.get(&token).copied().unwrap_or(0);
        if running >= self.per_token_max {
            return Err(AppError::Busy {
                reason: "vos fichiers précédents sont encore en cours de lecture",
                retry_after: WORKER_RETRY_AFTER,
            });
        }
        let total = Arc::clone(&self.total).try_acquire_owned().map_err(|_| AppError::Busy {
            reason: "tous les lecteurs de fichiers du service sont occupés",
            retry_after: WORKER_RETRY_AFTER,
        })?;
        counts.insert(token, running + 1);
        Ok(WorkerPermit { _total: total, token, per_token: Arc::clone(&self.per_token) })
    }
}

/// Open connections per client address.
#[derive(Debug, Default)]
pub struct ConnectionLimiter {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// An open connection's place; freed when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

impl ConnectionLimiter {
    /// At most `max` connections open at once from one address.
    pub fn new(max: usize) -> Self {
        ConnectionLimiter { max: max.max(1), open: Arc::default() }
    }

    /// A place for a new connection from `ip`, or `None` when it has its
    /// share open (the connection is then closed at once).
    pub fn admit(&self, ip: IpAddr) -> Option<ConnectionSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot { ip, open: Arc::clone(&self.open) })
    }
}

/// Largest body of a request that is not a file upload (JSON).
pub const MAX_JSON_BYTES: u64 = 1024 * 1024;

/// Body sizes by kind of request.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// A `multipart/form-data` upload.
    pub upload: u64,
    /// A national reference file (`/api/v1/reference/…`, admin).
    pub reference: u64,
    /// Anything else.
    pub other: u64,
}

/// Where national reference files are loaded (a larger limit).
const REFERENCE_ROUTES: [&str; 2] = ["/api/v1/reference/", "/admin/referentiel/"];

/// Whether a path loads a national reference file (the larger limit).
pub fn is_reference_route(path: &str) -> bool {
    REFERENCE_ROUTES.iter().any(|prefix| path.starts_with(prefix))
}

/// Refuses with 413, before reading a byte of it, a body whose declared
/// length exceeds its kind's limit; a body without a declared length is
/// cut at the limit while read (the extractors answer 413 then).
pub async fn limit_body(State(limits): State<BodyLimits>, request: Request, next: Next) -> Response {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/"));
    let reference = is_reference_route(request.uri().path());
    let limit = match (multipart, reference) {
        (true, true) => limits.reference,
        (true, false) => limits.upload,
        (false, _) => limits.other,
    };
    let declared =
        request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        let error = if multipart {
            AppError::Ingest(crate::import::IngestError::TooLarge { limit })
        } else {
            AppError::PayloadTooLarge(format!("le corps de la requête dépasse {} Kio", limit / 1024))
        };
        return error.into_response();
    }
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    next.run(Request::from_parts(parts, axum::body::Body::new(limited))).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_token_gets_its_burst_then_its_rate() {
        let limiter = RateLimiter::new(2, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(Caller::Token(1), start).is_ok());
        }
        let refused = limiter.check(Caller::Token(1), start);
        assert!(matches!(refused, Err(AppError::RateLimited { retry_after: 1 })), "{refused:?}");
        assert!(limiter.check(Caller::Token(2), start).is_ok(), "another token has its own bucket");
        assert!(limiter.check(Caller::Token(1), start + Duration::from_millis(500)).is_ok(), "refilled at 2 a second");
        assert!(limiter.check(Caller::Token(1), start + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn workers_are_shared_per_token_and_in_all() {
        let gate = WorkerGate::new(3, 2);
        let a1 = gate.admit(Caller::Token(1));
        let a2 = gate.admit(Caller::Token(1));
        assert!(a1.is_ok() && a2.is_ok());
        assert!(matches!(gate.admit(Caller::Token(1)), Err(AppError::Busy { .. })), "a token's share");
        let b = gate.admit(Caller::Token(2));
        assert!(b.is_ok());
        assert!(matches!(gate.admit(Caller::Token(3)), Err(AppError::Busy { .. })), "every worker busy");
        drop(a1);
        assert!(gate.admit(Caller::Token(3)).is_ok(), "a freed place is taken again");
    }

    #[test]
    fn connections_are_counted_per_address() {
        let limiter = ConnectionLimiter::new(2);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let first = limiter.admit(ip);
        let second = limiter.admit(ip);
        assert!(first.is_some() && second.is_some());
        assert!(limiter.admit(ip).is_none());
        assert!(limiter.admit([10, 0, 0, 2].into()).is_some());
        drop(first);
        assert!(limiter.admit(ip).is_some());
    }
}
