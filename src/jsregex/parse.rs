//! A parser for JavaScript regular expressions **without** the `u` flag, including the Annex B
//! ("web compatibility") grammar that `new RegExp(source, 'i')` accepts in every browser and in Node:
//! literal `{`, `}` and `]`, legacy octal escapes, `\c` fallbacks, identity escapes, quantified
//! lookaheads and class ranges that mention a class escape.
//!
//! It works on UTF-16 code units, like the language. Backreferences are refused: no linear-time
//! engine can run them, and a route pattern has no use for them.

use super::ast::{Assertion, Node};
use super::set::{self, UnitSet};
use super::{Flags, RegexError};

mod escape;

/// Parses `source` with `flags` into a [`Node`].
pub(crate) fn parse(source: &str, flags: Flags) -> Result<Node, RegexError> {
    let units: Vec<u16> = source.encode_utf16().collect();
    let (capture_count, named_groups) = scan_groups(&units);
    let mut parser = Parser {
        units: &units,
        at: 0,
        flags,
        capture_count,
        named_groups,
        source,
        depth: 0,
        group_names: Vec::new(),
    };
    let node = parser.disjunction()?;
    if parser.at < units.len() {
        // Only an unmatched `)` stops a top-level disjunction early.
        return Err(parser.syntax("Unmatched ')'"));
    }
    Ok(node)
}

/// Nesting deeper than this is refused (it would only ever come from a hostile pattern).
const MAX_DEPTH: usize = 250;

