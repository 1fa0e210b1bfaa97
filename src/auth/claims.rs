//! Verified session claims → Clerk's auth object (v1 and v2 claim formats).
//!
//! v2 tokens (`v: 2`) pack the organization into `o: {id, slg, rol, per, fpm}` and derive
//! permissions from bitmasks: for the i-th organization-scoped feature of `fea`, bit j of the
//! i-th `fpm` mask grants `org:<feature>:<per[j]>`. Masks are decimal strings of any length (bits
//! past 2^53 are real), decoded exactly; anything malformed grants nothing.

use serde::Serialize;
use serde_json::{Map, Value};

/// The signed-in state a verified session token describes (Clerk's `signedInAuthObject` fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAuth {
    /// Always `session_token`.
    pub token_type: &'static str,
    /// `sub`
    pub user_id: String,
    /// `sid`
    pub session_id: Option<String>,
    /// `sts` (`active`, `pending`, …), when the instance emits it.
    pub session_status: Option<String>,
    /// `act`: who is impersonating, if anyone.
    pub actor: Option<Value>,
    /// Active organization.
    pub org_id: Option<String>,
    /// Role in it, `org:`-prefixed.
    pub org_role: Option<String>,
    /// Its slug.
    pub org_slug: Option<String>,
    /// Permissions in it.
    pub org_permissions: Option<Vec<String>>,
    /// `fva`: minutes since the first and second factor were verified (`-1`: never/not enrolled).
    pub factor_verification_age: Option<Value>,
    /// All claims.
    pub session_claims: Map<String, Value>,
}

impl SessionAuth {
    /// Reads the auth fields of verified claims.
    pub fn from_claims(claims: &Map<String, Value>) -> SessionAuth {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let (org_id, org_role, org_slug, org_permissions) =
            if claims.get("v").and_then(Value::as_u64) == Some(2) {
                let org = claims.get("o").and_then(Value::as_object);
                let field = |name: &str| org.and_then(|o| o.get(name));
                let permissions = v2_org_permissions(
                    claims.get("fea").and_then(Value::as_str),
                    field("per").and_then(Value::as_str),
                    field("fpm").and_then(Value::as_str),
                );
                (
                    text(field("id")),
                    text(field("rol")).map(|role| format!("org:{role}")),
                    text(field("slg")),
                    org.map(|_| permissions),
                )
            } else {
                let permissions =
                    claims
                        .get("org_permissions")
                        .and_then(Value::as_array)
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        });
                (
                    text(claims.get("org_id")),
                    text(claims.get("org_role")),
                    text(claims.get("org_slug")),
                    permissions,
                )
            };
        SessionAuth {
            token_type: "session_token",
            user_id: text(claims.get("sub")).unwrap_or_default(),
            session_id: text(claims.get("sid")),
            session_status: text(claims.get("sts")),
            actor: claims.get("act").filter(|a| !a.is_null()).cloned(),
            org_id,
            org_role,
            org_slug,
            org_permissions,
            factor_verification_age: claims.get("fva").filter(|a| !a.is_null()).cloned(),
            session_claims: claims.clone(),
        }
    }

    /// Whether the session is `pending` (signed in, with tasks left to complete).
    pub fn is_pending(&self) -> bool {
        self.session_status.as_deref() == Some("pending")
    }
}

/// A `scope:name` list (`fea`, `pla`) split into organization and user entries. `None` when an
/// entry has no scope.
pub(crate) fn scoped_names(list: &str) -> Option<(Vec<&str>, Vec<&str>)> {
    let (mut org, mut user) = (Vec::new(), Vec::new());
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (scope, name) = entry.split_once(':')?;
        match scope {
            "o" => org.push(name),
            "u" => user.push(name),
            "ou" | "uo" => {
                org.push(name);
                user.push(name);
            }
            _ => {}
        }
    }
    Some((org, user))
}

