//! The shared webhook cases (`tests/data/webhook-vectors.json`, signed by the real `svix` package in
//! scripts/gen-webhook-vectors.js; tests/js/webhook.test.js runs the same cases through the JS API
//! and through svix itself) against the Rust core: every case must end with its expected code.
#![cfg(not(target_arch = "wasm32"))]

use portcullis::webhook::{self, SigningSecret, WebhookError, WebhookHeaders};
use serde_json::Value;

fn data() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/webhook-vectors.json"
    ))
    .expect("tests/data/webhook-vectors.json is readable");
    serde_json::from_str(&text).expect("JSON")
}

/// What a Fetch `Headers` object would hold: names lower-cased, each value trimmed of HTTP
/// whitespace, repeated names joined with ", ".
fn fetch_headers(case: &Value) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for pair in case["headers"].as_array().expect("headers") {
        let name = pair[0].as_str().expect("name").to_ascii_lowercase();
        let value = pair[1]
            .as_str()
            .expect("value")
            .trim_matches([' ', '\t', '\r', '\n']);
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            None => headers.push((name, value.to_owned())),
        }
    }
    headers
}

fn body(case: &Value) -> Vec<u8> {
    match (case["body"].as_str(), case["bodyHex"].as_str()) {
        (Some(text), None) => text.as_bytes().to_vec(),
        (None, Some(hex)) => (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect(),
        _ => panic!("{}: body or bodyHex", case["name"]),
    }
}

struct Outcome {
    /// `prepare` + `verify_body`, what the JS shim uses.
    body: Result<(), WebhookError>,
    /// `verify`, which also builds a serde_json value.
    value: Result<serde_json::Map<String, Value>, WebhookError>,
}

fn run(data: &Value, case: &Value) -> Outcome {
    let headers = fetch_headers(case);
    let lookup = WebhookHeaders::from_lookup(|name| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    });
    let raw = body(case);
    let secret = case["secret"].as_str().expect("secret");
    let now = case["now"].as_i64().expect("now");
    let tolerance = data["tolerance"].as_u64().expect("tolerance") as u32;
    let body = webhook::prepare(&lookup, secret, now, tolerance)
        .and_then(|prepared| prepared.verify_body(&raw).map(|_| ()));
    let value = webhook::verify(&lookup, &raw, secret, now, tolerance);
    Outcome { body, value }
}

fn code<T>(result: &Result<T, WebhookError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(error) => error.code(),
    }
}

#[test]
fn every_case_gives_its_expected_answer() {
    let data = data();
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let expect = case["expect"].as_str().expect("expect");
        let outcome = run(&data, case);
        let value_expect = match case["serdeValue"].as_str() {
            Some("refuses") => "invalid-payload",
            _ => expect,
        };
        if code(&outcome.body) != expect || code(&outcome.value) != value_expect {
            failures.push(format!(
                "{}: expected {expect} / {value_expect}, got {} / {} ({:?})",
                case["name"],
                code(&outcome.body),
                code(&outcome.value),
                outcome.body.as_ref().err().map(ToString::to_string),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn accepted_events_are_the_body_parsed() {
    let data = data();
    for case in data["cases"].as_array().unwrap() {
        if case["expect"] == "ok" && case["serdeValue"].is_null() {
            let event = run(&data, case).value.expect("accepted");
            let parsed: Value = serde_json::from_slice(&body(case)).unwrap();
            assert_eq!(Value::Object(event), parsed, "{}", case["name"]);
        }
    }
}

/// Our `sign` produces svix's signatures: every accepted case's header holds exactly the signature
/// `sign` computes (when the secret is one we accept).
#[test]
fn sign_agrees_with_svix() {
    let data = data();
    let mut checked = 0;
    for case in data["cases"].as_array().unwrap() {
        if case["expect"] != "ok" {
            continue;
        }
        let headers = fetch_headers(case);
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let lookup = WebhookHeaders::from_lookup(get);
        let key = SigningSecret::parse(case["secret"].as_str().unwrap()).unwrap();
        let id = lookup.id.unwrap();
        let timestamp: i64 = lookup.timestamp.unwrap().parse().unwrap();
        let ours = webhook::sign(&key, id, timestamp, &body(case));
        assert!(
            lookup.signature.unwrap().contains(&ours),
            "{}",
            case["name"]
        );
        checked += 1;
    }
    assert!(checked >= 30);
}

#[test]
fn every_code_is_covered_and_messages_leak_nothing() {
    let data = data();
    let cases = data["cases"].as_array().unwrap();
    for code in WebhookError::CODES {
        assert!(
            cases.iter().any(|c| c["expect"] == code),
            "no vector for {code}"
        );
    }
    for case in cases {
        let expect = case["expect"].as_str().unwrap();
        assert!(
            expect == "ok" || WebhookError::CODES.contains(&expect),
            "{expect}"
        );
        if let Err(error) = run(&data, case).body {
            let message = error.to_string();
            let secret = case["secret"].as_str().unwrap();
            assert!(message.len() > 40, "{message}");
            assert!(
                secret.len() < 8 || !message.contains(secret.trim()),
                "{message}"
            );
            for (_, value) in fetch_headers(case) {
                if value.len() > 20 {
                    assert!(!message.contains(&value), "{}: {message}", case["name"]);
                }
            }
        }
    }
}

/// GHSA-9mp4-77wg-rwx9 / CVE-2025-53548: `verifyWebhook` in @clerk/backend 2.0.0–2.3.x accepted
/// improperly signed webhook events. No signature header that lacks the real signature may pass:
/// here every bit of a valid signature is flipped in turn, and empty / non-v1 shapes are tried.
#[test]
fn ghsa_9mp4_77wg_rwx9_no_improper_signature_passes() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let key = SigningSecret::parse(secret).unwrap();
    let body = br#"{"type":"user.deleted","data":{"id":"user_1"}}"#;
    let now = 1_767_225_600;
    let ts = now.to_string();
    let valid = webhook::sign(&key, "msg_1", now, body);
    let check = |signature: &str| {
        let headers = WebhookHeaders {
            id: Some("msg_1"),
            timestamp: Some(&ts),
            signature: Some(signature),
        };
        webhook::verify(&headers, body, secret, now, 300).map(|_| ())
    };
    assert_eq!(check(&valid), Ok(()));

    let raw = STANDARD.decode(&valid[3..]).unwrap();
    for bit in 0..raw.len() * 8 {
        let mut flipped = raw.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let forged = format!("v1,{}", STANDARD.encode(&flipped));
        assert_eq!(
            check(&forged),
            Err(WebhookError::NoMatchingSignature),
            "bit {bit}"
        );
    }
    let sig = &valid[3..];
    for forged in [
        "v1,".to_owned(),
        "v1".to_owned(),
        ",".to_owned(),
        "v1, v1, v1,".to_owned(),
        format!("v2,{sig}"),
        format!("v1a,{sig}"),
        format!("V1,{sig}"),
        format!("v1, {sig}"),
        format!("v1,,{sig}"),
        sig.to_owned(),
    ] {
        assert_eq!(check(&forged), Err(WebhookError::NoV1Signature), "{forged}");
    }
    for forged in ["v1,*", "v1,=", "v1,true", "v1,null"] {
        assert_eq!(
            check(forged),
            Err(WebhookError::NoMatchingSignature),
            "{forged}"
        );
    }
    for missing in ["", " ", "\t"] {
        assert!(
            matches!(check(missing), Err(WebhookError::MissingHeaders { .. })),
            "{missing:?}"
        );
    }
}
