//! The key-set cache as a state machine: it decides *when* to fetch; the host does the fetching.
//!
//! Rules (each a fix of a weakness in Clerk's cache, which refetches on every unknown `kid` and
//! locks everyone out when the endpoint fails):
//! * keys are fresh for `ttl_ms` (5 minutes, as Clerk) after a successful fetch;
//! * an unknown `kid` causes at most one fetch per `unknown_kid_cooldown_ms`, so a flood of random
//!   kids costs one request, not one per token;
//! * a failed fetch is retried no sooner than `retry_after_failure_ms`; meanwhile, and until
//!   `max_stale_ms` past the TTL, the last good keys keep working (stale-if-error);
//! * a successful fetch *replaces* the set: a key the issuer stopped publishing stops verifying at
//!   once (Clerk merges and keeps it), and [`JwksCache::fetch_succeeded`] reports which kids left so
//!   the host can drop tokens it verified with them.
//!
//! Concurrent misses sharing one fetch is the host's job (one in-flight promise per cache).

use super::error::{Reason, TokenError};
use super::keys::KeySet;

/// Timing rules of a [`JwksCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksPolicy {
    /// How long fetched keys are fresh.
    pub ttl_ms: u64,
    /// Minimum time between fetches caused by unknown kids.
    pub unknown_kid_cooldown_ms: u64,
    /// Minimum time between a failed fetch and the next attempt.
    pub retry_after_failure_ms: u64,
    /// How long past the TTL the last good keys may be used while fetches fail.
    pub max_stale_ms: u64,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        JwksPolicy {
            ttl_ms: 300_000,
            unknown_kid_cooldown_ms: 30_000,
            retry_after_failure_ms: 5_000,
            max_stale_ms: 3_600_000,
        }
    }
}

/// What to do for a token with a given `kid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Verify with [`JwksCache::keys`] (which may still answer `jwk-kid-mismatch`).
    Proceed,
    /// Fetch the key set now, report the outcome, then look up again.
    Fetch,
    /// Fail: no usable keys and no fetch allowed yet.
    Fail(TokenError),
}

/// Cached keys of one source, with the timing facts the rules need. Times are host milliseconds.
#[derive(Debug, Clone, Default)]
pub struct JwksCache {
    policy: JwksPolicy,
    keys: Option<KeySet>,
    fetched_at: Option<i64>,
    last_attempt: Option<i64>,
    last_failure: Option<(i64, TokenError)>,
}

impl JwksCache {
    /// An empty cache.
    pub fn new(policy: JwksPolicy) -> Self {
        JwksCache {
            policy,
            ..JwksCache::default()
        }
    }

    /// The current keys, if any fetch ever succeeded.
    pub fn keys(&self) -> Option<&KeySet> {
        self.keys.as_ref()
    }

    /// Decides what a token with `kid` needs at `now`.
    pub fn lookup(&self, kid: Option<&str>, now: i64) -> Lookup {
        let since = |t: Option<i64>| t.map(|t| now.saturating_sub(t).max(0) as u64);
        let failure_age = since(self.last_failure.as_ref().map(|(at, _)| *at));
        let may_retry = failure_age.is_none_or(|age| age >= self.policy.retry_after_failure_ms);
        let Some(keys) = &self.keys else {
            return match (&self.last_failure, may_retry) {
                (Some((_, error)), false) => Lookup::Fail(error.clone()),
                _ => Lookup::Fetch,
            };
        };
        let age = since(self.fetched_at).unwrap_or(u64::MAX);
        if age >= self.policy.ttl_ms {
            if may_retry {
                return Lookup::Fetch;
            }
            if age >= self.policy.ttl_ms.saturating_add(self.policy.max_stale_ms) {
                let why = self.last_failure.as_ref().map_or(String::new(), |(_, e)| {
                    format!(" Last error: {}", e.message)
                });
                return Lookup::Fail(TokenError::new(
                    Reason::RemoteFailedToLoad,
                    format!("The signing keys could not be refreshed and the cached copy is too old to trust.{why}"),
                ));
            }
        }
        let known = kid.is_some_and(|kid| keys.kids().any(|k| k == kid));
        let kid_cooldown_over =
            since(self.last_attempt).is_none_or(|a| a >= self.policy.unknown_kid_cooldown_ms);
        if !known && kid.is_some() && kid_cooldown_over && may_retry {
            return Lookup::Fetch;
        }
        Lookup::Proceed
    }

