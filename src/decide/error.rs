//! Requests the engine refuses to decide: where Clerk throws (the middleware answers 500), or where
//! answering would mean emitting an unsafe header.

use std::fmt;

/// Why no [`super::RequestState`] could be produced. The host should answer 500 (or re-run the
/// middleware's error path); nothing here is the client's fault except a hostile redirect target.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecideError {
    /// The request URL is not an absolute URL (`new Request()` would have thrown).
    InvalidRequestUrl,
    /// A satellite's `signInUrl` has the same origin as the request's `Origin` header (Clerk throws).
    SatelliteSignInUrlSameOrigin,
    /// Development instance: the legacy handshake token did not verify (Clerk throws, asking to clear
    /// cookies after switching keys).
    HandshakeTokenInvalid {
        /// Clerk's message.
        message: String,
    },
    /// A URL Clerk would pass to `new URL()` does not parse (Clerk throws).
    InvalidUrl {
        /// Which URL.
        what: &'static str,
    },
    /// The Frontend API (publishable key host or proxy URL) does not form a valid handshake URL.
    InvalidFrontendApi,
    /// A header value would contain CR, LF or NUL.
    HeaderInjection {
        /// The header's name.
        header: String,
    },
    /// The host answered a different question from the one asked.
    UnexpectedAnswer {
        /// What was expected.
        expected: &'static str,
    },
}

impl DecideError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            DecideError::InvalidRequestUrl => "invalid-request-url",
            DecideError::SatelliteSignInUrlSameOrigin => "satellite-sign-in-url-same-origin",
            DecideError::HandshakeTokenInvalid { .. } => "handshake-token-invalid",
            DecideError::InvalidUrl { .. } => "invalid-url",
            DecideError::InvalidFrontendApi => "invalid-frontend-api",
            DecideError::HeaderInjection { .. } => "header-injection",
            DecideError::UnexpectedAnswer { .. } => "unexpected-host-answer",
        }
    }
}

impl fmt::Display for DecideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecideError::InvalidRequestUrl => f.write_str(
                "The request URL is not absolute. Pass `request.url` as the runtime gives it (scheme, host and path).",
            ),
            DecideError::SatelliteSignInUrlSameOrigin => f.write_str(
                "The signInUrl needs to be on a different origin than your satellite application.",
            ),
            DecideError::HandshakeTokenInvalid { message } => f.write_str(message),
            DecideError::InvalidUrl { what } => write!(f, "{what} is not a valid URL."),
            DecideError::InvalidFrontendApi => f.write_str(
                "The Frontend API host from the publishable key (or proxyUrl) does not form a valid URL; \
                 check publishableKey and proxyUrl.",
            ),
            DecideError::HeaderInjection { header } => write!(
                f,
                "Refusing to emit the {header} header: its value contains CR, LF or NUL."
            ),
            DecideError::UnexpectedAnswer { expected } => write!(
                f,
                "The host answered a different request: expected {expected}. Answer the HostRequest \
                 that came with this Pending value."
            ),
        }
    }
}

impl std::error::Error for DecideError {}
