//! Machine tokens in `Authorization` (CLERK-BEHAVIOUR.md §3.12): Clerk's `verifyMachineAuthToken`
//! on the `acceptsToken: 'any'` path, split into what needs no IO (here) and what does (the host).
//!
//! Why a module of its own: the dispatch (JWT or opaque, M2M or OAuth), the M2M category rule (the
//! token verifier's `check_m2m_category`), the Backend API call, the mapping of errors to Clerk's
//! reasons and messages, and the mapping of a verified token to Clerk's resource (`M2MToken`,
//! `IdPOAuthAccessToken`, `APIKey`) are one behaviour, distinct from session tokens.
//!
//! | token | asks | then |
//! |---|---|---|
//! | JWT-shaped, undecodable | — | signed-out `token-invalid` (type `m2m_token`) |
//! | JWT, `sub` starts with `mch_` | `cat` absent or M2M, else `token-invalid`; `via: jwt` | `M2MToken.fromJwtPayload` |
//! | JWT, `typ` `at+jwt` / `application/at+jwt` | `via: jwt` | `IdPOAuthAccessToken.fromJwtPayload` |
//! | other JWT (only a prefixed token with dots gets here) | — | signed-out `token-verification-failed` (type `oauth_token`) |
//! | `mt_…` / `oat_…` / `ak_…` | `POST /m2m_tokens/verify`, `/oauth_applications/access_tokens/verify`, `/api_keys/verify` (unversioned, as Clerk calls them) | the resource's `fromJSON` |
//!
//! Failures end signed-out with Clerk's `MachineTokenVerificationError` codes and its full message
//! `<message> (code=<code>, status=<status or n/a>)`: a 404 is `token-invalid` ("Machine token not
//! found", "OAuth token not found", "API key not found"), a 401 `secret-key-invalid` (the API's
//! `errors[0].message`, else "Invalid secret key"), any other API or network failure
//! `unexpected-error` ("Unexpected error"), a JWT the host refused `token-verification-failed` with
//! the verifier's message. Success is signed-in with the token's type, the token, and the resource
//! as [`RequestState::machine`](super::RequestState) (camelCase, Clerk's field names).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::classify::{decode_error_message, facts, TokenType};
use super::engine::Run;
use super::error::DecideError;
use super::host::{BapiCall, HostAnswer, HostRequest, Step, Waiting};
use super::reason;
use crate::token::{check_m2m_category, DEFAULT_CLOCK_SKEW_MS, OAUTH_TYPES};

/// Clerk's default clock skew, which `fromJwtPayload` uses for `expired`.
const CLOCK_SKEW_MS: f64 = DEFAULT_CLOCK_SKEW_MS as f64;

/// How a machine token is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MachineVia {
    /// An opaque token (`mt_…`, `oat_…`, `ak_…`): a Backend API `verify` call.
    BackendApi,
    /// A machine JWT: signature and time claims, with the instance keys.
    Jwt,
}

/// Clerk's `MachineTokenVerificationError`: code, message and HTTP status.
struct MachineError<'a> {
    code: &'a str,
    message: String,
    status: Option<u16>,
}

impl MachineError<'_> {
    /// `getFullMessage()`.
    fn full_message(&self) -> String {
        let status = self.status.map_or("n/a".to_owned(), |s| s.to_string());
        format!("{} (code={}, status={status})", self.message, self.code)
    }
}

