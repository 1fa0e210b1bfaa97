//! Key sets: the keys a token may be verified with — one configured PEM key, or a JWKS document —
//! and which of them a token's `kid` selects.
//!
//! Keys that can never be used safely (verifying_key.rs says why: RSA under 2048 bits, `use` other
//! than `sig`, unknown types, …) are kept as *unusable* entries, so a token that names one gets a
//! precise error instead of a generic "kid not found"; two keys sharing a `kid` are both unusable.

use serde_json::Value;

use super::error::{Reason, TokenError};
use super::json::parse_object;
use super::verifying_key::{jwk_key, pem_key, VerifyingKey};

/// A key set with more keys than this is refused as unreasonable.
pub const MAX_KEYS: usize = 100;

/// Where a key set came from; it changes what a missing `kid` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// One configured PEM key: it verifies every token, whatever its `kid` (as in Clerk).
    Pem,
    /// A JWKS document: the token's `kid` must name a key in it.
    Jwks,
}

/// One entry of a key set: its `kid` and the key, or why it cannot be used.
#[derive(Debug, Clone)]
struct Entry {
    kid: Option<String>,
    key: Result<VerifyingKey, String>,
}

/// A parsed set of verification keys.
#[derive(Debug, Clone)]
pub struct KeySet {
    source: KeySource,
    entries: Vec<Entry>,
}

impl KeySet {
    /// Reads a PEM public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`; also the bare base64
    /// body, and `\n` written as two characters, as keys pasted into environment variables often are).
    /// A key that cannot be used still makes a set, whose every verification fails with
    /// `jwk-local-invalid`; see [`KeySet::problem`].
    pub fn from_pem(pem: &str) -> KeySet {
        let key = pem_key(pem).map_err(|why| {
            format!(
                "the PEM public key (jwtKey / CLERK_JWT_KEY) is unusable: {why}. Paste the whole \
                 \"-----BEGIN PUBLIC KEY-----\" block from the dashboard's API keys page"
            )
        });
        KeySet {
            source: KeySource::Pem,
            entries: vec![Entry { kid: None, key }],
        }
    }

    /// Why the set cannot verify anything, if so (for start-up configuration checks). An unusable
    /// PEM key is reported here and, per token, only after the token's own header checks.
    pub fn problem(&self) -> Option<TokenError> {
        let usable = self.entries.iter().any(|entry| entry.key.is_ok());
        let first_error = self
            .entries
            .iter()
            .find_map(|entry| entry.key.as_ref().err())?;
        let reason = if self.source == KeySource::Pem {
            Reason::LocalInvalid
        } else {
            Reason::RemoteInvalid
        };
        (!usable).then(|| {
            TokenError::new(
                reason,
                format!("The key set has no usable key: {first_error}."),
            )
        })
    }

    /// Parses a JWKS document (`{"keys": [...]}`).
    pub fn from_jwks(json: &str) -> Result<KeySet, TokenError> {
        let failed = |why: String| TokenError::new(Reason::RemoteFailedToLoad, why);
        let document = parse_object(json.as_bytes())
            .map_err(|why| failed(format!("The JWKS response {why}.")))?;
        let Some(Value::Array(keys)) = document.get("keys") else {
            return Err(failed("The JWKS response has no `keys` array.".into()));
        };
        if keys.is_empty() {
            return Err(failed("The JWKS response contains no keys.".into()));
        }
        if keys.len() > MAX_KEYS {
            return Err(failed(format!(
                "The JWKS response has {} keys; at most {MAX_KEYS} are accepted.",
                keys.len()
            )));
        }
        let mut entries: Vec<Entry> = keys.iter().map(parse_jwk).collect();
        // Two keys with one kid make the kid ambiguous: neither may be used.
        for i in 0..entries.len() {
            let duplicated = entries
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && other.kid.is_some() && other.kid == entries[i].kid);
            if duplicated {
                entries[i].key = Err("two keys in the JWKS share this kid".into());
            }
        }
        Ok(KeySet {
            source: KeySource::Jwks,
            entries,
        })
    }

    /// Where the keys came from.
    pub fn source(&self) -> KeySource {
        self.source
    }

    /// The `kid`s of the set (for cache eviction when a refreshed set drops a key).
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|entry| entry.kid.as_deref())
    }

    /// The key a token with this `kid` must be verified with.
    pub fn select(&self, kid: Option<&str>) -> Result<&VerifyingKey, TokenError> {
        let entry = match self.source {
            KeySource::Pem => self.entries.first(),
            KeySource::Jwks => {
                let Some(kid) = kid else {
                    return Err(TokenError::new(
                        Reason::KidMismatch,
                        "The JWT has no `kid` header, so no key of the JWKS can be chosen. Tokens from this issuer must name their key.",
                    ));
                };
                self.entries
                    .iter()
                    .find(|entry| entry.kid.as_deref() == Some(kid))
            }
        };
        let Some(entry) = entry else {
            return Err(TokenError::new(
                Reason::KidMismatch,
                "Unable to find a signing key in the JWKS that matches the kid of the provided session token. \
                 The token was likely issued by another instance (check that the publishable and secret keys belong to the same application).",
            ));
        };
        entry.key.as_ref().map_err(|why| {
            let reason = if self.source == KeySource::Pem {
                Reason::LocalInvalid
            } else {
                Reason::RemoteInvalid
            };
            TokenError::new(
                reason,
                format!("The key the token names cannot be used: {why}."),
            )
        })
    }
}

fn parse_jwk(value: &Value) -> Entry {
    let Value::Object(fields) = value else {
        return Entry {
            kid: None,
            key: Err("a JWKS entry is not an object".into()),
        };
    };
    let kid = fields.get("kid").and_then(Value::as_str).map(str::to_owned);
    Entry {
        kid,
        key: jwk_key(fields),
    }
}
