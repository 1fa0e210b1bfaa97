//! Sign-in and sign-up redirects (`auth.redirectToSignIn()`, `auth.protect()`; §2.4): Clerk's
//! `createRedirect` followed by `serverRedirectWithAuth`.
//!
//! * Target: `signInUrl` (a path is resolved against `clerkUrl`), else the Account Portal derived from
//!   the publishable key's Frontend API (`clerk.example.com` → `https://accounts.example.com/sign-in`).
//!   Sign-up: `signUpUrl`, else `<signInUrl>/create`, else the portal's `/sign-up`. A pending
//!   session goes to `<target>/tasks`.
//! * `redirect_url` = the return URL (default: the full current `clerkUrl`); a satellite redirecting
//!   to another host adds `__clerk_synced=false` to it.
//! * Development secret key and a Location on another origin: `__clerk_db_jwt=<dev-browser cookie>`
//!   is appended (an existing one in the Location wins).
//!
//! Targets only ever come from configuration or the caller; the return URL defaults to the
//! request's own URL (see `trustForwardedHost`), so nothing in the request can send users elsewhere.

use url::Url;

use super::config::AuthConfig;
use super::context::accounts_base_url;
use super::error::DecideError;
use super::js;
use super::request::{Request, RequestSnapshot};
use super::state::{checked_header, RequestState};

/// Which page (`"sign-in"` / `"sign-up"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectTarget {
    /// Sign in.
    SignIn,
    /// Sign up.
    SignUp,
}

/// `returnBackUrl`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReturnBackUrl {
    /// Omitted: the current URL.
    #[default]
    Current,
    /// A URL (resolved against the current URL).
    Url(String),
    /// `null`: no `redirect_url` parameter.
    Omit,
}

/// A 307 redirect Clerk generated (`x-clerk-redirect-to: true`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Redirect {
    /// Always 307.
    pub status: u16,
    /// The target.
    pub location: String,
    /// `location` and `x-clerk-redirect-to`; the host also appends the state's headers.
    pub headers: Vec<(String, String)>,
}

/// Builds a Clerk redirect to `location`, applying `serverRedirectWithAuth`.
pub(crate) fn clerk_redirect(
    config: &AuthConfig,
    request: &Request,
    mut location: Url,
) -> Result<Redirect, DecideError> {
    if config.secret_is_development() && js::origin(&location) != js::origin(&request.clerk_url) {
        let existing = js::query_get(&location, "__clerk_db_jwt").filter(|v| !v.is_empty());
        let cookie = request.cookie("__clerk_db_jwt").map(str::to_owned);
        js::query_delete(&mut location, "__clerk_db_jwt");
        if let Some(value) = existing.or(cookie) {
            js::query_set(&mut location, "__clerk_db_jwt", &value);
        }
    }
    let location = location.to_string();
    Ok(Redirect {
        status: 307,
        headers: vec![
            checked_header("location", &location)?,
            ("x-clerk-redirect-to".to_owned(), "true".to_owned()),
        ],
        location,
    })
}

/// `redirectToSignIn()` / `redirectToSignUp()` as the middleware answers them.
pub fn redirect_to_sign_in(
    config: &AuthConfig,
    request: &RequestSnapshot,
    state: &RequestState,
    target: RedirectTarget,
    return_back: &ReturnBackUrl,
) -> Result<Redirect, DecideError> {
    let request = Request::new(request, config.trust_forwarded_host)?;
    let location = sign_in_location(config, &request, state, target, return_back)?;
    clerk_redirect(config, &request, location)
}

fn parse_against(base: &Url, input: &str, what: &'static str) -> Result<Url, DecideError> {
    base.join(input)
        .map_err(|_| DecideError::InvalidUrl { what })
}

/// Clerk's `createRedirect(...).redirectToSignIn/Up({returnBackUrl})` (no dev-browser token).
fn sign_in_location(
    config: &AuthConfig,
    request: &Request,
    state: &RequestState,
    target: RedirectTarget,
    return_back: &ReturnBackUrl,
) -> Result<Url, DecideError> {
    let base = &request.clerk_url;
    let accounts = accounts_base_url(&config.publishable_key.frontend_api);
    let sign_in = config.sign_in_url.as_ref().map(|u| u.as_str().to_owned());
    let mut target_url = match target {
        RedirectTarget::SignIn => sign_in.unwrap_or_else(|| format!("{accounts}/sign-in")),
        RedirectTarget::SignUp => match (&config.sign_up_url, sign_in) {
            (Some(sign_up), _) => sign_up.as_str().to_owned(),
            (None, Some(sign_in)) => {
                let mut url = parse_against(base, &sign_in, "signInUrl")?;
                let path = format!("{}/create", url.path());
                url.set_path(&path);
                url.to_string()
            }
            (None, None) => format!("{accounts}/sign-up"),
        },
    };
    let pending = state
        .to_auth(true)
        .is_some_and(|auth| auth.session_status() == Some("pending"));
    if pending {
        target_url.push_str("/tasks");
    }
    let mut location = parse_against(base, &target_url, "The sign-in URL")?;
    let cross_origin = js::host_and_port(base) != js::host_and_port(&location);
    let return_url = match return_back {
        ReturnBackUrl::Current => Some(base.to_string()),
        ReturnBackUrl::Url(url) if !url.is_empty() => Some(url.clone()),
        ReturnBackUrl::Url(_) | ReturnBackUrl::Omit => None,
    };
    if let Some(return_url) = return_url {
        let mut return_url = parse_against(base, &return_url, "returnBackUrl")?;
        if cross_origin && config.is_satellite {
            js::query_set(&mut return_url, "__clerk_synced", "false");
        }
        js::query_set(&mut location, "redirect_url", return_url.as_str());
    }
    Ok(location)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::state::AuthStatus;

    fn location(options: &str, url: &str, cookie: &str, target: RedirectTarget) -> String {
        let config = AuthConfig::from_json(options).unwrap();
        let request = RequestSnapshot::new("GET", url, [("cookie", cookie)]);
        redirect_to_sign_in(
            &config,
            &request,
            &RequestState::bare(AuthStatus::SignedOut),
            target,
            &ReturnBackUrl::Current,
        )
        .unwrap()
        .location
    }

    /// The §2.4 vectors from Clerk's clerkMiddleware.test.ts / createRedirect.test.ts.
    #[test]
    fn clerk_vectors() {
        let pk = r#""publishableKey":"pk_test_Y2xlcmsuaW5jbHVkZWQua2F0eWRpZC05Mi5sY2wuZGV2JA","secretKey":"sk_test_x""#;
        assert_eq!(
            location(&format!("{{{pk}}}"), "https://www.clerk.com/protected", "", RedirectTarget::SignIn),
            "https://accounts.included.katydid-92.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected"
        );
        assert_eq!(
            location(&format!("{{{pk}}}"), "https://www.clerk.com/protected", "__clerk_db_jwt=test_jwt", RedirectTarget::SignIn),
            "https://accounts.included.katydid-92.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected&__clerk_db_jwt=test_jwt"
        );
        let hello = location(
            &format!(r#"{{{pk},"signInUrl":"/hello"}}"#),
            "https://www.clerk.com/protected",
            "",
            RedirectTarget::SignUp,
        );
        assert_eq!(hello, "https://www.clerk.com/hello/create?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected");
    }
}
