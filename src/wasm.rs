//! The wasm-bindgen adapter: the only module that knows about JavaScript.
//!
//! Errors cross the boundary as real `Error` objects carrying a stable `code` (and `statusCode` where
//! an HTTP answer follows from them), so the JS shim can rethrow them as its own classes without
//! parsing messages.

use wasm_bindgen::prelude::*;

use crate::path::MalformedUrlError;
use crate::route::{PatternError, RouteMatcher, RoutePattern};

/// Builds a JS `Error` with `name`, `code` and optionally `statusCode` set.
fn js_error(name: &str, code: &str, message: &str, status: Option<u16>) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    let object: &JsValue = error.as_ref();
    // Setting plain data properties on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(object, &"code".into(), &code.into());
    if let Some(status) = status {
        let _ = js_sys::Reflect::set(object, &"statusCode".into(), &status.into());
    }
    error.into()
}

impl From<MalformedUrlError> for JsValue {
    fn from(error: MalformedUrlError) -> JsValue {
        js_error(
            "MalformedURLError",
            error.code(),
            &error.to_string(),
            Some(error.status()),
        )
    }
}

impl From<PatternError> for JsValue {
    fn from(error: PatternError) -> JsValue {
        js_error("RoutePatternError", error.code(), &error.to_string(), None)
    }
}

/// A compiled set of path-to-regexp string patterns (`createRouteMatcher`'s string part).
#[wasm_bindgen]
#[derive(Debug)]
pub struct PathMatcher(RouteMatcher);

#[wasm_bindgen]
impl PathMatcher {
    /// Compiles `patterns` once; a bad pattern throws a `RoutePatternError`.
    #[wasm_bindgen(constructor)]
    pub fn new(patterns: Vec<String>) -> Result<PathMatcher, JsValue> {
        let patterns = patterns.into_iter().map(RoutePattern::Path);
        Ok(PathMatcher(RouteMatcher::new(patterns)?))
    }

    /// Normalises `pathname` and tests every pattern; throws `MalformedURLError` on bad escapes.
    pub fn matches(&self, pathname: &str) -> Result<bool, JsValue> {
        Ok(self.0.matches(pathname)?)
    }

    /// Tests an already normalised pathname.
    #[wasm_bindgen(js_name = matchesNormalized)]
    pub fn matches_normalized(&self, normalized: &str) -> bool {
        self.0.matches_normalized(normalized)
    }
}

/// Clerk's `normalizePath`: `decodeURI` once, collapse `//+`; throws `MalformedURLError`.
#[wasm_bindgen(js_name = normalizePath)]
pub fn normalize_path(pathname: &str) -> Result<String, JsValue> {
    Ok(crate::path::normalize_path(pathname)?.into_owned())
}
