//! Sets of UTF-16 code units, and JavaScript's case-insensitive matching.
//!
//! Without the `u` flag JavaScript regular expressions match UTF-16 code units, and the `i` flag
//! compares `Canonicalize(ch)`: the upper-case mapping of `ch` when that is a single code unit, except
//! that a non-ASCII unit never canonicalises to an ASCII one (ECMA-262 §22.2.2.7.3). So `ſ` does not
//! match `s` and the Kelvin sign does not match `k`, but `é` matches `É`. We fold *sets* instead of
//! inputs: a set is closed under "same canonical unit" once, when the pattern is compiled, and
//! matching is then a plain membership test.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A set of code units as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub(crate) struct UnitSet {
    ranges: Vec<(u16, u16)>,
}

impl UnitSet {
    /// The empty set.
    pub(crate) fn empty() -> Self {
        UnitSet::default()
    }

    /// One code unit.
    pub(crate) fn unit(unit: u16) -> Self {
        UnitSet {
            ranges: vec![(unit, unit)],
        }
    }

    /// Builds a set from arbitrary ranges.
    pub(crate) fn from_ranges(ranges: impl IntoIterator<Item = (u16, u16)>) -> Self {
        let mut set = UnitSet {
            ranges: ranges.into_iter().collect(),
        };
        set.canonicalize_ranges();
        set
    }

    fn canonicalize_ranges(&mut self) {
        self.ranges.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(self.ranges.len());
        for &(lo, hi) in &self.ranges {
            match merged.last_mut() {
                Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        self.ranges = merged;
    }

    /// The ranges, sorted.
    pub(crate) fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    /// Adds every unit of `other`.
    pub(crate) fn union(&mut self, other: &UnitSet) {
        self.ranges.extend_from_slice(&other.ranges);
        self.canonicalize_ranges();
    }

    /// Every code unit not in the set.
    pub(crate) fn negated(&self) -> UnitSet {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next: u32 = 0;
        for &(lo, hi) in &self.ranges {
            if u32::from(lo) > next {
                out.push((next as u16, lo - 1));
            }
            next = u32::from(hi) + 1;
        }
        if next <= 0xFFFF {
            out.push((next as u16, 0xFFFF));
        }
        UnitSet { ranges: out }
    }

    /// Membership.
    pub(crate) fn contains(&self, unit: u16) -> bool {
        self.ranges
            .binary_search_by(|&(lo, hi)| {
                if hi < unit {
                    std::cmp::Ordering::Less
                } else if lo > unit {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// Adds every unit whose canonical form equals that of a member (the `i` flag's semantics).
    pub(crate) fn case_closed(mut self) -> UnitSet {
        let ascii_only = self.ranges.last().is_none_or(|&(_, hi)| hi < 0x80);
        let mut extra = Vec::new();
        if ascii_only {
            // Fast path: ASCII letters only ever fold to each other.
            for &(lo, hi) in &self.ranges {
                for u in lo..=hi {
                    let c = u as u8;
                    if c.is_ascii_alphabetic() {
                        let other = u16::from(c ^ 0x20);
                        extra.push((other, other));
                    }
                }
            }
        } else {
            for group in case_groups() {
                if group.iter().any(|&u| self.contains(u)) {
                    extra.extend(group.iter().map(|&u| (u, u)));
                }
            }
        }
        if !extra.is_empty() {
            self.ranges.extend(extra);
            self.canonicalize_ranges();
        }
        self
    }
}

/// JavaScript's non-Unicode `Canonicalize` for one code unit.
fn canonicalize(unit: u16) -> u16 {
    let Some(c) = char::from_u32(u32::from(unit)) else {
        return unit; // a surrogate half has no case
    };
    let mut upper = c.to_uppercase();
    let (Some(first), None) = (upper.next(), upper.next()) else {
        return unit; // maps to several characters (e.g. ß → SS): unchanged
    };
    let Ok(single) = u16::try_from(u32::from(first)) else {
        return unit; // maps outside the BMP: not one code unit
    };
    if unit >= 0x80 && single < 0x80 {
        return unit;
    }
    single
}

/// Every group of two or more code units that share a canonical form, computed once.
fn case_groups() -> &'static [Vec<u16>] {
    static GROUPS: OnceLock<Vec<Vec<u16>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut by_canon: HashMap<u16, Vec<u16>> = HashMap::new();
        for unit in 0..=0xFFFFu16 {
            let canon = canonicalize(unit);
            by_canon.entry(canon).or_default().push(unit);
        }
        let mut groups: Vec<Vec<u16>> = by_canon.into_values().filter(|g| g.len() > 1).collect();
        groups.sort_unstable();
        groups
    })
}

/// `\d`
pub(crate) fn digits() -> UnitSet {
    UnitSet::from_ranges([(b'0'.into(), b'9'.into())])
}

/// `\w` (without the `u` flag there are no extra word characters).
pub(crate) fn word() -> UnitSet {
    UnitSet::from_ranges([
        (b'0'.into(), b'9'.into()),
        (b'A'.into(), b'Z'.into()),
        (b'_'.into(), b'_'.into()),
        (b'a'.into(), b'z'.into()),
    ])
}

/// `\s`: WhiteSpace and LineTerminator.
pub(crate) fn space() -> UnitSet {
    UnitSet::from_ranges([
        (0x09, 0x0D),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ])
}

/// The line terminators `.` does not match (without the `s` flag) and `^`/`$` see with `m`.
pub(crate) fn line_terminators() -> UnitSet {
    UnitSet::from_ranges([(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)])
}

/// Whether `unit` is a `\w` character (for `\b`).
pub(crate) fn is_word_unit(unit: u16) -> bool {
    unit < 0x80 && ((unit as u8).is_ascii_alphanumeric() || unit == u16::from(b'_'))
}

/// Whether `unit` is a line terminator.
pub(crate) fn is_line_terminator(unit: u16) -> bool {
    matches!(unit, 0x0A | 0x0D | 0x2028 | 0x2029)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_javascript_without_the_u_flag() {
        let closed = |c: char| UnitSet::unit(c as u16).case_closed();
        assert!(closed('a').contains('A' as u16));
        assert!(closed('é').contains('É' as u16));
        assert!(!closed('s').contains(0x017F), "ſ must not match s");
        assert!(
            !closed('k').contains(0x212A),
            "the Kelvin sign must not match k"
        );
        assert!(!closed('ß').contains('S' as u16));
        assert!(closed('σ').contains('ς' as u16) && closed('σ').contains('Σ' as u16));
        assert!(!closed('ı').contains('i' as u16) && !closed('İ').contains('i' as u16));
    }

    #[test]
    fn negation_round_trips() {
        let set = UnitSet::from_ranges([(0, 5), (10, 10), (0xFFF0, 0xFFFF)]);
        assert_eq!(set.negated().negated(), set);
        assert!(!set.negated().contains(10) && set.negated().contains(11));
    }
}
