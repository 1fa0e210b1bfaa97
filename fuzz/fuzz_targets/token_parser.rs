//! Arbitrary bytes as a session token: `UntrustedToken::parse`, then the whole verifier
//! (`VerifyOptions::verify`) against fixed keys, and the host-crypto path (`prepare` →
//! `Pending::finish(true, ..)`) so the claim checks see arbitrary payloads too.
//!
//! Two input forms:
//! * raw: the bytes (lossy UTF-8) are the token;
//! * structured, when the input starts with `{`: `header JSON \n payload JSON \n S sig…`, which
//!   the target encodes as `b64(header).b64(payload).b64(signature)`, so mutations reach the JSON
//!   reader and the header and claim checks instead of dying in base64. The signature is the bytes
//!   after `S` (see [`signature`] for the well-formed lengths `S` = 0–3 pick).
//!
//! Checks: nothing panics; a parsed token reads back exactly (signing input is the text before the
//! last `.`, the signature re-encodes to the third part); `verify` only ever accepts a token that is
//! one of the signed test vectors (no mutation of a genuine token may verify); an accepted token's
//! validity window contains `now`.
#![no_main]

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use portcullis::token::{KeySet, Profile, UntrustedToken, VerifiedToken, VerifyOptions};

// Extracted from tests/data/token-vectors.json by fuzz/extract-seeds.mjs.
const PEM: &str = include_str!("../seeds/keys/rsa2048.pem");
const JWKS_CLERK: &str = include_str!("../seeds/keys/jwks-clerk.json");
const JWKS_OIDC: &str = include_str!("../seeds/keys/jwks-oidc.json");
const SIGNED_TOKENS: &str = include_str!("../seeds/keys/signed-tokens.txt");
const NOW: &str = include_str!("../seeds/keys/now.txt");

/// Instants the claims are also checked at (besides the vectors' `now`). The window invariant is
/// only asserted for realistic ones (|now| < 2^52 ms), where the f64 arithmetic is exact.
const OTHER_NOWS: [i64; 6] = [0, -1, 1_000, 4_102_444_800_000, i64::MIN, i64::MAX];

struct Fixture {
    checks: Vec<(&'static str, KeySet, VerifyOptions)>,
    signed: HashSet<&'static str>,
    now: i64,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pem = KeySet::from_pem(PEM);
        assert!(pem.problem().is_none(), "the fixed PEM key must be usable");
        let clerk = KeySet::from_jwks(JWKS_CLERK).expect("the fixed Clerk JWKS parses");
        let oidc = KeySet::from_jwks(JWKS_OIDC).expect("the fixed OIDC JWKS parses");
        let clerk_options = VerifyOptions::default();
        let oidc_options = VerifyOptions {
            profile: Profile::Oidc,
            ..VerifyOptions::default()
        };
        let strict_options = VerifyOptions {
            accept_template_tokens: true,
            audience: vec!["https://api.example.com".into()],
            authorized_parties: vec!["https://app.example.com".into()],
            issuers: vec!["https://clerk.example.com".into()],
            clock_skew_ms: 0,
            ..VerifyOptions::default()
        };
        Fixture {
            checks: vec![
                ("pem/clerk", pem, clerk_options.clone()),
                ("jwks-clerk/clerk", clerk.clone(), clerk_options),
                ("jwks-clerk/strict", clerk, strict_options),
                ("jwks-oidc/oidc", oidc, oidc_options),
            ],
            signed: SIGNED_TOKENS.lines().filter(|t| !t.is_empty()).collect(),
            now: NOW.trim().parse().expect("now.txt holds an integer"),
        }
    })
}

fn check_window(verified: &VerifiedToken, now: i64, what: &str) {
    if now.unsigned_abs() >= 1 << 52 {
        return;
    }
    let now = now as f64;
    assert!(
        now < verified.valid_until_ms,
        "{what}: accepted at {now} but valid only until {}",
        verified.valid_until_ms
    );
    if let Some(from) = verified.valid_from_ms {
        assert!(
            from <= now,
            "{what}: accepted at {now} but valid only from {from}"
        );
    }
}

/// The signature of a structured input: `S` selects a well-formed length for one of the fixed
/// key types (RSA-2048: 256, ES256/EdDSA: 64, RSA-3072: 384, RSA-4096: 512 bytes), filled with the
/// bytes after it (repeated) or `0x01`; any other `S` means "the bytes after `S`, as they are".
fn signature(spec: &[u8]) -> Vec<u8> {
    let Some((&selector, rest)) = spec.split_first() else {
        return Vec::new();
    };
    let len = match selector {
        0 => 256,
        1 => 64,
        2 => 384,
        3 => 512,
        _ => return rest.to_vec(),
    };
    let fill: &[u8] = if rest.is_empty() { &[1] } else { rest };
    fill.iter().copied().cycle().take(len).collect()
}

fn input_text(data: &[u8]) -> Cow<'_, str> {
    if data.first() == Some(&b'{') {
        let mut parts = data.splitn(3, |&b| b == b'\n');
        let header = parts.next().unwrap_or_default();
        let payload = parts.next().unwrap_or_default();
        let signature = signature(parts.next().unwrap_or_default());
        return Cow::Owned(format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(signature)
        ));
    }
    String::from_utf8_lossy(data)
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let text = input_text(data);
    let text: &str = &text;

    if let Ok(token) = UntrustedToken::parse(text) {
        // One token, one reading: the parts read back exactly.
        let signing_input = token.signing_input();
        let (head, signature) = text.rsplit_once('.').expect("a parsed token has dots");
        assert_eq!(signing_input, head.as_bytes(), "signing input is the text before the last dot");
        assert_eq!(
            URL_SAFE_NO_PAD.encode(token.signature()),
            signature,
            "the signature part is canonical base64url"
        );
        let header = token.header();
        let _ = (&header.alg, &header.kid, &header.typ, &header.cat, header.raw.len());
        let _ = token.unverified_payload().len();
    }

    for (name, keys, options) in &fixture.checks {
        match options.verify(text, keys, fixture.now) {
            Ok(verified) => {
                assert!(
                    fixture.signed.contains(text),
                    "{name}: verify accepted a token that is not one of the signed test vectors: {text:?}"
                );
                check_window(&verified, fixture.now, name);
            }
            Err(error) => {
                let _ = (error.code(), error.to_string());
            }
        }
        // The host-crypto path: the host says the signature is valid; the claims are judged here.
        if let Ok(pending) = options.prepare(text, keys) {
            let _ = (pending.alg(), pending.key().host_jwk(), pending.signing_input().len());
            let _ = pending.signature_is_well_formed();
            for now in std::iter::once(fixture.now).chain(OTHER_NOWS) {
                match pending.clone().finish(true, options, now) {
                    Ok(verified) => check_window(&verified, now, name),
                    Err(error) => {
                        let _ = (error.code(), error.to_string());
                    }
                }
            }
            // A host that says "invalid" must always get an error.
            assert!(pending.finish(false, options, fixture.now).is_err());
        }
    }
});
