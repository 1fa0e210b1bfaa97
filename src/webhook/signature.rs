//! The signed content, the `v1` HMAC-SHA256 signature, and the signature header's entries.
//!
//! Why compare base64 text rather than decoded bytes: svix compares the base64 strings, so a
//! signature svix refuses for its encoding (other padding, non-canonical trailing bits) is refused
//! here too. The comparison runs in constant time over every entry (`subtle`), so timing reveals
//! neither the expected signature nor which entry matched.
//!
//! Why the header is split on single spaces only, and entries on commas: those are svix's rules
//! (`split(" ")`, then `split(",")`). Empty entries (double spaces) are skipped; an entry whose
//! version is not exactly `v1`, or whose value is empty, is never a candidate — a header with no
//! candidate is refused outright (GHSA-9mp4-77wg-rwx9, where a verifier accepted improperly signed
//! events).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use super::error::WebhookError;
use super::secret::SigningSecret;

/// The non-empty `v1` signatures in a signature header, in order. An entry is `version,value[,…]`:
/// as in svix, the value is the text between the first and second comma, so `v1,<sig>,` (what a
/// proxy's `, `-joined repeated header looks like) still counts. What is compared is the whole
/// expected signature either way, so nothing after the value can make a wrong signature match.
pub(crate) fn v1_signatures(header: &str) -> Vec<&str> {
    header
        .split(' ')
        .filter_map(|entry| {
            let mut parts = entry.split(',');
            match (parts.next(), parts.next()) {
                (Some("v1"), Some(value)) if !value.is_empty() => Some(value),
                _ => None,
            }
        })
        .collect()
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, exactly what svix's `sign` returns.
pub fn sign(secret: &SigningSecret, id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1,{}", STANDARD.encode(mac(secret, id, timestamp, body)))
}

fn mac(secret: &SigningSecret, id: &str, timestamp: i64, body: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.key()).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Whether any candidate equals the expected signature, in constant time.
pub(crate) fn matches_any(
    candidates: &[String],
    secret: &SigningSecret,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<(), WebhookError> {
    let expected = STANDARD.encode(mac(secret, id, timestamp, body));
    let matched = candidates.iter().fold(Choice::from(0), |acc, candidate| {
        acc | expected.as_bytes().ct_eq(candidate.as_bytes())
    });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(WebhookError::NoMatchingSignature)
    }
}

/// Parses the timestamp header (digits only) and checks it is within `tolerance` seconds of `now`
/// either way: exactly `tolerance` seconds off is accepted, one more is not (svix's bounds).
pub(crate) fn check_timestamp(value: &str, now: i64, tolerance: u32) -> Result<i64, WebhookError> {
    // svix uses parseInt, which also takes "+5", "-5", "17e8" (as 17) or "1700000000abc"; a sender
    // never produces those, so they are refused rather than guessed at.
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::InvalidTimestamp);
    }
    let timestamp: i64 = value.parse().map_err(|_| WebhookError::InvalidTimestamp)?;
    let (now, ts, tol) = (
        i128::from(now),
        i128::from(timestamp),
        i128::from(tolerance),
    );
    if now - ts > tol {
        return Err(WebhookError::TimestampTooOld {
            age: u64::try_from(now - ts).unwrap_or(u64::MAX),
            tolerance,
        });
    }
    if ts - now > tol {
        return Err(WebhookError::TimestampTooNew {
            ahead: u64::try_from(ts - now).unwrap_or(u64::MAX),
            tolerance,
            looks_like_ms: (ts / 1000 - now).abs() <= tol,
        });
    }
    Ok(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_empty_v1_entries_are_candidates() {
        assert!(v1_signatures("").is_empty());
        assert!(v1_signatures("v1,").is_empty());
        assert!(v1_signatures("v1").is_empty());
        assert!(v1_signatures("v2,abc v1a,abc V1,abc ,abc").is_empty());
        assert!(v1_signatures("v1,, v1,,x").is_empty());
        assert_eq!(v1_signatures("v2,x  v1,a v1,b,c v1,d,"), ["a", "b", "d"]);
        assert_eq!(v1_signatures("v1,a\tv1,b"), ["a\tv1"]);
    }

    #[test]
    fn timestamp_bounds_are_inclusive() {
        let now = 1_767_225_600;
        for offset in [-300, 0, 300] {
            let ts = (now + offset).to_string();
            assert_eq!(check_timestamp(&ts, now, 300), Ok(now + offset));
        }
        assert!(matches!(
            check_timestamp(&(now - 301).to_string(), now, 300),
            Err(WebhookError::TimestampTooOld { age: 301, .. })
        ));
        assert!(matches!(
            check_timestamp(&(now + 301).to_string(), now, 300),
            Err(WebhookError::TimestampTooNew {
                ahead: 301,
                looks_like_ms: false,
                ..
            })
        ));
        assert!(matches!(
            check_timestamp(&(now * 1000).to_string(), now, 300),
            Err(WebhookError::TimestampTooNew {
                looks_like_ms: true,
                ..
            })
        ));
        for bad in ["", "+1", "-1", "1.0", "1e9", "0x10", "99999999999999999999"] {
            assert_eq!(
                check_timestamp(bad, now, 300),
                Err(WebhookError::InvalidTimestamp),
                "{bad}"
            );
        }
    }
}
