//! Shared by the Rust test files: loading the vector files of `tests/data/`, which the JS tests
//! read too.

use serde_json::Value;

/// Parses `tests/data/<name>`.
pub fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path} is readable: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is JSON: {e}"))
}
