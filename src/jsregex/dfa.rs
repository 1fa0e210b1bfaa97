//! A lazily built DFA for the common case: patterns whose only assertions are `^` and `$`.
//!
//! Every string route pattern is of that kind, so a whole route list becomes one automaton and a
//! request path is answered in a single pass with one table lookup per code unit. States are built
//! on first use and cached; the cache is bounded, and when it fills up the caller falls back to the
//! Pike VM for that input (still linear), so memory stays bounded whatever the paths.

use std::collections::HashMap;

use super::ast::Assertion;
use super::program::{Inst, Program};
use super::set::UnitSet;

/// Cached states beyond this make the DFA give up on the current input and start afresh.
const MAX_STATES: usize = 4096;
const UNKNOWN: u32 = u32::MAX;
const START_MARKER: u32 = u32::MAX;
const MATCHED_MARKER: u32 = u32::MAX - 1;

#[derive(Debug)]
struct State {
    /// Instruction indices of pending `Set`s and deferred `$` assertions, sorted.
    members: Box<[u32]>,
    /// A program has matched already (the rest of the input does not matter).
    matched: bool,
    /// A program matches if the input ends here.
    matched_at_end: bool,
}

/// The union of several programs without lookarounds, word boundaries or multiline anchors.
#[derive(Debug)]
pub(crate) struct LazyDfa {
    insts: Vec<Inst>,
    sets: Vec<UnitSet>,
    /// Entry points; each program begins with `^` or is searched at every position (`floating`).
    starts: Vec<u32>,
    floating: Vec<u32>,
    /// Equivalence classes of code units: `bounds[k]` is the first unit of class `k`.
    bounds: Vec<u16>,
    ascii_class: [u16; 128],
    states: Vec<State>,
    table: Vec<u32>,
    index: HashMap<Box<[u32]>, u32>,
    start: Option<u32>,
}

