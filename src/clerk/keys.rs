//! Clerk's publishable keys: which instance, which Frontend API host, and the cookie suffix.
//!
//! `pk_live_…` / `pk_test_…` + base64(`<frontend api host>$`). The cookie suffix lets several Clerk
//! apps share one eTLD+1: it is the first 8 characters of base64url(SHA-1(publishable key)), taken
//! of the key exactly as configured (padding included), as Clerk computes it.

use std::fmt;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// Development (`pk_test_`) or production (`pk_live_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceType {
    /// `pk_test_` / `sk_test_`
    Development,
    /// `pk_live_` / `sk_live_`
    Production,
}

/// A parsed publishable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishableKey {
    /// The key as configured.
    pub key: String,
    /// Development or production.
    pub instance_type: InstanceType,
    /// The Frontend API host encoded in the key, e.g. `clerk.example.com`.
    pub frontend_api: String,
    /// The cookie-name suffix, computed once (see [`PublishableKey::cookie_suffix`]).
    suffix: String,
}

/// A publishable key that Clerk would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    message: String,
}

impl KeyError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        "invalid-publishable-key"
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for KeyError {}

impl PublishableKey {
    /// Parses a key with Clerk's rules: the prefix, exactly three `_`-separated parts, and a
    /// decoded host that ends in a single `$` and contains a dot.
    pub fn parse(key: &str) -> Result<PublishableKey, KeyError> {
        let invalid = |why: &str| {
            KeyError {
            message: format!(
                "The publishable key is not valid ({why}). Copy it from the API keys page of the Clerk \
                 dashboard into NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY (it starts with pk_test_ or pk_live_)."
            ),
        }
        };
        let instance_type = if key.starts_with("pk_live_") {
            InstanceType::Production
        } else if key.starts_with("pk_test_") {
            InstanceType::Development
        } else {
            return Err(invalid("it must start with pk_test_ or pk_live_"));
        };
        let parts: Vec<&str> = key.split('_').collect();
        let [_, _, encoded] = parts.as_slice() else {
            return Err(invalid("it must have exactly three parts separated by _"));
        };
        let bytes = STANDARD
            .decode(encoded)
            .or_else(|_| STANDARD_NO_PAD.decode(encoded))
            .map_err(|_| invalid("its third part is not base64"))?;
        let decoded =
            String::from_utf8(bytes).map_err(|_| invalid("it does not decode to text"))?;
        let Some(host) = decoded.strip_suffix('$') else {
            return Err(invalid("it does not decode to a host ending in $"));
        };
        if host.contains('$') || !host.contains('.') {
            return Err(invalid("it does not decode to a host name"));
        }
        let digest = Sha1::digest(key.as_bytes());
        Ok(PublishableKey {
            key: key.to_owned(),
            instance_type,
            frontend_api: host.to_owned(),
            suffix: URL_SAFE.encode(digest)[..8].to_owned(),
        })
    }

    /// The suffix of this instance's cookie names (`__session_<suffix>`, …).
    pub fn cookie_suffix(&self) -> &str {
        &self.suffix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors from CLERK-BEHAVIOUR.md §3.1 and §3.13.
    #[test]
    fn parses_keys_and_derives_suffixes_like_clerk() {
        let suffixes = [
            (
                "pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA",
                "MqCvchyS",
            ),
            (
                "pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA",
                "vWCgMp3A",
            ),
            (
                "pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ=",
                "qReyu04C",
            ),
            ("pk_test_Y2xlcmsuY2xlcmsuZGV2JA", "QvfNY2dr"),
            ("pk_live_Y2xlcmsuY2xlcmsuZGV2JA", "1Z8AzTQD"),
            (
                "pk_test_ZW5vdWdoLWFscGFjYS04Mi5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k",
                "jtYvyt_H",
            ),
            (
                "pk_test_eHh4eHh4LXhhYWFhYS1hYS5jbGVyay5hY2NvdW50cy5sY2xjbGVyay5jb20k",
                "tZJdb-5s",
            ),
        ];
        for (key, suffix) in suffixes {
            assert_eq!(
                PublishableKey::parse(key).unwrap().cookie_suffix(),
                suffix,
                "{key}"
            );
        }
        let dev =
            PublishableKey::parse("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA").unwrap();
        assert_eq!(
            (dev.instance_type, dev.frontend_api.as_str()),
            (InstanceType::Development, "clerk.inspired.puma-74.lcl.dev")
        );
        let prod = PublishableKey::parse("pk_live_ZmFrZS1jbGVyay10ZXN0LmNsZXJrLmFjY291bnRzLmRldiQ")
            .unwrap();
        assert_eq!(
            (prod.instance_type, prod.frontend_api.as_str()),
            (
                InstanceType::Production,
                "fake-clerk-test.clerk.accounts.dev"
            )
        );
        for bad in [
            "pk_live_aW52YWxpZGtleSQ=",
            "sk_test_Y2xlcmsuY2xlcmsuZGV2JA",
            "pk_test_a_b",
            "",
            "pk_test_Y2xlcmsuY2xlcmsuZGV2",
        ] {
            let error = PublishableKey::parse(bad).unwrap_err();
            assert_eq!(error.code(), "invalid-publishable-key");
        }
    }
}
