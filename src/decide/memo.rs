//! A tiny most-recently-used memo for pure functions of a token's text.
//!
//! Why: on a signed-in request the engine looks at the same kilobyte-long token many times (cookie
//! family choice, machine/category checks, `iat` rules, again after the host's answer) and signs it
//! for the app's `x-clerk-auth-signature`. Those are pure functions of the text, so remembering the
//! last few answers is safe, and measured to matter: re-decoding, byte-wise comparison and
//! HMAC-SHA1 were over half of the engine's time on a request whose token was seen before.
//! Wasm is single-threaded; each memo lives in a `thread_local!` of its user.

use std::rc::Rc;

/// The last `N` (text → value) answers, newest last.
#[derive(Debug)]
pub(crate) struct Memo<V, const N: usize> {
    entries: Vec<(Rc<str>, V)>,
}

impl<V: Clone, const N: usize> Memo<V, N> {
    /// An empty memo.
    pub(crate) const fn new() -> Self {
        Memo {
            entries: Vec::new(),
        }
    }

    /// The remembered value for `key` if `valid` accepts it, else `make()` (then remembered).
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: &str,
        valid: impl Fn(&V) -> bool,
        make: impl FnOnce() -> V,
    ) -> V {
        if let Some(at) = self.entries.iter().rposition(|(k, _)| same_text(k, key)) {
            let entry = self.entries.remove(at);
            if valid(&entry.1) {
                let value = entry.1.clone();
                self.entries.push(entry);
                return value;
            }
        }
        let value = make();
        if self.entries.len() == N {
            self.entries.remove(0);
        }
        self.entries.push((Rc::from(key), value.clone()));
        value
    }
}

/// Equality of two texts, eight bytes at a time (wasm's `memcmp` goes byte by byte).
fn same_text(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a.as_bytes().chunks_exact(8), b.as_bytes().chunks_exact(8));
    let word = |chunk: &[u8]| u64::from_ne_bytes(chunk.try_into().expect("8-byte chunk"));
    a.by_ref().zip(b.by_ref()).all(|(x, y)| word(x) == word(y)) && a.remainder() == b.remainder()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_n_and_revalidates() {
        let made = std::cell::Cell::new(0);
        let mut memo: Memo<usize, 2> = Memo::new();
        let mut get = |key: &str, valid: bool| {
            memo.get_or_insert_with(
                key,
                |_| valid,
                || {
                    made.set(made.get() + 1);
                    key.len()
                },
            )
        };
        assert_eq!(get("a-long-key-of-17", true), 16);
        assert_eq!(get("a-long-key-of-17", true), 16);
        assert_eq!(get("b", true), 1);
        assert_eq!(get("c", true), 1);
        assert_eq!(get("a-long-key-of-17", true), 16, "evicted, made again");
        assert_eq!(get("a-long-key-of-17", false), 16, "refused, made again");
        assert_eq!(made.get(), 5);
    }

    #[test]
    fn compares_whole_texts() {
        assert!(same_text("", ""));
        assert!(same_text("0123456789abcdefXYZ", "0123456789abcdefXYZ"));
        assert!(!same_text("0123456789abcdefXYZ", "0123456789abcdefXYz"));
        assert!(!same_text("0123456789abcdefXYZ", "1123456789abcdefXYZ"));
        assert!(!same_text("abc", "abcd"));
    }
}
