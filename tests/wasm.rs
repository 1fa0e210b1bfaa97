//! Smoke tests of the wasm build and its JavaScript adapter, run in Node by `wasm-pack test --node`.
//!
//! They check what only a wasm32 build can show: the matcher runs there, and core errors cross into
//! JavaScript as real `Error` objects carrying the `name`, `code` and `statusCode` the JS shim relies on
//! (`js/errors.js` recognises them by these fields).
#![cfg(target_arch = "wasm32")]

use js_sys::{Error, Reflect};
use portcullis::{normalize_path, RouteMatcher};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Reads `object[key]`.
fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).expect("property read")
}

#[wasm_bindgen_test]
fn matches_like_clerk_in_wasm() {
    let matcher = RouteMatcher::from_paths(&["/dashboard(.*)", "/api/admin(.*)"]).unwrap();
    assert!(matcher.matches("/api/%61dmin/users").unwrap());
    assert!(matcher.matches("//api//admin").unwrap());
    assert!(matcher.matches("/Dashboard/").unwrap());
    assert!(!matcher.matches("/api%2Fadmin").unwrap());
    assert!(matcher.matches_normalized("/dashboardx"));
    assert_eq!(normalize_path("//api/%61dmin").unwrap(), "/api/admin");
}

#[wasm_bindgen_test]
fn malformed_url_becomes_a_js_error_with_status() {
    let error = normalize_path("/%zz").unwrap_err();
    let value = JsValue::from(error);
    let js_error: &Error = value.dyn_ref().expect("an Error instance");
    assert_eq!(String::from(js_error.name()), "MalformedURLError");
    assert_eq!(
        String::from(js_error.message()),
        "Malformed encoding in URL path: /%zz"
    );
    assert_eq!(
        get(&value, "code").as_string().as_deref(),
        Some("malformed-url")
    );
    assert_eq!(get(&value, "statusCode").as_f64(), Some(400.0));
}

#[wasm_bindgen_test]
fn pattern_error_becomes_a_js_error_with_code() {
    let error = RouteMatcher::from_paths(&["/foo*"]).unwrap_err();
    let value = JsValue::from(error);
    let js_error: &Error = value.dyn_ref().expect("an Error instance");
    assert_eq!(String::from(js_error.name()), "RoutePatternError");
    assert!(String::from(js_error.message()).contains("/foo*"));
    assert_eq!(
        get(&value, "code").as_string().as_deref(),
        Some("invalid-route-pattern")
    );
    assert!(get(&value, "statusCode").is_undefined());
}

#[wasm_bindgen_test]
fn empty_list_never_normalises() {
    let matcher = RouteMatcher::from_paths::<&str>(&[]).unwrap();
    assert!(matcher.is_empty());
    assert!(!matcher.matches("/%").unwrap());
}
