//! The shared token cases (`tests/data/token-vectors.json`, written by scripts/gen-token-vectors.js
//! and checked against Clerk's own verifyToken in tests/js/token-vectors-clerk.test.js) through the
//! Rust verifier: every case must end with the expected reason, or verify.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use portcullis::token::{KeySet, VerifyOptions};
use serde_json::{Map, Value};

fn data() -> Value {
    common::vectors("token-vectors.json")
}

/// Verifies one case; returns the reason code, or `"ok"`.
fn run(data: &Value, case: &Value, bit_flip: Option<usize>) -> String {
    let keys = if let Some(pem) = case["key"]["pem"].as_str() {
        Ok(KeySet::from_pem(
            data["keys"][pem]["spkiPem"].as_str().expect("PEM"),
        ))
    } else {
        let name = case["key"]["jwks"].as_str().expect("jwks name");
        KeySet::from_jwks(&data["jwks"][name].to_string())
    };
    let keys = match keys {
        Ok(keys) => keys,
        Err(error) => return error.code().to_owned(),
    };
    let mut options = case["options"].as_object().cloned().unwrap_or_default();
    if let Some(profile) = case["profile"].as_str() {
        options.insert("profile".into(), Value::String(profile.into()));
    }
    let options = VerifyOptions::from_json(&options).expect("case options are valid");
    let now = case["now"]
        .as_i64()
        .or_else(|| data["now"].as_i64())
        .expect("now");
    let mut token = case["token"].as_str().expect("token").to_owned();
    if let Some(bit) = bit_flip {
        token = flip_signature_bit(&token, bit);
    }
    match options.verify(&token, &keys, now) {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.code().to_owned(),
    }
}

/// Flips one bit of the decoded signature and re-encodes it.
fn flip_signature_bit(token: &str, bit: usize) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let (input, signature) = token.rsplit_once('.').expect("three parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).expect("signature");
    let i = bit % (bytes.len() * 8);
    bytes[i / 8] ^= 1 << (i % 8);
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[test]
fn every_case_gets_its_expected_outcome() {
    let data = data();
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 120, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let expected = case["expected"]["reason"].as_str().unwrap_or("ok");
        let got = run(&data, case, None);
        if got != expected {
            failures.push(format!("{}: got {got}, want {expected}", case["name"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every valid token stops verifying when any single bit of its signature flips.
#[test]
fn signature_bit_flips_are_rejected() {
    let data = data();
    let mut flips = 0;
    for case in data["cases"].as_array().expect("cases") {
        if case["expected"]["reason"].is_string() {
            continue;
        }
        for bit in (0..4096).step_by(97) {
            let got = run(&data, case, Some(bit));
            assert_eq!(
                got, "token-invalid-signature",
                "{} with bit {bit} flipped",
                case["name"]
            );
            flips += 1;
        }
    }
    assert!(flips > 1000, "only {flips} flips");
}

#[test]
fn options_reject_bad_types_with_the_option_name() {
    let bad = [
        r#"{"clockSkewInMs":-1}"#,
        r#"{"clockSkewInMs":"5s"}"#,
        r#"{"authorizedParties":"https://a"}"#,
        r#"{"algorithms":["HS256"]}"#,
        r#"{"profile":"jose"}"#,
    ];
    for json in bad {
        let options: Map<String, Value> = serde_json::from_str(json).unwrap();
        let error = VerifyOptions::from_json(&options).expect_err(json);
        assert_eq!(error.code(), "invalid-option");
        assert!(
            error.to_string().contains(json.split('"').nth(1).unwrap()),
            "{error}"
        );
    }
}
