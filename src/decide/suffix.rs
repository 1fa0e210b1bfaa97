//! Suffixed or un-suffixed cookies (CLERK-BEHAVIOUR.md §3.1, rules 1–8)?
//!
//! Several Clerk apps can share one eTLD+1, so ClerkJS also writes `__session_<suffix>` and
//! `__client_uat_<suffix>`, the suffix being derived from the publishable key. Older ClerkJS versions
//! only wrote the un-suffixed names, and a downgrade can leave both. Clerk's heuristic picks one
//! family from the decoded (unverified) tokens; the choice only selects *which* cookie is verified,
//! never whether a token is trusted, so decoding without verifying is safe here.

use serde_json::Value;

use super::classify::{facts, TokenFacts};

/// The cookies and facts the rules read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SuffixInputs<'a> {
    /// `__session` (empty counts as absent).
    pub session: Option<&'a str>,
    /// `__session_<suffix>`
    pub suffixed_session: Option<&'a str>,
    /// `__client_uat`
    pub client_uat: Option<&'a str>,
    /// `__client_uat_<suffix>`
    pub suffixed_client_uat: Option<&'a str>,
    /// The Frontend API host from the publishable key (before any proxy override).
    pub frontend_api: &'a str,
    /// Production instance (rule 6 is for development instances only).
    pub production: bool,
    /// Now, in milliseconds.
    pub now_ms: i64,
}

/// Which rule decided, and whether the suffixed family is used.
pub(crate) fn uses_suffixed_cookies(inputs: &SuffixInputs<'_>) -> (bool, u8) {
    let session = inputs.session.unwrap_or("");
    let suffixed_session = inputs.suffixed_session.unwrap_or("");
    let decoded = facts(session);
    if !session.is_empty() {
        // 1: an un-suffixed token without `iss` (or not decodable) is this app's legacy cookie.
        let has_issuer = decoded
            .decoded()
            .and_then(|t| t.unverified_payload().get("iss"))
            .is_some_and(truthy);
        if !has_issuer {
            return (false, 1);
        }
        // 2: issued for another instance on the same site.
        if !belongs_to_instance(session, inputs.frontend_api) {
            return (true, 2);
        }
    }
    let (uat, suffixed_uat) = (inputs.client_uat, inputs.suffixed_client_uat);
    // 3
    if suffixed_uat.is_none() && suffixed_session.is_empty() {
        return (false, 3);
    }
    let suffixed = facts(suffixed_session);
    let iat = |t: &TokenFacts| {
        t.number_claim("iat")
            .filter(|v| *v != 0.0 && !v.is_nan())
            .unwrap_or(0.0)
    };
    // 4: ClerkJS was downgraded and the un-suffixed session is newer.
    if suffixed_uat != Some("0") && uat != Some("0") && iat(&decoded) > iat(&suffixed) {
        return (false, 4);
    }
    // 5: signed out in the suffixed family only.
    if suffixed_uat == Some("0") && uat != Some("0") {
        return (false, 5);
    }
    // 6: development only: signed out un-suffixed while the suffixed session has expired.
    if !inputs.production {
        let now_seconds = ((inputs.now_ms as f64 / 1000.0).trunc() as i64) as i32;
        let expired = suffixed
            .number_claim("exp")
            .is_some_and(|exp| exp <= f64::from(now_seconds));
        if suffixed_uat != Some("0") && uat == Some("0") && expired {
            return (false, 6);
        }
    }
    // 7: a suffixed session without its client_uat.
    if suffixed_uat.is_none() && !suffixed_session.is_empty() {
        return (false, 7);
    }
    (true, 8)
}

/// JavaScript truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|v| v != 0.0 && !v.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Clerk's `tokenBelongsToInstance`: `iss` with every `http(s)://` removed equals the host.
fn belongs_to_instance(token: &str, frontend_api: &str) -> bool {
    let facts = facts(token);
    let Some(Value::String(issuer)) = facts
        .decoded()
        .and_then(|t| t.unverified_payload().get("iss"))
    else {
        return false;
    };
    strip_schemes(issuer) == frontend_api
}

/// `iss.replace(/https?:\/\//gi, "")`.
fn strip_schemes(issuer: &str) -> String {
    let mut out = String::with_capacity(issuer.len());
    let mut rest = issuer;
    while !rest.is_empty() {
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let skip = if lower.starts_with("https://") {
            8
        } else if lower.starts_with("http://") {
            7
        } else {
            0
        };
        if skip > 0 {
            rest = &rest[skip..];
            continue;
        }
        let c = rest.chars().next().expect("non-empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn strips_every_scheme_case_insensitively() {
        assert_eq!(strip_schemes("HTTPS://clerk.a.test"), "clerk.a.test");
        assert_eq!(strip_schemes("https://http://x"), "x");
    }

    #[test]
    fn rules_in_order() {
        let mine = jwt(r#"{"iss":"https://clerk.a.test","iat":10,"exp":20}"#);
        let older = jwt(r#"{"iss":"https://clerk.a.test","iat":5,"exp":6}"#);
        let other = jwt(r#"{"iss":"https://clerk.b.test"}"#);
        let legacy = jwt(r#"{"sub":"u"}"#);
        let base = SuffixInputs {
            session: None,
            suffixed_session: None,
            client_uat: None,
            suffixed_client_uat: None,
            frontend_api: "clerk.a.test",
            production: false,
            now_ms: 100_000,
        };
        let rule = |i: SuffixInputs<'_>| uses_suffixed_cookies(&i);
        assert_eq!(
            rule(SuffixInputs {
                session: Some(&legacy),
                ..base
            }),
            (false, 1)
        );
        assert_eq!(
            rule(SuffixInputs {
                session: Some("garbage"),
                ..base
            }),
            (false, 1)
        );
        assert_eq!(
            rule(SuffixInputs {
                session: Some(&other),
                ..base
            }),
            (true, 2)
        );
        assert_eq!(rule(base), (false, 3));
        let both = SuffixInputs {
            session: Some(&mine),
            suffixed_session: Some(&older),
            client_uat: Some("10"),
            suffixed_client_uat: Some("5"),
            ..base
        };
        assert_eq!(rule(both), (false, 4));
        assert_eq!(
            rule(SuffixInputs {
                session: None,
                suffixed_client_uat: Some("0"),
                ..both
            }),
            (false, 5)
        );
        let dev_expired = SuffixInputs {
            session: None,
            client_uat: Some("0"),
            ..both
        };
        assert_eq!(rule(dev_expired), (false, 6));
        assert_eq!(
            rule(SuffixInputs {
                production: true,
                ..dev_expired
            }),
            (true, 8)
        );
        assert_eq!(
            rule(SuffixInputs {
                session: None,
                suffixed_client_uat: None,
                ..both
            }),
            (false, 7)
        );
        assert_eq!(
            rule(SuffixInputs {
                session: None,
                ..both
            }),
            (true, 8)
        );
    }
}
