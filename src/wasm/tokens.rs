//! Token verification for JavaScript: the shim fetches key sets and may check signatures with
//! WebCrypto; everything else — parsing, key choice, claims, cache rules — happens here.
//!
//! Flow per token: `prepare(token, now)` → `undefined` means "fetch the key set, report it with
//! `jwksFetched` / `jwksFailed`, then prepare again"; otherwise a `PendingToken` whose signature the
//! shim checks (WebCrypto, or `verifyHere`) before `finish` judges the claims.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use super::{js_error, to_js};
use crate::auth::SessionAuth;
use crate::token::jwks::{JwksCache, JwksPolicy, Lookup};
use crate::token::{
    KeySet, OptionsError, Pending, Reason, TokenError, UntrustedToken, VerifiedToken, VerifyOptions,
};
use wasm_bindgen::JsCast;

impl From<TokenError> for JsValue {
    fn from(error: TokenError) -> JsValue {
        let code = error.code();
        js_error(
            "TokenVerificationError",
            code,
            &error.message,
            &[("reason", code.into())],
        )
    }
}

impl From<OptionsError> for JsValue {
    fn from(error: OptionsError) -> JsValue {
        js_error(
            "ConfigurationError",
            error.code(),
            &error.to_string(),
            &[("option", error.option.as_str().into())],
        )
    }
}

fn config_error(option: &str, message: &str) -> JsValue {
    OptionsError {
        option: option.to_owned(),
        message: message.to_owned(),
    }
    .into()
}

/// A JS object → a JSON object map. Non-finite numbers are refused here: JSON has no NaN or
/// Infinity, and letting them turn into `null` would silently select a default.
fn object(value: JsValue, what: &str) -> Result<Map<String, Value>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Map::new());
    }
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for entry in js_sys::Object::entries(object).iter() {
            let pair = js_sys::Array::from(&entry);
            if pair.get(1).as_f64().is_some_and(|n| !n.is_finite()) {
                let key = pair.get(0).as_string().unwrap_or_default();
                return Err(config_error(&key, "expected a finite number"));
            }
        }
    }
    match serde_wasm_bindgen::from_value::<Value>(value) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(config_error(what, "expected a plain object")),
    }
}

#[derive(Debug)]
enum Keys {
    Pem(KeySet),
    Jwks(JwksCache),
}

/// One verification configuration with its keys (a PEM key, or a cached remote key set).
#[wasm_bindgen]
#[derive(Debug)]
pub struct TokenVerifier {
    options: VerifyOptions,
    keys: Keys,
}

/// A token waiting for its signature to be checked.
#[wasm_bindgen]
#[derive(Debug)]
pub struct PendingToken(Pending);

fn policy(config: &Map<String, Value>) -> Result<JwksPolicy, JsValue> {
    let mut policy = JwksPolicy::default();
    for (name, slot) in [
        ("ttlMs", &mut policy.ttl_ms),
        ("unknownKidCooldownMs", &mut policy.unknown_kid_cooldown_ms),
        ("retryAfterFailureMs", &mut policy.retry_after_failure_ms),
        ("maxStaleMs", &mut policy.max_stale_ms),
    ] {
        match config.get(name) {
            None | Some(Value::Null) => {}
            Some(value) => match value.as_f64() {
                Some(ms) if ms.is_finite() && ms >= 0.0 => *slot = ms as u64,
                _ => {
                    return Err(config_error(
                        name,
                        "expected a non-negative number of milliseconds",
                    ))
                }
            },
        }
    }
    Ok(policy)
}

