//! Parsed parts → the JavaScript regular-expression source path-to-regexp 6 builds with its default
//! options: anchored at both ends (`start`, `end`), an optional trailing delimiter (`strict: false`)
//! and, when compiled, the `i` flag (`sensitive: false`).

use super::parser::{Part, DELIMITERS};

/// Escapes regex metacharacters exactly like path-to-regexp's `escapeString`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if ".+*?=^!:${}()[]|/\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Builds the regex source for `parts`, or fails with path-to-regexp's message.
pub(crate) fn regex_source(parts: &[Part]) -> Result<String, String> {
    let mut source = String::from("^");
    for part in parts {
        match part {
            Part::Text(text) => source.push_str(&escape(text)),
            Part::Key {
                name,
                prefix,
                suffix,
                pattern,
                modifier,
            } => {
                let prefix = escape(prefix);
                let suffix = escape(suffix);
                let repeated = modifier == "+" || modifier == "*";
                if pattern.is_empty() {
                    source.push_str(&format!("(?:{prefix}{suffix}){modifier}"));
                } else if prefix.is_empty() && suffix.is_empty() {
                    if repeated {
                        return Err(format!(
                            "Can not repeat \"{name}\" without a prefix and suffix"
                        ));
                    }
                    source.push_str(&format!("({pattern}){modifier}"));
                } else if repeated {
                    let optional = if modifier == "*" { "?" } else { "" };
                    source.push_str(&format!(
                        "(?:{prefix}((?:{pattern})(?:{suffix}{prefix}(?:{pattern}))*){suffix}){optional}"
                    ));
                } else {
                    source.push_str(&format!("(?:{prefix}({pattern}){suffix}){modifier}"));
                }
            }
        }
    }
    source.push_str(&format!("[{}]?$", escape(DELIMITERS)));
    Ok(source)
}

#[cfg(test)]
mod tests {
    use super::super::{lexer::lex, parser::parse};
    use super::*;

    fn compile(pattern: &str) -> Result<String, String> {
        regex_source(&parse(&lex(pattern)?)?)
    }

    /// The exact sources listed in CLERK-BEHAVIOUR.md §1.2.
    #[test]
    fn matches_path_to_regexp_output() {
        let cases = [
            ("/foo", r"^\/foo[\/#\?]?$"),
            ("/foo(.*)", r"^\/foo(.*)[\/#\?]?$"),
            ("/foo/(.*)", r"^\/foo(?:\/(.*))[\/#\?]?$"),
            (
                "/foo/:path*",
                r"^\/foo(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?[\/#\?]?$",
            ),
            ("/foo/:id", r"^\/foo(?:\/([^\/#\?]+?))[\/#\?]?$"),
            (
                "/:a-:b",
                r"^(?:\/([^\/#\?]+?))-((?:(?!-)[^\/#\?])+?)[\/#\?]?$",
            ),
            ("/a\\", r"^\/a[\/#\?]?$"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(compile(pattern).as_deref(), Ok(expected), "{pattern}");
        }
    }

    #[test]
    fn reports_path_to_regexp_errors() {
        let cases = [
            ("/foo*", "Unexpected MODIFIER at 4, expected END"),
            ("*", "Unexpected MODIFIER at 0, expected END"),
            ("/:", "Missing parameter name at 1"),
            ("/(?x)", "Pattern cannot start with \"?\" at 2"),
            ("/((a))", "Capturing groups are not allowed at 2"),
            ("/(a", "Unbalanced pattern at 1"),
            ("/()", "Missing pattern at 1"),
            (
                "/:a:b",
                "Must have text between two parameters, missing text after \"a\"",
            ),
            ("{/a", "Unexpected END at 3, expected CLOSE"),
            ("(.*)+", "Can not repeat \"0\" without a prefix and suffix"),
        ];
        for (pattern, expected) in cases {
            assert_eq!(compile(pattern), Err(expected.to_owned()), "{pattern}");
        }
    }
}
