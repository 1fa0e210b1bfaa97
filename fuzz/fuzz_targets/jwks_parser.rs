//! Arbitrary bytes as a JWKS document (`KeySet::from_jwks`) and as a PEM key (`KeySet::from_pem`),
//! then key selection by several `kid`s and everything a selected key offers.
//!
//! Checks: nothing panics; `select` finds exactly the kids `kids()` lists (or explains why not);
//! a usable key offers at least one algorithm and a host JWK with a `kty`; a key never accepts an
//! all-zero signature or one of the wrong length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::token::{KeySet, KeySource, VerifyingKey};

const FIXED_KIDS: [&str; 4] = ["ins_test_rsa2048", "ins_test_p256", "", "\u{0}"];

fn exercise_key(key: &VerifyingKey) {
    let algorithms = key.algorithms();
    assert!(!algorithms.is_empty(), "a usable key verifies some algorithm");
    // JSON text (`to_string` also covers the older `&serde_json::Value` return type).
    let jwk = key.host_jwk().to_string();
    assert!(jwk.contains("\"kty\":"), "the host JWK names its key type: {jwk}");
    let message = b"eyJhbGciOiJSUzI1NiJ9.e30";
    for &alg in algorithms {
        for len in [0usize, 1, 63, 64, 65, 255, 256, 384, 512] {
            let signature = vec![0u8; len];
            // All-zero signatures are never valid (RSA: 0^e = 0; ECDSA: r = s = 0; Ed25519: the
            // identity point is refused or fails the equation).
            assert!(
                !key.verify(alg, message, &signature),
                "{alg}: an all-zero signature of {len} bytes verified"
            );
            let _ = key.signature_is_well_formed(alg, &signature);
        }
    }
}

fn exercise_set(keys: &KeySet) {
    let _ = keys.problem().map(|e| (e.code(), e.to_string()));
    let kids: Vec<String> = keys.kids().map(str::to_owned).collect();
    let _ = keys.select(None).map(exercise_key);
    for kid in FIXED_KIDS.iter().copied().chain(kids.iter().map(String::as_str)) {
        match keys.select(Some(kid)) {
            Ok(key) => {
                if keys.source() == KeySource::Jwks {
                    assert!(kids.iter().any(|k| k == kid), "select found an unlisted kid {kid:?}");
                }
                exercise_key(key);
            }
            Err(error) => {
                let _ = (error.code(), error.to_string());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match KeySet::from_jwks(&text) {
        Ok(keys) => {
            assert_eq!(keys.source(), KeySource::Jwks);
            exercise_set(&keys);
        }
        Err(error) => {
            let _ = (error.code(), error.to_string());
        }
    }
    let pem = KeySet::from_pem(&text);
    assert_eq!(pem.source(), KeySource::Pem);
    exercise_set(&pem);
});
