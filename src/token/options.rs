//! Verification options from their JavaScript/JSON form (Clerk's option names), validated once.
//!
//! Clerk quietly replaces a non-finite `clockSkewInMs` with 5000 and ignores options of the wrong
//! type; we refuse them with a message naming the option, because a typo in security configuration
//! should stop the deploy, not weaken it silently.

use std::fmt;

use serde_json::{Map, Value};

use super::verify::{Profile, TokenKind, VerifyOptions, DEFAULT_CLOCK_SKEW_MS};
use super::verifying_key::Alg;

/// A verification option with the wrong type or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError {
    /// The option's name, as the caller wrote it.
    pub option: String,
    /// What is wrong and what is expected.
    pub message: String,
}

impl OptionsError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        "invalid-option"
    }
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid option `{}`: {}", self.option, self.message)
    }
}

impl std::error::Error for OptionsError {}

fn error(option: &str, message: impl Into<String>) -> OptionsError {
    OptionsError {
        option: option.to_owned(),
        message: message.into(),
    }
}

/// A string or a list of strings (`audience`, `issuer`); `undefined`/`null` is an empty list.
fn strings(options: &Map<String, Value>, name: &str) -> Result<Vec<String>, OptionsError> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| error(name, "every entry must be a string"))
            })
            .collect(),
        Some(_) => Err(error(name, "expected a string or an array of strings")),
    }
}

impl VerifyOptions {
    /// Reads `profile`, `algorithms`, `authorizedParties`, `audience`, `clockSkewInMs`, `issuer`
    /// `acceptTemplateTokens` and `tokenKind` (`session`, `m2m` or `oauth`). Other keys are left to the caller (keys, fetching, caching).
    pub fn from_json(options: &Map<String, Value>) -> Result<VerifyOptions, OptionsError> {
        let profile = match options.get("profile") {
            None | Some(Value::Null) => Profile::Clerk,
            Some(Value::String(p)) if p == "clerk" => Profile::Clerk,
            Some(Value::String(p)) if p == "oidc" => Profile::Oidc,
            Some(other) => {
                return Err(error(
                    "profile",
                    format!("expected \"clerk\" or \"oidc\", got {other}"),
                ))
            }
        };
        let algorithms = strings(options, "algorithms")?
            .iter()
            .map(|name| {
                Alg::from_name(name).ok_or_else(|| {
                    error(
                        "algorithms",
                        format!("{name} is not supported; use RS256, RS384, RS512, ES256 or EdDSA"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let authorized_parties = match options.get("authorizedParties") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(_)) => strings(options, "authorizedParties")?,
            Some(_) => {
                return Err(error(
                    "authorizedParties",
                    "expected an array of origins, e.g. ['https://example.com']",
                ))
            }
        };
        let clock_skew_ms = match options.get("clockSkewInMs") {
            None | Some(Value::Null) => DEFAULT_CLOCK_SKEW_MS,
            Some(Value::Number(n)) => match n.as_f64() {
                Some(ms) if (0.0..=86_400_000.0).contains(&ms) => ms as u64,
                _ => {
                    return Err(error(
                        "clockSkewInMs",
                        format!("expected milliseconds between 0 and 86400000, got {n}"),
                    ))
                }
            },
            Some(other) => {
                return Err(error(
                    "clockSkewInMs",
                    format!("expected a number of milliseconds, got {other}"),
                ))
            }
        };
        let accept_template_tokens = match options.get("acceptTemplateTokens") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(error("acceptTemplateTokens", "expected true or false")),
        };
        let token_kind = match options.get("tokenKind") {
            None | Some(Value::Null) => TokenKind::Session,
            Some(Value::String(k)) if k == "session" => TokenKind::Session,
            Some(Value::String(k)) if k == "m2m" => TokenKind::M2m,
            Some(Value::String(k)) if k == "oauth" => TokenKind::OAuth,
            Some(other) => {
                return Err(error(
                    "tokenKind",
                    format!("expected \"session\", \"m2m\" or \"oauth\", got {other}"),
                ))
            }
        };
        Ok(VerifyOptions {
            token_kind,
            profile,
            algorithms,
            authorized_parties,
            audience: strings(options, "audience")?,
            clock_skew_ms,
            issuers: strings(options, "issuer")?,
            accept_template_tokens,
        })
    }
}
