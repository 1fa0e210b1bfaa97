//! path-to-regexp 6's `match()`: a pattern's parameters captured from a path.
//!
//! `createRouteMatcher` only asks *whether* a path matches, which our linear-time engine answers
//! without tracking groups. Clerk's `organizationSyncOptions` also needs *what* `:id` / `:slug`
//! captured (§1.5 of CLERK-BEHAVIOUR.md), so this module finds the captures the way JavaScript's
//! backtracking would, without ever backtracking over the whole input:
//!
//! 1. the whole pattern is tested first (linear time); most paths stop here;
//! 2. then the parts are walked left to right. For each part, its candidate extents are tried in the
//!    order V8 would try them (a default parameter is lazy, so shortest first; a greedy custom
//!    pattern or a repeated parameter longest first; an optional part present before absent), and
//!    the first extent after which *the rest of the pattern* matches the rest of the path wins. That
//!    is the extent backtracking settles on, because the rest is then known to succeed.
//!
//! Every test runs on the linear-time engine; a budget bounds the number of tests, so a hostile path
//! against a pathological pattern costs a bounded amount of work ([`Exec::GaveUp`]).
//!
//! Known limit: when a *custom* parameter regex (`:id(a|ab)`) could stop at several places that all
//! let the rest match, the order we try them in (by length) may differ from V8's alternation order.
//! Default parameters (`:id`, `:slug`, `:rest*`) are exact.

use super::error::PatternError;
use super::lexer::lex;
use super::parser::{parse, Name, Part};
use super::source::{escape, regex_source};
use crate::jsregex::{Flags, Regex};

/// At most this many chars read by the sub-tests of one [`MatchPattern::exec`] call: thousands of
/// times what a real path needs, and a few milliseconds of work at worst.
const BUDGET: usize = 1 << 20;

/// A captured parameter: one value, or the segments of a repeated (`*`/`+`) parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParamValue {
    /// `:id`
    One(String),
    /// `:rest*` / `:rest+`, split on prefix + suffix as path-to-regexp does.
    Many(Vec<String>),
}

/// The answer of [`MatchPattern::exec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exec {
    /// The pattern does not match.
    NoMatch,
    /// It matches; the defined parameters in pattern order (`(.*)`-style groups are named `0`, `1`, …).
    Match(Vec<(String, ParamValue)>),
    /// It matches, but finding the captures exceeded the work budget.
    GaveUp,
}

#[derive(Debug)]
enum Piece {
    /// Literal text (case-insensitive, as the pattern has the `i` flag).
    Text(Literal),
    /// `{prefix}{suffix}` without a parameter, with its modifier.
    Group { text: Literal, modifier: char },
    /// A parameter.
    Param(Box<Param>),
}

#[derive(Debug)]
struct Param {
    name: String,
    prefix: Literal,
    suffix: Literal,
    body: Regex,
    modifier: char,
    shortest_first: bool,
    /// Repeated values are split on this (prefix + suffix).
    separator: String,
}

#[derive(Debug)]
struct Literal {
    regex: Regex,
    /// Length in chars (case folding under `i` keeps lengths).
    len: usize,
}

impl Literal {
    fn new(text: &str) -> Result<Literal, String> {
        Ok(Literal {
            regex: anchored(&escape(text))?,
            len: text.chars().count(),
        })
    }
}

fn anchored(source: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{source})$"), Flags::IGNORE_CASE).map_err(|e| e.to_string())
}

/// One pattern compiled for capturing.
#[derive(Debug)]
pub(crate) struct MatchPattern {
    whole: Regex,
    pieces: Vec<Piece>,
    /// `rests[i]` matches what pieces `i..` (plus the optional trailing delimiter) must match.
    rests: Vec<Regex>,
}

