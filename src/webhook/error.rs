//! Why a webhook was refused, with stable codes.
//!
//! Why one enum with struct variants: each refusal has a different fix (set the secret, copy it again,
//! keep the raw body, check the clock), so each variant carries what the message needs to name that
//! fix, and `code()` gives callers a stable string to branch on. Messages never contain the secret,
//! a signature or the body.

use std::fmt;

/// Which part of the signing secret is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretProblem {
    /// A Clerk secret key (`sk_…`) was given instead of the webhook signing secret.
    ClerkSecretKey,
    /// A Clerk publishable key (`pk_…`) was given instead of the webhook signing secret.
    PublishableKey,
    /// Whitespace (often a trailing newline from an env file).
    Whitespace,
    /// Not standard base64 after the optional `whsec_` prefix.
    NotBase64,
    /// Decodes to fewer bytes than any real signing secret.
    TooShort {
        /// How many bytes it decodes to.
        bytes: usize,
    },
}

/// A refused webhook request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// No signing secret was configured.
    MissingSecret,
    /// The signing secret cannot be a Svix/Clerk signing secret.
    InvalidSecret {
        /// What is wrong with it.
        problem: SecretProblem,
    },
    /// One or more of the three signature headers is absent or empty.
    MissingHeaders {
        /// The missing headers (`svix-id`, `svix-timestamp`, `svix-signature`).
        missing: Vec<&'static str>,
    },
    /// The timestamp header is not a Unix time in whole seconds.
    InvalidTimestamp,
    /// The timestamp is further in the past than the tolerance.
    TimestampTooOld {
        /// Seconds between the timestamp and now.
        age: u64,
        /// The tolerance in seconds.
        tolerance: u32,
    },
    /// The timestamp is further in the future than the tolerance.
    TimestampTooNew {
        /// Seconds between now and the timestamp.
        ahead: u64,
        /// The tolerance in seconds.
        tolerance: u32,
        /// The value looks like milliseconds rather than seconds.
        looks_like_ms: bool,
    },
    /// The signature header holds no non-empty `v1,<signature>` entry (GHSA-9mp4-77wg-rwx9: such a
    /// header must never be accepted).
    NoV1Signature,
    /// No `v1` signature matches the one computed from the secret, id, timestamp and body.
    NoMatchingSignature,
    /// The signed body is not a UTF-8 JSON object.
    InvalidPayload {
        /// What is wrong with it.
        reason: String,
    },
}

impl WebhookError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::MissingSecret => "missing-secret",
            WebhookError::InvalidSecret { .. } => "invalid-secret",
            WebhookError::MissingHeaders { .. } => "missing-headers",
            WebhookError::InvalidTimestamp => "invalid-timestamp",
            WebhookError::TimestampTooOld { .. } => "timestamp-too-old",
            WebhookError::TimestampTooNew { .. } => "timestamp-too-new",
            WebhookError::NoV1Signature => "no-v1-signature",
            WebhookError::NoMatchingSignature => "no-matching-signature",
            WebhookError::InvalidPayload { .. } => "invalid-payload",
        }
    }

    /// The HTTP status an endpoint should answer with: 500 when the server is misconfigured (the
    /// sender should retry once it is fixed), 400 when the request is at fault.
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::MissingSecret | WebhookError::InvalidSecret { .. } => 500,
            _ => 400,
        }
    }

    /// Every code, for tests and documentation.
    pub const CODES: [&'static str; 9] = [
        "missing-secret",
        "invalid-secret",
        "missing-headers",
        "invalid-timestamp",
        "timestamp-too-old",
        "timestamp-too-new",
        "no-v1-signature",
        "no-matching-signature",
        "invalid-payload",
    ];
}

const DASHBOARD: &str =
    "copy the endpoint's Signing Secret (whsec_…) from the Clerk Dashboard → Webhooks";

impl fmt::Display for SecretProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretProblem::ClerkSecretKey => write!(
                f,
                "this is a Clerk secret key (sk_…), not a webhook signing secret; {DASHBOARD}"
            ),
            SecretProblem::PublishableKey => write!(
                f,
                "this is a Clerk publishable key (pk_…), not a webhook signing secret; {DASHBOARD}"
            ),
            SecretProblem::Whitespace => write!(
                f,
                "it contains whitespace (often a trailing newline or quotes from an env file); remove it, or {DASHBOARD}"
            ),
            SecretProblem::NotBase64 => write!(
                f,
                "after the whsec_ prefix it must be standard base64; {DASHBOARD}"
            ),
            SecretProblem::TooShort { bytes } => write!(
                f,
                "it decodes to {bytes} bytes, too short for an HMAC key (Svix secrets are 24 bytes: whsec_ and 32 base64 characters); {DASHBOARD}"
            ),
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSecret => write!(
                f,
                "Missing webhook signing secret: set CLERK_WEBHOOK_SIGNING_SECRET or pass `signingSecret`; {DASHBOARD}."
            ),
            WebhookError::InvalidSecret { problem } => {
                write!(f, "Invalid webhook signing secret: {problem}.")
            }
            WebhookError::MissingHeaders { missing } => write!(
                f,
                "Missing required webhook headers: {} (Clerk sends svix-id, svix-timestamp and svix-signature; \
                 webhook-id/-timestamp/-signature are accepted too). Check that no proxy strips them and that \
                 this request really comes from Clerk.",
                missing.join(", ")
            ),
            WebhookError::InvalidTimestamp => f.write_str(
                "Invalid webhook timestamp: svix-timestamp must be a Unix time in whole seconds (digits only).",
            ),
            WebhookError::TimestampTooOld { age, tolerance } => write!(
                f,
                "Webhook timestamp too old: it is {age} s in the past, more than the {tolerance} s allowed. \
                 Either this is a replayed request, the delivery was queued before verification, or this \
                 server's clock is behind (check NTP)."
            ),
            WebhookError::TimestampTooNew {
                ahead,
                tolerance,
                looks_like_ms,
            } => {
                write!(
                    f,
                    "Webhook timestamp too new: it is {ahead} s in the future, more than the {tolerance} s allowed. "
                )?;
                if *looks_like_ms {
                    f.write_str("It looks like milliseconds; svix-timestamp is in seconds.")
                } else {
                    f.write_str("This server's clock is probably behind (check NTP).")
                }
            }
            WebhookError::NoV1Signature => f.write_str(
                "No v1 signature in svix-signature: it must hold space-separated `v1,<base64>` entries. \
                 This request was not signed by Clerk.",
            ),
            WebhookError::NoMatchingSignature => f.write_str(
                "No matching signature found: either the signing secret is not this endpoint's (each endpoint, \
                 and development and production, have their own whsec_ secret), or the body was changed \
                 before verification (verify the raw bytes as received; never JSON.parse and re-stringify).",
            ),
            WebhookError::InvalidPayload { reason } => write!(
                f,
                "Invalid webhook payload: {reason}. The signature matched, so the sender signed this body; \
                 Clerk webhook events are UTF-8 JSON objects."
            ),
        }
    }
}

impl std::error::Error for WebhookError {}
