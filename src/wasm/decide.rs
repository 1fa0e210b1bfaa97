//! The decision engine for JavaScript.
//!
//! A request's decision lives in wasm memory as a [`Decision`] from the moment the snapshot arrives
//! until the host releases it: the host's answers, `protect()`, the redirect helpers and the
//! downstream headers all work on the parsed request and state in place, so per request only the
//! snapshot crosses in (once, as JSON text — one `JSON.stringify` beats building nested objects
//! across the boundary) and only the small views the host reads cross out. Shapes are the engine's
//! serde forms (documented in `src/decide/`).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::auth::SessionAuth;
use crate::decide::{
    begin, downstream_headers, protect, redirect_to_sign_in, resume, AuthConfig, AuthStatus,
    ConfigError, DecideError, HostAnswer, LogEntry, ProtectOptions, RedirectTarget,
    RequestSnapshot, RequestState, ReturnBackUrl, Step, TokenType, DECISION_HEADERS,
    PROTECT_HEADERS, SUPPORTED_BAPI_VERSION,
};

impl From<ConfigError> for JsValue {
    fn from(error: ConfigError) -> JsValue {
        js_error("ConfigurationError", error.code(), &error.to_string(), &[])
    }
}

impl From<DecideError> for JsValue {
    fn from(error: DecideError) -> JsValue {
        js_error("AuthenticationError", error.code(), &error.to_string(), &[])
    }
}

/// A wrong call from the shim (its bug, reported as such).
fn invalid_argument(message: &str) -> JsValue {
    js_error("TypeError", "invalid-argument", message, &[])
}

/// Parses JSON from the shim.
fn parse<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(json).map_err(|e| invalid_argument(&format!("{what} is not valid: {e}")))
}

fn text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// One validated middleware configuration (Clerk's option names; see `AuthOptions`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Authenticator(AuthConfig);

/// One request's decision: the snapshot and where the engine is (asking the host, or decided).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Decision {
    snapshot: RequestSnapshot,
    now_ms: i64,
    /// `None` only while an answer is being applied (or after that failed).
    step: Option<Step>,
}

impl Decision {
    fn decided(&self) -> Result<&RequestState, JsValue> {
        match &self.step {
            Some(Step::Done { state }) => Ok(state),
            _ => Err(invalid_argument(
                "the decision is not made yet: answer its question first",
            )),
        }
    }
}

/// What the host reads of a decided state: the claims as the session's auth fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StateView<'a> {
    status: AuthStatus,
    reason: Option<&'a str>,
    message: Option<&'a str>,
    token: Option<&'a str>,
    token_type: Option<TokenType>,
    headers: &'a [(String, String)],
    clerk_url: &'a str,
    logs: &'a [LogEntry],
    /// The auth fields of the verified session claims (`userId`, …, `sessionClaims`), if any.
    session_auth: Option<SessionAuth>,
    /// Signed in with a machine token: Clerk's resource for it (`RequestState::machine`).
    machine: Option<&'a Map<String, Value>>,
    /// The `x-clerk-*` request headers for the app, for a pass-through.
    downstream: Downstream,
}

/// `{"headers": [[name, value], …]}`, or `{"error": {code, message}}` when a value would carry
/// CR/LF (a host's message can): the host then fails the pass-through rather than forward it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Downstream {
    Headers(Vec<(String, String)>),
    Error { code: &'static str, message: String },
}