impl MatchPattern {
    /// Compiles `pattern` with path-to-regexp 6's default options.
    pub(crate) fn new(pattern: &str) -> Result<MatchPattern, PatternError> {
        let error = |e: String| PatternError::path(pattern, e);
        let parts = parse(&lex(pattern).map_err(error)?).map_err(error)?;
        let regex = |source: &str| {
            Regex::new(source, Flags::IGNORE_CASE).map_err(|e| PatternError::regex(pattern, e))
        };
        let whole = regex(&regex_source(&parts).map_err(error)?)?;
        let mut rests = Vec::with_capacity(parts.len() + 1);
        for start in 0..=parts.len() {
            rests.push(regex(&regex_source(&parts[start..]).map_err(error)?)?);
        }
        let pieces = parts
            .iter()
            .map(piece)
            .collect::<Result<Vec<_>, String>>()
            .map_err(error)?;
        Ok(MatchPattern {
            whole,
            pieces,
            rests,
        })
    }

    /// `match(pattern)(path)`: whether `path` matches and, if so, the captured parameters (raw, not
    /// decoded, as Clerk's matcher passes no `decode` option).
    pub(crate) fn exec(&self, path: &str) -> Exec {
        if !self.whole.is_match(path) {
            return Exec::NoMatch;
        }
        let bounds: Vec<usize> = path
            .char_indices()
            .map(|(i, _)| i)
            .chain([path.len()])
            .collect();
        let mut walk = Walk {
            path,
            bounds: &bounds,
            budget: BUDGET,
        };
        let mut params = Vec::new();
        let mut pos = 0;
        for (i, piece) in self.pieces.iter().enumerate() {
            let rest = &self.rests[i + 1];
            let Some((end, capture)) = walk.first_extent(piece, pos, rest) else {
                return Exec::GaveUp; // budget spent (the whole pattern is known to match)
            };
            if let (Piece::Param(param), Some(text)) = (piece, capture) {
                let value = if param.modifier == '*' || param.modifier == '+' {
                    let parts = text.split(param.separator.as_str());
                    ParamValue::Many(parts.map(str::to_owned).collect())
                } else {
                    ParamValue::One(text.to_owned())
                };
                params.push((param.name.clone(), value));
            }
            pos = end;
        }
        Exec::Match(params)
    }
}

fn piece(part: &Part) -> Result<Piece, String> {
    let Part::Key {
        name,
        prefix,
        suffix,
        pattern,
        modifier,
    } = part
    else {
        let Part::Text(text) = part else {
            unreachable!("a part is text or a key")
        };
        return Ok(Piece::Text(Literal::new(text)?));
    };
    let modifier = modifier.chars().next().unwrap_or(' ');
    if pattern.is_empty() {
        return Ok(Piece::Group {
            text: Literal::new(&format!("{prefix}{suffix}"))?,
            modifier,
        });
    }
    let repeated = modifier == '*' || modifier == '+';
    let body = if repeated {
        let between = escape(&format!("{suffix}{prefix}"));
        format!("(?:{pattern})(?:{between}(?:{pattern}))*")
    } else {
        pattern.clone()
    };
    let name = match name {
        Name::Named(name) => name.clone(),
        Name::Index(index) => index.to_string(),
        Name::None => String::new(),
    };
    Ok(Piece::Param(Box::new(Param {
        name,
        prefix: Literal::new(prefix)?,
        suffix: Literal::new(suffix)?,
        body: anchored(&body)?,
        modifier,
        shortest_first: !repeated && is_lazy(pattern),
        separator: format!("{prefix}{suffix}"),
    })))
}

/// Whether a parameter regex ends in a lazy quantifier (`+?`, `*?`, `??`, `}?`).
fn is_lazy(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    bytes.len() >= 2
        && bytes[bytes.len() - 1] == b'?'
        && matches!(bytes[bytes.len() - 2], b'+' | b'*' | b'?' | b'}')
}

struct Walk<'a> {
    path: &'a str,
    /// Byte offset of every char position, plus the end.
    bounds: &'a [usize],
    budget: usize,
}

