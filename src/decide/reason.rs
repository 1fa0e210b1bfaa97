//! Reason codes, spelled exactly as Clerk spells them (`AuthErrorReason`, `RefreshTokenErrorReason`).
//!
//! A state's `reason` is one of these, a token verifier's reason (`token-expired`, …, see
//! [`crate::token::Reason`]), or `session-token-expired-refresh-<refresh reason>`. Refresh reasons
//! include the Backend API's own error codes, so reasons are strings, not a closed enum.

/// `__client_uat` says signed in, but there is no session cookie.
pub const CLIENT_UAT_BUT_NO_SESSION_TOKEN: &str = "client-uat-but-no-session-token";
/// Development instance without a dev-browser token.
pub const DEV_BROWSER_MISSING: &str = "dev-browser-missing";
/// Development instance: a dev-browser token arrived in the URL.
pub const DEV_BROWSER_SYNC: &str = "dev-browser-sync";
/// Development primary answering a satellite's sync request.
pub const PRIMARY_RESPONDS_TO_SYNCING: &str = "primary-responds-to-syncing";
/// Primary domain reached from a foreign site with a session: re-sync.
pub const PRIMARY_DOMAIN_CROSS_ORIGIN_SYNC: &str = "primary-domain-cross-origin-sync";
/// Satellite domain without (fresh) cookies.
pub const SATELLITE_NEEDS_SYNCING: &str = "satellite-needs-syncing";
/// No session cookie and no `__client_uat`.
pub const SESSION_TOKEN_AND_UAT_MISSING: &str = "session-token-and-uat-missing";
/// A handshake set no session cookie.
pub const SESSION_TOKEN_MISSING: &str = "session-token-missing";
/// Prefix of `session-token-expired-refresh-<reason>`.
pub const SESSION_TOKEN_EXPIRED: &str = "session-token-expired";
/// The session token is older than the client's last sign-in/out.
pub const SESSION_TOKEN_IAT_BEFORE_CLIENT_UAT: &str = "session-token-iat-before-client-uat";
/// The session token's `nbf` is in the future.
pub const SESSION_TOKEN_NBF: &str = "session-token-nbf";
/// The session token's `iat` is in the future.
pub const SESSION_TOKEN_IAT_IN_THE_FUTURE: &str = "session-token-iat-in-the-future";
/// A session cookie without `__client_uat`.
pub const SESSION_TOKEN_BUT_NO_CLIENT_UAT: &str = "session-token-but-no-client-uat";
/// The URL asks for another organization than the session's.
pub const ACTIVE_ORGANIZATION_MISMATCH: &str = "active-organization-mismatch";
/// A token of a type this path does not accept (machine token, JWT template, M2M JWT).
pub const TOKEN_TYPE_MISMATCH: &str = "token-type-mismatch";
/// Anything else.
pub const UNEXPECTED_ERROR: &str = "unexpected-error";

/// Machine tokens (Clerk's `MachineTokenVerificationErrorCode`, not `AuthErrorReason`): unknown to
/// the Backend API, or a machine JWT of the wrong category or that does not decode.
pub const TOKEN_INVALID: &str = "token-invalid";
/// Machine tokens: the Backend API refused the secret key (401).
pub const SECRET_KEY_INVALID: &str = "secret-key-invalid";
/// Machine tokens: the machine JWT did not verify.
pub const TOKEN_VERIFICATION_FAILED: &str = "token-verification-failed";

/// Why a refresh was not attempted or failed (the `<x>` of `session-token-expired-refresh-<x>`).
pub mod refresh {
    /// No `__refresh_<suffix>` cookie.
    pub const NON_ELIGIBLE_NO_COOKIE: &str = "non-eligible-no-refresh-cookie";
    /// Not a GET request.
    pub const NON_ELIGIBLE_NON_GET: &str = "non-eligible-non-get";
    /// The host has no Backend API client.
    pub const MISSING_API_CLIENT: &str = "missing-api-client";
    /// No session token to refresh.
    pub const MISSING_SESSION_TOKEN: &str = "missing-session-token";
    /// The expired token does not decode.
    pub const EXPIRED_SESSION_TOKEN_DECODE_FAILED: &str = "expired-session-token-decode-failed";
    /// The expired token has no `sid`.
    pub const EXPIRED_SESSION_TOKEN_MISSING_SID_CLAIM: &str =
        "expired-session-token-missing-sid-claim";
    /// The refreshed token did not verify.
    pub const INVALID_SESSION_TOKEN: &str = "invalid-session-token";
    /// The refresh request did not complete.
    pub const FETCH_ERROR: &str = "fetch-error";
    /// The Backend API failed without an error code.
    pub const UNEXPECTED_BAPI_ERROR: &str = "unexpected-bapi-error";
    /// The Backend API answered with no cookies.
    pub const UNEXPECTED_SDK_ERROR: &str = "unexpected-sdk-error";
}

/// The `AuthErrorReason` values (for documentation and tests).
pub const ALL: [&str; 16] = [
    CLIENT_UAT_BUT_NO_SESSION_TOKEN,
    DEV_BROWSER_MISSING,
    DEV_BROWSER_SYNC,
    PRIMARY_RESPONDS_TO_SYNCING,
    PRIMARY_DOMAIN_CROSS_ORIGIN_SYNC,
    SATELLITE_NEEDS_SYNCING,
    SESSION_TOKEN_AND_UAT_MISSING,
    SESSION_TOKEN_MISSING,
    SESSION_TOKEN_EXPIRED,
    SESSION_TOKEN_IAT_BEFORE_CLIENT_UAT,
    SESSION_TOKEN_NBF,
    SESSION_TOKEN_IAT_IN_THE_FUTURE,
    SESSION_TOKEN_BUT_NO_CLIENT_UAT,
    ACTIVE_ORGANIZATION_MISMATCH,
    TOKEN_TYPE_MISMATCH,
    UNEXPECTED_ERROR,
];
