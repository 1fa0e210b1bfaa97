//! The few JavaScript semantics Clerk's decisions depend on, reproduced exactly.
//!
//! * `URL` / `URLSearchParams`: the `url` crate implements the same WHATWG standard; what it does
//!   not copy is that *every* `searchParams` mutation (even deleting an absent name) re-serialises
//!   the whole query as `application/x-www-form-urlencoded` (`%20` becomes `+`, `?a` becomes `?a=`,
//!   an empty query disappears). Clerk's `redirect_url` values carry those rewrites, so we do too.
//! * `Number(s)`, `parseInt(s)` and `String(n)`: the redirect counter is `Number(cookie) || 0` and
//!   is written back as `n + 1`; `__client_uat` is `parseInt(cookie) || 0`. A cookie of `"0x3"`,
//!   `" 3 "` or `"3.0"` must count exactly as it does in Clerk.

use url::form_urlencoded;
use url::Url;

/// `new URL(input)`.
pub(crate) fn parse_url(input: &str) -> Option<Url> {
    Url::parse(input).ok()
}

/// `url.origin` (`"null"` for opaque origins).
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// `` `${url.hostname}:${url.port}` `` — Clerk's `createRedirect` compares this, not the origin.
pub(crate) fn host_and_port(url: &Url) -> String {
    let port = url.port().map(|p| p.to_string()).unwrap_or_default();
    format!("{}:{port}", url.host_str().unwrap_or(""))
}

/// `url.searchParams.get(name)`.
pub(crate) fn query_get(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `url.searchParams.has(name)`.
pub(crate) fn query_has(url: &Url, name: &str) -> bool {
    url.query_pairs().any(|(key, _)| key == name)
}

fn pairs(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().into_owned().collect()
}

/// The `URLSearchParams` update steps: serialise the list; an empty result removes the query.
fn write(url: &mut Url, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        url.set_query(Some(&query));
    }
}

/// `url.searchParams.append(name, value)`.
pub(crate) fn query_append(url: &mut Url, name: &str, value: &str) {
    let mut list = pairs(url);
    list.push((name.to_owned(), value.to_owned()));
    write(url, &list);
}

/// `url.searchParams.set(name, value)`: replaces the first, drops the others, or appends.
pub(crate) fn query_set(url: &mut Url, name: &str, value: &str) {
    let mut list = pairs(url);
    match list.iter().position(|(key, _)| key == name) {
        Some(first) => {
            list[first].1 = value.to_owned();
            let mut index = 0;
            list.retain(|(key, _)| {
                index += 1;
                index - 1 == first || key != name
            });
        }
        None => list.push((name.to_owned(), value.to_owned())),
    }
    write(url, &list);
}

/// `url.searchParams.delete(name)` (re-serialises even when `name` is absent).
pub(crate) fn query_delete(url: &mut Url, name: &str) {
    let mut list = pairs(url);
    list.retain(|(key, _)| key != name);
    write(url, &list);
}

/// JavaScript's white space and line terminators (`String.prototype.trim`, `Number`, `parseInt`).
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// `Number(text)`.
pub(crate) fn to_number(text: &str) -> f64 {
    let s = text.trim_matches(is_js_space);
    if s.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = s.strip_prefix(prefix) {
            return radix_value(digits, radix).unwrap_or(f64::NAN);
        }
    }
    let (sign, unsigned) = match s.as_bytes()[0] {
        b'-' => (-1.0, &s[1..]),
        b'+' => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !is_decimal_literal(unsigned) {
        return f64::NAN;
    }
    unsigned
        .parse::<f64>()
        .map_or(f64::NAN, |value| sign * value)
}

