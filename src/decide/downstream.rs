//! The request headers `clerkMiddleware` hands to the app (`decorateRequest`, §2.5), so `auth()`
//! in server code can read the decision without verifying again.
//!
//! `x-clerk-auth-signature` is lowercase hex HMAC-SHA1 of the token keyed with the secret key; the
//! app trusts `x-clerk-auth-status: signed-in` only when the signature matches. How the headers
//! travel (Next.js's `x-middleware-request-*` protocol, or plain request headers elsewhere) is the
//! adapter's business; the encrypted `x-clerk-request-data` blob is not produced here.

use std::cell::RefCell;
use std::rc::Rc;

use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::config::AuthConfig;
use super::error::DecideError;
use super::memo::Memo;
use super::state::{checked_header, RequestState};

thread_local! {
    /// The last few signatures, with the secret key each was made with (signed-in requests repeat
    /// the same token until it expires).
    static SIGNATURES: RefCell<Memo<(Rc<str>, Rc<str>), 8>> = const { RefCell::new(Memo::new()) };
}

/// [`token_signature`], remembered for the last few tokens.
fn remembered_signature(secret_key: &str, token: &str) -> String {
    let (_, signature) = SIGNATURES.with(|memo| {
        memo.borrow_mut().get_or_insert_with(
            token,
            |(secret, _)| secret.as_ref() == secret_key,
            || {
                (
                    Rc::from(secret_key),
                    Rc::from(token_signature(secret_key, token)),
                )
            },
        )
    });
    signature.as_ref().to_owned()
}

/// Lowercase hex HMAC-SHA1(key = secret key, message = token) — Clerk's `createTokenSignature`.
pub fn token_signature(secret_key: &str, token: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(token.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `x-clerk-auth-status`, `-token`, `-signature`, `-message`, `-reason` and `x-clerk-clerk-url`, in
/// Clerk's order. Refuses values with CR/LF rather than forwarding them.
pub fn downstream_headers(
    config: &AuthConfig,
    state: &RequestState,
) -> Result<Vec<(String, String)>, DecideError> {
    let token = state.token.clone().unwrap_or_default();
    let signature = if token.is_empty() {
        String::new()
    } else {
        remembered_signature(&config.secret_key, &token)
    };
    [
        ("x-clerk-auth-status", state.status.as_str().to_owned()),
        ("x-clerk-auth-token", token),
        ("x-clerk-auth-signature", signature),
        (
            "x-clerk-auth-message",
            state.message.clone().unwrap_or_default(),
        ),
        (
            "x-clerk-auth-reason",
            state.reason.clone().unwrap_or_default(),
        ),
        ("x-clerk-clerk-url", state.clerk_url.clone()),
    ]
    .into_iter()
    .map(|(name, value)| checked_header(name, &value))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2202 test case 2 (HMAC-SHA1 with key "Jefe").
    #[test]
    fn signature_is_hex_hmac_sha1() {
        assert_eq!(
            token_signature("Jefe", "what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