#[wasm_bindgen]
impl Authenticator {
    /// Validates the options (JSON text); throws `ConfigurationError` with a stable `code`.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Authenticator, JsValue> {
        Ok(Authenticator(AuthConfig::from_json(options_json)?))
    }

    /// Starts deciding a request (`authenticateRequest`); throws the engine's errors
    /// (`invalid-request-url`, …). `now` is ms since the epoch.
    pub fn decide(&self, snapshot_json: &str, now: f64) -> Result<Decision, JsValue> {
        let snapshot: RequestSnapshot = parse(snapshot_json, "the request snapshot")?;
        let now_ms = now as i64;
        let step = begin(&self.0, &snapshot, now_ms)?;
        Ok(Decision {
            snapshot,
            now_ms,
            step: Some(step),
        })
    }

    /// Continues a decision with the host's answer (JSON text) to its question.
    pub fn answer(&self, decision: &mut Decision, answer_json: &str) -> Result<(), JsValue> {
        let answer: HostAnswer = parse(answer_json, "the host answer")?;
        let pending = match decision.step.take() {
            Some(Step::Host { pending, .. }) => pending,
            other => {
                decision.step = other;
                return Err(invalid_argument("the decision has no question to answer"));
            }
        };
        decision.step = Some(resume(&self.0, pending, answer)?);
        Ok(())
    }

    /// `auth.protect(options)` for a decided request: a `ProtectOutcome` as JSON text. `now` (ms)
    /// is the time of the call (the not-found rewrite's path carries it); without it, the
    /// decision's own time — a decision reused by a later request is given that request's time.
    pub fn protect(
        &self,
        decision: &Decision,
        options_json: &str,
        now: Option<f64>,
    ) -> Result<String, JsValue> {
        let options: ProtectOptions = parse(options_json, "the protect() options")?;
        let outcome = protect(
            &self.0,
            &decision.snapshot,
            decision.decided()?,
            &options,
            now.map_or(decision.now_ms, |now| now as i64),
        )?;
        Ok(text(&outcome))
    }

    /// `redirectToSignIn()` / `redirectToSignUp()`; `return_back_json` is `{}` (current URL),
    /// `{"returnBackUrl": null}` (none) or `{"returnBackUrl": "<url>"}`. A `Redirect` as JSON text.
    #[wasm_bindgen(js_name = redirectTo)]
    pub fn redirect_to(
        &self,
        decision: &Decision,
        target: &str,
        return_back_json: &str,
    ) -> Result<String, JsValue> {
        let target: RedirectTarget = serde_json::from_value(Value::String(target.to_owned()))
            .map_err(|_| invalid_argument("the redirect target must be sign-in or sign-up"))?;
        let return_back: serde_json::Map<String, Value> = parse(return_back_json, "returnBackUrl")?;
        let return_back = match return_back.get("returnBackUrl") {
            None => ReturnBackUrl::Current,
            Some(Value::Null) => ReturnBackUrl::Omit,
            Some(Value::String(url)) => ReturnBackUrl::Url(url.clone()),
            Some(_) => return Err(invalid_argument("returnBackUrl must be a string or null")),
        };
        let redirect = redirect_to_sign_in(
            &self.0,
            &decision.snapshot,
            decision.decided()?,
            target,
            &return_back,
        )?;
        Ok(text(&redirect))
    }

    /// The decided state as JSON text: verified session claims as `sessionAuth` (the auth fields),
    /// and the `x-clerk-*` request headers for the app as `downstream` (see `Downstream`).
    pub fn state(&self, decision: &Decision) -> Result<String, JsValue> {
        let state = decision.decided()?;
        Ok(text(&StateView {
            status: state.status,
            reason: state.reason.as_deref(),
            message: state.message.as_deref(),
            token: state.token.as_deref(),
            token_type: state.token_type,
            headers: &state.headers,
            clerk_url: &state.clerk_url,
            logs: &state.logs,
            session_auth: state.claims.as_ref().map(SessionAuth::from_claims),
            machine: state.machine.as_ref(),
            downstream: match downstream_headers(&self.0, state) {
                Ok(headers) => Downstream::Headers(headers),
                Err(error) => Downstream::Error {
                    code: error.code(),
                    message: error.to_string(),
                },
            },
        }))
    }
}

#[wasm_bindgen]
impl Decision {
    /// The engine's question for the host (a `HostRequest` as JSON text), or `undefined` once decided.
    pub fn question(&self) -> Option<String> {
        match &self.step {
            Some(Step::Host { request, .. }) => Some(text(request)),
            _ => None,
        }
    }
}

/// The `Clerk-API-Version` the Backend API calls send (Clerk's `SUPPORTED_BAPI_VERSION`).
#[wasm_bindgen(js_name = supportedBapiVersion)]
pub fn supported_bapi_version() -> String {
    SUPPORTED_BAPI_VERSION.to_owned()
}

/// The request headers a decision reads ([`DECISION_HEADERS`]), comma-separated: what a host may
/// key a remembered decision on besides the method and the URL.
#[wasm_bindgen(js_name = decisionHeaders)]
pub fn decision_headers() -> String {
    DECISION_HEADERS.join(",")
}

/// The request headers `protect()` reads ([`PROTECT_HEADERS`]), comma-separated: with the decision
/// headers, what a remembered decision is keyed on when its `protect()` is called again.
#[wasm_bindgen(js_name = protectHeaders)]
pub fn protect_headers() -> String {
    PROTECT_HEADERS.join(",")
}

/// The auth object of a decided state (`null` for a handshake), as JSON text — Clerk's
/// `toAuth({ treatPendingAsSignedOut })` in the engine's form (tests compare it with the vectors).
#[wasm_bindgen(js_name = authObjectOfDecision)]
pub fn auth_object_of_decision(
    decision: &Decision,
    treat_pending_as_signed_out: bool,
) -> Result<String, JsValue> {
    Ok(text(
        &decision.decided()?.to_auth(treat_pending_as_signed_out),
    ))
}
