//! The shared Content-Security-Policy cases (`tests/data/csp-vectors.json`, whose expected headers
//! are the output of Clerk's own builder, re-checked against it by tests/js/csp-clerk.test.js)
//! through the Rust core, plus the two exact strings of CLERK-BEHAVIOUR.md §2.7.
#![cfg(not(target_arch = "wasm32"))]

use portcullis::csp::{content_security_policy, CspError, CspHeaders, CspOptions, Nonce};
use serde_json::{json, Value};

fn data() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/csp-vectors.json"
    ))
    .expect("tests/data/csp-vectors.json is readable");
    serde_json::from_str(&text).expect("JSON")
}

fn run(case: &Value) -> Result<CspHeaders, CspError> {
    let options = CspOptions::from_json(case["options"].as_object().expect("options"))?;
    let nonce = case["nonceBytes"].as_array().map(|bytes| {
        let bytes: Vec<u8> = bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect();
        Nonce::from_bytes(&bytes).expect("16 bytes")
    });
    content_security_policy(
        &options,
        case["frontendApi"].as_str().expect("frontendApi"),
        case["production"].as_bool().expect("production"),
        nonce.as_ref(),
    )
}

fn as_json(headers: &CspHeaders) -> Value {
    let mut out = json!({ "headers": headers.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>() });
    if let Some(nonce) = &headers.nonce {
        out["nonce"] = json!(nonce);
    }
    out
}

#[test]
fn every_case_gives_clerks_headers_or_its_refusal() {
    let data = data();
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in cases {
        let expect = &case["expect"];
        let got = match run(case) {
            Ok(headers) => as_json(&headers),
            Err(error) => json!({ "error": { "code": error.code(), "option": error.option() } }),
        };
        if &got != expect {
            failures.push(format!(
                "{}:\n  expected {expect}\n  got      {got}",
                case["name"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The two strings of CLERK-BEHAVIOUR.md §2.7, copied verbatim (host `clerk.example.com`,
/// production), independent of the vector file.
#[test]
fn the_exact_strings_of_clerk_behaviour_2_7() {
    const DEFAULT: &str = "connect-src 'self' https://clerk-telemetry.com https://*.clerk-telemetry.com https://api.stripe.com https://maps.googleapis.com https://img.clerk.com https://images.clerkstage.dev https://*.protect.clerk.com:* clerk.example.com; default-src 'self'; form-action 'self'; frame-src 'self' https://challenges.cloudflare.com https://*.js.stripe.com https://js.stripe.com https://hooks.stripe.com https://*.protect.clerk.com; img-src 'self' https://img.clerk.com; script-src 'self' 'unsafe-inline' https: http: https://*.js.stripe.com https://js.stripe.com https://maps.googleapis.com https://*.protect.clerk.com; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:";
    const STRICT_SCRIPT_SRC: &str = "script-src 'self' 'unsafe-inline' https://*.js.stripe.com https://js.stripe.com https://maps.googleapis.com https://*.protect.clerk.com 'strict-dynamic' 'nonce-<n>'";

    let default =
        content_security_policy(&CspOptions::default(), "clerk.example.com", true, None).unwrap();
    assert_eq!(
        default.headers,
        [("content-security-policy", DEFAULT.to_owned())]
    );
    assert_eq!(default.nonce, None);

    let nonce = Nonce::from_bytes(&[0x5a; 16]).unwrap();
    let strict = CspOptions {
        strict: true,
        ..CspOptions::default()
    };
    let headers =
        content_security_policy(&strict, "clerk.example.com", true, Some(&nonce)).unwrap();
    let script_src = STRICT_SCRIPT_SRC.replace("<n>", nonce.as_str());
    let old_script_src = DEFAULT
        .split("; ")
        .find(|d| d.starts_with("script-src "))
        .unwrap();
    assert_eq!(
        headers.headers[0],
        (
            "content-security-policy",
            DEFAULT.replace(old_script_src, &script_src)
        )
    );
    assert_eq!(headers.headers[1], ("x-nonce", nonce.as_str().to_owned()));
    assert_eq!(headers.nonce.as_deref(), Some("WlpaWlpaWlpaWlpaWlpaWg=="));
}

#[test]
fn a_strict_policy_needs_a_nonce_and_others_ignore_one() {
    let strict = CspOptions {
        strict: true,
        ..CspOptions::default()
    };
    assert_eq!(
        content_security_policy(&strict, "clerk.example.com", true, None),
        Err(CspError::MissingNonce)
    );
    assert_eq!(
        Nonce::from_bytes(&[1; 15]),
        Err(CspError::InvalidNonce { bytes: 15 })
    );
    assert!(Nonce::from_bytes(&[1; 64]).is_ok());
    assert!(Nonce::from_bytes(&[1; 65]).is_err());
    let nonce = Nonce::from_bytes(&[1; 16]).unwrap();
    let options = CspOptions::default();
    assert_eq!(
        content_security_policy(&options, "clerk.example.com", false, Some(&nonce)),
        content_security_policy(&options, "clerk.example.com", false, None)
    );
}

#[test]
fn refusals_name_the_option_and_the_fix() {
    for (options, needle) in [
        (
            json!({"directives": {"frame-ancestor": ["none"]}}),
            "did you mean 'frame-ancestors'",
        ),
        (
            json!({"directives": {"img-src": ["a; b"]}}),
            "give each directive its own key",
        ),
        (json!({"reportOnly": "true"}), "expected true or false"),
    ] {
        let error = CspOptions::from_json(options.as_object().unwrap()).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("Invalid option `contentSecurityPolicy."),
            "{message}"
        );
        assert!(message.contains(needle), "{message}");
    }
}