impl Run<'_> {
    /// A machine token in `Authorization`: decide what can be decided, ask for the rest.
    pub(crate) fn machine_token(&mut self, token: String) -> Step {
        let facts = facts(&token);
        if facts.is_jwt_format() {
            let Some(decoded) = facts.decoded() else {
                let message = decode_error_message(&token).to_owned();
                return self.machine_error(TokenType::M2mToken, token_invalid(message, None));
            };
            let is_m2m = decoded
                .unverified_payload()
                .get("sub")
                .and_then(Value::as_str)
                .is_some_and(|sub| sub.starts_with("mch_"));
            let typ = decoded.header().raw.get("typ");
            let token_type = if is_m2m {
                if let Err(error) = check_m2m_category(decoded.header()) {
                    let error = token_invalid(error.message, None);
                    return self.machine_error(TokenType::M2mToken, error);
                }
                TokenType::M2mToken
            } else if typ
                .and_then(Value::as_str)
                .is_some_and(|t| OAUTH_TYPES.contains(&t))
            {
                TokenType::OauthToken
            } else {
                let typ = match typ {
                    None | Some(Value::Null) => "missing".to_owned(),
                    Some(Value::String(t)) => t.clone(),
                    Some(other) => other.to_string(),
                };
                let message = format!(
                    "Invalid JWT type: {typ}. Expected one of: {} for OAuth, or sub starting with 'mch_' for M2M",
                    OAUTH_TYPES.join(", ")
                );
                let error = MachineError {
                    code: reason::TOKEN_VERIFICATION_FAILED,
                    message,
                    status: None,
                };
                return self.machine_error(TokenType::OauthToken, error);
            };
            let request = HostRequest::VerifyMachineToken {
                token,
                token_type,
                via: MachineVia::Jwt,
                call: None,
            };
            let via = MachineVia::Jwt;
            return self.ask(request, Waiting::MachineToken { token_type, via });
        }
        let (token_type, path, body) = if token.starts_with("mt_") {
            (TokenType::M2mToken, "/m2m_tokens/verify", "token")
        } else if token.starts_with("oat_") {
            let path = "/oauth_applications/access_tokens/verify";
            (TokenType::OauthToken, path, "access_token")
        } else {
            (TokenType::ApiKey, "/api_keys/verify", "secret")
        };
        let mut fields = Map::new();
        fields.insert(body.to_owned(), Value::String(token.clone()));
        let call = BapiCall::new("POST", path.to_owned(), Vec::new(), Some(fields.into()));
        let via = MachineVia::BackendApi;
        let request = HostRequest::VerifyMachineToken {
            token,
            token_type,
            via,
            call: Some(call),
        };
        self.ask(request, Waiting::MachineToken { token_type, via })
    }

    /// The host verified (or failed to verify) a machine token.
    pub(crate) fn answer_machine(
        &mut self,
        answer: HostAnswer,
        token_type: TokenType,
        via: MachineVia,
        unexpected: DecideError,
    ) -> Result<Step, DecideError> {
        let error = match answer {
            HostAnswer::Verified { claims } => {
                let token = self.ctx.token_in_header.clone().unwrap_or_default();
                let now = self.ctx.now_ms as f64;
                let machine = match via {
                    MachineVia::BackendApi => from_json(token_type, &claims),
                    MachineVia::Jwt => from_jwt_payload(token_type, &claims, now),
                };
                return Ok(self.signed_in_machine(token_type, token, machine));
            }
            HostAnswer::Refused { message, .. } | HostAnswer::VerifyFailed { message } => {
                MachineError {
                    code: reason::TOKEN_VERIFICATION_FAILED,
                    message,
                    status: None,
                }
            }
            HostAnswer::ApiError {
                status, message, ..
            } => api_error(token_type, status, message),
            HostAnswer::NetworkError { .. } => api_error(token_type, None, None),
            _ => return Err(unexpected),
        };
        Ok(self.machine_error(token_type, error))
    }

    fn machine_error(&mut self, token_type: TokenType, error: MachineError) -> Step {
        let message = error.full_message();
        self.signed_out(Some(token_type), error.code, &message, Vec::new())
    }
}

fn token_invalid<'a>(message: String, status: Option<u16>) -> MachineError<'a> {
    MachineError {
        code: reason::TOKEN_INVALID,
        message,
        status,
    }
}

/// Clerk's `handleClerkAPIError`.
fn api_error<'a>(
    token_type: TokenType,
    status: Option<u16>,
    message: Option<String>,
) -> MachineError<'a> {
    match status {
        Some(404) => {
            let message = match token_type {
                TokenType::OauthToken => "OAuth token not found",
                TokenType::ApiKey => "API key not found",
                _ => "Machine token not found",
            };
            token_invalid(message.to_owned(), status)
        }
        Some(401) => MachineError {
            code: reason::SECRET_KEY_INVALID,
            message: message
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "Invalid secret key".to_owned()),
            status,
        },
        _ => MachineError {
            code: reason::UNEXPECTED_ERROR,
            message: "Unexpected error".to_owned(),
            status,
        },
    }
}

/// Copies the fields of `data` named in `pairs` (`[from, to]`) that are present.
fn pick(data: &Map<String, Value>, pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .filter_map(|(from, to)| data.get(*from).map(|v| ((*to).to_owned(), v.clone())))
        .collect()
}

/// The resources' `fromJSON`: the Backend API's snake_case body, as Clerk's camelCase resource.
fn from_json(token_type: TokenType, data: &Map<String, Value>) -> Map<String, Value> {
    const COMMON: [(&str, &str); 9] = [
        ("id", "id"),
        ("subject", "subject"),
        ("scopes", "scopes"),
        ("revoked", "revoked"),
        ("revocation_reason", "revocationReason"),
        ("expired", "expired"),
        ("expiration", "expiration"),
        ("created_at", "createdAt"),
        ("updated_at", "updatedAt"),
    ];
    let mut out = pick(data, &COMMON);
    let extra: &[(&str, &str)] = match token_type {
        TokenType::M2mToken => &[("claims", "claims"), ("token", "token")],
        TokenType::OauthToken => &[("client_id", "clientId"), ("type", "type"), ("aud", "aud")],
        _ => &[
            ("type", "type"),
            ("name", "name"),
            ("claims", "claims"),
            ("created_by", "createdBy"),
            ("description", "description"),
            ("last_used_at", "lastUsedAt"),
            ("secret", "secret"),
        ],
    };
    out.extend(pick(data, extra));
    if token_type == TokenType::OauthToken {
        if let Some(act) = data.get("act").and_then(|act| to_actor(act, 1)) {
            out.insert("act".to_owned(), act);
        }
    }
    out
}