/// Counts capturing groups and notes whether any is named, as the grammar needs both up front.
fn scan_groups(units: &[u16]) -> (u32, bool) {
    let (mut count, mut named, mut in_class, mut i) = (0, false, false, 0);
    while i < units.len() {
        match units[i] {
            0x5C => i += 1, // `\` skips the next unit
            0x5B if !in_class => in_class = true,
            0x5D if in_class => in_class = false,
            0x28 if !in_class => {
                if units.get(i + 1) != Some(&0x3F) {
                    count += 1;
                } else if units.get(i + 2) == Some(&0x3C)
                    && !matches!(units.get(i + 3), Some(&0x3D) | Some(&0x21))
                {
                    count += 1;
                    named = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (count, named)
}

struct Parser<'a> {
    units: &'a [u16],
    at: usize,
    flags: Flags,
    capture_count: u32,
    named_groups: bool,
    source: &'a str,
    depth: usize,
    /// Names of the named groups seen so far (a repeated name is a SyntaxError in Node 20).
    group_names: Vec<Vec<u16>>,
}

const fn u(c: char) -> u16 {
    c as u16
}

impl Parser<'_> {
    fn peek(&self) -> Option<u16> {
        self.units.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u16> {
        self.units.get(self.at + offset).copied()
    }

    fn eat(&mut self, unit: u16) -> bool {
        if self.peek() == Some(unit) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn syntax(&self, reason: &str) -> RegexError {
        RegexError::Syntax {
            message: format!(
                "Invalid regular expression: /{}/{}: {reason}",
                self.source, self.flags
            ),
        }
    }

    /// A literal or class set, case-closed when the `i` flag is on.
    fn fold(&self, set: UnitSet) -> UnitSet {
        if self.flags.ignore_case {
            set.case_closed()
        } else {
            set
        }
    }

    fn disjunction(&mut self) -> Result<Node, RegexError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(RegexError::TooLarge);
        }
        let mut alternatives = vec![self.alternative()?];
        while self.eat(u('|')) {
            alternatives.push(self.alternative()?);
        }
        self.depth -= 1;
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alternatives)
        })
    }

    fn alternative(&mut self) -> Result<Node, RegexError> {
        let mut terms = Vec::new();
        while let Some(unit) = self.peek() {
            if unit == u('|') || unit == u(')') {
                break;
            }
            terms.push(self.term()?);
        }
        Ok(match terms.len() {
            0 => Node::Empty,
            1 => terms.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(terms),
        })
    }

    fn term(&mut self) -> Result<Node, RegexError> {
        let unit = self.peek().unwrap_or_default();
        // Assertions that can never be quantified.
        let assertion = match unit {
            0x5E => Some(if self.flags.multiline {
                Assertion::LineStart
            } else {
                Assertion::Start
            }),
            0x24 => Some(if self.flags.multiline {
                Assertion::LineEnd
            } else {
                Assertion::End
            }),
            0x5C if self.peek_at(1) == Some(u('b')) => Some(Assertion::WordBoundary),
            0x5C if self.peek_at(1) == Some(u('B')) => Some(Assertion::NotWordBoundary),
            _ => None,
        };
        if let Some(assertion) = assertion {
            self.at += if unit == 0x5C { 2 } else { 1 };
            return self.no_quantifier_follows(Node::Assert(assertion));
        }
        if unit == u('(')
            && self.peek_at(1) == Some(u('?'))
            && self.peek_at(2) == Some(u('<'))
            && matches!(self.peek_at(3), Some(0x3D) | Some(0x21))
        {
            let negate = self.peek_at(3) == Some(u('!'));
            self.at += 4;
            let node = self.group_body()?;
            return self.no_quantifier_follows(Node::Look {
                behind: true,
                negate,
                node: Box::new(node),
            });
        }
        let atom = self.atom()?;
        self.quantified(atom)
    }

    /// After an unquantifiable term, a quantifier is "Nothing to repeat".
    fn no_quantifier_follows(&mut self, node: Node) -> Result<Node, RegexError> {
        if self.quantifier_ahead()?.is_some() {
            return Err(self.syntax("Nothing to repeat"));
        }
        Ok(node)
    }

    /// Reads `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}` (not consumed); `{` that does not
    /// form one is a literal under Annex B.
    fn quantifier_ahead(&self) -> Result<Option<(u32, Option<u32>, usize)>, RegexError> {
        Ok(match self.peek() {
            Some(0x2A) => Some((0, None, 1)),
            Some(0x2B) => Some((1, None, 1)),
            Some(0x3F) => Some((0, Some(1), 1)),
            Some(0x7B) => {
                let mut i = self.at + 1;
                let (min, next) = match self.number(i) {
                    Some(found) => found,
                    None => return Ok(None),
                };
                i = next;
                let max = if self.units.get(i) == Some(&u(',')) {
                    i += 1;
                    match self.number(i) {
                        Some((max, next)) => {
                            i = next;
                            Some(max)
                        }
                        None => None,
                    }
                } else {
                    Some(min)
                };
                if self.units.get(i) != Some(&u('}')) {
                    return Ok(None);
                }
                if max.is_some_and(|max| max < min) {
                    return Err(self.syntax("numbers out of order in {} quantifier"));
                }
                Some((min, max, i + 1 - self.at))
            }
            _ => None,
        })
    }

    /// A decimal number at `i`, saturating (JavaScript clamps too), and the index after it.
    fn number(&self, mut i: usize) -> Option<(u32, usize)> {
        let start = i;
        let mut value: u32 = 0;
        while let Some(&d) = self.units.get(i) {
            if !(u('0')..=u('9')).contains(&d) {
                break;
            }
            value = value
                .saturating_mul(10)
                .saturating_add(u32::from(d - u('0')));
            i += 1;
        }
        (i > start).then_some((value, i))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, RegexError> {
        let Some((min, max, len)) = self.quantifier_ahead()? else {
            return Ok(atom);
        };
        self.at += len;
        self.eat(u('?')); // laziness does not change whether a match exists
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn atom(&mut self) -> Result<Node, RegexError> {
        let unit = self.peek().unwrap_or_default();
        match unit {
            0x2E => {
                self.at += 1;
                Ok(Node::Set(if self.flags.dot_all {
                    UnitSet::empty().negated()
                } else {
                    set::line_terminators().negated()
                }))
            }
            0x28 => self.group(),
            0x5B => self.class(),
            0x5C => self.atom_escape(),
            0x2A | 0x2B | 0x3F => Err(self.syntax("Nothing to repeat")),
            0x7B if self.quantifier_ahead()?.is_some() => Err(self.syntax("Nothing to repeat")),
            _ => {
                self.at += 1;
                Ok(Node::Set(self.fold(UnitSet::unit(unit))))
            }
        }
    }

    fn group(&mut self) -> Result<Node, RegexError> {
        self.at += 1; // `(`
        if !self.eat(u('?')) {
            return self.group_body();
        }
        match self.peek() {
            Some(0x3A) => {
                self.at += 1;
                self.group_body()
            }
            Some(0x3D) | Some(0x21) => {
                let negate = self.peek() == Some(u('!'));
                self.at += 1;
                let node = self.group_body()?;
                // Annex B lets a lookahead be quantified; `quantified` handles it like any atom.
                Ok(Node::Look {
                    behind: false,
                    negate,
                    node: Box::new(node),
                })
            }
            Some(0x3C) => {
                self.at += 1;
                let start = self.at;
                while let Some(unit) = self.peek() {
                    if unit == u('>') {
                        break;
                    }
                    let ok = unit == u('$')
                        || unit == u('_')
                        || unit >= 0x80
                        || (unit as u8).is_ascii_alphanumeric();
                    let first_ok = !(u('0')..=u('9')).contains(&unit);
                    if !ok || (self.at == start && !first_ok) {
                        return Err(self.syntax("Invalid capture group name"));
                    }
                    self.at += 1;
                }
                if self.at == start || self.peek() != Some(u('>')) {
                    return Err(self.syntax("Invalid capture group name"));
                }
                let name = self.units[start..self.at].to_vec();
                if self.group_names.contains(&name) {
                    return Err(self.syntax("Duplicate capture group name"));
                }
                self.group_names.push(name);
                self.at += 1; // `>`
                self.group_body()
            }
            _ => Err(self.syntax("Invalid group")),
        }
    }

    /// The inside of a group up to and including its `)`.
    fn group_body(&mut self) -> Result<Node, RegexError> {
        let node = self.disjunction()?;
        if !self.eat(u(')')) {
            return Err(self.syntax("Unterminated group"));
        }
        Ok(node)
    }
}
