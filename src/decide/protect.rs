//! `auth.protect()` in the middleware (CLERK-BEHAVIOUR.md §2.3): given the request's state and the
//! protect parameters, pass, redirect (307), answer 401, or rewrite to a not-found page.
//!
//! Authorization checks: `role`, `permission`, `feature`, `plan` and `reverification` are evaluated
//! here with [`SessionAuth::has`] (other keys are ignored, as since CVE-2026-42349's fix); a
//! function predicate belongs to the host, which passes its boolean result.
//!
//! "Page request" is `protect()`'s own heuristic (any method; `Sec-Fetch-Dest: document|iframe`,
//! an `Accept` that *contains* `text/html`, or Next.js navigation headers) — deliberately not the
//! handshake's.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::classify::TokenType;
use super::config::AuthConfig;
use super::error::DecideError;
use super::redirect::{
    clerk_redirect, redirect_to_sign_in, Redirect, RedirectTarget, ReturnBackUrl,
};
use super::request::{Request, RequestSnapshot};
use super::state::{AuthObject, AuthStatus, RequestState};
use crate::auth::SessionAuth;

/// What `protect()` checks beyond "signed in".
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Authorization {
    /// Nothing: signed in is enough.
    #[default]
    None,
    /// `{ role, permission, feature, plan, reverification }` (other keys are ignored).
    Params(Map<String, Value>),
    /// The result of the caller's `(has) => boolean` predicate.
    Predicate(bool),
}

/// The `token` option: which token types the route accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptsToken {
    /// `'any'`
    Any,
    /// One type (default `session_token`).
    One(TokenType),
    /// A list.
    List(Vec<TokenType>),
}

impl Default for AcceptsToken {
    fn default() -> Self {
        AcceptsToken::One(TokenType::SessionToken)
    }
}

impl AcceptsToken {
    /// `isTokenTypeAccepted`.
    fn accepts(&self, token_type: Option<TokenType>) -> bool {
        let Some(token_type) = token_type else {
            return false;
        };
        match self {
            AcceptsToken::Any => true,
            AcceptsToken::One(one) => *one == token_type,
            AcceptsToken::List(list) => list.contains(&token_type),
        }
    }
}

/// `auth.protect(params, options)`.
///
/// As JSON: `{"params"?: {role, permission, …}, "predicate"?: bool, "unauthenticatedUrl"?: string,
/// "unauthorizedUrl"?: string, "token"?: "any" | type | [types]}`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(try_from = "RawProtectOptions")]
pub struct ProtectOptions {
    /// The authorization check.
    pub authorization: Authorization,
    /// Where to send signed-out users instead of the sign-in page.
    pub unauthenticated_url: Option<String>,
    /// Where to send signed-in users who fail the check instead of a 404.
    pub unauthorized_url: Option<String>,
    /// Accepted token types.
    pub token: AcceptsToken,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawProtectOptions {
    params: Option<Map<String, Value>>,
    predicate: Option<bool>,
    unauthenticated_url: Option<String>,
    unauthorized_url: Option<String>,
    token: Option<Value>,
}

fn token_type(value: &Value) -> Result<TokenType, String> {
    serde_json::from_value(value.clone()).map_err(|_| {
        format!("unknown token type {value}; use session_token, m2m_token, oauth_token or api_key")
    })
}

impl TryFrom<RawProtectOptions> for ProtectOptions {
    type Error = String;

    fn try_from(raw: RawProtectOptions) -> Result<Self, String> {
        let authorization = match (raw.params, raw.predicate) {
            (Some(_), Some(_)) => return Err("give `params` or `predicate`, not both".to_owned()),
            (Some(params), None) => Authorization::Params(params),
            (None, Some(result)) => Authorization::Predicate(result),
            (None, None) => Authorization::None,
        };
        let token = match raw.token {
            None | Some(Value::Null) => AcceptsToken::default(),
            Some(Value::String(any)) if any == "any" => AcceptsToken::Any,
            Some(Value::Array(items)) => {
                AcceptsToken::List(items.iter().map(token_type).collect::<Result<_, _>>()?)
            }
            Some(one) => AcceptsToken::One(token_type(&one)?),
        };
        Ok(ProtectOptions {
            authorization,
            unauthenticated_url: raw.unauthenticated_url,
            unauthorized_url: raw.unauthorized_url,
            token,
        })
    }
}

/// The middleware's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum ProtectOutcome {
    /// Continue to the route.
    Pass,
    /// 307.
    Redirect(Redirect),
    /// 401 with an empty body (and these headers).
    Unauthorized {
        /// `WWW-Authenticate` for OAuth tokens.
        headers: Vec<(String, String)>,
    },
    /// Rewrite internally to `rewrite` (a path that does not exist, so the app renders its 404).
    NotFound {
        /// Absolute URL on the request's origin: `/clerk_<now_ms>`.
        rewrite: String,
        /// `x-clerk-auth-reason: protect-rewrite`.
        headers: Vec<(String, String)>,
    },
}