/// `M2MToken.fromJwtPayload` / `IdPOAuthAccessToken.fromJwtPayload`.
fn from_jwt_payload(
    token_type: TokenType,
    claims: &Map<String, Value>,
    now_ms: f64,
) -> Map<String, Value> {
    let seconds = |name: &str| claims.get(name).and_then(Value::as_f64);
    let ms = |name: &str| seconds(name).map_or(Value::Null, |s| (s * 1000.0).into());
    let split = |name: &str| {
        claims.get(name).and_then(Value::as_str).map(|s| {
            let words: Vec<Value> = s.split(' ').map(|w| Value::String(w.to_owned())).collect();
            Value::Array(words)
        })
    };
    let expired = seconds("exp").is_some_and(|exp| exp * 1000.0 <= now_ms - CLOCK_SKEW_MS);
    let mut out = Map::new();
    out.insert("id".into(), claims.get("jti").cloned().unwrap_or("".into()));
    if token_type == TokenType::OauthToken {
        let client_id = claims.get("client_id").cloned().unwrap_or("".into());
        out.insert("clientId".into(), client_id);
        out.insert("type".into(), "oauth_token".into());
    }
    out.insert(
        "subject".into(),
        claims.get("sub").cloned().unwrap_or_default(),
    );
    let scopes = if token_type == TokenType::OauthToken {
        claims.get("scp").cloned().or_else(|| split("scope"))
    } else {
        split("scopes").or_else(|| claims.get("aud").cloned())
    };
    out.insert("scopes".into(), scopes.unwrap_or(Value::Array(Vec::new())));
    if token_type == TokenType::M2mToken {
        const RESERVED: [&str; 6] = ["iss", "sub", "exp", "nbf", "iat", "jti"];
        let custom: Map<String, Value> = claims
            .iter()
            .filter(|(k, _)| !RESERVED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let custom = (!custom.is_empty()).then_some(Value::Object(custom));
        out.insert("claims".into(), custom.unwrap_or(Value::Null));
    }
    out.insert("revoked".into(), false.into());
    out.insert("revocationReason".into(), Value::Null);
    out.insert("expired".into(), expired.into());
    out.insert("expiration".into(), ms("exp"));
    out.insert("createdAt".into(), ms("iat"));
    out.insert("updatedAt".into(), ms("iat"));
    if token_type == TokenType::OauthToken {
        if let Some(aud) = claims.get("aud") {
            let aud = match aud {
                Value::Array(items) => Value::Array(items.clone()),
                one => Value::Array(vec![one.clone()]),
            };
            out.insert("aud".into(), aud);
        }
        if let Some(act) = claims.get("act").and_then(|act| to_actor(act, 1)) {
            out.insert("act".into(), act);
        }
    }
    out
}

/// Clerk's `toActor`: `{iss?, sub, act?}` when `sub` is a string, nested at most `levels` deep.
fn to_actor(value: &Value, levels: u8) -> Option<Value> {
    let object = value.as_object()?;
    let sub = object.get("sub")?.as_str()?;
    let mut out = Map::new();
    if let Some(iss) = object.get("iss").filter(|v| v.is_string()) {
        out.insert("iss".into(), iss.clone());
    }
    out.insert("sub".into(), sub.into());
    if levels > 0 {
        if let Some(nested) = object.get("act").and_then(|a| to_actor(a, levels - 1)) {
            out.insert("act".into(), nested);
        }
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_payloads_become_clerk_resources() {
        let claims: Map<String, Value> = serde_json::from_str(
            r#"{"sub":"mch_1","jti":"mt_j","exp":100,"iat":40,"scopes":"a b","foo":1}"#,
        )
        .unwrap();
        let m2m = Value::Object(from_jwt_payload(TokenType::M2mToken, &claims, 200_000.0));
        assert_eq!(m2m["scopes"], serde_json::json!(["a", "b"]));
        assert_eq!(
            m2m["claims"],
            serde_json::json!({"scopes": "a b", "foo": 1})
        );
        assert_eq!(
            (m2m["expired"].clone(), m2m["createdAt"].clone()),
            (true.into(), 40_000.0.into())
        );
        let claims: Map<String, Value> =
            serde_json::from_str(r#"{"sub":"user_1","aud":"x","act":{"sub":"a","x":1}}"#).unwrap();
        let oauth = Value::Object(from_jwt_payload(TokenType::OauthToken, &claims, 0.0));
        assert_eq!(oauth["aud"], serde_json::json!(["x"]));
        assert_eq!(oauth["act"], serde_json::json!({"sub": "a"}));
        assert_eq!(
            (oauth["clientId"].clone(), oauth["id"].clone()),
            ("".into(), "".into())
        );
    }

    #[test]
    fn api_errors_map_like_handle_clerk_api_error() {
        let e = api_error(TokenType::ApiKey, Some(404), None);
        assert_eq!(
            e.full_message(),
            "API key not found (code=token-invalid, status=404)"
        );
        let e = api_error(TokenType::M2mToken, Some(401), Some("bad".into()));
        assert_eq!(
            e.full_message(),
            "bad (code=secret-key-invalid, status=401)"
        );
        let e = api_error(TokenType::OauthToken, None, None);
        assert_eq!(
            e.full_message(),
            "Unexpected error (code=unexpected-error, status=n/a)"
        );
    }
}
