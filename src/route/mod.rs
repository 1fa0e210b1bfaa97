//! `createRouteMatcher`: Clerk's route patterns, compiled once, matched in linear time.
//!
//! A string pattern goes through the same three steps as in Clerk's vendored path-to-regexp 6:
//! `lexer` → `parser` → `source` (the JavaScript regular-expression source, with the `i` flag).
//! That source is then compiled by [`crate::jsregex`], which reproduces JavaScript's matching
//! semantics without backtracking.

pub(crate) mod capture;
mod error;
mod lexer;
mod parser;
mod source;

use std::borrow::Cow;

pub use error::PatternError;

use crate::jsregex::{Flags, Regex, RegexSet};
use crate::path::{normalize_path, MalformedUrlError};

/// One entry of a route list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutePattern {
    /// A path-to-regexp 6 string such as `/dashboard(.*)` or `/orgs/:slug/:rest*`.
    Path(String),
    /// A regular expression used as given (JavaScript syntax and flags), like a `RegExp` in Clerk.
    Regex {
        /// The expression's source, as `RegExp.prototype.source` shows it.
        source: String,
        /// Its flags; `i`, `m` and `s` are supported.
        flags: String,
    },
}

/// A compiled route list. An empty list matches nothing (and never looks at the path).
#[derive(Debug)]
pub struct RouteMatcher {
    set: Option<RegexSet>,
}

impl RouteMatcher {
    /// Compiles every pattern once. Errors name the pattern and the fix.
    pub fn new<I>(patterns: I) -> Result<Self, PatternError>
    where
        I: IntoIterator<Item = RoutePattern>,
    {
        let mut regexes = Vec::new();
        for pattern in patterns {
            regexes.push(compile(&pattern)?);
        }
        let set = (!regexes.is_empty()).then(|| RegexSet::new(regexes));
        Ok(RouteMatcher { set })
    }

    /// Convenience for string patterns only.
    pub fn from_paths<S: AsRef<str>>(paths: &[S]) -> Result<Self, PatternError> {
        Self::new(
            paths
                .iter()
                .map(|p| RoutePattern::Path(p.as_ref().to_owned())),
        )
    }

    /// True when the list had no patterns.
    pub fn is_empty(&self) -> bool {
        self.set.is_none()
    }

    /// Normalises `pathname` like Clerk and tests every pattern.
    ///
    /// As in Clerk, an empty list answers `false` without normalising (so it never errors).
    pub fn matches(&self, pathname: &str) -> Result<bool, MalformedUrlError> {
        let Some(set) = &self.set else {
            return Ok(false);
        };
        let normalized: Cow<'_, str> = normalize_path(pathname)?;
        Ok(set.is_match(&normalized))
    }

    /// Tests a pathname that was already normalised with [`normalize_path`].
    pub fn matches_normalized(&self, normalized: &str) -> bool {
        self.set
            .as_ref()
            .is_some_and(|set| set.is_match(normalized))
    }
}

/// Compiles one pattern into a JavaScript-semantics regex.
fn compile(pattern: &RoutePattern) -> Result<Regex, PatternError> {
    match pattern {
        RoutePattern::Path(path) => {
            let tokens = lexer::lex(path).map_err(|e| PatternError::path(path, e))?;
            let parts = parser::parse(&tokens).map_err(|e| PatternError::path(path, e))?;
            let source = source::regex_source(&parts).map_err(|e| PatternError::path(path, e))?;
            Regex::new(&source, Flags::IGNORE_CASE).map_err(|e| PatternError::regex(path, e))
        }
        RoutePattern::Regex { source, flags } => {
            let flags = Flags::parse(flags).map_err(|e| PatternError::regex(source, e))?;
            Regex::new(source, flags).map_err(|e| PatternError::regex(source, e))
        }
    }
}
