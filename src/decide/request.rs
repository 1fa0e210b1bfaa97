//! The request as the host saw it, and the URL Clerk calls `clerkUrl`.
//!
//! The host passes a plain snapshot (method, URL, headers): no body, no IO. Header names are matched
//! case-insensitively and values are trimmed of HTTP white space, as the Fetch `Headers` class does.
//! Pass *all* request headers: the session-refresh call forwards them to Clerk, as Clerk does.
//!
//! `clerkUrl` is the URL users are sent back to after a handshake or sign-in. Clerk derives it from
//! `X-Forwarded-Host`/`X-Forwarded-Proto` (then `Host`); we do that only when the configuration says
//! `trustForwardedHost: true`, and otherwise use the request URL itself — a client that can set
//! those headers must not choose where the redirect goes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use super::error::DecideError;
use crate::clerk::Cookies;

/// Every request header a decision reads (lower-case, sorted), apart from the session refresh,
/// which forwards all of them to Clerk. Two requests with the same method, URL and values of these
/// headers get the same decision at the same time, unless the engine asks the host to refresh a
/// session — which is what lets a host remember a decision (js/decision-memo.js) without
/// keying it on headers that change with every request (`cf-ray`, `x-forwarded-for`, …). Debug
/// builds check every read against this list, so a new read fails the tests until it is added.
pub const DECISION_HEADERS: [&str; 9] = [
    "accept",
    "authorization",
    "cookie",
    "host",
    "origin",
    "referer",
    "sec-fetch-dest",
    "x-forwarded-host",
    "x-forwarded-proto",
];

/// What the engine reads from a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestSnapshot {
    /// The HTTP method.
    pub method: String,
    /// The absolute request URL (`request.url`).
    pub url: String,
    /// Request headers, any case (`Object.fromEntries(request.headers)`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl RequestSnapshot {
    /// A snapshot from a method, a URL and header pairs.
    pub fn new<'a>(
        method: &str,
        url: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        RequestSnapshot {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

/// A parsed snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// Normalised like `new Request()` does (`get` → `GET`).
    pub method: String,
    pub url: Url,
    pub clerk_url: Url,
    headers: BTreeMap<String, String>,
    pub cookies: Cookies,
}

fn is_http_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Fetch's method normalisation: the six standard methods are upper-cased, others kept.
fn normalize_method(method: &str) -> String {
    const STANDARD: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    STANDARD
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned())
}

