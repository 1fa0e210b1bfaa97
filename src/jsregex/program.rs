//! Compiles a [`Node`] into Thompson-NFA instructions over UTF-16 code units.
//!
//! Every lookaround becomes a separate sub-program. Because a lookaround's answer depends only on the
//! position it is asked at, the engines evaluate each sub-program once per input for *all* positions
//! (a lookahead by running its reversed program right to left, a lookbehind by running it left to
//! right) and the main program then reads a bit. That keeps lookarounds linear in the input length.

use super::ast::{Assertion, Node};
use super::set::UnitSet;
use super::RegexError;

/// Programs larger than this are refused when the pattern is compiled (huge `{n,m}` counts).
const MAX_INSTRUCTIONS: usize = 200_000;

/// One NFA instruction. `Set`, `Assert` and `Look` continue at the next instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inst {
    /// Consume one unit that is in `Program::sets[index]`.
    Set(usize),
    /// Continue at both targets.
    Split(usize, usize),
    /// Continue at the target.
    Jmp(usize),
    /// Continue if the assertion holds at the current position.
    Assert(Assertion),
    /// Continue if lookaround `index` holds at the current position.
    Look(usize),
    /// The (sub-)program matched.
    Match,
}

/// A compiled sub-program.
#[derive(Debug, Clone)]
pub(crate) struct Prog {
    pub insts: Vec<Inst>,
}

/// A lookaround: its program, its direction and whether its answer is inverted.
#[derive(Debug, Clone)]
pub(crate) struct Look {
    pub prog: Prog,
    /// Lookbehind: `prog` runs forwards and its match *ends* at the position. Lookahead: `prog` is
    /// reversed, runs backwards and its match *starts* at the position.
    pub behind: bool,
    pub negate: bool,
}

/// Everything a regex needs at run time. Lookarounds are ordered inner first.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    pub main: Prog,
    pub looks: Vec<Look>,
    pub sets: Vec<UnitSet>,
}

impl Program {
    /// Compiles `node`.
    pub(crate) fn compile(node: &Node) -> Result<Program, RegexError> {
        let mut compiler = Compiler {
            looks: Vec::new(),
            sets: Vec::new(),
            size: 0,
        };
        let main = compiler.prog(node, false)?;
        Ok(Program {
            main,
            looks: compiler.looks,
            sets: compiler.sets,
        })
    }
}

struct Compiler {
    looks: Vec<Look>,
    sets: Vec<UnitSet>,
    size: usize,
}

impl Compiler {
    fn prog(&mut self, node: &Node, reversed: bool) -> Result<Prog, RegexError> {
        let mut insts = Vec::new();
        self.emit(node, reversed, &mut insts)?;
        insts.push(Inst::Match);
        self.size += insts.len();
        if self.size > MAX_INSTRUCTIONS {
            return Err(RegexError::TooLarge);
        }
        Ok(Prog { insts })
    }

    fn set_index(&mut self, set: &UnitSet) -> usize {
        if let Some(index) = self.sets.iter().position(|s| s == set) {
            return index;
        }
        self.sets.push(set.clone());
        self.sets.len() - 1
    }

    fn emit(&mut self, node: &Node, reversed: bool, out: &mut Vec<Inst>) -> Result<(), RegexError> {
        if out.len() + self.size > MAX_INSTRUCTIONS {
            return Err(RegexError::TooLarge);
        }
        match node {
            Node::Empty => {}
            Node::Set(set) => {
                let index = self.set_index(set);
                out.push(Inst::Set(index));
            }
            Node::Concat(nodes) => {
                if reversed {
                    for node in nodes.iter().rev() {
                        self.emit(node, reversed, out)?;
                    }
                } else {
                    for node in nodes {
                        self.emit(node, reversed, out)?;
                    }
                }
            }
            Node::Alt(nodes) => {
                let mut jumps = Vec::new();
                for (i, node) in nodes.iter().enumerate() {
                    if i + 1 < nodes.len() {
                        let split = out.len();
                        out.push(Inst::Split(split + 1, 0));
                        self.emit(node, reversed, out)?;
                        jumps.push(out.len());
                        out.push(Inst::Jmp(0));
                        let next = out.len();
                        out[split] = Inst::Split(split + 1, next);
                    } else {
                        self.emit(node, reversed, out)?;
                    }
                }
                let end = out.len();
                for jump in jumps {
                    out[jump] = Inst::Jmp(end);
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.emit(node, reversed, out)?;
                }
                match max {
                    None => {
                        let split = out.len();
                        out.push(Inst::Split(split + 1, 0));
                        self.emit(node, reversed, out)?;
                        out.push(Inst::Jmp(split));
                        let end = out.len();
                        out[split] = Inst::Split(split + 1, end);
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(out.len());
                            out.push(Inst::Split(0, 0));
                            self.emit(node, reversed, out)?;
                        }
                        let end = out.len();
                        for split in splits {
                            out[split] = Inst::Split(split + 1, end);
                        }
                    }
                }
            }
            Node::Assert(assertion) => out.push(Inst::Assert(*assertion)),
            Node::Look {
                behind,
                negate,
                node,
            } => {
                // A lookahead's program is reversed; a lookbehind's runs forwards. The direction of the
                // surrounding program does not matter: the answer is a property of the position.
                let prog = self.prog(node, !behind)?;
                self.looks.push(Look {
                    prog,
                    behind: *behind,
                    negate: *negate,
                });
                out.push(Inst::Look(self.looks.len() - 1));
            }
        }
        Ok(())
    }
}
