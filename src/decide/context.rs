//! Everything the decision reads, gathered once (Clerk's `AuthenticateContext`).
//!
//! Built from the configuration, the request snapshot and `now`, and nothing else, so a paused
//! decision can rebuild it identically when the host answers (see [`super::host::Pending`]).

use std::rc::Rc;

use url::Url;

use super::config::{AuthConfig, UrlOption};
use super::error::DecideError;
use super::js;
use super::request::{Request, RequestSnapshot};
use super::suffix::{uses_suffixed_cookies, SuffixInputs};
use crate::clerk::InstanceType;

/// The inputs of one decision.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub config: &'a AuthConfig,
    /// Shared with the paused decision (see [`super::host::Pending`]), so resuming does not parse
    /// the request again.
    pub req: Rc<Request>,
    pub now_ms: i64,
    /// The publishable key's instance is production.
    pub production: bool,
    /// The Frontend API to talk to: the proxy URL, `clerk.<domain>` for a production satellite, or
    /// the key's host.
    pub frontend_api: String,
    /// Rules 1–8 of §3.1 chose the suffixed cookie family.
    pub suffixed: bool,
    /// `Authorization: Bearer <t>` (or a bare token).
    pub token_in_header: Option<String>,
    /// `__session` of the chosen family.
    pub session_cookie: Option<String>,
    /// `__refresh_<suffix>` (suffixed only).
    pub refresh_cookie: Option<String>,
    /// `parseInt(__client_uat) || 0`.
    pub client_uat: f64,
    /// `__clerk_db_jwt` from the query, else the chosen cookie family.
    pub dev_browser: Option<String>,
    pub handshake_token: Option<String>,
    pub handshake_nonce: Option<String>,
    /// `Number(__clerk_redirect_count) || 0`.
    pub redirect_count: f64,
}

/// Clerk's `parseAuthorizationHeader`: `Bearer <t>` gives `t`, a value without a space is the token
/// itself, anything else is ignored. (`split(" ", 2)`: `Bearer a b` gives `a`.)
pub(crate) fn parse_authorization(value: Option<&str>) -> Option<String> {
    let value = value?;
    let mut parts = value.split(' ');
    let scheme = parts.next().unwrap_or("");
    match parts.next() {
        None | Some("") => Some(scheme.to_owned()).filter(|s| !s.is_empty()),
        Some(token) if scheme == "Bearer" => Some(token.to_owned()),
        Some(_) => None,
    }
}