    /// Records a fetched body. Returns the kids that were dropped, or the parse error (which is
    /// also recorded as a failed fetch).
    pub fn fetch_succeeded(&mut self, body: &str, now: i64) -> Result<Vec<String>, TokenError> {
        match KeySet::from_jwks(body) {
            Ok(keys) => {
                let removed = match &self.keys {
                    Some(old) => old
                        .kids()
                        .filter(|kid| !keys.kids().any(|k| k == *kid))
                        .map(str::to_owned)
                        .collect(),
                    None => Vec::new(),
                };
                self.keys = Some(keys);
                self.fetched_at = Some(now);
                self.last_attempt = Some(now);
                self.last_failure = None;
                Ok(removed)
            }
            Err(error) => {
                self.fetch_failed(error.clone(), now);
                Err(error)
            }
        }
    }

    /// Records a failed fetch (network error, timeout, non-2xx, oversized body).
    pub fn fetch_failed(&mut self, error: TokenError, now: i64) {
        self.last_attempt = Some(now);
        self.last_failure = Some((now, error));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    const JWKS_B: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"b","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

    fn failure() -> TokenError {
        TokenError::new(Reason::RemoteFailedToLoad, "down")
    }

    #[test]
    fn first_use_fetches_and_failures_back_off() {
        let mut cache = JwksCache::new(JwksPolicy::default());
        assert_eq!(cache.lookup(Some("a"), 0), Lookup::Fetch);
        cache.fetch_failed(failure(), 0);
        assert!(matches!(cache.lookup(Some("a"), 4_999), Lookup::Fail(_)));
        assert_eq!(cache.lookup(Some("a"), 5_000), Lookup::Fetch);
    }

    #[test]
    fn unknown_kids_fetch_once_per_cooldown() {
        let mut cache = JwksCache::new(JwksPolicy::default());
        cache.fetch_succeeded(JWKS, 0).unwrap();
        assert_eq!(cache.lookup(Some("a"), 1), Lookup::Proceed);
        assert_eq!(
            cache.lookup(Some("zzz"), 29_999),
            Lookup::Proceed,
            "within cooldown: verify (kid mismatch)"
        );
        assert_eq!(cache.lookup(Some("zzz"), 30_000), Lookup::Fetch);
        cache.fetch_succeeded(JWKS, 30_000).unwrap();
        assert_eq!(cache.lookup(Some("other"), 30_001), Lookup::Proceed);
    }

    #[test]
    fn stale_keys_survive_outages_for_a_bounded_time() {
        let policy = JwksPolicy::default();
        let mut cache = JwksCache::new(policy);
        cache.fetch_succeeded(JWKS, 0).unwrap();
        let expired = policy.ttl_ms as i64;
        assert_eq!(cache.lookup(Some("a"), expired), Lookup::Fetch);
        cache.fetch_failed(failure(), expired);
        assert_eq!(
            cache.lookup(Some("a"), expired + 1),
            Lookup::Proceed,
            "stale-if-error"
        );
        let too_old = (policy.ttl_ms + policy.max_stale_ms) as i64;
        cache.fetch_failed(failure(), too_old - 1);
        assert!(matches!(cache.lookup(Some("a"), too_old), Lookup::Fail(_)));
    }

    #[test]
    fn a_refresh_drops_keys_no_longer_published() {
        let mut cache = JwksCache::new(JwksPolicy::default());
        cache.fetch_succeeded(JWKS, 0).unwrap();
        assert_eq!(
            cache.fetch_succeeded(JWKS_B, 400_000).unwrap(),
            vec!["a".to_owned()]
        );
        assert!(cache.keys().unwrap().select(Some("a")).is_err());
    }

    #[test]
    fn an_invalid_body_counts_as_a_failure_and_keeps_the_old_keys() {
        let mut cache = JwksCache::new(JwksPolicy::default());
        cache.fetch_succeeded(JWKS, 0).unwrap();
        assert!(cache.fetch_succeeded("{\"keys\":[]}", 400_000).is_err());
        assert!(cache.keys().unwrap().select(Some("a")).is_ok());
        assert_eq!(cache.lookup(Some("a"), 400_001), Lookup::Proceed);
    }
}