/// `digits [. digits] | . digits`, then an optional exponent (no `inf`/`nan` words).
fn is_decimal_literal(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && (!int.is_empty() || !frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn radix_value(digits: &str, radix: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    digits.chars().try_fold(0.0, |acc: f64, c| {
        c.to_digit(radix)
            .map(|d| acc * f64::from(radix) + f64::from(d))
    })
}

/// `parseInt(text)` (no radix): leading white space, a sign, `0x` for hex, then the longest run of
/// digits; `NaN` when there is none.
pub(crate) fn parse_int(text: &str) -> f64 {
    let s = text.trim_start_matches(is_js_space);
    let (sign, s) = match s.as_bytes().first() {
        Some(b'-') => (-1.0, &s[1..]),
        Some(b'+') => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    let (radix, s) = match s.get(..2) {
        Some("0x" | "0X") => (16, &s[2..]),
        _ => (10, s),
    };
    let end = s.find(|c: char| !c.is_digit(radix)).unwrap_or(s.len());
    let digits = &s[..end];
    let value = if radix == 10 {
        digits.parse::<f64>().ok()
    } else {
        radix_value(digits, radix)
    };
    value.map_or(f64::NAN, |v| sign * v)
}

/// `x || 0` for a number: `NaN` and `-0` become `0`.
pub(crate) fn or_zero(x: f64) -> f64 {
    if x.is_nan() || x == 0.0 {
        0.0
    } else {
        x
    }
}

/// `String(n)` (`Number.prototype.toString()`): shortest round-trip digits, JavaScript's layout.
pub(crate) fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    if n == 0.0 {
        return "0".to_owned();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if n < 0.0 {
        return format!("-{}", number_to_string(-n));
    }
    // `{:e}` prints the shortest round-trip digits as `d.ddddde±x`.
    let scientific = format!("{n:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("`{:e}` has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let point = exponent.parse::<i32>().expect("integer exponent") + 1;
    if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", e.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_like_javascript() {
        for (text, expected) in [
            ("3", 3.0),
            (" 3 ", 3.0),
            ("3.0", 3.0),
            ("0x3", 3.0),
            ("3e0", 3.0),
            ("", 0.0),
            ("+2", 2.0),
            (".5", 0.5),
            ("5.", 5.0),
        ] {
            assert_eq!(to_number(text), expected, "Number({text:?})");
        }
        for text in ["abc", "3a", "inf", "NaN", "-0x3", "1e", "."] {
            assert!(to_number(text).is_nan(), "Number({text:?})");
        }
        assert_eq!(to_number("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(parse_int("  42abc"), 42.0);
        assert_eq!(parse_int("0x1F"), 31.0);
        assert_eq!(parse_int("-7"), -7.0);
        assert!(parse_int("abc").is_nan() && parse_int("").is_nan());
        assert_eq!(parse_int("1.9"), 1.0);
        for (n, text) in [
            (4.0, "4"),
            (2.5, "2.5"),
            (1e21, "1e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (-1.5, "-1.5"),
            (f64::INFINITY, "Infinity"),
        ] {
            assert_eq!(number_to_string(n), text);
        }
    }

    #[test]
    fn search_params_re_serialise_like_url_search_params() {
        let mut url = parse_url("https://a.test/p?x=%20y&flag&__clerk_db_jwt=1#h").unwrap();
        query_delete(&mut url, "absent");
        assert_eq!(
            url.as_str(),
            "https://a.test/p?x=+y&flag=&__clerk_db_jwt=1#h"
        );
        query_delete(&mut url, "__clerk_db_jwt");
        query_set(&mut url, "x", "1");
        query_append(&mut url, "x", "2 3");
        assert_eq!(url.as_str(), "https://a.test/p?x=1&flag=&x=2+3#h");
        query_set(&mut url, "x", "9");
        assert_eq!(url.as_str(), "https://a.test/p?x=9&flag=#h");
        let mut bare = parse_url("https://a.test/?only").unwrap();
        query_delete(&mut bare, "only");
        assert_eq!(bare.as_str(), "https://a.test/");
        assert_eq!(query_get(&url, "x").as_deref(), Some("9"));
        assert_eq!(
            host_and_port(&parse_url("https://a.test:8443/").unwrap()),
            "a.test:8443"
        );
        assert_eq!(
            origin(&parse_url("https://A.test:443/x").unwrap()),
            "https://a.test"
        );
    }
}
