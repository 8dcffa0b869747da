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
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

const FRESH_FOR: Duration = Duration::from_secs(2);
/// Past this many answers, the oldest are dropped (viewpoints × campaigns
/// × regions stay far below it).
const MAX_ANSWERS: usize = 1024;

#[derive(Debug, Clone)]
struct Kept {
    made_at: Instant,
    commits: u64,
    body: Bytes,
}

/// JSON answers kept per replica.
#[derive(Debug, Default)]
pub struct AnswerCache {
    kept: Mutex<HashMap<String, Kept>>,
}

/// A JSON body ready to send.
#[derive(Debug, Clone)]
pub struct JsonBytes(pub Bytes);

impl IntoResponse for JsonBytes {
    fn into_response(self) -> Response {
        ([(CONTENT_TYPE, "application/json")], self.0).into_response()
    }
}

impl AnswerCache {
    /// The answer kept under `key`, if fresh for `commits` (the database's
    /// commit count now).
    pub fn get(&self, key: &str, commits: u64) -> Option<JsonBytes> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(key)
            .filter(|k| k.commits == commits && k.made_at.elapsed() < FRESH_FOR)
            .map(|k| JsonBytes(k.body.clone()))
    }

    /// Serialises an answer and keeps it under `key`.
    ///
    /// # Errors
    /// When the value cannot be serialised.
    pub fn keep<T: serde::Serialize>(
        &self,
        key: String,
        commits: u64,
        value: &T,
    ) -> Result<JsonBytes, serde_json::Error> {
        let body = Bytes::from(serde_json::to_vec(value)?);
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MAX_ANSWERS {
            kept.retain(|_, k| k.made_at.elapsed() < FRESH_FOR);
            if kept.len() >= MAX_ANSWERS {
                kept.clear();
            }
        }
        kept.insert(key, Kept { made_at: Instant::now(), commits, body: body.clone() });
        Ok(JsonBytes(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_stale_once_a_write_committed() {
        let cache = AnswerCache::default();
        let kept = cache.keep("nation|2026|all".to_owned(), 7, &serde_json::json!({"a": 1}));
        assert!(kept.is_ok());
        assert_eq!(cache.get("nation|2026|all", 7).map(|b| b.0), Some(Bytes::from_static(b"{\"a\":1}")));
        assert!(cache.get("nation|2026|all", 8).is_none(), "a commit since");
        assert!(cache.get("nation|2026|ght:NOR-02", 7).is_none(), "another viewpoint");
    }
}
