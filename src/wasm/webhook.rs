//! Webhook verification for JavaScript: the shim hands over the request's `Headers`, the secret and
//! the clock, then (only if those pass) the body bytes; every rule lives in `crate::webhook`.
//!
//! Why two calls: a request with missing headers, a stale timestamp or no `v1` signature is refused
//! before the shim reads its body. The body is never parsed into JS values here: the shim runs
//! `JSON.parse` on the same bytes once the core has accepted them.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js_error;
use crate::webhook::{
    self, PreparedWebhook, WebhookError, WebhookHeaders, STANDARD_HEADERS, SVIX_HEADERS,
};

impl From<WebhookError> for JsValue {
    fn from(error: WebhookError) -> JsValue {
        js_error(
            "WebhookVerificationError",
            error.code(),
            &error.to_string(),
            &[("statusCode", error.status().into())],
        )
    }
}

/// A request whose secret and headers passed; `verifyBody` checks the body.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PendingWebhook(PreparedWebhook);

/// Reads the six header names through `headers.get(name)` (a Fetch `Headers`), so the core picks
/// `svix-*` or `webhook-*` exactly as svix does.
fn read_headers(headers: &JsValue) -> Result<Vec<(&'static str, Option<String>)>, JsValue> {
    let get = js_sys::Reflect::get(headers, &"get".into())?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| {
            js_error(
                "ConfigurationError",
                "invalid-option",
                "expected a Fetch Headers object (request.headers)",
                &[("option", "headers".into())],
            )
        })?;
    SVIX_HEADERS
        .iter()
        .chain(STANDARD_HEADERS.iter())
        .map(|&name| Ok((name, get.call1(headers, &name.into())?.as_string())))
        .collect()
}

/// Checks the secret, the headers and the timestamp (`now`: Unix seconds) before the body is read.
#[wasm_bindgen(js_name = prepareWebhook)]
pub fn prepare_webhook(
    headers: &JsValue,
    secret: &str,
    now: f64,
) -> Result<PendingWebhook, JsValue> {
    let values = read_headers(headers)?;
    let headers = WebhookHeaders::from_lookup(|name| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, value)| value.as_deref())
    });
    Ok(PendingWebhook(webhook::prepare(
        &headers,
        secret,
        now.floor() as i64,
        webhook::DEFAULT_TOLERANCE_SECONDS,
    )?))
}

#[wasm_bindgen]
impl PendingWebhook {
    /// Checks the signature over the raw body bytes, then that they are a UTF-8 JSON object.
    #[wasm_bindgen(js_name = verifyBody)]
    pub fn verify_body(&self, body: &[u8]) -> Result<(), JsValue> {
        self.0.verify_body(body)?;
        Ok(())
    }

    /// The message id (`svix-id`).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.0.id().to_owned()
    }

    /// The signed timestamp, Unix seconds.
    #[wasm_bindgen(getter)]
    pub fn timestamp(&self) -> f64 {
        self.0.timestamp() as f64
    }
}
