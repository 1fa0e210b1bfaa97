//! Route patterns and paths: `RouteMatcher` (path-to-regexp 6 patterns), `normalize_path`, and a
//! differential check of the regex engine (lazy DFA vs Pike VM).
//!
//! Input (lossy UTF-8): lines. The last line is the path; every line before it is a pattern (at
//! most 8; with a single line, it is both). Each pattern line is used twice:
//! * as a path-to-regexp pattern: `RouteMatcher::from_paths`, alone and all together;
//! * as a JavaScript regex `source<TAB>flags` (flags optional): `jsregex::Regex::new`.
//!
//! Checks: nothing panics; `matches(p)` = `matches_normalized(normalize_path(p))`; a list of patterns
//! matches iff one of them does; and for every regex set and test string, the set's answer (lazy DFA
//! where it applies) = the Pike VM's answer (`RegexSet::is_match_pikevm`) = any single
//! `Regex::is_match`. The same set answers several strings in a row, so the DFA's cache is reused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::jsregex::{Flags, Regex, RegexSet};
use portcullis::{normalize_path, RouteMatcher, RoutePattern};

const MAX_PATTERNS: usize = 8;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let (path, patterns): (&str, Vec<&str>) = match lines.split_last() {
        Some((last, [])) => (last, vec![*last]),
        Some((last, rest)) => (last, rest.iter().take(MAX_PATTERNS).copied().collect()),
        None => return,
    };

    // Path normalisation.
    let normalized = normalize_path(path);
    if let Ok(normalized) = &normalized {
        assert!(!normalized.contains("//"), "runs of slashes are collapsed: {normalized:?}");
    }

    // Route patterns, one by one and as one list.
    let mut any_single = Some(false);
    for pattern in &patterns {
        match RouteMatcher::from_paths(&[pattern]) {
            Ok(matcher) => {
                let answer = matcher.matches(path);
                match (&answer, &normalized) {
                    (Ok(answer), Ok(normalized)) => {
                        assert_eq!(*answer, matcher.matches_normalized(normalized));
                        any_single = any_single.map(|any| any || *answer);
                    }
                    (Err(_), Err(_)) => {}
                    _ => panic!("matches() and normalize_path() disagree on whether {path:?} is malformed"),
                }
                let _ = matcher.matches(pattern);
            }
            Err(error) => {
                let _ = (error.code(), error.pattern().len(), error.to_string());
                any_single = None;
            }
        }
    }
    if let Ok(all) = RouteMatcher::from_paths(&patterns) {
        if let (Some(any), Ok(answer)) = (any_single, all.matches(path)) {
            assert_eq!(answer, any, "a route list matches iff one of its patterns does");
        }
    }

    // The regex engine: each line as a JavaScript regex.
    let mut regexes = Vec::new();
    let mut regex_patterns = Vec::new();
    for pattern in &patterns {
        let (source, flags) = pattern.split_once('\t').unwrap_or((pattern, ""));
        let Ok(parsed) = Flags::parse(flags) else { continue };
        assert_eq!(Flags::parse(&parsed.to_string()).ok(), Some(parsed), "flags round-trip");
        match Regex::new(source, parsed) {
            Ok(regex) => {
                regexes.push(regex);
                regex_patterns.push(RoutePattern::Regex {
                    source: source.to_owned(),
                    flags: flags.to_owned(),
                });
            }
            Err(error) => {
                let _ = (error.code(), error.to_string());
            }
        }
    }
    if regexes.is_empty() {
        return;
    }
    let mut texts: Vec<&str> = vec![path];
    if let Ok(normalized) = &normalized {
        texts.push(normalized);
    }
    texts.extend(patterns.iter().copied());
    texts.push("");

    // With one regex, the set is that regex's single set.
    let singles: Vec<RegexSet> = if regexes.len() > 1 {
        regexes.iter().map(|r| RegexSet::new(vec![r.clone()])).collect()
    } else {
        Vec::new()
    };
    let set = RegexSet::new(regexes.clone());
    for text in &texts {
        let mut any = false;
        for (regex, single) in regexes.iter().zip(&singles) {
            let expected = regex.is_match(text);
            any |= expected;
            assert_eq!(single.is_match_pikevm(text), expected, "Pike VM via the set vs Regex::is_match on {text:?}");
            assert_eq!(single.is_match(text), expected, "lazy DFA vs Pike VM for {regex:?} on {text:?}");
        }
        if singles.is_empty() {
            any = regexes[0].is_match(text);
        }
        assert_eq!(set.is_match_pikevm(text), any, "set Pike VM vs the regexes one by one on {text:?}");
        assert_eq!(set.is_match(text), any, "set (lazy DFA) vs the regexes one by one on {text:?}");
    }
    if let Ok(matcher) = RouteMatcher::new(regex_patterns) {
        if let Ok(normalized) = &normalized {
            assert_eq!(matcher.matches_normalized(normalized), set.is_match(normalized));
        }
    }
});
