//! Checking that a verified body is a JSON object, without building it.
//!
//! Why a syntax check rather than a parse: the JS shim parses the body with `JSON.parse` itself (so
//! numbers and strings come out exactly as JavaScript reads them), and serde_json's value parser
//! refuses some bodies `JSON.parse` accepts — nesting deeper than 128 levels (Clerk metadata is
//! user-controlled JSON), escaped lone surrogates, `1e999`. Skipping the value (`IgnoredAny`) walks
//! the text iteratively with JSON's grammar and has none of those limits, so the verdict here is the
//! verdict `JSON.parse` would give.

use serde::de::IgnoredAny;

use super::error::WebhookError;

fn invalid(reason: impl Into<String>) -> WebhookError {
    WebhookError::InvalidPayload {
        reason: reason.into(),
    }
}

/// The body as text, when it is a UTF-8 JSON object (JSON whitespace around it allowed).
pub(crate) fn json_object(body: &[u8]) -> Result<&str, WebhookError> {
    let text = std::str::from_utf8(body).map_err(|error| {
        invalid(format!(
            "the body is not UTF-8 (invalid byte at offset {})",
            error.valid_up_to()
        ))
    })?;
    match text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .chars()
        .next()
    {
        None => return Err(invalid("the body is empty")),
        Some('{') => {}
        Some(_) => return Err(invalid("the body is not a JSON object")),
    }
    serde_json::from_str::<IgnoredAny>(text)
        .map_err(|error| invalid(format!("the body is not valid JSON ({error})")))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_json_parse_accepts() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(5000), "]".repeat(5000));
        for ok in [
            "{}",
            " \r\n\t{\"a\":1} \n",
            r#"{"s":"\ud800"}"#,
            r#"{"n":1e999}"#,
            &deep,
        ] {
            assert!(json_object(ok.as_bytes()).is_ok(), "{ok:.40}");
        }
    }

    #[test]
    fn refuses_what_json_parse_refuses_and_non_objects() {
        for bad in [
            &b""[..],
            b"  ",
            b"[]",
            b"null",
            b"\xef\xbb\xbf{}",
            b"{} x",
            b"{\"a\":01}",
            b"{\"a\":\"\x01\"}",
            b"{\"a\":\"\xff\"}",
            b"{'a':1}",
        ] {
            assert!(
                matches!(json_object(bad), Err(WebhookError::InvalidPayload { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
