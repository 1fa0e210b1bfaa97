//! The shared decision-engine vectors (`tests/data/decide-vectors.json`) through the Rust API.
//! The JS tests run the same file through the wasm build, so the format is plain JSON:
//!
//! ```text
//! {
//!   "now": <ms>,                         default clock for every case
//!   "tokens": { NAME: { "jwt", "header", "payload" } },   real RS256 tokens (test key)
//!   "configs": { NAME: <clerkMiddleware options> },
//!   "cases": [ {
//!     "name": "...", "covers": ["C8", "loop-guard", ...], "clerkDiffers"?: "why we differ",
//!     "config": NAME | "configObject": {...},
//!     "request"?: { "method", "url", "headers": { name: value } },
//!     "now"?: <ms>,
//!     "host"?: [ { "request": <partial HostRequest>, "answer": <HostAnswer>,
//!                  "bapiResponse"?: { "status", "body" } } ],  in order; bapiResponse: what the
//!                  Backend API answered, when the host's answer is not a plain copy of it (the JS
//!                  real-host run and the check against Clerk replay it)
//!     then one of:
//!       (nothing)          authenticate: begin/resume until done
//!       "protect": <ProtectOptions JSON>   authenticate, then protect()
//!       "redirect": { "target": "sign-in" | "sign-up", "returnBackUrl"?: string | null }
//!       "downstream": true  authenticate, then downstream_headers()
//!     "expect": {
//!       authenticate: "status", "reason" (null = none), "message", "token", "tokenType",
//!                     "location" (null = absent), "setCookie": [...] (all, in order),
//!                     "xClerk": { x-clerk-auth-* response headers, exactly },
//!                     "headers": [[name, value], ...] (all, in order),
//!                     "auth": { fields of toAuth() (pending treated as signed out) },
//!                     "logs": [substrings that some log line contains],
//!                     "error": DecideError code (instead of a state)
//!       protect: "outcome": "pass" | "redirect" | "unauthorized" | "not-found",
//!                "location", "rewrite", "headers"
//!       redirect: "location";  downstream: "headers";  config: "error" code or "ok": true
//!     } } ]
//! }
//! ```
//!
//! Every string may contain `{{tok:NAME}}`, replaced by `tokens[NAME].jwt` before the case runs.
//! A host step's `request` lists only the fields to check; fields it names must match exactly.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use portcullis::decide::{
    begin, downstream_headers, protect, redirect_to_sign_in, resume, AuthConfig, HostAnswer,
    ProtectOptions, RedirectTarget, RequestSnapshot, RequestState, ReturnBackUrl, Step,
};
use serde_json::{json, Value};

fn data() -> Value {
    common::vectors("decide-vectors.json")
}

/// Replaces `{{tok:NAME}}` in every string.
fn substitute(value: &Value, tokens: &Value) -> Value {
    match value {
        Value::String(text) => {
            let mut out = text.clone();
            while let Some(start) = out.find("{{tok:") {
                let end = out[start..].find("}}").expect("closed placeholder") + start;
                let name = &out[start + 6..end];
                let jwt = tokens[name]["jwt"]
                    .as_str()
                    .unwrap_or_else(|| panic!("unknown token {name}"));
                out.replace_range(start..end + 2, jwt);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, tokens)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, tokens)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every field of `expected` equals the same field of `actual` (recursively for objects).
fn partial_eq(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| partial_eq(v, a.get(k).unwrap_or(&Value::Null))),
        _ => expected == actual,
    }
}

fn config_for(data: &Value, case: &Value) -> Result<AuthConfig, String> {
    let options = match case.get("configObject") {
        Some(options) => options.clone(),
        None => data["configs"][case["config"].as_str().expect("config name")].clone(),
    };
    AuthConfig::from_json(&options.to_string()).map_err(|e| e.code().to_owned())
}

/// Runs the authenticate phase: begin, then resume with each scripted answer.
fn authenticate(
    config: &AuthConfig,
    request: &RequestSnapshot,
    case: &Value,
    now: i64,
) -> Result<RequestState, String> {
    let mut step = begin(config, request, now).map_err(|e| e.code().to_owned())?;
    let empty = vec![];
    let script = case["host"].as_array().unwrap_or(&empty);
    for (i, host) in script.iter().enumerate() {
        let Step::Host { request, pending } = step else {
            panic!("host step {i}: the engine decided before asking: {step:?}");
        };
        let actual = serde_json::to_value(&request).unwrap();
        assert!(
            partial_eq(&host["request"], &actual),
            "host step {i}: expected request {}\n actual {actual}",
            host["request"]
        );
        let answer: HostAnswer = serde_json::from_value(host["answer"].clone())
            .unwrap_or_else(|e| panic!("host step {i}: bad answer: {e}"));
        step = resume(config, pending, answer).map_err(|e| e.code().to_owned())?;
    }
    match step {
        Step::Done { state } => Ok(state),
        Step::Host { request, .. } => panic!("the engine still asks: {request:?}"),
    }
}

fn headers_json(headers: &[(String, String)]) -> Value {
    json!(headers)
}

