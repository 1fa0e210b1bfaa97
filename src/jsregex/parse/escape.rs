//! Escapes and character classes of the [`Parser`]: `\d \s \w` and their negations, control,
//! hex and legacy-octal escapes, identity escapes, and `[…]` classes with Annex B's ranges that
//! mention a class escape.
//!
//! Why apart from the rest of the grammar: these are the rules where JavaScript's web-compatibility
//! grammar differs most from other regex dialects (what `\c`, `\8` or `[\d-z]` mean), and they are
//! only ever reached through an atom; a child module of the parser, so it reads the cursor directly.

use super::{u, Parser};
use crate::jsregex::ast::Node;
use crate::jsregex::set::{self, UnitSet};
use crate::jsregex::RegexError;

/// Either one code unit or a class escape such as `\d`, inside `[…]`.
enum ClassAtom {
    Unit(u16),
    Set(UnitSet),
}

impl Parser<'_> {
    pub(super) fn atom_escape(&mut self) -> Result<Node, RegexError> {
        self.at += 1; // `\`
        let Some(unit) = self.peek() else {
            return Err(self.syntax("\\ at end of pattern"));
        };
        if let Some(class) = self.class_escape_set(unit) {
            self.at += 1;
            return Ok(Node::Set(self.fold(class)));
        }
        if (u('1')..=u('9')).contains(&unit) {
            let (number, _) = self.number(self.at).unwrap_or((0, self.at));
            if number <= self.capture_count {
                return Err(RegexError::Backreference);
            }
        }
        if unit == u('k') && self.named_groups {
            return Err(RegexError::Backreference);
        }
        let value = self.character_escape(false)?;
        Ok(Node::Set(self.fold(UnitSet::unit(value))))
    }

    /// `\d \D \s \S \w \W`.
    fn class_escape_set(&self, unit: u16) -> Option<UnitSet> {
        let set = match unit as u8 {
            b'd' => set::digits(),
            b'D' => set::digits().negated(),
            b's' => set::space(),
            b'S' => set::space().negated(),
            b'w' => set::word(),
            b'W' => set::word().negated(),
            _ => return None,
        };
        (unit < 0x80).then_some(set)
    }

    /// A CharacterEscape after `\` (the cursor is on the unit after the backslash). For `\c`
    /// without a control letter the backslash itself is the character and `c` is left unread.
    fn character_escape(&mut self, in_class: bool) -> Result<u16, RegexError> {
        let unit = self.peek().unwrap_or_default();
        self.at += 1;
        Ok(match unit {
            0x66 => 0x0C, // f
            0x6E => 0x0A, // n
            0x72 => 0x0D, // r
            0x74 => 0x09, // t
            0x76 => 0x0B, // v
            0x63 => {
                // c
                match self.peek() {
                    Some(l) if (l as u8).is_ascii_alphabetic() && l < 0x80 => {
                        self.at += 1;
                        l % 32
                    }
                    Some(l)
                        if in_class && l < 0x80 && ((l as u8).is_ascii_digit() || l == u('_')) =>
                    {
                        self.at += 1;
                        l % 32
                    }
                    _ => {
                        self.at -= 1; // leave `c` to be read as a literal
                        u('\\')
                    }
                }
            }
            0x78 => self.hex_escape(2).unwrap_or(u('x')),
            0x75 => self.hex_escape(4).unwrap_or(u('u')),
            0x30..=0x37 => {
                // Legacy octal: \0, \0d, \0dd (first digit 0-3), \dd (first digit 4-7).
                let mut value = unit - u('0');
                let max_digits = if value <= 3 { 2 } else { 1 };
                for _ in 0..max_digits {
                    match self.peek() {
                        Some(d) if (u('0')..=u('7')).contains(&d) => {
                            value = value * 8 + (d - u('0'));
                            self.at += 1;
                        }
                        _ => break,
                    }
                }
                value
            }
            0x6B if in_class && self.named_groups => return Err(self.syntax("Invalid escape")),
            other => other, // identity escape, including \8 and \9
        })
    }

    /// `count` hex digits after `\x` / `\u`; consumes them only when all are present.
    fn hex_escape(&mut self, count: usize) -> Option<u16> {
        let mut value: u16 = 0;
        for offset in 0..count {
            let digit = char::from_u32(u32::from(self.peek_at(offset)?))?.to_digit(16)?;
            value = value * 16 + digit as u16;
        }
        self.at += count;
        Some(value)
    }

    pub(super) fn class(&mut self) -> Result<Node, RegexError> {
        self.at += 1; // `[`
        let negate = self.eat(u('^'));
        let mut members = UnitSet::empty();
        loop {
            let Some(unit) = self.peek() else {
                return Err(self.syntax("Unterminated character class"));
            };
            if unit == u(']') {
                self.at += 1;
                break;
            }
            let first = self.class_atom()?;
            let is_range =
                self.peek() == Some(u('-')) && self.peek_at(1).is_some_and(|n| n != u(']'));
            if !is_range {
                add_atom(&mut members, first);
                continue;
            }
            self.at += 1; // `-`
            let second = self.class_atom()?;
            match (first, second) {
                (ClassAtom::Unit(lo), ClassAtom::Unit(hi)) => {
                    if lo > hi {
                        return Err(self.syntax("Range out of order in character class"));
                    }
                    members.union(&UnitSet::from_ranges([(lo, hi)]));
                }
                // Annex B: a "range" with a class escape at either end is a union with `-`.
                (first, second) => {
                    add_atom(&mut members, first);
                    add_atom(&mut members, ClassAtom::Unit(u('-')));
                    add_atom(&mut members, second);
                }
            }
        }
        let members = self.fold(members);
        Ok(Node::Set(if negate { members.negated() } else { members }))
    }

    fn class_atom(&mut self) -> Result<ClassAtom, RegexError> {
        let unit = self.peek().unwrap_or_default();
        if unit != u('\\') {
            self.at += 1;
            return Ok(ClassAtom::Unit(unit));
        }
        self.at += 1;
        let Some(next) = self.peek() else {
            return Err(self.syntax("\\ at end of pattern"));
        };
        if let Some(set) = self.class_escape_set(next) {
            self.at += 1;
            return Ok(ClassAtom::Set(set));
        }
        if next == u('b') {
            self.at += 1;
            return Ok(ClassAtom::Unit(0x08));
        }
        // Inside a class, \1–\9 are never backreferences: legacy octal or identity escapes.
        Ok(ClassAtom::Unit(self.character_escape(true)?))
    }
}

fn add_atom(members: &mut UnitSet, atom: ClassAtom) {
    match atom {
        ClassAtom::Unit(unit) => members.union(&UnitSet::unit(unit)),
        ClassAtom::Set(set) => members.union(&set),
    }
}
