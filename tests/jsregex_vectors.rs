//! Our regex engine against V8: `tests/data/jsregex-vectors.json` holds random non-Unicode regexes
//! with inputs, answered by Node's RegExp (see scripts/gen-jsregex-vectors.js). Both of our engines —
//! the lazy DFA (through `RegexSet`) and the Pike VM — must give V8's answer on every input, and
//! refuse exactly the sources V8 refuses.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use portcullis::jsregex::{Flags, Regex, RegexSet};

#[test]
fn every_answer_equals_v8() {
    let data = common::vectors("jsregex-vectors.json");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in data["cases"].as_array().expect("cases") {
        let source = case["source"].as_str().expect("source");
        let flags = Flags::parse(case["flags"].as_str().expect("flags")).expect("flags");
        let compiled = Regex::new(source, flags);
        if case["error"].as_bool() == Some(true) {
            if compiled.is_ok() {
                failures.push(format!(
                    "/{source}/{flags}: V8 throws a SyntaxError, we compiled it"
                ));
            }
            continue;
        }
        let regex = match compiled {
            Ok(regex) => regex,
            Err(error) => {
                failures.push(format!(
                    "/{source}/{flags}: V8 compiles it, we refused: {error}"
                ));
                continue;
            }
        };
        let set = RegexSet::new(vec![regex.clone()]);
        for pair in case["matches"].as_array().expect("matches") {
            let input = pair[0].as_str().expect("input");
            let expected = pair[1].as_bool().expect("answer");
            checked += 1;
            let answers = [
                ("pikevm", regex.is_match(input)),
                ("set", set.is_match(input)),
                ("set-pikevm", set.is_match_pikevm(input)),
            ];
            for (engine, got) in answers {
                if got != expected {
                    failures.push(format!(
                        "/{source}/{flags} on {input:?}: {engine} says {got}, V8 says {expected}"
                    ));
                }
            }
        }
    }
    assert!(checked > 5000, "only {checked} inputs checked");
    assert!(
        failures.is_empty(),
        "{} disagreements with V8:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
