//! The middleware's configuration, validated once at start-up.
//!
//! Option names are Clerk's (`publishableKey`, `signInUrl`, `isSatellite`, …) so a `clerkMiddleware`
//! options object can be passed as is. Everything Clerk would only discover on the first request
//! (a satellite without `domain`/`proxyUrl`, a dev satellite without an absolute `signInUrl`, a bad
//! organization pattern) fails here instead, with a message that names the fix. We also refuse a
//! few values Clerk accepts but that are almost certainly mistakes and can redirect users off-site:
//! a protocol-relative `//host` sign-in URL, control characters in URLs.
//!
//! One option is ours: **`trustForwardedHost`** (default `false`). Clerk builds the URL it
//! redirects back to (`clerkUrl`) from `X-Forwarded-Host` / `X-Forwarded-Proto`, which any client
//! can send unless a proxy overwrites them. By default we use the request URL's own origin; set
//! `trustForwardedHost: true` behind a proxy that sets those headers to get Clerk's behaviour.

use std::fmt;

use serde::Deserialize;

use super::org_sync::{OrganizationMatcher, OrganizationSyncOptions};
use crate::clerk::{InstanceType, KeyError, PublishableKey};
use crate::route::PatternError;

/// The options as JavaScript spells them. Empty strings count as unset (Clerk's `||` defaults);
/// unknown keys are ignored (the same object may carry verifier options).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthOptions {
    /// `pk_test_…` / `pk_live_…`
    pub publishable_key: Option<String>,
    /// `sk_test_…` / `sk_live_…`: only its presence and instance type matter here, plus the
    /// downstream signature (`decide::downstream`).
    pub secret_key: Option<String>,
    /// Absolute URL or a path starting with `/`.
    pub sign_in_url: Option<String>,
    /// Absolute URL or a path starting with `/`.
    pub sign_up_url: Option<String>,
    /// This app is a satellite domain.
    #[serde(default)]
    pub is_satellite: bool,
    /// The satellite's domain (host name, optionally with a port).
    pub domain: Option<String>,
    /// Frontend API proxy: absolute, or a path resolved against the request.
    pub proxy_url: Option<String>,
    /// Satellites with no cookies handshake on their own (Clerk's default is `false`).
    #[serde(default)]
    pub satellite_auto_sync: bool,
    /// Organization activation from the URL.
    pub organization_sync_options: Option<OrganizationSyncOptions>,
    /// Ours: build the request's own URL from `X-Forwarded-Host`/`-Proto` as Clerk does.
    #[serde(default)]
    pub trust_forwarded_host: bool,
    /// Ours: origins a dev primary may send users back to from `__clerk_redirect_url`.
    #[serde(default)]
    pub allowed_redirect_origins: Vec<String>,
    /// Backend API version (`CLERK_API_VERSION`, default `v1`).
    pub api_version: Option<String>,
}

/// A configuration that cannot work. Raised once, when the configuration is built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No publishable key.
    MissingPublishableKey,
    /// The publishable key does not parse.
    InvalidPublishableKey(KeyError),
    /// No secret key.
    MissingSecretKey,
    /// A URL option is malformed or unsafe.
    InvalidUrl {
        /// The option's name.
        option: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// `domain` is not a host name.
    InvalidDomain,
    /// A satellite needs `domain` or `proxyUrl`.
    SatelliteWithoutDomainOrProxy,
    /// A development satellite needs an absolute `signInUrl`.
    SatelliteSignInUrl,
    /// An organization-sync pattern does not compile.
    InvalidOrganizationPattern(PatternError),
    /// An `allowedRedirectOrigins` entry is not an origin.
    InvalidRedirectOrigin(String),
    /// `apiVersion` is not `v<number>`.
    InvalidApiVersion,
    /// The options object itself is malformed (wrong JSON types).
    InvalidOptions(String),
}

