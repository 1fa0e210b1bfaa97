//! The wasm-bindgen adapter: the only code that knows about JavaScript.
//!
//! Errors cross the boundary as real `Error` objects carrying a stable `code` (and `reason` /
//! `statusCode` where they apply), so the JS shim can rethrow them as its own classes without
//! parsing messages. Values cross as plain JSON-compatible objects.

mod csp;
mod decide;
mod routes;
mod tokens;
mod webhook;

use wasm_bindgen::JsValue;

/// Builds a JS `Error` with `name`, `code` and any extra string/number properties.
pub(crate) fn js_error(
    name: &str,
    code: &str,
    message: &str,
    extra: &[(&str, JsValue)],
) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    let object: &JsValue = error.as_ref();
    // Setting plain data properties on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(object, &"code".into(), &code.into());
    for (key, value) in extra {
        let _ = js_sys::Reflect::set(object, &(*key).into(), value);
    }
    error.into()
}

/// Serialises a value as plain JS objects (not `Map`s).
pub(crate) fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}
