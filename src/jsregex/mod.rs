//! JavaScript regular expressions (without the `u` flag) in guaranteed linear time.
//!
//! Clerk compiles route patterns to JavaScript `RegExp`s and runs them on a backtracking engine;
//! path-to-regexp's ReDoS advisories (CVE-2024-45296, CVE-2024-52798) show what a hostile path can do
//! there. We keep JavaScript's *answers* — UTF-16 code units, `i`-flag canonicalisation, Annex B
//! syntax, lookarounds — and change the *engine*: a lazily built DFA for patterns without
//! lookarounds, and a Pike VM with per-position lookaround tables for the rest. Both are
//! O(input × pattern). `regex-lite` cannot be used for this: it has neither lookarounds (which
//! path-to-regexp 6.3 itself emits for `/:a-:b`) nor code-unit semantics.
//!
//! Backreferences are the one JavaScript feature refused (no linear-time algorithm exists).

mod ast;
mod dfa;
mod parse;
mod pikevm;
mod program;
mod set;

use std::fmt;
use std::sync::Mutex;

use program::Program;

/// The flags that change matching. `g`, `y`, `u`, `v` and `d` are refused by [`Flags::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// `i`
    pub ignore_case: bool,
    /// `m`
    pub multiline: bool,
    /// `s`
    pub dot_all: bool,
}

impl Flags {
    /// Just `i`, as path-to-regexp compiles route patterns.
    pub const IGNORE_CASE: Flags = Flags {
        ignore_case: true,
        multiline: false,
        dot_all: false,
    };

    /// Parses a JavaScript flags string.
    pub fn parse(flags: &str) -> Result<Flags, RegexError> {
        let mut parsed = Flags::default();
        for flag in flags.chars() {
            let slot = match flag {
                'i' => &mut parsed.ignore_case,
                'm' => &mut parsed.multiline,
                's' => &mut parsed.dot_all,
                other => return Err(RegexError::UnsupportedFlag(other)),
            };
            if std::mem::replace(slot, true) {
                return Err(RegexError::UnsupportedFlag(flag));
            }
        }
        Ok(parsed)
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, c) in [
            (self.dot_all, 's'),
            (self.ignore_case, 'i'),
            (self.multiline, 'm'),
        ] {
            if on {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Why a regular expression was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegexError {
    /// JavaScript itself would throw a `SyntaxError`.
    Syntax {
        /// V8-style message.
        message: String,
    },
    /// `\1` or `\k<name>`.
    Backreference,
    /// The compiled program would be unreasonably large (huge `{n,m}` counts or nesting).
    TooLarge,
    /// A flag we do not implement, or a repeated flag.
    UnsupportedFlag(char),
}

impl RegexError {
    /// Stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            RegexError::Syntax { .. } => "regex-syntax",
            RegexError::Backreference => "regex-backreference",
            RegexError::TooLarge => "regex-too-large",
            RegexError::UnsupportedFlag(_) => "regex-unsupported-flag",
        }
    }

    /// How to fix the pattern, where there is more to say than the message.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        match self {
            RegexError::Backreference => Some(
                "backreferences need a backtracking engine, which a hostile path can stall; match the \
                 repeated text explicitly instead",
            ),
            RegexError::TooLarge => Some("use `+` or `*` instead of large `{n,m}` counts"),
            RegexError::UnsupportedFlag(_) => Some(
                "only the i, m and s flags are supported here (g and y make RegExp.test stateful; a \
                 JavaScript RegExp object given to the JS API runs on the JS engine with any flags)",
            ),
            RegexError::Syntax { .. } => None,
        }
    }
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegexError::Syntax { message } => f.write_str(message),
            RegexError::Backreference => f.write_str("backreferences are not supported"),
            RegexError::TooLarge => f.write_str("regular expression too large"),
            RegexError::UnsupportedFlag(flag) => write!(f, "unsupported or repeated flag `{flag}`"),
        }
    }
}

impl std::error::Error for RegexError {}

/// A compiled JavaScript regular expression.
#[derive(Debug, Clone)]
pub struct Regex {
    program: Program,
    anchored: bool,
    /// Whether the lazy DFA can run it (no lookarounds, `\b` or multiline anchors).
    dfa_ready: bool,
}

impl Regex {
    /// Compiles `source` (as `RegExp.prototype.source` would show it) with `flags`.
    pub fn new(source: &str, flags: Flags) -> Result<Regex, RegexError> {
        let node = parse::parse(source, flags)?;
        let program = Program::compile(&node)?;
        Ok(Regex {
            anchored: node.is_anchored_at_start(),
            dfa_ready: !node.needs_positions(),
            program,
        })
    }

    /// `RegExp.prototype.test` (without `g`/`y`): does the expression match anywhere in `text`?
    pub fn is_match(&self, text: &str) -> bool {
        let units: Vec<u16> = text.encode_utf16().collect();
        pikevm::is_match(&self.program, &units, self.anchored)
    }
}

/// Several regexes tested together: does any of them match?
#[derive(Debug)]
pub struct RegexSet {
    regexes: Vec<Regex>,
    /// One automaton for every DFA-ready regex.
    dfa: Option<Mutex<dfa::LazyDfa>>,
}

impl RegexSet {
    /// Builds the set.
    pub fn new(regexes: Vec<Regex>) -> RegexSet {
        let ready: Vec<(&Program, bool)> = regexes
            .iter()
            .filter(|r| r.dfa_ready)
            .map(|r| (&r.program, r.anchored))
            .collect();
        let dfa = (!ready.is_empty()).then(|| Mutex::new(dfa::LazyDfa::new(ready)));
        RegexSet { regexes, dfa }
    }

    /// Whether any regex matches `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let dfa_answer = self.dfa.as_ref().and_then(|dfa| {
            // A poisoned lock only means an earlier caller panicked; the cache is still consistent
            // enough to rebuild, so take it anyway.
            let mut dfa = dfa.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            dfa.is_match(text.encode_utf16())
        });
        let rest = |r: &&Regex| match dfa_answer {
            Some(_) => !r.dfa_ready,
            None => true, // the DFA gave up on this input: run everything on the Pike VM
        };
        if dfa_answer == Some(true) {
            return true;
        }
        let mut others = self.regexes.iter().filter(rest).peekable();
        if others.peek().is_none() {
            return false;
        }
        let units: Vec<u16> = text.encode_utf16().collect();
        others.any(|r| pikevm::is_match(&r.program, &units, r.anchored))
    }

    /// Answers with the Pike VM only (used to cross-check the DFA in tests).
    #[doc(hidden)]
    pub fn is_match_pikevm(&self, text: &str) -> bool {
        let units: Vec<u16> = text.encode_utf16().collect();
        self.regexes
            .iter()
            .any(|r| pikevm::is_match(&r.program, &units, r.anchored))
    }
}