impl<'a> Walk<'a> {
    fn slice(&self, from: usize, to: usize) -> &'a str {
        &self.path[self.bounds[from]..self.bounds[to]]
    }

    fn last(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Runs one test, paying for the chars it reads; `None` when the budget is spent.
    fn test(&mut self, regex: &Regex, from: usize, to: usize) -> Option<bool> {
        self.budget = self.budget.checked_sub(to - from + 1)?;
        Some(regex.is_match(self.slice(from, to)))
    }

    /// Where `literal` ends if it matches at `at`; the outer `None` means the budget ran out.
    fn literal(&mut self, literal: &Literal, at: usize) -> Option<Option<usize>> {
        let end = at + literal.len;
        if end > self.last() {
            return Some(None);
        }
        if literal.len == 0 {
            return Some(Some(at));
        }
        Some(self.test(&literal.regex, at, end)?.then_some(end))
    }

    /// The first extent of `piece` starting at `pos`, in V8's order, after which `rest` matches.
    /// `None` when the budget ran out. (Some extent always exists: the whole pattern matched.)
    fn first_extent(
        &mut self,
        piece: &Piece,
        pos: usize,
        rest: &Regex,
    ) -> Option<(usize, Option<&'a str>)> {
        let last = self.last();
        match piece {
            Piece::Text(text) => {
                let end = self.literal(text, pos)?;
                end.map(|end| (end, None))
            }
            Piece::Group { text, modifier } => {
                // Greedy repetition: as many copies as fit, then fewer.
                let mut ends = vec![pos];
                while matches!(modifier, '*' | '+') || ends.len() < 2 {
                    let at = *ends.last().expect("non-empty");
                    match self.literal(text, at)? {
                        Some(end) if end > at => ends.push(end),
                        _ => break,
                    }
                }
                let min = usize::from(!matches!(modifier, '?' | '*'));
                for &end in ends.iter().skip(min).rev() {
                    if self.test(rest, end, last)? {
                        return Some((end, None));
                    }
                }
                None
            }
            Piece::Param(param) => {
                let Param {
                    prefix,
                    suffix,
                    body,
                    modifier,
                    shortest_first,
                    ..
                } = param.as_ref();
                if let Some(start) = self.literal(prefix, pos)? {
                    let mut lengths: Vec<usize> = (0..=last - start).collect();
                    if !shortest_first {
                        lengths.reverse();
                    }
                    for len in lengths {
                        let capture_end = start + len;
                        let Some(end) = self.literal(suffix, capture_end)? else {
                            continue;
                        };
                        if self.test(body, start, capture_end)? && self.test(rest, end, last)? {
                            return Some((end, Some(self.slice(start, capture_end))));
                        }
                    }
                }
                if matches!(modifier, '?' | '*') && self.test(rest, pos, last)? {
                    return Some((pos, None));
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(pattern: &str, path: &str) -> Exec {
        MatchPattern::new(pattern).expect("compiles").exec(path)
    }

    fn one(name: &str, value: &str) -> (String, ParamValue) {
        (name.to_owned(), ParamValue::One(value.to_owned()))
    }

    #[test]
    fn captures_like_path_to_regexp_match() {
        assert_eq!(
            exec("/orgs/:slug", "/orgs/Acme%20Co/"),
            Exec::Match(vec![one("slug", "Acme%20Co")])
        );
        assert_eq!(
            exec("/ORGS/:id/(.*)", "/orgs/org_1/settings/x"),
            Exec::Match(vec![one("id", "org_1"), one("0", "settings/x")])
        );
        assert_eq!(exec("/orgs/:slug", "/orgs/a/b"), Exec::NoMatch);
        assert_eq!(
            exec("/orgs/:slug{/:rest}?", "/orgs/a"),
            Exec::Match(vec![one("slug", "a")])
        );
        assert_eq!(
            exec("/o/:a*/:b", "/o/1/2/3"),
            Exec::Match(vec![
                (
                    "a".to_owned(),
                    ParamValue::Many(vec!["1".to_owned(), "2".to_owned()])
                ),
                one("b", "3")
            ])
        );
        assert_eq!(
            exec("/:a-:b", "/x-y-z"),
            Exec::Match(vec![one("a", "x-y"), one("b", "z")]),
            "b may not contain the text before it, so a takes the longer match"
        );
        assert_eq!(
            exec("/me{/x}*", "/me/x/x"),
            Exec::Match(vec![]),
            "groups without a parameter capture nothing"
        );
    }

    #[test]
    fn bounded_work_on_pathological_patterns() {
        let long = format!("/{}", "a-".repeat(3000));
        match exec("/:a(.*)-:b(.*)-:c(.*)-:d(.*)", &long) {
            Exec::Match(_) | Exec::GaveUp => {}
            Exec::NoMatch => panic!("the pattern matches"),
        }
    }
}
