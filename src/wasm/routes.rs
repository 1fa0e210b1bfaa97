//! `createRouteMatcher`'s string patterns and `normalizePath`, for JavaScript.

use wasm_bindgen::prelude::*;

use super::js_error;
use crate::path::MalformedUrlError;
use crate::route::{PatternError, RouteMatcher, RoutePattern};

impl From<MalformedUrlError> for JsValue {
    fn from(error: MalformedUrlError) -> JsValue {
        js_error(
            "MalformedURLError",
            error.code(),
            &error.to_string(),
            &[("statusCode", error.status().into())],
        )
    }
}

impl From<PatternError> for JsValue {
    fn from(error: PatternError) -> JsValue {
        js_error("RoutePatternError", error.code(), &error.to_string(), &[])
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