fn v2_org_permissions(fea: Option<&str>, per: Option<&str>, fpm: Option<&str>) -> Vec<String> {
    let (Some(per), Some(fpm)) = (per, fpm) else {
        return Vec::new();
    };
    let Some((features, _)) = fea.map_or(Some((Vec::new(), Vec::new())), scoped_names) else {
        return Vec::new(); // a malformed feature list grants nothing
    };
    let permissions: Vec<&str> = per.split(',').map(str::trim).collect();
    let masks: Vec<&str> = fpm.split(',').map(str::trim).collect();
    let mut granted = Vec::new();
    for (feature, mask) in features.iter().zip(masks) {
        let Some(bits) = decimal_bits(mask, permissions.len()) else {
            continue;
        };
        for (j, permission) in permissions.iter().enumerate() {
            if bits[j] {
                granted.push(format!("org:{feature}:{permission}"));
            }
        }
    }
    granted
}

/// The low `count` bits of a decimal string of any length; `None` unless it is `^\d+$`.
fn decimal_bits(decimal: &str, count: usize) -> Option<Vec<bool>> {
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Little-endian base-2^32 limbs, built by multiply-and-add per digit.
    let mut limbs: Vec<u32> = vec![0];
    for digit in decimal.bytes().map(|b| u64::from(b - b'0')) {
        let mut carry = digit;
        for limb in &mut limbs {
            let value = u64::from(*limb) * 10 + carry;
            *limb = value as u32;
            carry = value >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    Some(
        (0..count)
            .map(|j| {
                limbs
                    .get(j / 32)
                    .is_some_and(|limb| limb >> (j % 32) & 1 == 1)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(fea: &str, per: &str, fpm: &str) -> Vec<String> {
        v2_org_permissions(Some(fea), Some(per), Some(fpm))
    }

    /// Vectors from Clerk's jwtPayloadParser spec (CLERK-BEHAVIOUR.md §3.11).
    #[test]
    fn derives_v2_permissions_like_clerk() {
        assert_eq!(
            perms("o:impersonation,o:memberships", "read,manage", "1,3"),
            [
                "org:impersonation:read",
                "org:memberships:read",
                "org:memberships:manage"
            ]
        );
        assert_eq!(
            perms(
                "o:repositories,uo:projects,u:goldprofileborder",
                "read,create,update,delete,revoke",
                "7,21,0"
            ),
            [
                "org:repositories:read",
                "org:repositories:create",
                "org:repositories:update",
                "org:projects:read",
                "org:projects:update",
                "org:projects:revoke"
            ]
        );
        let per: Vec<String> = (0..60).map(|i| format!("p{i}")).collect();
        assert_eq!(
            perms("o:big", &per.join(","), "9007199254740993"),
            ["org:big:p0", "org:big:p53"]
        );
        for bad in ["1invalid", "-1", "1.5", ""] {
            assert!(perms("o:f", "read", bad).is_empty(), "{bad}");
        }
        assert!(
            perms("o:f,nocolon", "read", "1,1").is_empty(),
            "malformed fea grants nothing"
        );
    }

    #[test]
    fn reads_v1_and_v2_org_fields() {
        let v1: Map<String, Value> = serde_json::from_str(
            r#"{"sub":"user_1","sid":"sess_1","org_id":"org_1","org_role":"org:admin","org_slug":"acme","org_permissions":["org:a:b"]}"#,
        )
        .unwrap();
        let auth = SessionAuth::from_claims(&v1);
        assert_eq!(
            (auth.org_id.as_deref(), auth.org_role.as_deref()),
            (Some("org_1"), Some("org:admin"))
        );
        let v2: Map<String, Value> = serde_json::from_str(
            r#"{"v":2,"sub":"user_1","sts":"pending","o":{"id":"org_2","rol":"admin","slg":"x","per":"read","fpm":"1"},"fea":"o:docs"}"#,
        )
        .unwrap();
        let auth = SessionAuth::from_claims(&v2);
        assert_eq!(auth.org_role.as_deref(), Some("org:admin"));
        assert_eq!(auth.org_permissions, Some(vec!["org:docs:read".to_owned()]));
        assert!(auth.is_pending());
    }
}
