//! `has()`: Clerk's authorization check, with the fail-closed semantics of the CVE-2026-42349 fix.
//!
//! Three dimensions — organization (`role`, `permission`), billing (`feature`, `plan`) and
//! `reverification` — each pass, fail or are not asked. The answer is yes only when at least one
//! was asked, none failed, and a user is signed in. Before the fix, a dimension whose data was
//! missing counted as "unknown" and another dimension alone could authorize; here missing data
//! fails the dimension that needs it, and a malformed parameter fails it too.

use serde_json::{Map, Value};

use super::claims::{scoped_names, SessionAuth};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    NotAsked,
    Pass,
    Fail,
}

impl From<bool> for Verdict {
    fn from(pass: bool) -> Self {
        if pass {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }
}

impl SessionAuth {
    /// `has({ role, permission, feature, plan, reverification })`. Other keys are ignored; a key
    /// present with a wrong type (including `null`) fails its dimension.
    pub fn has(&self, params: &Map<String, Value>) -> bool {
        if self.user_id.is_empty() {
            return false;
        }
        let verdicts = [
            self.organization(params),
            self.billing(params),
            self.reverification(params),
        ];
        !verdicts.contains(&Verdict::Fail) && verdicts.contains(&Verdict::Pass)
    }

    fn organization(&self, params: &Map<String, Value>) -> Verdict {
        let (role, permission) = (params.get("role"), params.get("permission"));
        if role.is_none() && permission.is_none() {
            return Verdict::NotAsked;
        }
        if self.org_id.is_none() {
            return Verdict::Fail;
        }
        let role_ok = role.is_none_or(|role| {
            role.as_str().is_some_and(|role| {
                self.org_role
                    .as_deref()
                    .is_some_and(|mine| with_org_prefix(mine) == with_org_prefix(role))
            })
        });
        let permission_ok = permission.is_none_or(|permission| {
            permission.as_str().is_some_and(|permission| {
                let wanted = with_org_prefix(permission);
                self.org_permissions
                    .as_ref()
                    .is_some_and(|granted| granted.contains(&wanted))
            })
        });
        Verdict::from(role_ok && permission_ok)
    }

    fn billing(&self, params: &Map<String, Value>) -> Verdict {
        let asked = [("feature", "fea"), ("plan", "pla")]
            .into_iter()
            .filter_map(|(param, claim)| params.get(param).map(|p| (p, claim)));
        let mut verdict = Verdict::NotAsked;
        for (param, claim) in asked {
            let pass = param
                .as_str()
                .is_some_and(|wanted| self.claim_lists(claim, wanted));
            if !pass {
                return Verdict::Fail;
            }
            verdict = Verdict::Pass;
        }
        verdict
    }

    /// Whether the `scope:name` list in claim `claim` contains `wanted` (`name` or `scope:name`).
    fn claim_lists(&self, claim: &str, wanted: &str) -> bool {
        let Some(list) = self
            .session_claims
            .get(claim)
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
        else {
            return false;
        };
        let Some((org, user)) = scoped_names(list) else {
            return false;
        };
        match wanted.split_once(':') {
            Some(("o" | "org" | "organization", name)) => org.contains(&name),
            Some(("u" | "user", name)) => user.contains(&name),
            Some(_) => false,
            None => org.contains(&wanted) || user.contains(&wanted),
        }
    }

    fn reverification(&self, params: &Map<String, Value>) -> Verdict {
        let Some(config) = params.get("reverification") else {
            return Verdict::NotAsked;
        };
        let Some((level, after_minutes)) = reverification_config(config) else {
            return Verdict::Fail;
        };
        let Some([first, second]) = self.factor_ages() else {
            return Verdict::Fail;
        };
        let fresh = |age: f64| (age != -1.0).then_some(after_minutes > age);
        let pass = match level {
            "first_factor" => fresh(first),
            "second_factor" => fresh(second).or_else(|| fresh(first)),
            _ if second == -1.0 => fresh(first),
            _ => fresh(first).zip(fresh(second)).map(|(a, b)| a && b),
        };
        Verdict::from(pass == Some(true))
    }

