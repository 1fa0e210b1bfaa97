//! The decision, as data (Clerk's `RequestState`, `authStatus.ts`), and the auth object it yields.
//!
//! Headers are a list of `[name, value]` pairs, lower-case names, in the order Clerk adds them; the
//! host appends them all to its response (a `location` means "answer 307 with these headers", as
//! `clerkMiddleware` does). Signed-out and handshake states carry `x-clerk-auth-status`,
//! `x-clerk-auth-reason` and `x-clerk-auth-message` (when non-empty); signed-in states carry none.
//! Every value passes [`checked_header`]: a value with CR, LF or NUL is never emitted.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::classify::TokenType;
use super::error::DecideError;
use crate::auth::SessionAuth;

/// Clerk's `AuthStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthStatus {
    /// A verified token.
    SignedIn,
    /// No usable token.
    SignedOut,
    /// Redirect to Clerk to refresh the session cookies.
    Handshake,
}

impl AuthStatus {
    /// `signed-in`, `signed-out` or `handshake`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStatus::SignedIn => "signed-in",
            AuthStatus::SignedOut => "signed-out",
            AuthStatus::Handshake => "handshake",
        }
    }
}

/// Something Clerk would print (`console.log/warn/error`); the host may log it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// `log`, `warn` or `error`.
    pub level: String,
    /// The text.
    pub message: String,
}

/// The outcome of authenticating one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestState {
    /// Signed in, signed out, or handshake.
    pub status: AuthStatus,
    /// Clerk's reason code (`null` when signed in).
    pub reason: Option<String>,
    /// A human-readable explanation (`null` when signed in).
    pub message: Option<String>,
    /// The verified token (signed in only).
    pub token: Option<String>,
    /// `session_token`, a machine type, or `null` (`InvalidTokenAuthObject`).
    pub token_type: Option<TokenType>,
    /// Response headers, in order.
    pub headers: Vec<(String, String)>,
    /// Verified session claims (signed in with a session token).
    pub claims: Option<Map<String, Value>>,
    /// Signed in with a machine token: Clerk's resource for it (`M2MToken`, `IdPOAuthAccessToken`
    /// or `APIKey`, camelCase: `id`, `subject`, `scopes`, `claims`, `name`, `clientId`, …). Kept
    /// apart from `claims` because it is not a JWT payload and has no session fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<Map<String, Value>>,
    /// The URL Clerk considers current (`x-clerk-clerk-url`, return URLs).
    pub clerk_url: String,
    /// Lines Clerk would have logged while deciding.
    pub logs: Vec<LogEntry>,
}

/// Clerk's auth object: what `auth()` returns in the middleware.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthObject {
    /// `signedInAuthObject`.
    SignedIn(Box<SessionAuth>),
    /// `authenticatedMachineObject`: a verified machine token.
    Machine {
        /// `m2m_token`, `oauth_token` or `api_key`.
        token_type: TokenType,
        /// Clerk's resource for the token ([`RequestState::machine`]).
        data: Box<Map<String, Value>>,
    },
    /// `signedOutAuthObject` (session) or `unauthenticatedMachineObject` (machine types).
    SignedOut {
        /// Session or machine type.
        token_type: TokenType,
        /// `pending` when a pending session is treated as signed out.
        session_status: Option<String>,
    },
}

impl AuthObject {
    /// `isAuthenticated`.
    pub fn is_authenticated(&self) -> bool {
        matches!(self, AuthObject::SignedIn(_) | AuthObject::Machine { .. })
    }

    /// `tokenType`.
    pub fn token_type(&self) -> TokenType {
        match self {
            AuthObject::SignedIn(_) => TokenType::SessionToken,
            AuthObject::Machine { token_type, .. } | AuthObject::SignedOut { token_type, .. } => {
                *token_type
            }
        }
    }

    /// `sessionStatus`.
    pub fn session_status(&self) -> Option<&str> {
        match self {
            AuthObject::SignedIn(auth) => auth.session_status.as_deref(),
            AuthObject::Machine { .. } => None,
            AuthObject::SignedOut { session_status, .. } => session_status.as_deref(),
        }
    }

    /// `userId`, when non-empty (a machine token's: the OAuth token's subject, an API key's
    /// subject when it is a user).
    pub fn user_id(&self) -> Option<&str> {
        match self {
            AuthObject::SignedIn(auth) => Some(auth.user_id.as_str()).filter(|u| !u.is_empty()),
            AuthObject::Machine { token_type, data } => {
                let subject = data.get("subject").and_then(Value::as_str);
                match token_type {
                    TokenType::OauthToken => subject,
                    TokenType::ApiKey => subject.filter(|s| s.starts_with("user_")),
                    _ => None,
                }
            }
            AuthObject::SignedOut { .. } => None,
        }
    }

    /// The fields of Clerk's `authenticatedMachineObject` (without its functions).
    fn machine_fields(token_type: TokenType, data: &Map<String, Value>) -> Map<String, Value> {
        let field = |name: &str| data.get(name).cloned().unwrap_or(Value::Null);
        let subject = field("subject");
        let subject_with = |prefix: &str| match &subject {
            Value::String(s) if s.starts_with(prefix) => subject.clone(),
            _ => Value::Null,
        };
        let mut out = Map::new();
        out.insert("isAuthenticated".into(), true.into());
        out.insert("tokenType".into(), token_type.as_str().into());
        out.insert("id".into(), field("id"));
        out.insert("subject".into(), subject.clone());
        out.insert("scopes".into(), field("scopes"));
        match token_type {
            TokenType::ApiKey => {
                out.insert("name".into(), field("name"));
                out.insert("claims".into(), field("claims"));
                out.insert("userId".into(), subject_with("user_"));
                out.insert("orgId".into(), subject_with("org_"));
            }
            TokenType::M2mToken => {
                out.insert("claims".into(), field("claims"));
                out.insert("machineId".into(), subject.clone());
            }
            _ => {
                out.insert("userId".into(), subject.clone());
                out.insert("clientId".into(), field("clientId"));
            }
        }
        out
    }
}

