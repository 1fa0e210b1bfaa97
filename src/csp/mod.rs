//! Content-Security-Policy headers exactly as Clerk's `contentSecurityPolicy` middleware option
//! builds them (`@clerk/nextjs` 7.8.0, `server/content-security-policy.ts`).
//!
//! # Design choices
//! * **Clerk's bytes.** Default directives, merging, quoting, `none`, ordering, header names and
//!   header order equal Clerk's output on every case of `tests/data/csp-vectors.json` and on
//!   generated option sets (`tests/js/csp-clerk.test.js` runs Clerk's own builder).
//! * **The nonce comes from the host.** The core does no IO, and randomness is IO: the JS shim draws
//!   16 bytes from `crypto.getRandomValues` per request (what Clerk does) and passes them in. Using
//!   `getrandom` inside wasm would call the same `crypto.getRandomValues`, but through an import the
//!   host cannot see or stub, and it would make this function impure (untestable with fixed vectors).
//!   A strict policy without a nonce is an error, never a policy without one.
//! * **Refuse what would silently differ from what was written** ([`CspOptions`]): misspelt
//!   directives, values that inject `;`/`,`, header-breaking characters. Clerk accepts all of these.
//!
//! ```
//! use portcullis::csp::{content_security_policy, CspOptions, Nonce};
//!
//! let options = CspOptions { strict: true, ..CspOptions::default() };
//! let nonce = Nonce::from_bytes(&[7; 16]).unwrap();
//! let csp = content_security_policy(&options, "clerk.example.com", true, Some(&nonce)).unwrap();
//! assert_eq!(csp.headers[0].0, "content-security-policy");
//! assert!(csp.headers[0].1.contains("'strict-dynamic' 'nonce-BwcHBwcHBwcHBwcHBwcHBw=='"));
//! assert_eq!(csp.headers[1], ("x-nonce", "BwcHBwcHBwcHBwcHBwcHBw==".to_owned()));
//! ```

mod error;
mod options;
mod policy;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

pub use error::CspError;
pub use options::{CspOptions, DIRECTIVE_NAMES};

/// `content-security-policy`.
pub const HEADER: &str = "content-security-policy";
/// `content-security-policy-report-only`.
pub const HEADER_REPORT_ONLY: &str = "content-security-policy-report-only";
/// `reporting-endpoints`.
pub const HEADER_REPORTING_ENDPOINTS: &str = "reporting-endpoints";
/// `x-nonce`: the nonce, for server components that render `<script nonce>`.
pub const HEADER_NONCE: &str = "x-nonce";

/// A per-request nonce: standard base64 of the random bytes (Clerk's `btoa`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nonce(String);

impl Nonce {
    /// Encodes 16 to 64 random bytes (Clerk uses 16).
    pub fn from_bytes(bytes: &[u8]) -> Result<Nonce, CspError> {
        if (16..=64).contains(&bytes.len()) {
            Ok(Nonce(STANDARD.encode(bytes)))
        } else {
            Err(CspError::InvalidNonce { bytes: bytes.len() })
        }
    }

    /// The base64 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The headers to set, in Clerk's order (`reporting-endpoints`, the policy, `x-nonce`), and the
/// nonce when the policy is strict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspHeaders {
    /// `(name, value)` pairs.
    pub headers: Vec<(&'static str, String)>,
    /// The nonce used (strict policies only).
    pub nonce: Option<String>,
}

/// Builds the headers for one response. `frontend_api` is the Frontend API host from the
/// publishable key (bare host, no scheme); `production` drops `'unsafe-eval'` from `script-src`;
/// `nonce` is required when `options.strict` (and ignored otherwise, as Clerk draws none then).
pub fn content_security_policy(
    options: &CspOptions,
    frontend_api: &str,
    production: bool,
    nonce: Option<&Nonce>,
) -> Result<CspHeaders, CspError> {
    options::check_source(frontend_api).map_err(|problem| {
        CspError::option_error("frontendApi", format!("the Frontend API host {problem}"))
    })?;
    if frontend_api.contains([' ', '\'', '"']) {
        return Err(CspError::option_error(
            "frontendApi",
            "expected the bare Frontend API host from the publishable key (e.g. clerk.example.com)",
        ));
    }
    let nonce = match (options.strict, nonce) {
        (true, None) => return Err(CspError::MissingNonce),
        (true, Some(nonce)) => Some(nonce.as_str()),
        (false, _) => None,
    };

    let mut directives = policy::defaults(production);
    policy::add(
        default_directive(&mut directives, "connect-src"),
        frontend_api.to_owned(),
    );
    if let Some(nonce) = nonce {
        let script = default_directive(&mut directives, "script-src");
        script.retain(|source| source != "http:" && source != "https:");
        policy::add(script, "'strict-dynamic'".to_owned());
        policy::add(script, format!("'nonce-{nonce}'"));
    }
    for (name, values) in &options.directives {
        let existing = directives.iter().position(|(n, _)| n == name);
        let merged = policy::merged(
            existing
                .filter(|_| policy::is_default(name))
                .map(|i| directives[i].1.as_slice()),
            values,
        );
        match existing {
            Some(i) => directives[i].1 = merged,
            None => directives.push((name.clone(), merged)),
        }
    }

    let mut value = policy::format_header(directives);
    let mut headers = Vec::with_capacity(3);
    if let Some(url) = &options.report_to {
        value.push_str("; report-to csp-endpoint");
        headers.push((
            HEADER_REPORTING_ENDPOINTS,
            format!("csp-endpoint=\"{url}\""),
        ));
    }
    let name = if options.report_only {
        HEADER_REPORT_ONLY
    } else {
        HEADER
    };
    headers.push((name, value));
    if let Some(nonce) = nonce {
        headers.push((HEADER_NONCE, nonce.to_owned()));
    }
    Ok(CspHeaders {
        headers,
        nonce: nonce.map(str::to_owned),
    })
}

/// One of the default directives' source lists (always present in `policy::defaults`).
fn default_directive<'a>(
    directives: &'a mut [(String, Vec<String>)],
    name: &str,
) -> &'a mut Vec<String> {
    let i = directives
        .iter()
        .position(|(n, _)| n == name)
        .unwrap_or_else(|| unreachable!("{name} is a default directive"));
    &mut directives[i].1
}
