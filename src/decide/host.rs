//! The questions the engine asks its host, and the answers it expects (the sans-IO seam).
//!
//! Five things need IO or asynchronous crypto, and Clerk does them inline; we hand them out:
//!
//! | request | the host does | answers |
//! |---|---|---|
//! | `verify-machine-token` | `via: backend-api`: the Backend API call in `call` (for an OAuth token, then Clerk's `audience` check on its `aud`); `via: jwt`: verifies the JWT with the instance keys, header `typ` per `tokenType` (see below), no session-only checks | `verified` (the response body, or the JWT's claims) / `refused` / `verify-failed` / `api-error` / `network-error` |
//! | `verify-session-token` | runs its session-token verifier (keys, WebCrypto), with `clockSkewInMs` when given | `verified` / `refused` / `verify-failed` |
//! | `verify-handshake-token` | verifies the legacy `__clerk_handshake` JWT: signature, `typ`, `alg` and category only (no time claims) | `verified` (payload) / `refused` / `verify-failed` |
//! | `get-handshake-payload` | the Backend API call in `call` | `handshake-payload` / `api-error` / `network-error` |
//! | `refresh-session` | the Backend API call in `call` | `session-cookies` / `api-error` / `network-error` / `unavailable` |
//!
//! A [`BapiCall`] is the exact request: method, path (with the API version, except the machine-token
//! endpoints, which Clerk calls unversioned), query pairs in order, JSON body, and headers. The host
//! adds `Authorization: Bearer <secret key>` (for `m2m_token`, the machine secret key when it has
//! one) and its `User-Agent`, and sends it to its Backend API URL (`https://api.clerk.com` by
//! default). A machine JWT's `typ` must be absent or `JWT` for `m2m_token`, and `at+jwt` or
//! `application/at+jwt` for `oauth_token`; its category is not the host's concern (the engine
//! checked it).
//!
//! The engine's paused state is a [`Pending`] value: owned, serialisable, holding only the request
//! snapshot, `now`, logs so far and which answer it waits for. Give it back with the answer to
//! [`super::resume`]; it can cross a wasm boundary as JSON or stay in memory.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::classify::TokenType;
use super::machine::MachineVia;
use super::request::{Request, RequestSnapshot};
use super::state::{LogEntry, RequestState};
use crate::token::TokenError;

/// Clerk's `SUPPORTED_BAPI_VERSION` in @clerk/backend 3.25.0 (the `Clerk-API-Version` header and the
/// handshake's `__clerk_api_version`).
pub const SUPPORTED_BAPI_VERSION: &str = "2026-05-12";

/// Where a session token came from (it appears in messages as `token-carrier=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenCarrier {
    /// `Authorization` header.
    Header,
    /// `__session` cookie (or a cookie set by a handshake or refresh).
    Cookie,
}

impl TokenCarrier {
    /// `header` or `cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenCarrier::Header => "header",
            TokenCarrier::Cookie => "cookie",
        }
    }
}

/// One Backend API request, fully described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BapiCall {
    /// `GET` or `POST`.
    pub method: String,
    /// Path including the version, e.g. `/v1/clients/handshake_payload`.
    pub path: String,
    /// Query parameters, in order (unencoded).
    pub query: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// Headers besides `Authorization` and `User-Agent`.
    pub headers: Vec<(String, String)>,
}

impl BapiCall {
    pub(crate) fn new(
        method: &str,
        path: String,
        query: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Self {
        let mut headers = vec![(
            "Clerk-API-Version".to_owned(),
            SUPPORTED_BAPI_VERSION.to_owned(),
        )];
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        BapiCall {
            method: method.to_owned(),
            path,
            query,
            body,
            headers,
        }
    }

    /// The full URL against a Backend API base such as `https://api.clerk.com`.
    pub fn url(&self, api_url: &str) -> String {
        let mut url = format!("{}{}", api_url.trim_end_matches('/'), self.path);
        if !self.query.is_empty() {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&self.query)
                .finish();
            url.push('?');
            url.push_str(&query);
        }
        url
    }
}

/// What the engine needs from the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum HostRequest {
    /// Verify a session token.
    VerifySessionToken {
        /// The token.
        token: String,
        /// Header or cookie.
        carrier: TokenCarrier,
        /// Overrides the verifier's clock skew (Clerk's development clock-skew retry uses 24 h).
        clock_skew_in_ms: Option<u64>,
    },
    /// Verify a legacy handshake token and return its payload.
    VerifyHandshakeToken {
        /// The token.
        token: String,
    },
    /// Fetch the cookies a handshake nonce stands for.
    GetHandshakePayload {
        /// The nonce.
        nonce: String,
        /// The Backend API request.
        call: BapiCall,
    },
    /// Refresh an expired session with the refresh cookie.
    RefreshSession {
        /// The session ID (from the expired token).
        session_id: String,
        /// The Backend API request.
        call: BapiCall,
    },
    /// Verify a machine token from `Authorization` (`m2m_token`, `oauth_token` or `api_key`).
    VerifyMachineToken {
        /// The token.
        token: String,
        /// Its machine type.
        token_type: TokenType,
        /// How: the Backend API call in `call`, or the JWT verifier.
        via: MachineVia,
        /// The Backend API request (`via: backend-api` only).
        call: Option<BapiCall>,
    },
}