/// Clerk's `isServerActionRequest`.
pub fn is_server_action(request: &RequestSnapshot) -> bool {
    let headers = Headers(request);
    headers.has("next-url")
        && (headers.contains("accept", "text/x-component")
            || headers.contains("content-type", "multipart/form-data")
            || headers.has("next-action"))
}

/// Clerk's `isPageRequest` (without Next's static-store probe, which never fires in middleware).
pub fn is_page_request(request: &RequestSnapshot) -> bool {
    let headers = Headers(request);
    matches!(headers.get("sec-fetch-dest"), Some("document" | "iframe"))
        || headers.contains("accept", "text/html")
        || (headers.has("next-url") && !is_server_action(request))
        || headers.has("x-nextjs-data")
}

/// The request headers `protect()` reads besides the decision's own ([`super::DECISION_HEADERS`]),
/// lower-case and sorted: with those, the method and the URL, what a remembered decision may be
/// keyed on when its `protect()` and redirects are used again. Debug builds check every read.
pub const PROTECT_HEADERS: [&str; 6] = [
    "accept",
    "content-type",
    "next-action",
    "next-url",
    "sec-fetch-dest",
    "x-nextjs-data",
];

struct Headers<'a>(&'a RequestSnapshot);

impl Headers<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        debug_assert!(
            PROTECT_HEADERS.contains(&name),
            "protect() reads the header {name:?}: add it to PROTECT_HEADERS"
        );
        self.0
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn contains(&self, name: &str, needle: &str) -> bool {
        self.get(name).is_some_and(|v| v.contains(needle))
    }
}

/// The auth object `protect()` sees: `toAuth()` narrowed to the accepted token types
/// (`getAuthObjectForAcceptedToken`). `None` stands for Clerk's `InvalidTokenAuthObject`.
fn narrowed(raw: Option<AuthObject>, accepts: &AcceptsToken) -> Option<AuthObject> {
    let raw = raw.unwrap_or(AuthObject::SignedOut {
        token_type: TokenType::SessionToken,
        session_status: None,
    });
    match accepts {
        AcceptsToken::Any => Some(raw),
        AcceptsToken::List(_) => accepts.accepts(Some(raw.token_type())).then_some(raw),
        AcceptsToken::One(wanted) if !accepts.accepts(Some(raw.token_type())) => {
            Some(AuthObject::SignedOut {
                token_type: *wanted,
                session_status: None,
            })
        }
        AcceptsToken::One(_) => Some(raw),
    }
}