impl ConfigError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::MissingPublishableKey => "missing-publishable-key",
            ConfigError::InvalidPublishableKey(_) => "invalid-publishable-key",
            ConfigError::MissingSecretKey => "missing-secret-key",
            ConfigError::InvalidUrl { .. } => "invalid-url-option",
            ConfigError::InvalidDomain => "invalid-domain",
            ConfigError::SatelliteWithoutDomainOrProxy => "satellite-missing-domain-or-proxy-url",
            ConfigError::SatelliteSignInUrl => "satellite-missing-sign-in-url",
            ConfigError::InvalidOrganizationPattern(_) => "invalid-organization-pattern",
            ConfigError::InvalidRedirectOrigin(_) => "invalid-redirect-origin",
            ConfigError::InvalidApiVersion => "invalid-api-version",
            ConfigError::InvalidOptions(_) => "invalid-options",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingPublishableKey => f.write_str(
                "Missing publishableKey. Pass `publishableKey` (or set NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY) \
                 to the key from the API keys page of the Clerk dashboard.",
            ),
            ConfigError::InvalidPublishableKey(error) => error.fmt(f),
            ConfigError::MissingSecretKey => f.write_str(
                "Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your \
                 instance, then pass `secretKey` (or set CLERK_SECRET_KEY).",
            ),
            ConfigError::InvalidUrl { option, problem } => write!(
                f,
                "Invalid `{option}`: {problem}. Use an absolute http(s) URL such as \
                 https://accounts.example.com/sign-in, or a path on this site such as /sign-in."
            ),
            ConfigError::InvalidDomain => f.write_str(
                "Invalid `domain`: give the satellite's host name, e.g. satellite.example.com, without \
                 a scheme or path.",
            ),
            ConfigError::SatelliteWithoutDomainOrProxy => f.write_str(
                "Missing domain and proxyUrl. A satellite application needs to specify a domain or a \
                 proxyUrl (e.g. { isSatellite: true, domain: 'satellite.example.com' }).",
            ),
            ConfigError::SatelliteSignInUrl => f.write_str(
                "Invalid signInUrl. A satellite application requires a signInUrl for development \
                 instances, and it must be an absolute URL on the primary domain (e.g. \
                 https://primary.example.com/sign-in).",
            ),
            ConfigError::InvalidOrganizationPattern(error) => write!(
                f,
                "Invalid pattern \"{}\" in organizationSyncOptions: {error}",
                error.pattern()
            ),
            ConfigError::InvalidRedirectOrigin(value) => write!(
                f,
                "Invalid entry {value:?} in `allowedRedirectOrigins`: give origins only, e.g. \
                 https://satellite.example.com (scheme, host and optional port; no path)."
            ),
            ConfigError::InvalidApiVersion => {
                f.write_str("Invalid `apiVersion`: use a Backend API version such as \"v1\".")
            }
            ConfigError::InvalidOptions(why) => write!(f, "Invalid options: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A URL option: absolute, or a path on the current site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UrlOption {
    /// An absolute http(s) URL, kept as written (Clerk passes the string on).
    Absolute(String),
    /// A path starting with a single `/`.
    Path(String),
}

impl UrlOption {
    /// The option as configured.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            UrlOption::Absolute(text) | UrlOption::Path(text) => text,
        }
    }
}

