//! Parsing an untrusted compact JWS, strictly, before anything else looks at it.
//!
//! Nothing read here is trusted: the header only *names* a key and an algorithm, and both names are
//! checked against the configured keys and allow-list later ([`super::verify`]). Strictness is the
//! point — one token, one reading:
//! * exactly three parts, each canonical unpadded base64url (no `=`, no `+`/`/`, no stray bits);
//! * header and payload are JSON objects without duplicate keys;
//! * a size limit, so a hostile header costs nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::error::{invalid, TokenError};
use super::json::parse_object;

/// Tokens longer than this are refused before decoding (a Clerk session token is about 1 KiB).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The protected header fields we read. Others are kept only in `raw`.
#[derive(Debug, Clone)]
pub struct Header {
    /// `alg` as written, when it is a string (not trusted).
    pub alg: Option<String>,
    /// `kid`
    pub kid: Option<String>,
    /// `typ`
    pub typ: Option<String>,
    /// Clerk's token category (`cat`), when it is a string.
    pub cat: Option<String>,
    /// The whole header.
    pub raw: Map<String, Value>,
}

/// A token that has been parsed but not verified. Its claims are not reachable from here except
/// through `token::verify`, which only hands them out after the signature verified.
#[derive(Debug, Clone)]
pub struct UntrustedToken {
    pub(crate) signing_input: String,
    pub(crate) header: Header,
    pub(crate) payload: Map<String, Value>,
    pub(crate) signature: Vec<u8>,
}

impl UntrustedToken {
    /// Parses a compact JWS.
    pub fn parse(token: &str) -> Result<UntrustedToken, TokenError> {
        if token.is_empty() {
            return Err(invalid("The token is empty. Send the session token itself (the __session cookie or `Authorization: Bearer <token>`)."));
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid(format!(
                "The token is {} bytes; the limit is {MAX_TOKEN_BYTES}. Check that the cookie or header holds only the token.",
                token.len()
            )));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(
                "Invalid JWT form. A JWT consists of three base64url parts separated by dots.",
            ));
        };
        let header_bytes = decode_part(header, "header")?;
        let payload_bytes = decode_part(payload, "payload")?;
        let signature = decode_part(signature, "signature")?;
        let raw_header =
            parse_object(&header_bytes).map_err(|why| invalid(format!("The JWT header {why}.")))?;
        let payload = parse_object(&payload_bytes)
            .map_err(|why| invalid(format!("The JWT payload {why}.")))?;
        // `alg` and `cat` of the wrong type are judged later, with their own reasons.
        let header = Header {
            alg: raw_header
                .get("alg")
                .and_then(Value::as_str)
                .map(str::to_owned),
            kid: string_field(&raw_header, "kid")?,
            typ: string_field(&raw_header, "typ")?,
            cat: raw_header
                .get("cat")
                .and_then(Value::as_str)
                .map(str::to_owned),
            raw: raw_header,
        };
        if header.raw.contains_key("crit") {
            // RFC 7515 §4.1.11: a recipient must reject critical extensions it does not understand,
            // and we understand none (e.g. `b64: false` would change what the signature covers).
            return Err(invalid(
                "The JWT header lists critical extensions (`crit`), which are not supported.",
            ));
        }
        Ok(UntrustedToken {
            signing_input: token[..header_len(token)].to_owned(),
            header,
            payload,
            signature,
        })
    }

    /// The header (untrusted).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The bytes the signature covers: `base64url(header) "." base64url(payload)`.
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    /// The decoded signature bytes (not yet checked).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The payload **without** any verification. Only for diagnostics (e.g. reading `iss` to choose
    /// cookies, as Clerk does, or explaining a failure); never for decisions.
    pub fn unverified_payload(&self) -> &Map<String, Value> {
        &self.payload
    }
}

/// Index of the last `.`, i.e. the length of the signing input.
fn header_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

fn decode_part(part: &str, name: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| {
        invalid(format!(
            "The JWT {name} is not canonical unpadded base64url (RFC 7515 §2): no `=`, `+`, `/` or whitespace allowed."
        ))
    })
}

fn string_field(header: &Map<String, Value>, name: &str) -> Result<Option<String>, TokenError> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(invalid(format!(
            "The JWT header field `{name}` must be a string."
        ))),
    }
}
