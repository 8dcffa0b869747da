//! Answers kept in memory for a moment: the regional and national views
//! are the same for every caller of one viewpoint (DGOS, an ARS, one GHT's
//! DSI) and weigh hundreds of kilobytes of JSON for 136 GHTs; serialising
//! them at every request would cap the replica far below its load target.
//!
//! An answer is served from memory while it is younger than two seconds
//! and no write of this replica committed since it was made (the same
//! freshness as the peer values it is computed from; another replica's
//! write shows here at most two seconds late). The key names everything
//! the answer depends on, including the caller's viewpoint: access is
//! decided before the cache is read, never by it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::response::{IntoResponse, Response};

const FRESH_FOR: Duration = Duration::from_secs(2);
/// Past `FRESH_FOR`, while one request rebuilds an answer, the others are
/// served the previous one for at most this long (never across a commit
/// of this replica): without it, every request arriving during the rebuild
/// rebuilt it too, and the slowest of them set the p99.
const STALE_FOR: Duration = Duration::from_secs(10);
/// Past this many answers, the oldest are dropped (viewpoints × campaigns
/// × regions stay far below it).
const MAX_ANSWERS: usize = 1024;

#[derive(Debug, Clone)]
struct Kept {
    made_at: Instant,
    commits: u64,
    body: Bytes,
    /// The same body, gzip-compressed once (a tenth of the size).
    gzipped: Bytes,
    /// Whether a request is rebuilding it.
    refreshing: bool,
}

/// What the cache holds for a key.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// Fresh: send it.
    Fresh(JsonBytes),
    /// Being rebuilt by another request: send it meanwhile.
    Stale(JsonBytes),
    /// Nothing usable: build it (this request is the one rebuilding).
    Build,
}

/// JSON answers kept per replica, within a number of answers and of bytes.
#[derive(Debug)]
pub struct AnswerCache {
    kept: Mutex<HashMap<String, Kept>>,
    max_answers: usize,
    max_bytes: usize,
}

impl Default for AnswerCache {
    /// The regional and national views: few answers, each up to a few
    /// hundred kilobytes.
    fn default() -> Self {
        Self::within(MAX_ANSWERS, 64 << 20)
    }
}

/// A JSON body ready to send, plain or gzip-compressed.
#[derive(Debug, Clone)]
pub enum JsonBytes {
    /// As is.
    Plain(Bytes),
    /// Compressed, for a client that accepts gzip.
    Gzipped(Bytes),
}

impl IntoResponse for JsonBytes {
    fn into_response(self) -> Response {
        match self {
            JsonBytes::Plain(body) => ([(CONTENT_TYPE, "application/json")], body).into_response(),
            JsonBytes::Gzipped(body) => {
                ([(CONTENT_TYPE, "application/json"), (CONTENT_ENCODING, "gzip"), (VARY, "accept-encoding")], body)
                    .into_response()
            }
        }
    }
}