#[wasm_bindgen]
impl TokenVerifier {
    /// `options`: `profile`, `algorithms`, `authorizedParties`, `audience`, `clockSkewInMs`,
    /// `issuer`, `acceptTemplateTokens`. `keys`: `{ pem }` or `{ jwks: { ttlMs, unknownKidCooldownMs,
    /// retryAfterFailureMs, maxStaleMs } }`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, keys: JsValue) -> Result<TokenVerifier, JsValue> {
        let options = VerifyOptions::from_json(&object(options, "options")?)?;
        let keys = object(keys, "keys")?;
        let keys = match (keys.get("pem"), keys.get("jwks")) {
            (Some(Value::String(pem)), None) => Keys::Pem(KeySet::from_pem(pem)),
            (None, Some(Value::Object(config))) => Keys::Jwks(JwksCache::new(policy(config)?)),
            _ => {
                return Err(config_error(
                    "keys",
                    "expected { pem: string } or { jwks: {...} }",
                ))
            }
        };
        Ok(TokenVerifier { options, keys })
    }

    /// Why the configured PEM key cannot verify anything (`undefined` when it can, or for JWKS).
    #[wasm_bindgen(js_name = keyProblem)]
    pub fn key_problem(&self) -> JsValue {
        match &self.keys {
            Keys::Pem(keys) => keys.problem().map_or(JsValue::UNDEFINED, JsValue::from),
            Keys::Jwks(_) => JsValue::UNDEFINED,
        }
    }

    /// Checks everything before the signature. `undefined`: fetch the key set first.
    pub fn prepare(&self, token: &str, now: f64) -> Result<Option<PendingToken>, JsValue> {
        let token = UntrustedToken::parse(token)?;
        // Header checks first: a malformed or disallowed token never causes a fetch.
        let alg = self.options.check_header(&token)?;
        let keys = match &self.keys {
            Keys::Pem(keys) => keys,
            Keys::Jwks(cache) => match (
                cache.lookup(token.header().kid.as_deref(), now as i64),
                cache.keys(),
            ) {
                (Lookup::Fail(error), _) => return Err(error.into()),
                (Lookup::Proceed, Some(keys)) => keys,
                (Lookup::Fetch | Lookup::Proceed, _) => return Ok(None),
            },
        };
        Ok(Some(PendingToken(
            self.options.prepare_checked(token, alg, keys)?,
        )))
    }

    /// Reports a fetched JWKS body; returns the kids that are no longer published.
    #[wasm_bindgen(js_name = jwksFetched)]
    pub fn jwks_fetched(&mut self, body: &str, now: f64) -> Result<Vec<String>, JsValue> {
        match &mut self.keys {
            Keys::Jwks(cache) => Ok(cache.fetch_succeeded(body, now as i64)?),
            Keys::Pem(_) => Err(config_error(
                "keys",
                "this verifier uses a PEM key, not a JWKS",
            )),
        }
    }

    /// Reports a failed fetch with its reason code (`jwk-remote-failed-to-load`,
    /// `secret-key-invalid`, …) and message.
    #[wasm_bindgen(js_name = jwksFailed)]
    pub fn jwks_failed(&mut self, reason: &str, message: &str, now: f64) -> Result<(), JsValue> {
        let Some(reason) = Reason::ALL.into_iter().find(|r| r.code() == reason) else {
            return Err(config_error(
                "reason",
                &format!("{reason} is not a token reason code"),
            ));
        };
        if let Keys::Jwks(cache) = &mut self.keys {
            cache.fetch_failed(TokenError::new(reason, message), now as i64);
        }
        Ok(())
    }

    /// Given the host's signature verdict, judges the claims at `now`.
    pub fn finish(
        &self,
        pending: PendingToken,
        signature_valid: bool,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        Ok(verified(pending.0.finish(
            signature_valid,
            &self.options,
            now as i64,
        )?))
    }

    /// Checks the signature in Rust (when the host has no WebCrypto), then the claims.
    #[wasm_bindgen(js_name = verifyHere)]
    pub fn verify_here(&self, pending: PendingToken, now: f64) -> Result<JsValue, JsValue> {
        let valid = pending.0.verify_signature();
        self.finish(pending, valid, now)
    }
}

/// `{ payloadJson, validFromMs, validUntilMs }`. The payload travels as JSON text because one
/// `JSON.parse` on the JS side is several times faster than building the object property by
/// property across the boundary.
fn verified(token: VerifiedToken) -> JsValue {
    let result = js_sys::Object::new();
    let payload = Value::Object(token.claims).to_string();
    let from = token.valid_from_ms.map_or(JsValue::NULL, JsValue::from);
    for (key, value) in [
        ("payloadJson", JsValue::from(payload)),
        ("validFromMs", from),
        ("validUntilMs", JsValue::from(token.valid_until_ms)),
    ] {
        // Defining data properties on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&result, &key.into(), &value);
    }
    result.into()
}

#[wasm_bindgen]
impl PendingToken {
    /// The algorithm to verify with (`RS256`, `ES256`, `EdDSA`, …).
    #[wasm_bindgen(getter)]
    pub fn alg(&self) -> String {
        self.0.alg().name().to_owned()
    }

    /// The public key as a minimal JWK, for `crypto.subtle.importKey('jwk', …)`; its JSON text also
    /// identifies the key for caching imported keys.
    #[wasm_bindgen(getter, js_name = hostJwk)]
    pub fn host_jwk(&self) -> String {
        self.0.key().host_jwk().to_owned()
    }

    /// The signed bytes.
    #[wasm_bindgen(getter, js_name = signingInput)]
    pub fn signing_input(&self) -> Vec<u8> {
        self.0.signing_input().to_vec()
    }

    /// The signature bytes (raw `r || s` for ECDSA, as WebCrypto expects).
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> Vec<u8> {
        self.0.signature().to_vec()
    }

    /// `false` when the signature cannot be valid whatever the engine says (wrong length, zero or
    /// out-of-range ECDSA scalars); the host must then not ask WebCrypto and pass `false` to `finish`.
    #[wasm_bindgen(getter, js_name = wellFormed)]
    pub fn well_formed(&self) -> bool {
        self.0.signature_is_well_formed()
    }
}

/// The auth fields of verified session claims (`userId`, `orgRole`, `orgPermissions`, …).
#[wasm_bindgen(js_name = sessionAuth)]
pub fn session_auth(claims: JsValue) -> Result<JsValue, JsValue> {
    Ok(to_js(&SessionAuth::from_claims(&object(claims, "claims")?)))
}

/// `has(params)` for verified session claims.
#[wasm_bindgen(js_name = hasAuthorization)]
pub fn has_authorization(claims: JsValue, params: JsValue) -> Result<bool, JsValue> {
    let auth = SessionAuth::from_claims(&object(claims, "claims")?);
    Ok(auth.has(&object(params, "params")?))
}
