//! Hostile patterns and paths finish in linear time. path-to-regexp's ReDoS advisories
//! (CVE-2024-45296, CVE-2024-52798) and the classic nested-quantifier shapes, on paths far longer
//! than any server accepts. On a backtracking engine several of these would not finish in our
//! lifetime; here each is one pass (or a few, for lookarounds) over the path.
#![cfg(not(target_arch = "wasm32"))]

use portcullis::jsregex::{Flags, Regex, RegexSet};
use portcullis::RouteMatcher;

const LONG: usize = 200_000;

#[test]
fn path_to_regexp_advisory_shapes() {
    let dashes = format!("/{}", "-".repeat(LONG));
    let cases: [(&str, String, bool); 6] = [
        ("/:a-:b", format!("{dashes}/"), false),
        ("/:a-:b-:c-:d", format!("/a{}", "-a".repeat(LONG / 2)), true),
        (
            "/:a-:b-:c-:d",
            format!("/a{}-", "-a".repeat(LONG / 2)),
            false,
        ),
        ("/:a-:b", format!("/x{}-y", "-x".repeat(LONG / 2)), true),
        ("/:a.:b-:c", format!("/{}", ".-".repeat(LONG / 2)), false),
        ("/(.*)-(.*)-(.*)-x", format!("/{}", "-".repeat(LONG)), false),
    ];
    for (pattern, path, expected) in cases {
        let matcher = RouteMatcher::from_paths(&[pattern]).unwrap();
        assert_eq!(matcher.matches(&path), Ok(expected), "{pattern}");
    }
}

#[test]
fn nested_quantifiers_and_lookarounds() {
    let a = "a".repeat(LONG);
    let cases = [
        ("^(a+)+$", format!("{a}!"), false),
        ("^(a|aa)*$", format!("{a}b"), false),
        ("^(?:a*)*b", a.clone(), false),
        ("^((?!.+\\.[\\w]+$|_next).*)$", format!("/{a}.x"), false),
        ("(?<=a+)b", format!("{a}b"), true),
        ("^(?=(a+)+$)a", format!("{a}!"), false),
    ];
    for (source, input, expected) in cases {
        let regex = Regex::new(source, Flags::IGNORE_CASE).unwrap();
        assert_eq!(regex.is_match(&input), expected, "{source}");
        assert_eq!(
            RegexSet::new(vec![regex]).is_match(&input),
            expected,
            "{source} (set)"
        );
    }
}

#[test]
fn dfa_state_cache_overflow_falls_back_without_changing_answers() {
    // `(a|b)*a(a|b){12}` needs 2^13 DFA states: far over the cache bound.
    let regex = Regex::new("^(?:a|b)*a(?:a|b){12}$", Flags::default()).unwrap();
    let set = RegexSet::new(vec![regex.clone()]);
    let mut x: u32 = 12345;
    for _ in 0..200 {
        let input: String = (0..40)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                if x >> 16 & 1 == 0 {
                    'a'
                } else {
                    'b'
                }
            })
            .collect();
        assert_eq!(set.is_match(&input), regex.is_match(&input), "{input}");
    }
}
