//! The general engine: a Pike VM (breadth-first NFA simulation) over UTF-16 code units.
//!
//! Time is O(input length × program size) for every pattern, lookarounds included: each lookaround
//! is answered for all positions by one extra pass (see [`super::program`]).

use super::ast::Assertion;
use super::program::{Inst, Prog, Program};
use super::set::{is_line_terminator, is_word_unit};

/// Whether `program` matches somewhere in `input` (`RegExp.prototype.test` without `g`/`y`).
pub(crate) fn is_match(program: &Program, input: &[u16], anchored: bool) -> bool {
    let mut looks: Vec<Vec<bool>> = Vec::with_capacity(program.looks.len());
    for look in &program.looks {
        let mut bits = Simulation::new(program, &look.prog, input, &looks).positions(!look.behind);
        if look.negate {
            bits.iter_mut().for_each(|bit| *bit = !*bit);
        }
        looks.push(bits);
    }
    Simulation::new(program, &program.main, input, &looks).any_match(anchored)
}

/// A sparse set of instruction indices (Briggs–Torczon), cleared in O(1).
struct SparseSet {
    dense: Vec<usize>,
    sparse: Vec<usize>,
}

impl SparseSet {
    fn new(capacity: usize) -> Self {
        SparseSet {
            dense: Vec::with_capacity(capacity),
            sparse: vec![0; capacity],
        }
    }

    fn insert(&mut self, value: usize) -> bool {
        let slot = self.sparse[value];
        if slot < self.dense.len() && self.dense[slot] == value {
            return false;
        }
        self.sparse[value] = self.dense.len();
        self.dense.push(value);
        true
    }

    fn clear(&mut self) {
        self.dense.clear();
    }
}

struct Simulation<'a> {
    program: &'a Program,
    prog: &'a Prog,
    input: &'a [u16],
    looks: &'a [Vec<bool>],
    current: SparseSet,
    next: SparseSet,
    stack: Vec<usize>,
}

impl<'a> Simulation<'a> {
    fn new(program: &'a Program, prog: &'a Prog, input: &'a [u16], looks: &'a [Vec<bool>]) -> Self {
        let size = prog.insts.len();
        Simulation {
            program,
            prog,
            input,
            looks,
            current: SparseSet::new(size),
            next: SparseSet::new(size),
            stack: Vec::new(),
        }
    }

    /// Forward, unanchored unless `anchored`: does any thread reach `Match`?
    fn any_match(mut self, anchored: bool) -> bool {
        let n = self.input.len();
        for pos in 0..=n {
            if (!anchored || pos == 0) && self.add(true, 0, pos) {
                return true;
            }
            if self.current.dense.is_empty() && anchored {
                return false;
            }
            if pos < n && self.step(pos + 1, self.input[pos]) {
                return true;
            }
            std::mem::swap(&mut self.current, &mut self.next);
            self.next.clear();
        }
        false
    }

    /// For every position: does a match of this program end there (forward) or start there
    /// (`backward`, for a reversed lookahead program)? Threads start at every position.
    fn positions(mut self, backward: bool) -> Vec<bool> {
        let n = self.input.len();
        let mut hits = vec![false; n + 1];
        for step in 0..=n {
            let pos = if backward { n - step } else { step };
            if self.add(true, 0, pos) {
                hits[pos] = true;
            }
            if step < n {
                let (next_pos, unit) = if backward {
                    (pos - 1, self.input[pos - 1])
                } else {
                    (pos + 1, self.input[pos])
                };
                if self.step(next_pos, unit) {
                    hits[next_pos] = true;
                }
            }
            std::mem::swap(&mut self.current, &mut self.next);
            self.next.clear();
        }
        hits
    }

    /// Moves every thread in `current` that accepts `unit` to `next` (at `next_pos`).
    /// Returns whether a thread reached `Match`.
    fn step(&mut self, next_pos: usize, unit: u16) -> bool {
        let mut matched = false;
        for i in 0..self.current.dense.len() {
            let pc = self.current.dense[i];
            if let Inst::Set(set) = self.prog.insts[pc] {
                if self.program.sets[set].contains(unit) {
                    matched |= self.add(false, pc + 1, next_pos);
                }
            }
        }
        matched
    }

    /// Adds `pc` and everything reachable from it without consuming input, evaluated at `pos`,
    /// to `current` (`into_current`) or `next`. Returns whether `Match` was reached.
    fn add(&mut self, into_current: bool, pc: usize, pos: usize) -> bool {
        let mut matched = false;
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            let list = if into_current {
                &mut self.current
            } else {
                &mut self.next
            };
            if !list.insert(pc) {
                continue;
            }
            match self.prog.insts[pc] {
                Inst::Set(_) => {}
                Inst::Match => matched = true,
                Inst::Jmp(target) => self.stack.push(target),
                Inst::Split(a, b) => {
                    self.stack.push(b);
                    self.stack.push(a);
                }
                Inst::Assert(assertion) => {
                    if holds(assertion, self.input, pos) {
                        self.stack.push(pc + 1);
                    }
                }
                Inst::Look(index) => {
                    if self.looks[index][pos] {
                        self.stack.push(pc + 1);
                    }
                }
            }
        }
        matched
    }
}

/// Evaluates an assertion at `pos`.
pub(crate) fn holds(assertion: Assertion, input: &[u16], pos: usize) -> bool {
    let before = pos.checked_sub(1).map(|i| input[i]);
    let after = input.get(pos).copied();
    match assertion {
        Assertion::Start => pos == 0,
        Assertion::End => pos == input.len(),
        Assertion::LineStart => before.is_none_or(is_line_terminator),
        Assertion::LineEnd => after.is_none_or(is_line_terminator),
        Assertion::WordBoundary => {
            before.is_some_and(is_word_unit) != after.is_some_and(is_word_unit)
        }
        Assertion::NotWordBoundary => {
            before.is_some_and(is_word_unit) == after.is_some_and(is_word_unit)
        }
    }
}
