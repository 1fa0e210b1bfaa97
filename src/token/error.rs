//! Why a token was refused, with Clerk's reason codes.
//!
//! Every refusal carries a stable [`Reason`] (its `code()` is the string Clerk's
//! `TokenVerificationError.reason` uses, or one of ours where Clerk has no equivalent) and a message
//! that says what to change. Messages never contain the token itself.

use std::fmt;

/// The stable reason a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Malformed token, wrong `typ`, or a token category that is not a session token.
    TokenInvalid,
    /// `alg` not allowed for this profile or key.
    InvalidAlgorithm,
    /// The signature does not verify.
    InvalidSignature,
    /// `exp` has passed (with clock skew).
    Expired,
    /// `nbf` is in the future (with clock skew).
    NotActiveYet,
    /// `iat` is in the future (with clock skew).
    IatInTheFuture,
    /// `azp` is missing or not an authorized party.
    InvalidAuthorizedParties,
    /// A required claim is missing or has the wrong type, or `aud` does not match.
    VerificationFailed,
    /// `iss` is not in the configured issuer allow-list (ours; Clerk checks no issuer).
    InvalidIssuer,
    /// No key in the key set has the token's `kid`.
    KidMismatch,
    /// The key set could not be fetched (and no usable stale copy exists).
    RemoteFailedToLoad,
    /// The fetched key set, or the key the token names, is unusable (e.g. RSA under 2048 bits).
    RemoteInvalid,
    /// The configured PEM key is unusable (ours; Clerk has no code for this).
    LocalInvalid,
    /// Neither a PEM key nor a key-set source was configured.
    FailedToResolve,
    /// The Backend API refused the secret key.
    SecretKeyInvalid,
}

impl Reason {
    /// The reason code, as in Clerk's `TokenVerificationErrorReason`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::TokenInvalid => "token-invalid",
            Reason::InvalidAlgorithm => "token-invalid-algorithm",
            Reason::InvalidSignature => "token-invalid-signature",
            Reason::Expired => "token-expired",
            Reason::NotActiveYet => "token-not-active-yet",
            Reason::IatInTheFuture => "token-iat-in-the-future",
            Reason::InvalidAuthorizedParties => "token-invalid-authorized-parties",
            Reason::VerificationFailed => "token-verification-failed",
            Reason::InvalidIssuer => "token-invalid-issuer",
            Reason::KidMismatch => "jwk-kid-mismatch",
            Reason::RemoteFailedToLoad => "jwk-remote-failed-to-load",
            Reason::RemoteInvalid => "jwk-remote-invalid",
            Reason::LocalInvalid => "jwk-local-invalid",
            Reason::FailedToResolve => "jwk-failed-to-resolve",
            Reason::SecretKeyInvalid => "secret-key-invalid",
        }
    }

    /// All reasons, for tests and documentation.
    pub const ALL: [Reason; 15] = [
        Reason::TokenInvalid,
        Reason::InvalidAlgorithm,
        Reason::InvalidSignature,
        Reason::Expired,
        Reason::NotActiveYet,
        Reason::IatInTheFuture,
        Reason::InvalidAuthorizedParties,
        Reason::VerificationFailed,
        Reason::InvalidIssuer,
        Reason::KidMismatch,
        Reason::RemoteFailedToLoad,
        Reason::RemoteInvalid,
        Reason::LocalInvalid,
        Reason::FailedToResolve,
        Reason::SecretKeyInvalid,
    ];
}

/// A refused token: a stable reason and a message that names the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    /// The stable reason.
    pub reason: Reason,
    /// What went wrong and what to do.
    pub message: String,
}

impl TokenError {
    /// Builds an error.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        TokenError {
            reason,
            message: message.into(),
        }
    }

    /// The reason code.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (reason={})", self.message, self.reason.code())
    }
}

impl std::error::Error for TokenError {}

/// Shorthand for a malformed-token error.
pub(crate) fn invalid(message: impl Into<String>) -> TokenError {
    TokenError::new(Reason::TokenInvalid, message)
}