/// Whether a request's `Accept-Encoding` takes gzip.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused =
                parts.any(|p| matches!(p.trim().replace(' ', "").as_str(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

impl Kept {
    fn answer(&self, gzip: bool) -> JsonBytes {
        if gzip { JsonBytes::Gzipped(self.gzipped.clone()) } else { JsonBytes::Plain(self.body.clone()) }
    }
}

impl AnswerCache {
    /// A cache of at most `max_answers` answers weighing `max_bytes` in
    /// all (an answer heavier than an eighth of it is sent, not kept).
    pub fn within(max_answers: usize, max_bytes: usize) -> Self {
        Self { kept: Mutex::default(), max_answers, max_bytes }
    }

    /// The answer kept under `key` for `commits` (the database's commit
    /// count now): fresh, stale while another request rebuilds it, or to
    /// build (and this request is then the one rebuilding).
    pub fn get(&self, key: &str, commits: u64, gzip: bool) -> Lookup {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = kept.get_mut(key).filter(|k| k.commits == commits) else { return Lookup::Build };
        let age = entry.made_at.elapsed();
        if age < FRESH_FOR {
            Lookup::Fresh(entry.answer(gzip))
        } else if age < STALE_FOR && entry.refreshing {
            Lookup::Stale(entry.answer(gzip))
        } else {
            entry.refreshing = true;
            Lookup::Build
        }
    }

    /// The answer to send as kept (fresh, or stale while another request
    /// rebuilds it), or `None` when this request is to build it.
    pub fn kept(&self, key: &str, commits: u64, gzip: bool) -> Option<JsonBytes> {
        match self.get(key, commits, gzip) {
            Lookup::Fresh(kept) | Lookup::Stale(kept) => Some(kept),
            Lookup::Build => None,
        }
    }

    /// Serialises an answer (and compresses it) and keeps it under `key`.
    ///
    /// # Errors
    /// When the value cannot be serialised or compressed.
    pub fn keep<T: serde::Serialize>(
        &self,
        key: String,
        commits: u64,
        value: &T,
        gzip: bool,
    ) -> Result<JsonBytes, std::io::Error> {
        use std::io::Write;
        let body = Bytes::from(serde_json::to_vec(value)?);
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&body)?;
        let gzipped = Bytes::from(encoder.finish()?);
        let kept_now = Kept { made_at: Instant::now(), commits, body, gzipped, refreshing: false };
        let answer = kept_now.answer(gzip);
        let weight = kept_now.body.len() + kept_now.gzipped.len();
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if weight > self.max_bytes / 8 {
            kept.remove(&key);
            return Ok(answer);
        }
        let weighs =
            |kept: &HashMap<String, Kept>| kept.values().map(|k| k.body.len() + k.gzipped.len()).sum::<usize>();
        if kept.len() >= self.max_answers || weighs(&kept) + weight > self.max_bytes {
            kept.retain(|_, k| k.made_at.elapsed() < FRESH_FOR);
            if kept.len() >= self.max_answers || weighs(&kept) + weight > self.max_bytes {
                kept.clear();
            }
        }
        kept.insert(key, kept_now);
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_stale_once_a_write_committed() {
        let cache = AnswerCache::default();
        let kept = cache.keep("nation|2026|all".to_owned(), 7, &serde_json::json!({"a": 1}), false);
        assert!(matches!(kept, Ok(JsonBytes::Plain(_))));
        let plain = cache.get("nation|2026|all", 7, false);
        assert!(matches!(plain, Lookup::Fresh(JsonBytes::Plain(body)) if body == Bytes::from_static(b"{\"a\":1}")));
        let gzipped = cache.get("nation|2026|all", 7, true);
        assert!(matches!(gzipped, Lookup::Fresh(JsonBytes::Gzipped(body)) if body.starts_with(&[0x1f, 0x8b])));
        assert!(matches!(cache.get("nation|2026|all", 8, false), Lookup::Build), "a commit since");
        assert!(matches!(cache.get("nation|2026|ght:NOR-02", 7, false), Lookup::Build), "another viewpoint");
    }

    #[test]
    fn one_request_rebuilds_an_old_answer_while_the_others_are_served_it() {
        let cache = AnswerCache::default();
        let _ = cache.keep("k".to_owned(), 1, &serde_json::json!(1), false);
        if let Some(entry) = cache.kept.lock().unwrap_or_else(PoisonError::into_inner).get_mut("k") {
            entry.made_at = Instant::now() - Duration::from_secs(3);
        }
        assert!(matches!(cache.get("k", 1, false), Lookup::Build), "the first request rebuilds");
        assert!(matches!(cache.get("k", 1, false), Lookup::Stale(_)), "the others get the previous answer");
        assert!(matches!(cache.get("k", 2, false), Lookup::Build), "never across a commit");
        let _ = cache.keep("k".to_owned(), 1, &serde_json::json!(2), false);
        assert!(matches!(cache.get("k", 1, false), Lookup::Fresh(_)));
    }

    #[test]
    fn the_cache_keeps_within_its_bytes() {
        let cache = AnswerCache::within(100, 8 * 64);
        let heavy = "x".repeat(100);
        let _ = cache.keep("heavy".to_owned(), 1, &heavy, false);
        assert!(matches!(cache.get("heavy", 1, false), Lookup::Build), "over an eighth of the budget: sent, not kept");
        let _ = cache.keep("light".to_owned(), 1, &"x", false);
        assert!(matches!(cache.get("light", 1, false), Lookup::Fresh(_)));
        for i in 0..40 {
            let _ = cache.keep(format!("k{i}"), 1, &"y".repeat(10), false);
        }
        let kept = cache.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let weight: usize = kept.values().map(|k| k.body.len() + k.gzipped.len()).sum();
        assert!(weight <= 8 * 64, "{weight} bytes kept");
    }

    #[test]
    fn gzip_is_sent_only_to_who_accepts_it() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT_ENCODING, axum::http::HeaderValue::from_static(value));
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(!with("br"));
        assert!(!with("gzip;q=0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