impl Request {
    pub(crate) fn new(
        snapshot: &RequestSnapshot,
        trust_forwarded: bool,
    ) -> Result<Self, DecideError> {
        let url = Url::parse(&snapshot.url).map_err(|_| DecideError::InvalidRequestUrl)?;
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &snapshot.headers {
            let value = value.trim_matches(is_http_space);
            headers
                .entry(name.to_ascii_lowercase())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(value);
                })
                .or_insert_with(|| value.to_owned());
        }
        let cookies = Cookies::parse(headers.get("cookie").map_or("", String::as_str));
        let mut request = Request {
            method: normalize_method(&snapshot.method),
            clerk_url: url.clone(),
            url,
            headers,
            cookies,
        };
        if trust_forwarded {
            request.clerk_url = request.forwarded_url();
        }
        Ok(request)
    }

    /// `headers.get(name)`: present, possibly empty.
    pub(crate) fn raw_header(&self, name: &str) -> Option<&str> {
        debug_assert!(
            DECISION_HEADERS.contains(&name),
            "the engine reads the header {name:?}: add it to DECISION_HEADERS"
        );
        self.headers.get(name).map(String::as_str)
    }

    /// `headers.get(name) || undefined`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.raw_header(name).filter(|v| !v.is_empty())
    }

    /// All headers, lower-case names, in `Headers` iteration order (sorted).
    pub(crate) fn headers(&self) -> &BTreeMap<String, String> {
        &self.headers
    }

    /// A cookie's value, `undefined` when empty.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).filter(|v| !v.is_empty())
    }

    /// Clerk's `ClerkRequest.deriveUrlFromHeaders`.
    fn forwarded_url(&self) -> Url {
        let first = |name: &str| {
            self.raw_header(name)
                .map(|v| v.split(',').next().unwrap_or(""))
        };
        let host = first("x-forwarded-host").or_else(|| self.raw_header("host"));
        let scheme = self.url.scheme();
        let proto = first("x-forwarded-proto").unwrap_or(scheme);
        let own_origin = self.url.origin().ascii_serialization();
        let origin = match host {
            Some(host) if !host.is_empty() && !proto.is_empty() => format!("{proto}://{host}"),
            _ => return self.url.clone(),
        };
        if origin == own_origin {
            return self.url.clone();
        }
        let search = match self.url.query() {
            Some(query) if !query.is_empty() => format!("?{query}"),
            _ => String::new(),
        };
        Url::parse(&origin)
            .and_then(|base| base.join(&format!("{}{search}", self.url.path())))
            .unwrap_or_else(|_| self.url.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str, headers: &[(&str, &str)], trust: bool) -> Request {
        Request::new(
            &RequestSnapshot::new("get", url, headers.iter().copied()),
            trust,
        )
        .unwrap()
    }

    #[test]
    fn clerk_url_uses_forwarded_headers_only_when_trusted() {
        let headers = [
            ("X-Forwarded-Host", "evil.test, proxy"),
            ("x-forwarded-proto", "http"),
            ("Host", "app.test"),
        ];
        let trusted = request("https://internal:3000/p?q=1#h", &headers, true);
        assert_eq!(trusted.clerk_url.as_str(), "http://evil.test/p?q=1");
        assert_eq!(trusted.method, "GET");
        let untrusted = request("https://internal:3000/p?q=1#h", &headers, false);
        assert_eq!(
            untrusted.clerk_url.as_str(),
            "https://internal:3000/p?q=1#h"
        );
        let host_only = request("https://internal/p", &[("host", "app.test")], true);
        assert_eq!(host_only.clerk_url.as_str(), "https://app.test/p");
        let same = request("https://app.test/p#h", &[("host", "app.test")], true);
        assert_eq!(
            same.clerk_url.as_str(),
            "https://app.test/p#h",
            "same origin keeps the URL"
        );
        let empty = request(
            "https://app.test/p",
            &[("x-forwarded-host", ""), ("host", "other.test")],
            true,
        );
        assert_eq!(
            empty.clerk_url.as_str(),
            "https://app.test/p",
            "an empty forwarded host wins over Host"
        );
        let bad = request("https://app.test/p", &[("x-forwarded-host", "a b")], true);
        assert_eq!(
            bad.clerk_url.as_str(),
            "https://app.test/p",
            "invalid host: request URL"
        );
    }

    #[test]
    fn headers_are_case_insensitive_and_trimmed() {
        let r = request(
            "https://a.test/",
            &[("Accept", " text/html "), ("cookie", "a=1; b=2")],
            false,
        );
        assert_eq!(r.header("accept"), Some("text/html"));
        assert_eq!(r.cookie("b"), Some("2"));
        assert!(Request::new(&RequestSnapshot::new("GET", "/relative", []), false).is_err());
    }

    #[test]
    fn decision_headers_are_lower_case_sorted_and_include_the_cookie() {
        assert!(DECISION_HEADERS.windows(2).all(|w| w[0] < w[1]));
        assert!(DECISION_HEADERS
            .iter()
            .all(|h| *h == h.to_ascii_lowercase()));
        assert!(DECISION_HEADERS.contains(&"cookie"));
    }

    #[test]
    #[should_panic(expected = "add it to DECISION_HEADERS")]
    #[cfg(debug_assertions)]
    fn reading_an_unlisted_header_fails_in_debug_builds() {
        request("https://a.test/", &[("user-agent", "x")], false).header("user-agent");
    }
}
