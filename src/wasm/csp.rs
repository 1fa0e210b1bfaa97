//! Content-Security-Policy headers for JavaScript. The shim draws the nonce bytes
//! (`crypto.getRandomValues`) when the policy is strict and passes them in; see `crate::csp` for
//! why the core does not draw them itself.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::csp::{self, CspError, CspOptions, Nonce};

impl From<CspError> for JsValue {
    fn from(error: CspError) -> JsValue {
        js_error(
            "ConfigurationError",
            error.code(),
            &error.to_string(),
            &[("option", error.option().into())],
        )
    }
}

fn options(value: JsValue) -> Result<Map<String, Value>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Map::new());
    }
    match serde_wasm_bindgen::from_value::<Value>(value) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(CspError::InvalidOption {
            option: String::new(),
            message: "expected an object { strict?, directives?, reportOnly?, reportTo? }".into(),
        }
        .into()),
    }
}

/// `{ headers: [[name, value], …], nonce? }` for one response.
#[wasm_bindgen(js_name = contentSecurityPolicy)]
pub fn content_security_policy(
    options_value: JsValue,
    frontend_api: &str,
    production: bool,
    nonce: Option<Vec<u8>>,
) -> Result<JsValue, JsValue> {
    let options = CspOptions::from_json(&options(options_value)?)?;
    let nonce = nonce.as_deref().map(Nonce::from_bytes).transpose()?;
    let built = csp::content_security_policy(&options, frontend_api, production, nonce.as_ref())?;
    let headers = js_sys::Array::new();
    for (name, value) in built.headers {
        headers.push(&js_sys::Array::of2(&name.into(), &value.into()));
    }
    let result = js_sys::Object::new();
    // Defining data properties on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&result, &"headers".into(), &headers);
    if let Some(nonce) = built.nonce {
        let _ = js_sys::Reflect::set(&result, &"nonce".into(), &nonce.into());
    }
    Ok(result.into())
}
