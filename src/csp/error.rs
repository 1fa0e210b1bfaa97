//! Why no Content-Security-Policy could be built.
//!
//! Every error here is a configuration or programming error, found before any header is emitted:
//! a policy that silently differs from what was written (a misspelt directive the browser ignores,
//! a `;` that starts a new directive) is worse than a failed deploy.

use std::fmt;

/// A refused policy configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CspError {
    /// An option (or directive, or value) with the wrong type or a value that would break the
    /// header. `option` is its path as the caller wrote it (`directives.script-src`).
    InvalidOption {
        /// The option's path.
        option: String,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// `strict` needs a per-request nonce and none was given (a host bug).
    MissingNonce,
    /// The nonce has too few or too many random bytes (a host bug).
    InvalidNonce {
        /// How many bytes were given.
        bytes: usize,
    },
}

impl CspError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CspError::InvalidOption { .. } => "invalid-option",
            CspError::MissingNonce => "missing-nonce",
            CspError::InvalidNonce { .. } => "invalid-nonce",
        }
    }

    /// The option the error is about (`nonce` for the nonce errors).
    pub fn option(&self) -> &str {
        match self {
            CspError::InvalidOption { option, .. } => option,
            CspError::MissingNonce | CspError::InvalidNonce { .. } => "nonce",
        }
    }

    pub(crate) fn option_error(option: impl Into<String>, message: impl Into<String>) -> CspError {
        CspError::InvalidOption {
            option: option.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CspError::InvalidOption { option, message } if option.is_empty() => {
                write!(f, "Invalid option `contentSecurityPolicy`: {message}")
            }
            CspError::InvalidOption { option, message } => {
                write!(f, "Invalid option `contentSecurityPolicy.{option}`: {message}")
            }
            CspError::MissingNonce => f.write_str(
                "A strict Content-Security-Policy needs a fresh nonce per request: pass 16 random bytes.",
            ),
            CspError::InvalidNonce { bytes } => write!(
                f,
                "A Content-Security-Policy nonce needs 16 to 64 random bytes, got {bytes}."
            ),
        }
    }
}

impl std::error::Error for CspError {}
