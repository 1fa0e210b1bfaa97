//! Pathname normalisation before route matching, exactly like Clerk's `normalizePath`.
//!
//! Clerk (≥ 7.2.1, the fix for CVE-2026-41248) runs `decodeURI(pathname)` and then collapses runs of
//! `/` before testing route patterns, so `/api/%61dmin` and `//api/admin` cannot slip past
//! `/api/admin(.*)`. We reproduce that to the letter:
//! * percent-escapes are decoded **once** (`%2561` becomes `%61`, not `a`);
//! * escapes of the reserved set `; / ? : @ & = + $ , #` stay as written (so `%2F` never becomes a
//!   separator and `%2f` keeps its case);
//! * an escape that is not `%` + two hex digits, or bytes that are not one well-formed UTF-8 sequence
//!   (overlong forms, surrogates, stray continuation bytes), is a [`MalformedUrlError`] (HTTP 400);
//! * `.` and `..` segments are **not** resolved: that is the router's job, and resolving them here
//!   would make us disagree with the route that actually serves the request.

use std::borrow::Cow;
use std::fmt;

/// The characters `decodeURI` leaves encoded (ECMA-262 `uriReserved` plus `#`).
const RESERVED: &[u8] = b";/?:@&=+$,#";

/// A pathname whose percent-encoding is malformed. Clerk answers such requests with a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedUrlError {
    /// The pathname as received.
    pub path: String,
}

impl MalformedUrlError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        "malformed-url"
    }

    /// The HTTP status a middleware answers with.
    pub fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for MalformedUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Clerk's exact message, so logs and tests read the same.
        write!(f, "Malformed encoding in URL path: {}", self.path)
    }
}

impl std::error::Error for MalformedUrlError {}

/// Normalises `pathname` for route matching: `decodeURI` once, then collapse `//+` into `/`.
///
/// Borrows when nothing changes, which is the common case.
pub fn normalize_path(pathname: &str) -> Result<Cow<'_, str>, MalformedUrlError> {
    let decoded = decode_uri(pathname)?;
    if !decoded.contains("//") {
        return Ok(decoded);
    }
    let mut out = String::with_capacity(decoded.len());
    let mut previous_slash = false;
    for c in decoded.chars() {
        let slash = c == '/';
        if !(slash && previous_slash) {
            out.push(c);
        }
        previous_slash = slash;
    }
    Ok(Cow::Owned(out))
}

/// ECMA-262 `decodeURI`: decodes escapes except those of [`RESERVED`], validating UTF-8 strictly.
fn decode_uri(input: &str) -> Result<Cow<'_, str>, MalformedUrlError> {
    let bytes = input.as_bytes();
    let Some(first) = bytes.iter().position(|&b| b == b'%') else {
        return Ok(Cow::Borrowed(input));
    };
    let malformed = || MalformedUrlError {
        path: input.to_owned(),
    };
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut i = first;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let lead = escaped_byte(bytes, i).ok_or_else(malformed)?;
        if lead < 0x80 {
            if RESERVED.contains(&lead) {
                out.extend_from_slice(&bytes[i..i + 3]);
            } else {
                out.push(lead);
            }
            i += 3;
            continue;
        }
        let len = match lead.leading_ones() {
            2 => 2,
            3 => 3,
            4 => 4,
            _ => return Err(malformed()),
        };
        let mut sequence = [lead, 0, 0, 0];
        for slot in sequence.iter_mut().take(len).skip(1) {
            i += 3;
            let byte = escaped_byte(bytes, i).ok_or_else(malformed)?;
            if byte & 0xC0 != 0x80 {
                return Err(malformed());
            }
            *slot = byte;
        }
        // `from_utf8` rejects overlong forms, surrogates and code points above U+10FFFF, which is
        // exactly the set of sequences `decodeURI` refuses.
        let decoded = std::str::from_utf8(&sequence[..len]).map_err(|_| malformed())?;
        out.extend_from_slice(decoded.as_bytes());
        i += 3;
    }
    // Only whole, validated sequences and untouched input bytes were copied.
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| malformed())
}

/// The byte encoded by the `%XX` escape at `at`, if it is one.
fn escaped_byte(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    let hex = |b: u8| (b as char).to_digit(16);
    let high = hex(*bytes.get(at + 1)?)?;
    let low = hex(*bytes.get(at + 2)?)?;
    Some((high * 16 + low) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_truncated_and_invalid_sequences() {
        for bad in [
            "/%",
            "/%4",
            "/%zz",
            "/%C3",
            "/%C3%28",
            "/%80",
            "/%C0%AF",
            "/%ED%A0%80",
            "/%F4%90%80%80",
            "/%FF",
        ] {
            assert!(normalize_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keeps_reserved_escapes_verbatim() {
        assert_eq!(normalize_path("/a%2fb%3F%23%25").unwrap(), "/a%2fb%3F%23%");
        assert_eq!(normalize_path("/caf%C3%A9//x").unwrap(), "/café/x");
    }
}