fn check_state(state: &RequestState, expect: &Value) {
    let get = |name: &str| expect.get(name);
    let status = state.status.as_str();
    if let Some(e) = get("status") {
        assert_eq!(e, status, "status");
    }
    if let Some(e) = get("reason") {
        assert_eq!(e, &json!(state.reason), "reason");
    }
    if let Some(e) = get("message") {
        assert_eq!(e, &json!(state.message), "message");
    }
    if let Some(e) = get("token") {
        assert_eq!(e, &json!(state.token), "token");
    }
    if let Some(e) = get("tokenType") {
        assert_eq!(
            e,
            &serde_json::to_value(state.token_type).unwrap(),
            "tokenType"
        );
    }
    if let Some(e) = get("location") {
        assert_eq!(e, &json!(state.location()), "location");
    }
    if let Some(e) = get("setCookie") {
        let cookies: Vec<&str> = state
            .headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(e, &json!(cookies), "set-cookie");
    }
    if let Some(e) = get("xClerk") {
        let debug: serde_json::Map<String, Value> = state
            .headers
            .iter()
            .filter(|(n, _)| n.starts_with("x-clerk-"))
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect();
        assert_eq!(e, &Value::Object(debug), "x-clerk-* headers");
    }
    if let Some(e) = get("headers") {
        assert_eq!(e, &headers_json(&state.headers), "headers");
    }
    if let Some(e) = get("auth") {
        let auth = serde_json::to_value(state.to_auth(true)).unwrap();
        assert!(partial_eq(e, &auth), "auth: expected {e}, got {auth}");
    }
    if let Some(e) = get("logs") {
        for needle in e.as_array().unwrap() {
            let needle = needle.as_str().unwrap();
            assert!(
                state.logs.iter().any(|l| l.message.contains(needle)),
                "no log line contains {needle:?}: {:?}",
                state.logs
            );
        }
    }
}

fn run_case(data: &Value, case: &Value) {
    let expect = &case["expect"];
    let config = match config_for(data, case) {
        Ok(config) => config,
        Err(code) => {
            assert_eq!(expect["error"], json!(code), "configuration error");
            return;
        }
    };
    if case.get("configObject").is_some() {
        assert_eq!(
            expect["ok"],
            json!(true),
            "configuration should have failed"
        );
        return;
    }
    let request: RequestSnapshot =
        serde_json::from_value(case["request"].clone()).expect("request");
    let now = case["now"].as_i64().or(data["now"].as_i64()).expect("now");
    if let Some(redirect) = case.get("redirect") {
        let state = authenticate(&config, &request, case, now).expect("authenticates");
        let target = match redirect["target"].as_str() {
            Some("sign-up") => RedirectTarget::SignUp,
            _ => RedirectTarget::SignIn,
        };
        let return_back = match redirect.get("returnBackUrl") {
            None => ReturnBackUrl::Current,
            Some(Value::Null) => ReturnBackUrl::Omit,
            Some(url) => ReturnBackUrl::Url(url.as_str().unwrap().to_owned()),
        };
        let result = redirect_to_sign_in(&config, &request, &state, target, &return_back).unwrap();
        assert_eq!(expect["location"], json!(result.location), "location");
        return;
    }
    let state = match authenticate(&config, &request, case, now) {
        Ok(state) => state,
        Err(code) => {
            assert_eq!(expect["error"], json!(code), "decision error");
            return;
        }
    };
    assert!(
        expect.get("error").is_none(),
        "expected error {}, got {state:?}",
        expect["error"]
    );
    if let Some(options) = case.get("protect") {
        let options: ProtectOptions =
            serde_json::from_value(options.clone()).expect("protect options");
        let outcome = protect(&config, &request, &state, &options, now).expect("protect");
        let actual = serde_json::to_value(&outcome).unwrap();
        assert_eq!(expect["outcome"], actual["kind"], "outcome: {actual}");
        for field in ["location", "rewrite", "headers"] {
            if let Some(e) = expect.get(field) {
                assert_eq!(e, &actual[field], "{field}");
            }
        }
        return;
    }
    if case.get("downstream").is_some() {
        let headers = downstream_headers(&config, &state).expect("downstream headers");
        assert_eq!(
            expect["headers"],
            headers_json(&headers),
            "downstream headers"
        );
        return;
    }
    check_state(&state, expect);
}

#[test]
fn decide_vectors() {
    let data = data();
    let tokens = data["tokens"].clone();
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 80, "at least 80 cases");
    let mut failures = Vec::new();
    for case in cases {
        let case = substitute(case, &tokens);
        let name = case["name"].as_str().unwrap_or("?").to_owned();
        let result = std::panic::catch_unwind(|| run_case(&data, &case));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{name}: {message}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The token table is self-consistent: each `jwt` decodes to its `header` and `payload`.
#[test]
fn token_table_matches_its_decoded_form() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let data = data();
    for (name, token) in data["tokens"].as_object().unwrap() {
        let jwt = token["jwt"].as_str().unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        let decode = |part: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        assert_eq!(decode(parts[0]), token["header"], "{name} header");
        assert_eq!(decode(parts[1]), token["payload"], "{name} payload");
    }
}

/// Every row of the cookie table and every reason we emit has at least one vector.
#[test]
fn coverage() {
    let data = data();
    let covered: Vec<String> = data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["covers"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let rows = [
        "C1", "C2a", "C2b", "C2c", "C2d", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11",
        "C12", "C13", "C14", "C15",
    ];
    let suffix_rules = (1..=8).map(|r| format!("suffix-rule-{r}"));
    let reasons = portcullis::decide::reason::ALL
        .iter()
        .filter(|r| **r != "session-token-expired")
        .map(|r| (*r).to_owned());
    for tag in rows
        .iter()
        .map(|r| (*r).to_owned())
        .chain(suffix_rules)
        .chain(reasons)
    {
        assert!(covered.contains(&tag), "no vector covers {tag}");
    }
    for tag in [
        "loop-guard",
        "open-redirect",
        "header-injection",
        "protect",
        "redirect",
    ] {
        assert!(covered.iter().any(|c| c == tag), "no vector covers {tag}");
    }
}