/// Clerk's `buildAccountsBaseUrl`: the Account Portal origin for a Frontend API host.
pub(crate) fn accounts_base_url(frontend_api: &str) -> String {
    if frontend_api.is_empty() {
        return String::new();
    }
    let staged = frontend_api.replacen("clerk.accountsstage.", "accountsstage.", 1);
    let replaced = match staged.find("clerk.") {
        Some(at) if staged[at..].starts_with("clerk.accounts.") => {
            format!(
                "{}accounts.{}",
                &staged[..at],
                &staged[at + "clerk.accounts.".len()..]
            )
        }
        Some(at) => format!(
            "{}accounts.{}",
            &staged[..at],
            &staged[at + "clerk.".len()..]
        ),
        None => staged,
    };
    format!("https://{replaced}")
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        config: &'a AuthConfig,
        snapshot: &RequestSnapshot,
        now_ms: i64,
    ) -> Result<Self, DecideError> {
        let req = Request::new(snapshot, config.trust_forwarded_host)?;
        Ok(Self::with_request(config, Rc::new(req), now_ms))
    }

    /// The context of a request parsed before (by the same configuration).
    pub(crate) fn with_request(config: &'a AuthConfig, req: Rc<Request>, now_ms: i64) -> Self {
        let key = &config.publishable_key;
        let production = key.instance_type == InstanceType::Production;
        let proxy_url = config.proxy_url.as_ref().map(|proxy| match proxy {
            UrlOption::Absolute(url) => url.clone(),
            UrlOption::Path(path) => req
                .clerk_url
                .join(path)
                .map_or_else(|_| path.clone(), |u| u.to_string()),
        });
        let frontend_api = match (&proxy_url, &config.domain) {
            (Some(proxy), _) => proxy.clone(),
            (None, Some(domain)) if production && config.is_satellite => format!("clerk.{domain}"),
            _ => key.frontend_api.clone(),
        };
        // Clerk's "original" Frontend API: before any proxy, but after a production satellite's
        // `clerk.<domain>` (the issuer its session tokens carry).
        let original_frontend_api = match &config.domain {
            Some(domain) if production && config.is_satellite => format!("clerk.{domain}"),
            _ => key.frontend_api.clone(),
        };
        let suffix = key.cookie_suffix();
        let suffixed_name = |name: &str| format!("{name}_{suffix}");
        let (suffixed, _) = uses_suffixed_cookies(&SuffixInputs {
            session: req.cookie("__session"),
            suffixed_session: req.cookie(&suffixed_name("__session")),
            client_uat: req.cookie("__client_uat"),
            suffixed_client_uat: req.cookie(&suffixed_name("__client_uat")),
            frontend_api: &original_frontend_api,
            production,
            now_ms,
        });
        let chosen = |name: &str| {
            let name = if suffixed {
                suffixed_name(name)
            } else {
                name.to_owned()
            };
            req.cookie(&name).map(str::to_owned)
        };
        let query = |name: &str| js::query_get(&req.clerk_url, name).filter(|v| !v.is_empty());
        let context = Context {
            token_in_header: parse_authorization(req.header("authorization")),
            session_cookie: chosen("__session"),
            refresh_cookie: req.cookie(&suffixed_name("__refresh")).map(str::to_owned),
            client_uat: js::or_zero(js::parse_int(
                chosen("__client_uat").as_deref().unwrap_or(""),
            )),
            dev_browser: query("__clerk_db_jwt").or_else(|| chosen("__clerk_db_jwt")),
            handshake_token: query("__clerk_handshake")
                .or_else(|| req.cookie("__clerk_handshake").map(str::to_owned)),
            handshake_nonce: query("__clerk_handshake_nonce")
                .or_else(|| req.cookie("__clerk_handshake_nonce").map(str::to_owned)),
            redirect_count: js::or_zero(js::to_number(
                req.cookies.get("__clerk_redirect_count").unwrap_or(""),
            )),
            config,
            req,
            now_ms,
            production,
            frontend_api,
            suffixed,
        };
        context
    }

    /// The session token Clerk forwards (handshake URL, refresh): cookie first, then header.
    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_cookie
            .as_deref()
            .or(self.token_in_header.as_deref())
    }

    pub(crate) fn is_get(&self) -> bool {
        self.req.method == "GET"
    }

    pub(crate) fn sec_fetch_dest(&self) -> Option<&str> {
        self.req.header("sec-fetch-dest")
    }

    pub(crate) fn clerk_url(&self) -> &Url {
        &self.req.clerk_url
    }

    /// The referrer parses and its origin differs from `clerkUrl`'s.
    pub(crate) fn is_cross_origin_referrer(&self) -> bool {
        let Some(referrer) = self.req.header("referer") else {
            return false;
        };
        js::parse_url(referrer).is_some_and(|r| js::origin(&r) != js::origin(self.clerk_url()))
    }

    /// The referrer is the Frontend API, the Account Portal, or (development) a dev portal.
    pub(crate) fn is_known_clerk_referrer(&self) -> bool {
        let Some(referrer) = self.req.header("referer").and_then(js::parse_url) else {
            return false;
        };
        let host = referrer.host_str().unwrap_or("");
        if !self.frontend_api.is_empty() {
            let fapi_host = if self.frontend_api.starts_with("http") {
                match js::parse_url(&self.frontend_api) {
                    Some(url) => url.host_str().unwrap_or("").to_owned(),
                    None => return false, // `new URL` throws inside Clerk's try: not known
                }
            } else {
                self.frontend_api.clone()
            };
            if host == fapi_host {
                return true;
            }
        }
        if !self.production && (is_legacy_dev_portal(host) || is_current_dev_portal(host)) {
            return true;
        }
        let accounts = accounts_base_url(&self.frontend_api);
        if accounts.is_empty() {
            return false;
        }
        js::parse_url(&accounts).is_some_and(|a| js::origin(&a) == js::origin(&referrer))
    }
}

fn is_legacy_dev_portal(host: &str) -> bool {
    [".lcl.dev", ".lclstage.dev", ".lclclerk.com"]
        .iter()
        .any(|suffix| host.starts_with("accounts.") && host.ends_with(suffix))
}

fn is_current_dev_portal(host: &str) -> bool {
    [
        ".accounts.dev",
        ".accountsstage.dev",
        ".accounts.lclclerk.com",
    ]
    .iter()
    .any(|suffix| host.ends_with(suffix) && !host.ends_with(&format!(".clerk{suffix}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_like_clerk() {
        let cases = [
            (Some("Bearer abc"), Some("abc")),
            (Some("abc"), Some("abc")),
            (Some("Basic abc"), None),
            (Some("bearer abc"), None),
            (Some("Bearer  x"), Some("Bearer")),
            (Some("Bearer a b"), Some("a")),
            (None, None),
        ];
        for (header, token) in cases {
            assert_eq!(parse_authorization(header).as_deref(), token, "{header:?}");
        }
    }

    #[test]
    fn account_portal_urls() {
        assert_eq!(
            accounts_base_url("clerk.example.com"),
            "https://accounts.example.com"
        );
        assert_eq!(
            accounts_base_url("foo-bar-13.clerk.accounts.dev"),
            "https://foo-bar-13.accounts.dev"
        );
        assert_eq!(
            accounts_base_url("clerk.included.katydid-92.lcl.dev"),
            "https://accounts.included.katydid-92.lcl.dev"
        );
        assert_eq!(
            accounts_base_url("included.katydid-92.clerk.accountsstage.dev"),
            "https://included.katydid-92.accountsstage.dev"
        );
        assert!(
            is_current_dev_portal("foo.accounts.dev")
                && !is_current_dev_portal("foo.clerk.accounts.dev")
        );
        assert!(is_legacy_dev_portal("accounts.foo.lcl.dev"));
    }
}
