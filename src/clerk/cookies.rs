//! `Cookie` header parsing exactly like the npm `cookie` package (1.x) Clerk uses: split on `;`,
//! the *first* occurrence of a name wins, names and values are trimmed of spaces and tabs, and a
//! value containing `%` is `decodeURIComponent`-decoded (left as is when that fails). An encoded
//! `;` or `=` therefore never starts a new cookie.

use std::collections::HashMap;

/// Parsed request cookies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cookies {
    map: HashMap<String, String>,
}

impl Cookies {
    /// Parses a `Cookie` header value.
    pub fn parse(header: &str) -> Cookies {
        let mut map = HashMap::new();
        let len = header.len();
        if len < 2 {
            return Cookies { map };
        }
        let mut index = 0;
        while index < len {
            let Some(eq) = header[index..].find('=').map(|i| i + index) else {
                break;
            };
            let end = header[index..].find(';').map_or(len, |i| i + index);
            if eq > end {
                // `name;` without a value: resume after the last `;` before this `=`.
                index = header[..eq].rfind(';').map_or(0, |i| i + 1);
                continue;
            }
            let name = trim(&header[index..eq]);
            if !map.contains_key(name) {
                map.insert(
                    name.to_owned(),
                    decode_component(trim(&header[eq + 1..end])),
                );
            }
            index = end + 1;
        }
        Cookies { map }
    }

    /// A cookie's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// `decodeURIComponent`, or the input unchanged when it is not well-formed.
fn decode_component(value: &str) -> String {
    if !value.contains('%') {
        return value.to_owned();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            match (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => return value.to_owned(),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    // decodeURIComponent refuses byte sequences that are not UTF-8; so do we.
    String::from_utf8(out).unwrap_or_else(|_| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_cookie_package() {
        let c = Cookies::parse(
            "__session=a; __session=b;\t__client_uat = 17 ;flag; x=%3B%3Dy; bad=%E0%A4%A; q=\"v\"",
        );
        assert_eq!(c.get("__session"), Some("a"), "first occurrence wins");
        assert_eq!(c.get("__client_uat"), Some("17"));
        assert_eq!(
            c.get("x"),
            Some(";=y"),
            "encoded ; and = stay inside the value"
        );
        assert_eq!(c.get("bad"), Some("%E0%A4%A"), "malformed escapes are kept");
        assert_eq!(c.get("q"), Some("\"v\""), "quotes are not stripped");
        assert_eq!(c.get("flag"), None);
        assert_eq!(Cookies::parse("a").get("a"), None);
        assert_eq!(Cookies::parse("a=1;b;c=3").get("c"), Some("3"));
    }
}