impl LazyDfa {
    /// Combines `programs` (each with its `anchored` flag) into one automaton.
    pub(crate) fn new<'a>(programs: impl IntoIterator<Item = (&'a Program, bool)>) -> LazyDfa {
        let mut insts = Vec::new();
        let mut sets: Vec<UnitSet> = Vec::new();
        let (mut starts, mut floating) = (Vec::new(), Vec::new());
        for (program, anchored) in programs {
            let offset = insts.len();
            let set_offset = sets.len();
            sets.extend(program.sets.iter().cloned());
            insts.extend(program.main.insts.iter().map(|inst| match *inst {
                Inst::Set(s) => Inst::Set(s + set_offset),
                Inst::Split(a, b) => Inst::Split(a + offset, b + offset),
                Inst::Jmp(t) => Inst::Jmp(t + offset),
                other => other,
            }));
            if anchored { &mut starts } else { &mut floating }.push(offset as u32);
        }
        let mut bounds = vec![0u16];
        for set in &sets {
            for &(lo, hi) in set.ranges() {
                bounds.push(lo);
                if let Some(after) = hi.checked_add(1) {
                    bounds.push(after);
                }
            }
        }
        bounds.sort_unstable();
        bounds.dedup();
        let mut dfa = LazyDfa {
            insts,
            sets,
            starts,
            floating,
            bounds,
            ascii_class: [0; 128],
            states: Vec::new(),
            table: Vec::new(),
            index: HashMap::new(),
            start: None,
        };
        for unit in 0..128u16 {
            dfa.ascii_class[unit as usize] = dfa.class_of_slow(unit);
        }
        dfa
    }

    fn class_of_slow(&self, unit: u16) -> u16 {
        (self.bounds.partition_point(|&b| b <= unit) - 1) as u16
    }

    fn class_of(&self, unit: u16) -> usize {
        if unit < 128 {
            usize::from(self.ascii_class[unit as usize])
        } else {
            usize::from(self.class_of_slow(unit))
        }
    }

    /// Runs the automaton over `units`. `None` when the state cache overflowed (the caller then
    /// uses the Pike VM for this input).
    pub(crate) fn is_match(&mut self, units: impl Iterator<Item = u16>) -> Option<bool> {
        let classes = self.bounds.len();
        let mut state = match self.start {
            Some(start) => start,
            None => {
                let seeds: Vec<u32> = self.starts.iter().chain(&self.floating).copied().collect();
                let start = self.intern(&seeds, true)?;
                self.start = Some(start);
                start
            }
        };
        for unit in units {
            if self.states[state as usize].matched {
                return Some(true);
            }
            let class = self.class_of(unit);
            let mut next = self.table[state as usize * classes + class];
            if next == UNKNOWN {
                next = self.transition(state, class)?;
                self.table[state as usize * classes + class] = next;
            }
            state = next;
        }
        let last = &self.states[state as usize];
        Some(last.matched || last.matched_at_end)
    }

    fn transition(&mut self, state: u32, class: usize) -> Option<u32> {
        let unit = self.bounds[class];
        let mut seeds: Vec<u32> = Vec::new();
        for &pc in self.states[state as usize].members.iter() {
            if let Inst::Set(set) = self.insts[pc as usize] {
                if self.sets[set].contains(unit) {
                    seeds.push(pc + 1);
                }
            }
        }
        seeds.extend_from_slice(&self.floating);
        self.intern(&seeds, false)
    }

    /// Finds or creates the state reached from `seeds` without consuming input.
    fn intern(&mut self, seeds: &[u32], at_start: bool) -> Option<u32> {
        let (members, matched) = self.closure(seeds, at_start, false);
        // Members alone do not identify a state: reaching `Match` on the way, and being the start
        // state (where `^` holds), change its answers. Both are appended as markers.
        let markers = [(matched, MATCHED_MARKER), (at_start, START_MARKER)];
        let key: Box<[u32]> = members
            .iter()
            .copied()
            .chain(markers.iter().filter(|(on, _)| *on).map(|&(_, m)| m))
            .collect();
        if let Some(&id) = self.index.get(&key) {
            return Some(id);
        }
        if self.states.len() >= MAX_STATES {
            self.reset();
            return None;
        }
        let deferred: Vec<u32> = members
            .iter()
            .filter(|&&pc| self.insts[pc as usize] == Inst::Assert(Assertion::End))
            .map(|&pc| pc + 1)
            .collect();
        let matched_at_end = !deferred.is_empty() && self.closure(&deferred, at_start, true).1;
        let id = self.states.len() as u32;
        self.states.push(State {
            members,
            matched,
            matched_at_end,
        });
        self.table
            .extend(std::iter::repeat_n(UNKNOWN, self.bounds.len()));
        self.index.insert(key, id);
        Some(id)
    }

    /// Follows jumps and assertions from `seeds`. Returns the pending `Set`/`$` instructions and
    /// whether `Match` was reached.
    fn closure(&self, seeds: &[u32], at_start: bool, at_end: bool) -> (Box<[u32]>, bool) {
        let mut seen = vec![false; self.insts.len()];
        let mut stack: Vec<u32> = seeds.iter().rev().copied().collect();
        let mut members = Vec::new();
        let mut matched = false;
        while let Some(pc) = stack.pop() {
            if std::mem::replace(&mut seen[pc as usize], true) {
                continue;
            }
            match self.insts[pc as usize] {
                Inst::Set(_) => members.push(pc),
                Inst::Match => matched = true,
                Inst::Jmp(t) => stack.push(t as u32),
                Inst::Split(a, b) => {
                    stack.push(b as u32);
                    stack.push(a as u32);
                }
                Inst::Assert(Assertion::Start) if at_start => stack.push(pc + 1),
                Inst::Assert(Assertion::End) if at_end => stack.push(pc + 1),
                Inst::Assert(Assertion::End) => members.push(pc),
                // Other assertions and lookarounds never reach a LazyDfa; `^` away from the start fails.
                Inst::Assert(_) | Inst::Look(_) => {}
            }
        }
        members.sort_unstable();
        (members.into_boxed_slice(), matched)
    }

    fn reset(&mut self) {
        self.states.clear();
        self.table.clear();
        self.index.clear();
        self.start = None;
    }
}