/// The host's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum HostAnswer {
    /// The token verified: its claims (for a handshake token, its payload; for a machine token
    /// verified by the Backend API, the response body).
    Verified {
        /// Claims, payload or response body.
        claims: Map<String, Value>,
    },
    /// The verifier refused the token (a `TokenError`: reason code and message).
    Refused {
        /// The reason code, e.g. `token-expired`.
        reason: String,
        /// What went wrong.
        message: String,
    },
    /// Verification failed for another reason (a network or crypto exception).
    VerifyFailed {
        /// What went wrong.
        message: String,
    },
    /// `GET /clients/handshake_payload` answered `{directives}`.
    HandshakePayload {
        /// `Set-Cookie` directives.
        directives: Vec<String>,
    },
    /// `POST /sessions/{id}/refresh` answered with cookies.
    SessionCookies {
        /// `Set-Cookie` directives.
        cookies: Vec<String>,
    },
    /// The Backend API answered with an error; `code` is `errors[0].code` when there was one.
    ApiError {
        /// HTTP status, if any.
        status: Option<u16>,
        /// `errors[0].code`.
        code: Option<String>,
        /// `errors[0].message` (Clerk reports it for a machine token's 401).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The request did not complete (Clerk's client reports this as code `unexpected_error`).
    NetworkError {
        /// What went wrong.
        message: String,
    },
    /// The host cannot call the Backend API at all.
    Unavailable,
}

impl From<TokenError> for HostAnswer {
    fn from(error: TokenError) -> Self {
        HostAnswer::Refused {
            reason: error.code().to_owned(),
            message: error.message,
        }
    }
}

impl From<Result<Map<String, Value>, TokenError>> for HostAnswer {
    fn from(result: Result<Map<String, Value>, TokenError>) -> Self {
        match result {
            Ok(claims) => HostAnswer::Verified { claims },
            Err(error) => error.into(),
        }
    }
}

/// A refused token, kept while a refresh is attempted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Refusal {
    pub reason: String,
    pub message: String,
}

/// Which answer a paused decision waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "for",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub(crate) enum Waiting {
    HeaderToken,
    CookieToken,
    HandshakePayload,
    HandshakeToken,
    HandshakeSession {
        headers: Vec<(String, String)>,
        token: String,
        retried: bool,
    },
    Refresh {
        carrier: TokenCarrier,
        refusal: Refusal,
    },
    RefreshedToken {
        carrier: TokenCarrier,
        refusal: Refusal,
        headers: Vec<(String, String)>,
        token: String,
    },
    MachineToken {
        token_type: TokenType,
        via: MachineVia,
    },
}

impl Waiting {
    /// The answer kinds that fit, for error messages.
    pub(crate) fn expects(&self) -> &'static str {
        match self {
            Waiting::HeaderToken
            | Waiting::CookieToken
            | Waiting::HandshakeToken
            | Waiting::HandshakeSession { .. }
            | Waiting::RefreshedToken { .. } => "verified, refused or verify-failed",
            Waiting::HandshakePayload => "handshake-payload, api-error or network-error",
            Waiting::Refresh { .. } => "session-cookies, api-error, network-error or unavailable",
            Waiting::MachineToken { .. } => {
                "verified, refused, verify-failed, api-error or network-error"
            }
        }
    }
}

/// A paused decision: give it back to [`super::resume`] with the host's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    pub(crate) request: RequestSnapshot,
    pub(crate) now_ms: i64,
    pub(crate) logs: Vec<LogEntry>,
    pub(crate) waiting: Waiting,
    /// The request as parsed by `begin` (not part of the wire form: a pending decision that went
    /// through JSON parses it again).
    #[serde(skip)]
    pub(crate) parsed: ParsedRequest,
}

/// A parsed request kept with a paused decision, with the `trustForwardedHost` it was parsed under;
/// it never makes two `Pending`s unequal.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParsedRequest(pub(crate) Option<(bool, Rc<Request>)>);

impl PartialEq for ParsedRequest {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One step of a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Decided.
    Done {
        /// The outcome.
        state: RequestState,
    },
    /// The host must do `request` and call [`super::resume`] with `pending` and its answer.
    Host {
        /// What to do.
        request: HostRequest,
        /// The paused decision.
        pending: Pending,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_is_plain_json() {
        let request = HostRequest::VerifySessionToken {
            token: "t".into(),
            carrier: TokenCarrier::Cookie,
            clock_skew_in_ms: None,
        };
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"kind":"verify-session-token","token":"t","carrier":"cookie","clockSkewInMs":null}"#
        );
        let answer: HostAnswer =
            serde_json::from_str(r#"{"kind":"refused","reason":"token-expired","message":"m"}"#)
                .unwrap();
        assert_eq!(
            answer,
            HostAnswer::Refused {
                reason: "token-expired".into(),
                message: "m".into()
            }
        );
        let machine = HostRequest::VerifyMachineToken {
            token: "mt_1".into(),
            token_type: TokenType::M2mToken,
            via: MachineVia::Jwt,
            call: None,
        };
        let text = serde_json::to_string(&machine).unwrap();
        assert_eq!(
            text,
            r#"{"kind":"verify-machine-token","token":"mt_1","tokenType":"m2m_token","via":"jwt","call":null}"#
        );
        assert_eq!(serde_json::from_str::<HostRequest>(&text).unwrap(), machine);
        let answer: HostAnswer =
            serde_json::from_str(r#"{"kind":"api-error","status":401,"code":null}"#).unwrap();
        assert_eq!(
            answer,
            HostAnswer::ApiError {
                status: Some(401),
                code: None,
                message: None
            }
        );
        let call = BapiCall::new(
            "GET",
            "/v1/clients/handshake_payload".into(),
            vec![("nonce".into(), "a b&c".into())],
            None,
        );
        assert_eq!(
            call.url("https://api.clerk.com/"),
            "https://api.clerk.com/v1/clients/handshake_payload?nonce=a+b%26c"
        );
    }
}
