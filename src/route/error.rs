//! The one error a route list can have: a pattern that does not compile.

use std::fmt;

use crate::jsregex::RegexError;

/// A route pattern that cannot be compiled. Raised when the matcher is created, never per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pattern: String,
    detail: String,
    hint: Option<&'static str>,
}

impl PatternError {
    /// A path-to-regexp syntax error (same wording as path-to-regexp 6).
    pub(crate) fn path(pattern: &str, detail: String) -> Self {
        let hint = if detail.starts_with("Unexpected MODIFIER") && pattern.contains('*') {
            Some(
                "path-to-regexp 6 has no bare `*` wildcard: write `/foo(.*)` to match any suffix, or \
                 `/foo/:path*` to match whole segments below /foo",
            )
        } else {
            None
        };
        PatternError {
            pattern: pattern.to_owned(),
            detail,
            hint,
        }
    }

    /// The pattern's regular expression is invalid or uses a construct we refuse.
    pub(crate) fn regex(pattern: &str, error: RegexError) -> Self {
        PatternError {
            pattern: pattern.to_owned(),
            hint: error.hint(),
            detail: error.to_string(),
        }
    }

    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        "invalid-route-pattern"
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The first lines are Clerk's wording, so existing log searches still find them.
        write!(
            f,
            "Invalid path: {}.\nConsult the documentation of path-to-regexp here: \
             https://github.com/pillarjs/path-to-regexp/tree/6.x\n{}",
            self.pattern, self.detail
        )?;
        if let Some(hint) = self.hint {
            write!(f, "\nFix: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PatternError {}