/// The validated configuration.
pub struct AuthConfig {
    pub(crate) publishable_key: PublishableKey,
    pub(crate) secret_key: String,
    pub(crate) sign_in_url: Option<UrlOption>,
    pub(crate) sign_up_url: Option<UrlOption>,
    pub(crate) is_satellite: bool,
    pub(crate) domain: Option<String>,
    pub(crate) proxy_url: Option<UrlOption>,
    pub(crate) satellite_auto_sync: bool,
    pub(crate) organization_sync: OrganizationMatcher,
    pub(crate) trust_forwarded_host: bool,
    pub(crate) allowed_redirect_origins: Vec<String>,
    pub(crate) api_version: String,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("publishable_key", &self.publishable_key.key)
            .field("secret_key", &"<redacted>")
            .field("sign_in_url", &self.sign_in_url)
            .field("is_satellite", &self.is_satellite)
            .field("domain", &self.domain)
            .field("proxy_url", &self.proxy_url)
            .field("trust_forwarded_host", &self.trust_forwarded_host)
            .finish_non_exhaustive()
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

fn url_option(
    option: &'static str,
    value: Option<String>,
) -> Result<Option<UrlOption>, ConfigError> {
    let Some(value) = non_empty(value) else {
        return Ok(None);
    };
    let invalid = |problem| ConfigError::InvalidUrl { option, problem };
    if value.chars().any(|c| c.is_control()) {
        return Err(invalid("it contains control characters (such as CR or LF)"));
    }
    if value.starts_with("http://") || value.starts_with("https://") {
        return url::Url::parse(&value)
            .map(|_| Some(UrlOption::Absolute(value)))
            .map_err(|_| invalid("it is not a valid URL"));
    }
    if value.starts_with("//") || value.starts_with("/\\") {
        return Err(invalid(
            "a protocol-relative URL (//host) would leave this site",
        ));
    }
    if value.starts_with('/') {
        return Ok(Some(UrlOption::Path(value)));
    }
    Err(invalid(
        "it is neither an absolute http(s) URL nor a path starting with /",
    ))
}

/// Whether the secret key is a development key (`sk_test_` or legacy `test_`).
pub(crate) fn is_development_secret_key(key: &str) -> bool {
    key.starts_with("sk_test_") || key.starts_with("test_")
}

impl AuthConfig {
    /// Validates `options`.
    pub fn new(options: AuthOptions) -> Result<AuthConfig, ConfigError> {
        let key = non_empty(options.publishable_key).ok_or(ConfigError::MissingPublishableKey)?;
        let publishable_key =
            PublishableKey::parse(&key).map_err(ConfigError::InvalidPublishableKey)?;
        let secret_key = non_empty(options.secret_key).ok_or(ConfigError::MissingSecretKey)?;
        let sign_in_url = url_option("signInUrl", options.sign_in_url)?;
        let sign_up_url = url_option("signUpUrl", options.sign_up_url)?;
        let proxy_url = url_option("proxyUrl", options.proxy_url)?;
        let domain = non_empty(options.domain);
        if let Some(domain) = &domain {
            let bad = |c: char| c.is_control() || c.is_whitespace() || "/\\?#@".contains(c);
            if domain.contains("://") || domain.chars().any(bad) {
                return Err(ConfigError::InvalidDomain);
            }
        }
        if options.is_satellite {
            if proxy_url.is_none() && domain.is_none() {
                return Err(ConfigError::SatelliteWithoutDomainOrProxy);
            }
            // Clerk requires this for development keys, and for any key throws on every request
            // with an `Origin` header when the URL is relative; we refuse it once, here.
            let relative = matches!(sign_in_url, Some(UrlOption::Path(_)));
            let development = is_development_secret_key(&secret_key)
                || publishable_key.instance_type == InstanceType::Development;
            let missing = sign_in_url.is_none() && development;
            if relative || missing {
                return Err(ConfigError::SatelliteSignInUrl);
            }
        }
        let organization_sync =
            OrganizationMatcher::new(&options.organization_sync_options.unwrap_or_default())
                .map_err(ConfigError::InvalidOrganizationPattern)?;
        let allowed_redirect_origins = options
            .allowed_redirect_origins
            .into_iter()
            .map(|value| match url::Url::parse(&value) {
                Ok(url)
                    if matches!(url.scheme(), "http" | "https")
                        && url.origin().ascii_serialization() == value.trim_end_matches('/') =>
                {
                    Ok(url.origin().ascii_serialization())
                }
                _ => Err(ConfigError::InvalidRedirectOrigin(value)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let api_version = non_empty(options.api_version).unwrap_or_else(|| "v1".to_owned());
        let version_ok = api_version
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !version_ok {
            return Err(ConfigError::InvalidApiVersion);
        }
        Ok(AuthConfig {
            publishable_key,
            secret_key,
            sign_in_url,
            sign_up_url,
            is_satellite: options.is_satellite,
            domain,
            proxy_url,
            satellite_auto_sync: options.satellite_auto_sync,
            organization_sync,
            trust_forwarded_host: options.trust_forwarded_host,
            allowed_redirect_origins,
            api_version,
        })
    }

    /// Parses and validates a JSON options object.
    pub fn from_json(json: &str) -> Result<AuthConfig, ConfigError> {
        let options: AuthOptions =
            serde_json::from_str(json).map_err(|e| ConfigError::InvalidOptions(e.to_string()))?;
        AuthConfig::new(options)
    }

    /// Development or production, from the publishable key (drives the decision table).
    pub fn instance_type(&self) -> InstanceType {
        self.publishable_key.instance_type
    }

    /// Whether the secret key is a development key (drives the dev-browser redirect parameter).
    pub(crate) fn secret_is_development(&self) -> bool {
        is_development_secret_key(&self.secret_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK: &str = "pk_test_Y2xlcmsuaW5jbHVkZWQua2F0eWRpZC05Mi5sY2wuZGV2JA";

    fn config(json: &str) -> Result<AuthConfig, ConfigError> {
        AuthConfig::from_json(json)
    }

    #[test]
    fn refuses_unworkable_configurations_with_codes() {
        let base = format!(r#""publishableKey":"{PK}","secretKey":"sk_test_x""#);
        let code = |extra: &str| {
            config(&format!("{{{base}{extra}}}"))
                .err()
                .map(|e| e.code())
        };
        assert_eq!(code(""), None);
        assert_eq!(code(r#","signInUrl":"/sign-in""#), None);
        assert_eq!(
            code(r#","signInUrl":"//evil.test""#),
            Some("invalid-url-option")
        );
        assert_eq!(
            code(r#","signInUrl":"/a\r\nb""#),
            Some("invalid-url-option")
        );
        assert_eq!(
            code(r#","signInUrl":"sign-in""#),
            Some("invalid-url-option")
        );
        assert_eq!(
            code(r#","isSatellite":true"#),
            Some("satellite-missing-domain-or-proxy-url")
        );
        assert_eq!(
            code(r#","isSatellite":true,"domain":"sat.test","signInUrl":"/sign-in""#),
            Some("satellite-missing-sign-in-url")
        );
        assert_eq!(
            code(r#","domain":"https://sat.test""#),
            Some("invalid-domain")
        );
        assert_eq!(
            code(r#","organizationSyncOptions":{"organizationPatterns":["/orgs/*"]}"#),
            Some("invalid-organization-pattern")
        );
        assert_eq!(
            code(r#","allowedRedirectOrigins":["https://a.test/x"]"#),
            Some("invalid-redirect-origin")
        );
        assert_eq!(code(r#","apiVersion":"2""#), Some("invalid-api-version"));
        assert_eq!(config("{}").unwrap_err().code(), "missing-publishable-key");
        assert_eq!(
            config(&format!(r#"{{"publishableKey":"{PK}"}}"#))
                .unwrap_err()
                .code(),
            "missing-secret-key"
        );
        assert_eq!(
            config(r#"{"isSatellite":"yes"}"#).unwrap_err().code(),
            "invalid-options"
        );
        assert!(!format!("{:?}", config(&format!("{{{base}}}")).unwrap()).contains("sk_test_x"));
    }
}
