//! Clerk's own route-matching vectors (CLERK-BEHAVIOUR.md §1.6, sets A–D), shared with the JS tests
//! through `tests/data/route-vectors.json`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use portcullis::{normalize_path, RouteMatcher, RoutePattern};
use serde_json::Value;

fn vectors() -> Value {
    common::vectors("route-vectors.json")
}

/// `createRouteMatcher`'s argument → patterns (`[routes || ''].flat().filter(Boolean)`).
fn patterns(routes: &Value) -> Vec<RoutePattern> {
    let list = match routes {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    };
    list.into_iter()
        .filter_map(|entry| match entry {
            Value::String(path) if path.is_empty() => None,
            Value::String(path) => Some(RoutePattern::Path(path)),
            Value::Object(regex) => Some(RoutePattern::Regex {
                source: regex["regex"].as_str().expect("regex source").to_owned(),
                flags: regex["flags"].as_str().unwrap_or_default().to_owned(),
            }),
            other => panic!("unexpected route entry {other}"),
        })
        .collect()
}

#[test]
fn matcher_vectors_agree_with_clerk() {
    let vectors = vectors();
    let rows = vectors["matcher"].as_array().expect("matcher rows");
    assert!(rows.len() >= 100, "expected sets A, C and D");
    let mut failures = Vec::new();
    for row in rows {
        let matcher = RouteMatcher::new(patterns(&row["routes"])).expect("vector patterns compile");
        let path = row["path"].as_str().expect("path");
        let got = match matcher.matches(path) {
            Ok(matched) => Value::Bool(matched),
            Err(_) => serde_json::json!({ "throws": "MalformedURLError" }),
        };
        if got != row["expected"] {
            failures.push(format!(
                "{}{}: {} on {path}: got {got}, want {}",
                row["set"], row["id"], row["routes"], row["expected"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn normalize_vectors_agree_with_clerk() {
    let vectors = vectors();
    for row in vectors["normalize"].as_array().expect("normalize rows") {
        let input = row["input"].as_str().expect("input");
        let got = match normalize_path(input) {
            Ok(path) => Value::String(path.into_owned()),
            Err(error) => {
                assert_eq!(
                    error.to_string(),
                    format!("Malformed encoding in URL path: {input}")
                );
                serde_json::json!({ "throws": "MalformedURLError" })
            }
        };
        assert_eq!(got, row["expected"], "B{}: {input}", row["id"]);
    }
}

#[test]
fn compile_errors_are_refused_at_creation_with_clerks_reason() {
    let vectors = vectors();
    for row in vectors["compileErrors"]
        .as_array()
        .expect("compileErrors rows")
    {
        let pattern = row["pattern"].as_str().expect("pattern");
        let error = RouteMatcher::from_paths(&[pattern]).expect_err(pattern);
        assert_eq!(error.code(), "invalid-route-pattern");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("Invalid path: {pattern}.")),
            "{message}"
        );
        if let Some(reason) = row["clerkReason"].as_str() {
            if !reason.starts_with("Invalid regular expression") {
                assert!(
                    message.contains(reason),
                    "{pattern}: {message} should contain {reason}"
                );
            }
        }
    }
}

#[test]
fn bare_star_error_names_the_fix() {
    let message = RouteMatcher::from_paths(&["/dashboard/*"])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("`/foo(.*)`") && message.contains("`/foo/:path*`"),
        "{message}"
    );
}

#[test]
fn empty_list_never_normalises() {
    let matcher = RouteMatcher::new(Vec::new()).unwrap();
    assert!(matcher.is_empty());
    assert_eq!(matcher.matches("/%"), Ok(false));
}