    /// `fva` as two finite ages, each `-1` or ≥ 0.
    fn factor_ages(&self) -> Option<[f64; 2]> {
        let items = self.factor_verification_age.as_ref()?.as_array()?;
        let [first, second] = items.as_slice() else {
            return None;
        };
        let age = |v: &Value| {
            v.as_f64()
                .filter(|a| a.is_finite() && (*a == -1.0 || *a >= 0.0))
        };
        Some([age(first)?, age(second)?])
    }
}

/// A reverification requirement: a named preset or `{ level, afterMinutes }`.
fn reverification_config(config: &Value) -> Option<(&str, f64)> {
    match config {
        Value::String(preset) => match preset.as_str() {
            "strict_mfa" => Some(("multi_factor", 10.0)),
            "strict" => Some(("second_factor", 10.0)),
            "moderate" => Some(("second_factor", 60.0)),
            "lax" => Some(("second_factor", 1440.0)),
            _ => None,
        },
        Value::Object(object) => {
            let level = object
                .get("level")?
                .as_str()
                .filter(|l| ["first_factor", "second_factor", "multi_factor"].contains(l))?;
            let after = object
                .get("afterMinutes")?
                .as_f64()
                .filter(|m| m.is_finite() && *m > 0.0)?;
            Some((level, after))
        }
        _ => None,
    }
}

/// `admin`, `org:admin` and `org:org:admin` all mean `org:admin`.
fn with_org_prefix(name: &str) -> String {
    let mut rest = name;
    while let Some(stripped) = rest.strip_prefix("org:") {
        rest = stripped;
    }
    format!("org:{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(claims: &str) -> SessionAuth {
        SessionAuth::from_claims(&serde_json::from_str(claims).unwrap())
    }

    fn has(auth: &SessionAuth, params: &str) -> bool {
        auth.has(&serde_json::from_str(params).unwrap())
    }

    const MEMBER: &str = r#"{"sub":"user_1","org_id":"org_1","org_role":"org:member","org_permissions":["org:docs:read"],
        "fea":"o:docs,u:beta","pla":"u:pro","fva":[5,-1]}"#;

    #[test]
    fn organization_dimension() {
        let a = auth(MEMBER);
        assert!(has(&a, r#"{"role":"org:member"}"#) && has(&a, r#"{"role":"member"}"#));
        assert!(!has(&a, r#"{"role":"org:admin"}"#));
        assert!(
            has(&a, r#"{"permission":"org:docs:read"}"#)
                && has(&a, r#"{"permission":"docs:read"}"#)
        );
        assert!(
            !has(&a, r#"{"permission":"org:docs:read","role":"org:admin"}"#),
            "both asked: both must pass"
        );
        assert!(!has(&a, r#"{"role":null}"#) && !has(&a, r#"{"role":5}"#));
        assert!(
            !has(&auth(r#"{"sub":"user_1"}"#), r#"{"role":"org:member"}"#),
            "no organization: fail"
        );
    }

    /// CVE-2026-42349: extra keys, or a passing dimension, must not excuse a failing one.
    #[test]
    fn fails_closed() {
        let a = auth(MEMBER);
        assert!(!has(&a, "{}"));
        assert!(!has(&a, r#"{"unauthorizedUrl":"/x"}"#));
        assert!(!has(
            &a,
            r#"{"role":"org:admin","unauthorizedUrl":"/x","token":"session_token"}"#
        ));
        assert!(!has(&a, r#"{"feature":"docs","role":"org:admin"}"#));
        assert!(!has(
            &auth(r#"{"sub":"","org_id":"o","org_role":"org:a"}"#),
            r#"{"role":"org:a"}"#
        ));
    }

    #[test]
    fn billing_dimension() {
        let a = auth(MEMBER);
        assert!(
            has(&a, r#"{"feature":"docs"}"#)
                && has(&a, r#"{"feature":"o:docs"}"#)
                && has(&a, r#"{"feature":"org:docs"}"#)
        );
        assert!(!has(&a, r#"{"feature":"u:docs"}"#) && has(&a, r#"{"feature":"user:beta"}"#));
        assert!(!has(&a, r#"{"feature":"x:docs"}"#), "unknown scope fails");
        assert!(
            has(&a, r#"{"plan":"pro","feature":"beta"}"#)
                && !has(&a, r#"{"plan":"pro","feature":"nope"}"#)
        );
        assert!(
            !has(
                &auth(r#"{"sub":"u","fea":"docs"}"#),
                r#"{"feature":"docs"}"#
            ),
            "claim entry without scope fails"
        );
    }

    #[test]
    fn reverification_dimension() {
        let a = auth(MEMBER); // first factor 5 minutes ago, no second factor
        assert!(
            has(&a, r#"{"reverification":"strict"}"#),
            "second_factor falls back to the first"
        );
        assert!(
            has(&a, r#"{"reverification":"strict_mfa"}"#),
            "multi_factor with f2 = -1 uses f1"
        );
        assert!(
            !has(
                &a,
                r#"{"reverification":{"level":"first_factor","afterMinutes":5}}"#
            ),
            "fresh means age < afterMinutes"
        );
        assert!(
            !has(&a, r#"{"reverification":"sometimes"}"#)
                && !has(
                    &a,
                    r#"{"reverification":{"level":"first_factor","afterMinutes":0}}"#
                )
        );
        assert!(!has(
            &auth(r#"{"sub":"u","fva":[-1,-1]}"#),
            r#"{"reverification":"lax"}"#
        ));
        assert!(!has(
            &auth(r#"{"sub":"u","fva":[1]}"#),
            r#"{"reverification":"lax"}"#
        ));
        assert!(!has(
            &auth(r#"{"sub":"u","fva":[-1,3]}"#),
            r#"{"reverification":"strict_mfa"}"#
        ));
    }
}