impl Serialize for AuthObject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct SignedIn<'a> {
            is_authenticated: bool,
            #[serde(flatten)]
            auth: &'a SessionAuth,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct SignedOut<'a> {
            is_authenticated: bool,
            token_type: TokenType,
            session_status: Option<&'a str>,
            user_id: Option<()>,
            session_id: Option<()>,
            org_id: Option<()>,
        }
        match self {
            AuthObject::SignedIn(auth) => SignedIn {
                is_authenticated: true,
                auth: auth.as_ref(),
            }
            .serialize(serializer),
            AuthObject::Machine { token_type, data } => {
                AuthObject::machine_fields(*token_type, data).serialize(serializer)
            }
            AuthObject::SignedOut {
                token_type,
                session_status,
            } => SignedOut {
                is_authenticated: false,
                token_type: *token_type,
                session_status: session_status.as_deref(),
                user_id: None,
                session_id: None,
                org_id: None,
            }
            .serialize(serializer),
        }
    }
}

impl RequestState {
    /// `requestState.toAuth({ treatPendingAsSignedOut })`; `None` for a handshake (and for a
    /// token-type mismatch with no type, Clerk's `InvalidTokenAuthObject`, which authenticates no one).
    pub fn to_auth(&self, treat_pending_as_signed_out: bool) -> Option<AuthObject> {
        if self.status == AuthStatus::Handshake {
            return None;
        }
        let token_type = self.token_type?;
        if let (Some(data), AuthStatus::SignedIn) = (&self.machine, self.status) {
            return Some(AuthObject::Machine {
                token_type,
                data: Box::new(data.clone()),
            });
        }
        match (&self.claims, self.status) {
            (Some(claims), AuthStatus::SignedIn) => {
                let auth = SessionAuth::from_claims(claims);
                if treat_pending_as_signed_out && auth.is_pending() {
                    return Some(AuthObject::SignedOut {
                        token_type: TokenType::SessionToken,
                        session_status: auth.session_status,
                    });
                }
                Some(AuthObject::SignedIn(Box::new(auth)))
            }
            _ => Some(AuthObject::SignedOut {
                token_type,
                session_status: None,
            }),
        }
    }

    /// The first value of a response header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `location` header, when the host must answer with a redirect.
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// A session-token state with `status` and nothing else: the engine and tests fill in the
    /// fields they need (`..RequestState::bare(status)`).
    pub(crate) fn bare(status: AuthStatus) -> RequestState {
        RequestState {
            status,
            reason: None,
            message: None,
            token: None,
            token_type: Some(TokenType::SessionToken),
            headers: vec![],
            claims: None,
            machine: None,
            clerk_url: String::new(),
            logs: vec![],
        }
    }
}

/// A header value as `Headers` stores it: leading/trailing HTTP white space removed, and refused
/// when CR, LF or NUL remain inside.
pub(crate) fn checked_header(name: &str, value: &str) -> Result<(String, String), DecideError> {
    let value = value.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    if value.contains(['\r', '\n', '\0']) {
        return Err(DecideError::HeaderInjection {
            header: name.to_owned(),
        });
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// Clerk's `withDebugHeaders`: message, reason and status, each skipped when empty or when it is
/// not a valid header value (Clerk's `try { headers.set } catch {}`).
pub(crate) fn with_debug_headers(state: &mut RequestState) {
    let entries = [
        ("x-clerk-auth-message", state.message.clone()),
        ("x-clerk-auth-reason", state.reason.clone()),
        (
            "x-clerk-auth-status",
            Some(state.status.as_str().to_owned()),
        ),
    ];
    for (name, value) in entries {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            continue;
        };
        if let Ok(header) = checked_header(name, &value) {
            state.headers.retain(|(n, _)| n != name);
            state.headers.push(header);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_refuse_line_breaks_inside() {
        assert_eq!(
            checked_header("location", " https://a.test/ \r\n")
                .unwrap()
                .1,
            "https://a.test/"
        );
        assert!(checked_header("location", "https://a.test/\r\nSet-Cookie: x=1").is_err());
        let mut state = RequestState {
            reason: Some("token-invalid".into()),
            message: Some("bad\nmessage".into()),
            ..RequestState::bare(AuthStatus::SignedOut)
        };
        with_debug_headers(&mut state);
        assert_eq!(
            state.headers,
            vec![
                ("x-clerk-auth-reason".to_owned(), "token-invalid".to_owned()),
                ("x-clerk-auth-status".to_owned(), "signed-out".to_owned())
            ],
            "an invalid message is skipped, as Clerk's try/catch does"
        );
        let auth = state.to_auth(true).unwrap();
        assert!(!auth.is_authenticated() && auth.user_id().is_none());
    }

    #[test]
    fn pending_sessions_are_signed_out_by_default() {
        let claims: Map<String, Value> =
            serde_json::from_str(r#"{"sub":"user_1","sid":"sess_1","sts":"pending"}"#).unwrap();
        let state = RequestState {
            token: Some("t".into()),
            claims: Some(claims),
            ..RequestState::bare(AuthStatus::SignedIn)
        };
        let treated = state.to_auth(true).unwrap();
        assert_eq!(treated.session_status(), Some("pending"));
        assert!(!treated.is_authenticated());
        assert_eq!(
            serde_json::to_value(&treated).unwrap()["sessionStatus"],
            "pending"
        );
        assert!(state.to_auth(false).unwrap().is_authenticated());
    }
}
