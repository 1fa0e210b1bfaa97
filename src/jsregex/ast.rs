//! The parsed form of a JavaScript regular expression, reduced to what decides *whether* it matches.
//!
//! Capture groups, laziness and greedy/lazy order do not change whether `RegExp.prototype.test`
//! succeeds (without backreferences), so they are not represented.

use super::set::UnitSet;

/// A zero-width test of the current position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Assertion {
    /// `^` without the `m` flag.
    Start,
    /// `$` without the `m` flag.
    End,
    /// `^` with the `m` flag.
    LineStart,
    /// `$` with the `m` flag.
    LineEnd,
    /// `\b`
    WordBoundary,
    /// `\B`
    NotWordBoundary,
}

/// A regular-expression node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// Matches the empty string.
    Empty,
    /// One code unit from the set (already case-closed under the `i` flag).
    Set(UnitSet),
    /// Each node in turn.
    Concat(Vec<Node>),
    /// Any one alternative.
    Alt(Vec<Node>),
    /// `min` to `max` (unbounded when `None`) repetitions.
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
    /// A zero-width position test.
    Assert(Assertion),
    /// `(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`.
    Look {
        behind: bool,
        negate: bool,
        node: Box<Node>,
    },
}

impl Node {
    /// Whether this node (anywhere inside) uses an assertion a lazy DFA cannot evaluate.
    pub(crate) fn needs_positions(&self) -> bool {
        match self {
            Node::Empty | Node::Set(_) => false,
            Node::Concat(nodes) | Node::Alt(nodes) => nodes.iter().any(Node::needs_positions),
            Node::Repeat { node, .. } => node.needs_positions(),
            Node::Assert(a) => !matches!(a, Assertion::Start | Assertion::End),
            Node::Look { .. } => true,
        }
    }

    /// Whether every match must begin at position 0 (a leading `^` outside any alternative).
    pub(crate) fn is_anchored_at_start(&self) -> bool {
        match self {
            Node::Assert(Assertion::Start) => true,
            Node::Concat(nodes) => nodes.first().is_some_and(Node::is_anchored_at_start),
            _ => false,
        }
    }
}
