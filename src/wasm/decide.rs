//! The decision engine for JavaScript. Values cross as JSON text: the shapes are the engine's serde
//! forms (documented in `src/decide/`), and one `JSON.parse` per call is cheaper than building
//! nested objects property by property across the boundary.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::decide::{
    begin, downstream_headers, is_page_request, is_server_action, protect, redirect_to_sign_in,
    resume, AuthConfig, ConfigError, DecideError, HostAnswer, Pending, ProtectOptions,
    RedirectTarget, RequestSnapshot, RequestState, ReturnBackUrl,
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

/// Parses JSON from the shim; a failure is the shim's bug, reported as such.
fn parse<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(json).map_err(|e| {
        js_error(
            "TypeError",
            "invalid-argument",
            &format!("{what} is not valid: {e}"),
            &[],
        )
    })
}

fn text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// One validated middleware configuration (Clerk's option names; see `AuthOptions`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Authenticator(AuthConfig);

#[wasm_bindgen]
impl Authenticator {
    /// Validates the options (JSON text); throws `ConfigurationError` with a stable `code`.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Authenticator, JsValue> {
        Ok(Authenticator(AuthConfig::from_json(options_json)?))
    }

    /// Phase 1 (`authenticateRequest`): a `Step` as JSON text.
    pub fn begin(&self, snapshot_json: &str, now: f64) -> Result<String, JsValue> {
        let snapshot: RequestSnapshot = parse(snapshot_json, "the request snapshot")?;
        Ok(text(&begin(&self.0, &snapshot, now as i64)?))
    }

    /// Phase 2: the host's answer to a `Step::Host`.
    pub fn resume(&self, pending_json: &str, answer_json: &str) -> Result<String, JsValue> {
        let pending: Pending = parse(pending_json, "the pending decision")?;
        let answer: HostAnswer = parse(answer_json, "the host answer")?;
        Ok(text(&resume(&self.0, pending, answer)?))
    }

    /// `auth.protect(options)`: a `ProtectOutcome` as JSON text.
    pub fn protect(
        &self,
        snapshot_json: &str,
        state_json: &str,
        options_json: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        let snapshot: RequestSnapshot = parse(snapshot_json, "the request snapshot")?;
        let state: RequestState = parse(state_json, "the request state")?;
        let options: ProtectOptions = parse(options_json, "the protect() options")?;
        Ok(text(&protect(
            &self.0, &snapshot, &state, &options, now as i64,
        )?))
    }

    /// `redirectToSignIn()` / `redirectToSignUp()`; `return_back_json` is `{}` (current URL),
    /// `{"returnBackUrl": null}` (none) or `{"returnBackUrl": "<url>"}`.
    #[wasm_bindgen(js_name = redirectTo)]
    pub fn redirect_to(
        &self,
        snapshot_json: &str,
        state_json: &str,
        target: &str,
        return_back_json: &str,
    ) -> Result<String, JsValue> {
        let snapshot: RequestSnapshot = parse(snapshot_json, "the request snapshot")?;
        let state: RequestState = parse(state_json, "the request state")?;
        let target: RedirectTarget = parse(&format!("\"{target}\""), "the redirect target")?;
        let return_back: serde_json::Map<String, Value> = parse(return_back_json, "returnBackUrl")?;
        let return_back = match return_back.get("returnBackUrl") {
            None => ReturnBackUrl::Current,
            Some(Value::Null) => ReturnBackUrl::Omit,
            Some(Value::String(url)) => ReturnBackUrl::Url(url.clone()),
            Some(_) => {
                return Err(js_error(
                    "TypeError",
                    "invalid-argument",
                    "returnBackUrl must be a string or null",
                    &[],
                ))
            }
        };
        Ok(text(&redirect_to_sign_in(
            &self.0,
            &snapshot,
            &state,
            target,
            &return_back,
        )?))
    }

    /// The `x-clerk-*` request headers for the app (`[[name, value], …]` as JSON text).
    #[wasm_bindgen(js_name = downstreamHeaders)]
    pub fn downstream_headers(&self, state_json: &str) -> Result<String, JsValue> {
        let state: RequestState = parse(state_json, "the request state")?;
        Ok(text(&downstream_headers(&self.0, &state)?))
    }
}

/// The auth object of a request state (`null` for a handshake), as JSON text.
#[wasm_bindgen(js_name = authObjectOfState)]
pub fn auth_object_of_state(
    state_json: &str,
    treat_pending_as_signed_out: bool,
) -> Result<String, JsValue> {
    let state: RequestState = parse(state_json, "the request state")?;
    Ok(text(&state.to_auth(treat_pending_as_signed_out)))
}

/// Whether `auth.protect()` would treat the request as a page request (redirect to sign-in).
#[wasm_bindgen(js_name = isPageRequest)]
pub fn page_request(snapshot_json: &str) -> Result<bool, JsValue> {
    Ok(is_page_request(&parse(
        snapshot_json,
        "the request snapshot",
    )?))
}

/// Whether the request is a Next.js server action.
#[wasm_bindgen(js_name = isServerAction)]
pub fn server_action(snapshot_json: &str) -> Result<bool, JsValue> {
    Ok(is_server_action(&parse(
        snapshot_json,
        "the request snapshot",
    )?))
}
