//! path-to-regexp 6's parser: tokens → literal strings and parameters.
//!
//! Reproduced decision for decision (including the ReDoS fix of 6.3.0, which gives a parameter that
//! follows non-delimiter text a negative-lookahead pattern, and its "Must have text between two
//! parameters" error), because each of these changes which paths match.

use super::lexer::{Lexed, Token};

/// Characters that become a parameter's prefix instead of literal text.
const PREFIXES: &str = "./";
/// The delimiter set; a default parameter never crosses one.
pub(crate) const DELIMITERS: &str = "/#?";

/// A parameter's name: given, or numbered like path-to-regexp numbers unnamed groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Name {
    Named(String),
    Index(usize),
    /// A `{…}` group without a parameter.
    None,
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Named(name) => f.write_str(name),
            Name::Index(index) => write!(f, "{index}"),
            Name::None => Ok(()),
        }
    }
}

/// One parsed piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Literal text (unescaped).
    Text(String),
    /// A parameter or group.
    Key {
        name: Name,
        prefix: String,
        suffix: String,
        /// The regex source of the parameter; empty for a plain `{…}` group.
        pattern: String,
        /// `""`, `"?"`, `"*"` or `"+"`.
        modifier: String,
    },
}

struct Cursor<'a> {
    tokens: &'a [Lexed],
    at: usize,
}

impl Cursor<'_> {
    /// Consumes the next token if `accept` maps it to a value (path-to-regexp's `tryConsume`).
    fn try_take<T>(&mut self, accept: impl Fn(&Token) -> Option<T>) -> Option<T> {
        let value = accept(&self.tokens.get(self.at)?.token)?;
        self.at += 1;
        Some(value)
    }

    fn char(&mut self) -> Option<char> {
        self.try_take(|t| {
            if let Token::Char(c) = t {
                Some(*c)
            } else {
                None
            }
        })
    }

    /// An escaped char; `Some(None)` when the token was a trailing lone backslash.
    fn escaped(&mut self) -> Option<Option<char>> {
        self.try_take(|t| {
            if let Token::Escaped(c) = t {
                Some(*c)
            } else {
                None
            }
        })
    }

    fn name(&mut self) -> Option<String> {
        self.try_take(|t| {
            if let Token::Name(n) = t {
                Some(n.clone())
            } else {
                None
            }
        })
    }

    fn pattern(&mut self) -> Option<String> {
        self.try_take(|t| {
            if let Token::Pattern(p) = t {
                Some(p.clone())
            } else {
                None
            }
        })
    }

    fn modifier(&mut self) -> String {
        self.try_take(|t| {
            if let Token::Modifier(m) = t {
                Some(m.to_string())
            } else {
                None
            }
        })
        .unwrap_or_default()
    }

    fn open(&mut self) -> bool {
        self.try_take(|t| (*t == Token::Open).then_some(()))
            .is_some()
    }

    /// Requires the next token to be `expected` (path-to-regexp's `mustConsume`).
    fn must(&mut self, expected: Token, label: &str) -> Result<(), String> {
        if self.try_take(|t| (*t == expected).then_some(())).is_some() {
            return Ok(());
        }
        let next = &self.tokens[self.at];
        Err(format!(
            "Unexpected {} at {}, expected {label}",
            kind(&next.token),
            next.index
        ))
    }

    /// A run of chars and escaped chars (path-to-regexp's `consumeText`).
    fn text(&mut self) -> String {
        let mut text = String::new();
        loop {
            if let Some(c) = self.char() {
                text.push(c);
            } else if let Some(escaped) = self.escaped() {
                // A trailing backslash ends the run (its value is `undefined` in JavaScript).
                match escaped {
                    Some(c) => text.push(c),
                    None => break,
                }
            } else {
                break;
            }
        }
        text
    }
}

/// path-to-regexp's token type names, for error messages.
fn kind(token: &Token) -> &'static str {
    match token {
        Token::Modifier(_) => "MODIFIER",
        Token::Escaped(_) => "ESCAPED_CHAR",
        Token::Open => "OPEN",
        Token::Close => "CLOSE",
        Token::Name(_) => "NAME",
        Token::Pattern(_) => "PATTERN",
        Token::Char(_) => "CHAR",
        Token::End => "END",
    }
}

/// Parses lexed tokens into parts, or fails with path-to-regexp's message.
pub(crate) fn parse(tokens: &[Lexed]) -> Result<Vec<Part>, String> {
    let mut cursor = Cursor { tokens, at: 0 };
    let mut parts: Vec<Part> = Vec::new();
    let mut next_index = 0;
    let mut pending = String::new();

    while cursor.at < tokens.len() {
        let char = cursor.char();
        let name = cursor.name();
        let pattern = cursor.pattern();
        if name.is_some() || pattern.is_some() {
            let mut prefix = char.map(String::from).unwrap_or_default();
            if !prefix.is_empty() && !PREFIXES.contains(prefix.as_str()) {
                pending.push_str(&prefix);
                prefix.clear();
            }
            flush(&mut parts, &mut pending);
            let name = match name {
                Some(name) => Name::Named(name),
                None => {
                    next_index += 1;
                    Name::Index(next_index - 1)
                }
            };
            let pattern = match pattern {
                Some(pattern) => pattern,
                None => default_pattern(&parts, &prefix)?,
            };
            parts.push(Part::Key {
                name,
                prefix,
                suffix: String::new(),
                pattern,
                modifier: cursor.modifier(),
            });
            continue;
        }

        let text = match char {
            Some(c) => Some(Some(c)),
            None => cursor.escaped(),
        };
        if let Some(Some(c)) = text {
            pending.push(c);
            continue;
        }
        flush(&mut parts, &mut pending);

        if cursor.open() {
            let prefix = cursor.text();
            let name = cursor.name();
            let pattern = cursor.pattern();
            let suffix = cursor.text();
            cursor.must(Token::Close, "CLOSE")?;
            let key_name = match (&name, &pattern) {
                (Some(name), _) => Name::Named(name.clone()),
                (None, Some(_)) => {
                    next_index += 1;
                    Name::Index(next_index - 1)
                }
                (None, None) => Name::None,
            };
            let pattern = match (name, pattern) {
                (Some(_), None) => default_pattern(&parts, &prefix)?,
                (_, pattern) => pattern.unwrap_or_default(),
            };
            parts.push(Part::Key {
                name: key_name,
                prefix,
                suffix,
                pattern,
                modifier: cursor.modifier(),
            });
            continue;
        }
        cursor.must(Token::End, "END")?;
    }
    Ok(parts)
}

fn flush(parts: &mut Vec<Part>, pending: &mut String) {
    if !pending.is_empty() {
        parts.push(Part::Text(std::mem::take(pending)));
    }
}

/// The pattern of a parameter without an explicit `(regex)` (path-to-regexp 6.3's `safePattern`).
fn default_pattern(parts: &[Part], prefix: &str) -> Result<String, String> {
    let previous = parts.last();
    let guard = if !prefix.is_empty() {
        prefix
    } else if let Some(Part::Text(text)) = previous {
        text.as_str()
    } else {
        ""
    };
    if let (Some(Part::Key { name, .. }), "") = (previous, guard) {
        return Err(format!(
            "Must have text between two parameters, missing text after \"{name}\""
        ));
    }
    let delimiters = super::source::escape(DELIMITERS);
    if guard.is_empty() || guard.chars().any(|c| DELIMITERS.contains(c)) {
        Ok(format!("[^{delimiters}]+?"))
    } else {
        Ok(format!(
            "(?:(?!{})[^{delimiters}])+?",
            super::source::escape(guard)
        ))
    }
}
