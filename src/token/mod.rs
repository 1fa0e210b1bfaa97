//! Session-token verification without IO.
//!
//! Flow: [`UntrustedToken::parse`] (strict) → [`VerifyOptions::prepare`] (category, `typ`, algorithm
//! allow-list, key by `kid`) → signature ([`Pending::verify_signature`] in Rust, or the host's
//! WebCrypto) → [`Pending::finish`] (claims at the caller's `now`) → [`VerifiedToken`]. Keys come
//! from [`KeySet`]; fetching and caching them is [`jwks`]'s state machine, driven by the host.

mod claims;
mod error;
mod json;
pub mod jwks;
mod keys;
mod options;
mod untrusted;
mod verify;
mod verifying_key;

pub use error::{Reason, TokenError};
pub use keys::{KeySet, KeySource};
pub use options::OptionsError;
pub use untrusted::{Header, UntrustedToken, MAX_TOKEN_BYTES};
pub use verify::{
    category, Pending, Profile, TokenKind, VerifiedToken, VerifyOptions, DEFAULT_CLOCK_SKEW_MS,
};
pub(crate) use verify::{check_m2m_category, OAUTH_TYPES};
pub use verifying_key::{Alg, VerifyingKey, MIN_RSA_BITS};