/// Decides `auth.protect(options)` for a request whose state is `state` (a handshake state is
/// treated as signed out; the host should have answered its redirect before running handlers).
pub fn protect(
    config: &AuthConfig,
    request: &RequestSnapshot,
    state: &RequestState,
    options: &ProtectOptions,
    now_ms: i64,
) -> Result<ProtectOutcome, DecideError> {
    // Parsed only for the outcomes that build a URL (the decision already refused a bad one).
    let parsed = || Request::new(request, config.trust_forwarded_host);
    let raw = if state.status == AuthStatus::Handshake {
        None
    } else {
        state.to_auth(true)
    };
    let oauth = raw
        .as_ref()
        .is_some_and(|a| a.token_type() == TokenType::OauthToken);
    let auth = narrowed(raw, &options.token);
    let redirect_to = |url: &str| -> Result<ProtectOutcome, DecideError> {
        let parsed = parsed()?;
        let location = parsed
            .clerk_url
            .join(url)
            .map_err(|_| DecideError::InvalidUrl {
                what: "The protect() redirect URL",
            })?;
        Ok(ProtectOutcome::Redirect(clerk_redirect(
            config, &parsed, location,
        )?))
    };
    let unauthorized = || {
        let headers = if oauth {
            vec![(
                "www-authenticate".to_owned(),
                format!(
                    "Bearer resource_metadata=\"https://{}/.well-known/oauth-protected-resource\"",
                    config.publishable_key.frontend_api
                ),
            )]
        } else {
            Vec::new()
        };
        Ok(ProtectOutcome::Unauthorized { headers })
    };
    let not_found = || {
        let mut rewrite = parsed()?.url;
        rewrite.set_path(&format!("/clerk_{now_ms}"));
        rewrite.set_query(None);
        rewrite.set_fragment(None);
        Ok(ProtectOutcome::NotFound {
            rewrite: rewrite.to_string(),
            headers: vec![(
                "x-clerk-auth-reason".to_owned(),
                "protect-rewrite".to_owned(),
            )],
        })
    };
    let unauthenticated = || -> Result<ProtectOutcome, DecideError> {
        if let Some(url) = &options.unauthenticated_url {
            return redirect_to(url);
        }
        if is_page_request(request) {
            let target = RedirectTarget::SignIn;
            return redirect_to_sign_in(config, request, state, target, &ReturnBackUrl::Current)
                .map(ProtectOutcome::Redirect);
        }
        if is_server_action(request) {
            return unauthorized();
        }
        not_found()
    };
    let session_accepted = options.token.accepts(Some(TokenType::SessionToken));
    let unauthorized_check = |auth: Option<&AuthObject>| -> Result<ProtectOutcome, DecideError> {
        let session = auth.is_some_and(|a| a.token_type() == TokenType::SessionToken);
        if !session || !session_accepted {
            return unauthorized();
        }
        match &options.unauthorized_url {
            Some(url) => redirect_to(url),
            None => not_found(),
        }
    };
    let Some(auth) = auth else {
        return unauthorized_check(None);
    };
    if !options.token.accepts(Some(auth.token_type())) {
        return unauthorized_check(Some(&auth));
    }
    if auth.token_type() != TokenType::SessionToken {
        return match auth.is_authenticated() {
            true => Ok(ProtectOutcome::Pass),
            false => unauthorized_check(Some(&auth)),
        };
    }
    if auth.session_status() == Some("pending") {
        return unauthenticated();
    }
    let AuthObject::SignedIn(session) = &auth else {
        return unauthenticated();
    };
    if auth.user_id().is_none() {
        return unauthenticated();
    }
    let allowed = match &options.authorization {
        Authorization::None => true,
        Authorization::Predicate(result) => *result,
        Authorization::Params(params) => match authorization_params(params) {
            Some(params) => SessionAuth::has(session, &params),
            None => true,
        },
    };
    if allowed {
        Ok(ProtectOutcome::Pass)
    } else {
        unauthorized_check(Some(&auth))
    }
}

/// Clerk's `getAuthorizationParams`: only the five authorization keys, when defined (`null` counts
/// as defined, `undefined` keys are absent from JSON); none ⇒ "signed in is enough".
fn authorization_params(params: &Map<String, Value>) -> Option<Map<String, Value>> {
    const KEYS: [&str; 5] = ["role", "permission", "feature", "plan", "reverification"];
    let picked: Map<String, Value> = params
        .iter()
        .filter(|(key, _)| KEYS.contains(&key.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!picked.is_empty()).then_some(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protect_headers_are_lower_case_and_sorted() {
        assert!(PROTECT_HEADERS.windows(2).all(|w| w[0] < w[1]));
        assert!(PROTECT_HEADERS.iter().all(|h| *h == h.to_ascii_lowercase()));
    }

    #[test]
    fn page_and_server_action_detection() {
        let req = |headers: &[(&str, &str)]| {
            RequestSnapshot::new("POST", "https://a.test/", headers.iter().copied())
        };
        assert!(is_page_request(&req(&[("Sec-Fetch-Dest", "iframe")])));
        assert!(is_page_request(&req(&[(
            "accept",
            "application/json, text/html"
        )])));
        assert!(is_page_request(&req(&[("next-url", "/x")])));
        assert!(is_page_request(&req(&[("x-nextjs-data", "1")])));
        assert!(!is_page_request(&req(&[
            ("next-url", "/x"),
            ("next-action", "abc")
        ])));
        assert!(is_server_action(&req(&[
            ("next-url", "/x"),
            ("content-type", "multipart/form-data; b=1")
        ])));
        assert!(!is_page_request(&req(&[("accept", "application/json")])));
    }

    #[test]
    fn only_authorization_keys_count() {
        let params: Map<String, Value> =
            serde_json::from_str(r#"{"unauthorizedUrl":"/x","token":"session_token"}"#).unwrap();
        assert_eq!(authorization_params(&params), None);
        let params: Map<String, Value> =
            serde_json::from_str(r#"{"role":"org:admin","x":1}"#).unwrap();
        assert_eq!(authorization_params(&params).unwrap().len(), 1);
    }
}
