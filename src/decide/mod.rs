//! The decision engine: Clerk's `authenticateRequest` and the middleware's `auth.protect()`, as pure
//! functions of (configuration, request snapshot, `now`).
//!
//! # Two phases
//! A decision sometimes needs work this crate does not do: verifying a token's signature
//! (asynchronous WebCrypto and a key fetch), or a Backend API call (handshake nonce, session
//! refresh). Instead of doing IO, [`begin`] returns a [`Step`]: either [`Step::Done`] with a
//! [`RequestState`], or [`Step::Host`] with a [`HostRequest`] describing exactly what to do and a
//! [`Pending`] value to hand back, with the [`HostAnswer`], to [`resume`]. A decision asks at most six
//! questions: handshake payload → verify the token it set → (development) retry with clock skew →
//! if that failed, verify the cookie → refresh it → verify the refreshed token. A machine token in
//! `Authorization` asks one (a Backend API `verify` call, or the JWT verifier).
//!
//! ```
//! use portcullis::decide::{begin, resume, AuthConfig, HostAnswer, HostRequest, RequestSnapshot, Step};
//!
//! let config = AuthConfig::from_json(r#"{
//!     "publishableKey": "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k",
//!     "secretKey": "sk_live_xxx"
//! }"#).unwrap();
//! let request = RequestSnapshot::new("GET", "https://example.com/dashboard", [
//!     ("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln"),
//! ]);
//! let Step::Host { request: HostRequest::VerifySessionToken { token, .. }, pending } =
//!     begin(&config, &request, 1_767_225_600_000).unwrap() else { unreachable!() };
//! // The host verifies `token` (keys, WebCrypto) and answers:
//! let claims = serde_json::from_str(r#"{"sub":"user_1","sid":"sess_1"}"#).unwrap();
//! let Step::Done { state } = resume(&config, pending, HostAnswer::Verified { claims }).unwrap()
//!     else { unreachable!() };
//! assert_eq!(state.status.as_str(), "signed-in");
//! assert_eq!(state.to_auth(true).unwrap().user_id(), Some("user_1"));
//! ```
//!
//! # Layout
//! [`config`](AuthConfig) (validated once) → [`request`](RequestSnapshot) and `context` (everything
//! read from the request, once; cookie family per `suffix`) → `engine` (entry points, header
//! path) → `cookie_path` (rows C1–C15) with `handshake` and `refresh` → [`RequestState`]. Then
//! [`protect`] / [`redirect_to_sign_in`] for the handler, and [`downstream_headers`] for the app.
//!
//! # Where we differ from Clerk, on purpose
//! * `clerkUrl` ignores `X-Forwarded-*` unless `trustForwardedHost: true` ([`AuthOptions`]).
//! * A development primary follows `__clerk_redirect_url` only to its own origin or to
//!   `allowedRedirectOrigins` (Clerk: any URL, with the dev-browser token attached).
//! * A machine token's `expired` field (from a JWT's `exp`) always uses the default 5 s clock skew.
//! * Token decoding is strict ([`crate::token::UntrustedToken`]); verification messages come from
//!   the host's verifier, not Clerk's wording.
//! * A few configurations Clerk accepts and then fails on at request time are refused up front.

mod classify;
mod config;
mod context;
mod cookie_path;
mod downstream;
mod engine;
mod error;
mod handshake;
mod host;
mod js;
mod machine;
mod memo;
mod org_sync;
mod protect;
pub mod reason;
mod redirect;
mod refresh;
mod request;
mod state;
mod suffix;

pub use classify::TokenType;
pub use config::{AuthConfig, AuthOptions, ConfigError};
pub use downstream::{downstream_headers, token_signature};
pub use engine::{begin, resume};
pub use error::DecideError;
pub use host::{
    BapiCall, HostAnswer, HostRequest, Pending, Step, TokenCarrier, SUPPORTED_BAPI_VERSION,
};
pub use machine::MachineVia;
pub use org_sync::OrganizationSyncOptions;
pub use protect::{
    is_page_request, is_server_action, protect, AcceptsToken, Authorization, ProtectOptions,
    ProtectOutcome, PROTECT_HEADERS,
};
pub use redirect::{redirect_to_sign_in, Redirect, RedirectTarget, ReturnBackUrl};
pub use request::{RequestSnapshot, DECISION_HEADERS};
pub use state::{AuthObject, AuthStatus, LogEntry, RequestState};
