//! Webhook verification: Svix / Standard Webhooks signatures, as Clerk signs its webhooks.
//!
//! # Design choices
//! * **svix's answers, never its leniencies.** Every request the `svix` package (1.99.1) refuses is
//!   refused here, checked on shared vectors signed by svix itself
//!   (`tests/data/webhook-vectors.json`). Where svix is lenient in ways no sender relies on
//!   (`parseInt` timestamps such as `"1700000000abc"`, empty or tiny keys, a stray character after
//!   the key's base64, JSON bodies that are not objects) we refuse, and the vectors mark each case.
//! * **The raw body, never re-serialised JSON.** The HMAC covers `"{id}.{timestamp}.{body}"` with
//!   the body bytes exactly as received; parsing happens only after the signature matched.
//! * **Refuse headers with no real signature** (GHSA-9mp4-77wg-rwx9 / CVE-2025-53548, where Clerk's
//!   `verifyWebhook` accepted improperly signed events): empty values, `v1,` with nothing after
//!   it and non-`v1` entries are never compared, and a header with no `v1` candidate is refused
//!   before the body is read.
//! * **Two phases, no IO.** [`prepare`] checks the secret and the headers (and the clock, passed
//!   in) before anything reads the body, so a stale or unsigned request costs no body read;
//!   [`PreparedWebhook::verify`] then checks the body. [`verify`] does both.
//!
//! ```
//! use portcullis::webhook::{self, WebhookHeaders};
//!
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let body = br#"{"type":"user.created","data":{"id":"user_1"}}"#;
//! let now = 1_767_225_600;
//! let key = webhook::SigningSecret::parse(secret).unwrap();
//! let signature = webhook::sign(&key, "msg_1", now, body);
//! let timestamp = now.to_string();
//! let headers = WebhookHeaders {
//!     id: Some("msg_1"),
//!     timestamp: Some(&timestamp),
//!     signature: Some(&signature),
//! };
//! let event = webhook::verify(&headers, body, secret, now, webhook::DEFAULT_TOLERANCE_SECONDS).unwrap();
//! assert_eq!(event["type"], "user.created");
//! ```

mod error;
mod headers;
mod payload;
mod secret;
mod signature;

use serde_json::{Map, Value};

pub use error::{SecretProblem, WebhookError};
pub use headers::{WebhookHeaders, STANDARD as STANDARD_HEADERS, SVIX as SVIX_HEADERS};
pub use secret::{SigningSecret, MIN_KEY_BYTES, PREFIX as SECRET_PREFIX};
pub use signature::sign;

/// How far the timestamp may be from now, either way (svix's and Standard Webhooks' 5 minutes).
pub const DEFAULT_TOLERANCE_SECONDS: u32 = 300;

/// A request whose secret and headers passed; only its body remains to be checked.
#[derive(Debug, Clone)]
pub struct PreparedWebhook {
    secret: SigningSecret,
    id: String,
    timestamp: i64,
    signatures: Vec<String>,
}

/// Checks the secret, then the headers, then the timestamp against `now_seconds`, then that the
/// signature header holds at least one `v1` candidate — svix's order, so the first problem reported
/// is the one svix would report.
pub fn prepare(
    headers: &WebhookHeaders<'_>,
    secret: &str,
    now_seconds: i64,
    tolerance_seconds: u32,
) -> Result<PreparedWebhook, WebhookError> {
    let secret = SigningSecret::parse(secret)?;
    let [id, timestamp, signature] = headers
        .require()
        .map_err(|missing| WebhookError::MissingHeaders { missing })?;
    let timestamp = signature::check_timestamp(timestamp, now_seconds, tolerance_seconds)?;
    let signatures: Vec<String> = signature::v1_signatures(signature)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if signatures.is_empty() {
        return Err(WebhookError::NoV1Signature);
    }
    Ok(PreparedWebhook {
        secret,
        id: id.to_owned(),
        timestamp,
        signatures,
    })
}

impl PreparedWebhook {
    /// The message id (`svix-id`): unique per message, the same on every retry, so it is the key
    /// for making a handler idempotent.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The signed timestamp, Unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Checks the signature over `body` (the raw bytes as received), then that the body is a JSON
    /// object; returns the body as text for the host to parse.
    pub fn verify_body<'b>(&self, body: &'b [u8]) -> Result<&'b str, WebhookError> {
        signature::matches_any(
            &self.signatures,
            &self.secret,
            &self.id,
            self.timestamp,
            body,
        )?;
        payload::json_object(body)
    }

    /// [`verify_body`](Self::verify_body), then parses the event. serde_json's parser refuses a few
    /// bodies that `JSON.parse` accepts (nesting over 128 levels, escaped lone surrogates, numbers
    /// out of `f64` range); those are refused here as `invalid-payload`.
    pub fn verify(&self, body: &[u8]) -> Result<Map<String, Value>, WebhookError> {
        let text = self.verify_body(body)?;
        match serde_json::from_str(text) {
            Ok(Value::Object(event)) => Ok(event),
            // json_object already checked that the body is an object.
            Ok(_) => Err(WebhookError::InvalidPayload {
                reason: "the body is not a JSON object".into(),
            }),
            Err(error) => Err(WebhookError::InvalidPayload {
                reason: format!("the body cannot be parsed as a JSON value here ({error})"),
            }),
        }
    }
}

/// Verifies a webhook request: `headers` as received, `body` the raw bytes, `secret` the endpoint's
/// signing secret (`whsec_…`), `now_seconds` the current Unix time. Returns the parsed event.
pub fn verify(
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    secret: &str,
    now_seconds: i64,
    tolerance_seconds: u32,
) -> Result<Map<String, Value>, WebhookError> {
    prepare(headers, secret, now_seconds, tolerance_seconds)?.verify(body)
}
