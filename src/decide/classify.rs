//! What kind of token is this? Decode-only checks Clerk makes before (or instead of) verifying.
//!
//! Nothing here trusts a token: these answers only choose a path (which cookie, which verifier, or a
//! refusal). Clerk's `decodeJwt` is loose (padding tolerated); ours is [`UntrustedToken::parse`],
//! which is strict, so a padded token that Clerk would decode counts here as undecodable — it could
//! not verify anyway.
//!
//! Machine tokens (`mt_…`, `oat_…`, `ak_…`, OAuth JWTs with `typ: at+jwt`, M2M JWTs whose `sub`
//! starts with `mch_`) are recognised exactly as Clerk recognises them; [`super::machine`] verifies
//! them.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::memo::Memo;
use crate::token::{category, UntrustedToken};

/// Clerk's token types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    /// A session JWT.
    SessionToken,
    /// `mt_…` or an M2M JWT.
    M2mToken,
    /// `oat_…` or an OAuth access-token JWT.
    OauthToken,
    /// `ak_…`
    ApiKey,
}

impl TokenType {
    /// The wire name (`session_token`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::SessionToken => "session_token",
            TokenType::M2mToken => "m2m_token",
            TokenType::OauthToken => "oauth_token",
            TokenType::ApiKey => "api_key",
        }
    }
}

/// What decoding (only) tells about a token.
#[derive(Debug)]
pub(crate) struct TokenFacts {
    /// Clerk's `decodeJwt`, strict.
    decoded: Option<UntrustedToken>,
    /// Clerk's `JwtFormatRegExp`.
    jwt_format: bool,
}

thread_local! {
    /// The last few tokens classified (a decision asks about the same token up to seven times).
    static FACTS: RefCell<Memo<Rc<TokenFacts>, 4>> = const { RefCell::new(Memo::new()) };
}

/// The facts of a token, decoded at most once while it is among the last few asked about.
pub(crate) fn facts(token: &str) -> Rc<TokenFacts> {
    FACTS.with(|memo| {
        memo.borrow_mut().get_or_insert_with(
            token,
            |_| true,
            || {
                Rc::new(TokenFacts {
                    decoded: UntrustedToken::parse(token).ok(),
                    jwt_format: is_jwt_format(token),
                })
            },
        )
    })
}

impl TokenFacts {
    /// Clerk's `isJwtFormat`.
    pub(crate) fn is_jwt_format(&self) -> bool {
        self.jwt_format
    }

    /// The decoded token, if it decodes.
    pub(crate) fn decoded(&self) -> Option<&UntrustedToken> {
        self.decoded.as_ref()
    }

    fn is_oauth_jwt(&self) -> bool {
        self.jwt_format
            && self.decoded.as_ref().is_some_and(|t| {
                matches!(
                    t.header().raw.get("typ").and_then(Value::as_str),
                    Some("at+jwt" | "application/at+jwt")
                )
            })
    }

    fn is_m2m_jwt(&self) -> bool {
        self.jwt_format
            && self.decoded.as_ref().is_some_and(|t| {
                t.unverified_payload()
                    .get("sub")
                    .and_then(Value::as_str)
                    .is_some_and(|sub| sub.starts_with("mch_"))
            })
    }

    /// Clerk's `isMachineJwt`.
    pub(crate) fn is_machine_jwt(&self) -> bool {
        self.is_oauth_jwt() || self.is_m2m_jwt()
    }

    /// Clerk's `hasNonSessionJwtCategory`: the header has a `cat` that is neither the session nor
    /// the ignore category (any JSON value, `null` included, counts as present).
    pub(crate) fn has_non_session_category(&self) -> bool {
        self.decoded
            .as_ref()
            .is_some_and(|t| match t.header().raw.get("cat") {
                None => false,
                Some(Value::String(cat)) => cat != category::SESSION && cat != category::IGNORE,
                Some(_) => true,
            })
    }

    /// A numeric claim of the unverified payload.
    pub(crate) fn number_claim(&self, name: &str) -> Option<f64> {
        self.decoded.as_ref().and_then(|t| number_claim(t, name))
    }
}

/// The message Clerk's `decodeJwt` gives an undecodable token.
pub(crate) fn decode_error_message(token: &str) -> &'static str {
    if token.split('.').count() != 3 {
        "Invalid JWT form. A JWT consists of three parts separated by dots."
    } else {
        "Invalid JWT form. The header, payload, or signature could not be decoded."
    }
}

/// A numeric claim of an unverified payload.
pub(crate) fn number_claim(token: &UntrustedToken, name: &str) -> Option<f64> {
    token.unverified_payload().get(name).and_then(Value::as_f64)
}

/// Clerk's `JwtFormatRegExp`: three non-empty base64url runs.
fn is_jwt_format(token: &str) -> bool {
    let mut parts = 0;
    for part in token.split('.') {
        let ok = !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return false;
        }
        parts += 1;
    }
    parts == 3
}

/// Clerk's `isMachineToken` + `getMachineTokenType`: the machine type, or `None` for a session token.
pub(crate) fn machine_token_type(token: &str) -> Option<TokenType> {
    let facts = facts(token);
    if token.starts_with("mt_") || facts.is_m2m_jwt() {
        Some(TokenType::M2mToken)
    } else if token.starts_with("oat_") || facts.is_oauth_jwt() {
        Some(TokenType::OauthToken)
    } else if token.starts_with("ak_") {
        Some(TokenType::ApiKey)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn jwt(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn recognises_machine_tokens_like_clerk() {
        assert_eq!(machine_token_type("mt_123"), Some(TokenType::M2mToken));
        assert_eq!(machine_token_type("oat_123"), Some(TokenType::OauthToken));
        assert_eq!(machine_token_type("ak_123"), Some(TokenType::ApiKey));
        assert_eq!(
            machine_token_type("MT_123"),
            None,
            "prefixes are case-sensitive"
        );
        let m2m = jwt(r#"{"alg":"RS256"}"#, r#"{"sub":"mch_1"}"#);
        let oauth = jwt(r#"{"alg":"RS256","typ":"at+jwt"}"#, r#"{"sub":"user_1"}"#);
        let session = jwt(r#"{"alg":"RS256"}"#, r#"{"sub":"user_1"}"#);
        assert_eq!(machine_token_type(&m2m), Some(TokenType::M2mToken));
        assert_eq!(machine_token_type(&oauth), Some(TokenType::OauthToken));
        assert_eq!(machine_token_type(&session), None);
        assert!(facts(&oauth).is_machine_jwt() && !facts(&session).is_machine_jwt());
    }

    #[test]
    fn category_rule() {
        let with = |cat: &str| jwt(&format!(r#"{{"alg":"RS256","cat":{cat}}}"#), "{}");
        assert!(facts(&with(r#""cl_B7d4PD222AAA""#)).has_non_session_category());
        assert!(facts(&with(r#""cl_B7d4PD333AAA""#)).has_non_session_category());
        assert!(facts(&with("null")).has_non_session_category());
        assert!(!facts(&with(r#""cl_B7d4PD111AAA""#)).has_non_session_category());
        assert!(!facts(&with(r#""cl_I7d4PD111III""#)).has_non_session_category());
        assert!(!facts(&jwt(r#"{"alg":"RS256"}"#, "{}")).has_non_session_category());
        assert_eq!(
            decode_error_message("a.b"),
            "Invalid JWT form. A JWT consists of three parts separated by dots."
        );
    }
}
