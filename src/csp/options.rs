//! The `contentSecurityPolicy` option, validated once: `{strict?, directives?, reportOnly?, reportTo?}`.
//!
//! Why stricter than Clerk (which reads these with JavaScript truthiness and checks nothing): every
//! refusal here is an input whose effect would differ from what was written. A misspelt directive
//! (`frame-ancestor`, `Script-Src`) is ignored by browsers, so the protection silently vanishes; a
//! value containing `;` or `,` starts another directive or policy; a non-ASCII value or a `"` in
//! `reportTo` breaks the header (Next.js throws when setting it, per request). Directive names are
//! those of Clerk's own `ContentSecurityPolicyDirective` type, plus the CSP3 names it lacks.

use serde_json::{Map, Value};

use super::error::CspError;

/// Directive names accepted in `directives`: Clerk's `ContentSecurityPolicyDirective` type, plus
/// `fenced-frame-src` and `webrtc` (CSP Level 3).
pub const DIRECTIVE_NAMES: [&str; 32] = [
    "base-uri",
    "block-all-mixed-content",
    "child-src",
    "connect-src",
    "default-src",
    "fenced-frame-src",
    "font-src",
    "form-action",
    "frame-ancestors",
    "frame-src",
    "img-src",
    "manifest-src",
    "media-src",
    "navigate-to",
    "object-src",
    "plugin-types",
    "prefetch-src",
    "report-to",
    "report-uri",
    "require-sri-for",
    "require-trusted-types-for",
    "sandbox",
    "script-src",
    "script-src-attr",
    "script-src-elem",
    "style-src",
    "style-src-attr",
    "style-src-elem",
    "trusted-types",
    "upgrade-insecure-requests",
    "webrtc",
    "worker-src",
];

const OPTION_NAMES: [&str; 4] = ["strict", "directives", "reportOnly", "reportTo"];

/// Validated `contentSecurityPolicy` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CspOptions {
    /// Replace `http:`/`https:` in `script-src` with `'strict-dynamic'` and a per-request nonce.
    pub strict: bool,
    /// Extra directives: merged into Clerk's defaults for the same name, added otherwise.
    pub directives: Vec<(String, Vec<String>)>,
    /// Send `content-security-policy-report-only` instead of `content-security-policy`.
    pub report_only: bool,
    /// Where browsers report violations (`reporting-endpoints` + `report-to csp-endpoint`).
    pub report_to: Option<String>,
}

impl CspOptions {
    /// Reads the options object. Absent and `null` mean "not set", as in Clerk.
    pub fn from_json(options: &Map<String, Value>) -> Result<CspOptions, CspError> {
        let mut parsed = CspOptions::default();
        for (name, value) in options {
            match (name.as_str(), value) {
                (_, Value::Null) if OPTION_NAMES.contains(&name.as_str()) => {}
                ("strict", Value::Bool(b)) => parsed.strict = *b,
                ("reportOnly", Value::Bool(b)) => parsed.report_only = *b,
                ("strict" | "reportOnly", _) => {
                    return Err(CspError::option_error(name, "expected true or false"))
                }
                ("reportTo", Value::String(url)) => {
                    check_report_to(url)?;
                    // An empty string is falsy in Clerk: no reporting.
                    parsed.report_to = (!url.is_empty()).then(|| url.clone());
                }
                ("reportTo", _) => {
                    return Err(CspError::option_error(
                        name,
                        "expected the URL of a reporting endpoint (a string)",
                    ))
                }
                ("directives", Value::Object(directives)) => {
                    parsed.directives = directives
                        .iter()
                        .map(|(name, values)| Ok((directive_name(name)?, values_of(name, values)?)))
                        .collect::<Result<_, CspError>>()?;
                }
                ("directives", _) => {
                    return Err(CspError::option_error(
                        name,
                        "expected an object of directive name → source list, e.g. { 'img-src': ['https://cdn.example.com'] }",
                    ))
                }
                _ => {
                    return Err(CspError::option_error(
                        name,
                        format!(
                            "unknown option{}; the options are strict, directives, reportOnly and reportTo",
                            suggestion(name, &OPTION_NAMES)
                        ),
                    ))
                }
            }
        }
        Ok(parsed)
    }
}

fn directive_name(name: &str) -> Result<String, CspError> {
    if DIRECTIVE_NAMES.contains(&name) {
        return Ok(name.to_owned());
    }
    let option = format!("directives.{name}");
    let lower = name.to_ascii_lowercase();
    let message = if DIRECTIVE_NAMES.contains(&lower.as_str()) {
        format!("directive names are lowercase: write '{lower}' (a browser would ignore the duplicate directive)")
    } else {
        format!(
            "not a CSP directive{}; a browser would ignore it, silently dropping the protection",
            suggestion(&lower, &DIRECTIVE_NAMES)
        )
    };
    Err(CspError::option_error(option, message))
}

/// A directive's sources: one string or an array of strings (Clerk wraps a lone string).
fn values_of(name: &str, values: &Value) -> Result<Vec<String>, CspError> {
    let option = |i: Option<usize>| match i {
        Some(i) => format!("directives.{name}[{i}]"),
        None => format!("directives.{name}"),
    };
    let list: Vec<(Option<usize>, &Value)> = match values {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Some(i), v))
            .collect(),
        single => vec![(None, single)],
    };
    list.into_iter()
        .map(|(i, value)| match value {
            Value::String(source) => {
                check_source(source).map_err(|message| CspError::option_error(option(i), message))?;
                Ok(source.clone())
            }
            _ => Err(CspError::option_error(
                option(i),
                "expected a source expression string (e.g. 'self' or 'https://cdn.example.com') or an array of them",
            )),
        })
        .collect()
}

/// Characters that would change the policy's structure or break the header line.
pub(crate) fn check_source(source: &str) -> Result<(), String> {
    for c in source.chars() {
        let problem = match c {
            ';' => "contains ';', which would start another directive: give each directive its own key",
            ',' => "contains ',', which would start a second policy: list sources as separate array entries",
            c if c.is_ascii_control() => "contains a control character (a header value cannot)",
            c if !c.is_ascii() => "contains a non-ASCII character: write hosts in punycode (xn--…) and percent-encode paths",
            _ => continue,
        };
        return Err(problem.to_owned());
    }
    Ok(())
}

fn check_report_to(url: &str) -> Result<(), CspError> {
    // The value goes into a structured-field string: printable ASCII without `"` or `\`.
    if url
        .chars()
        .all(|c| (' '..='~').contains(&c) && c != '"' && c != '\\')
    {
        Ok(())
    } else {
        Err(CspError::option_error(
            "reportTo",
            "the URL must be printable ASCII without '\"' or '\\' (it is quoted in the reporting-endpoints header); percent-encode other characters",
        ))
    }
}

/// `; did you mean 'x'?` for the closest candidate within two edits, or nothing.
fn suggestion(name: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| {
            (
                edit_distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<CspOptions, CspError> {
        CspOptions::from_json(value.as_object().unwrap())
    }

    #[test]
    fn names_are_sorted_and_lowercase() {
        let mut sorted = DIRECTIVE_NAMES;
        sorted.sort_unstable();
        assert_eq!(sorted, DIRECTIVE_NAMES);
        assert!(DIRECTIVE_NAMES
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
    }

    #[test]
    fn typos_get_a_suggestion() {
        let message = |v: Value| parse(v).unwrap_err().to_string();
        assert!(
            message(json!({"directives": {"frame-ancestor": []}})).contains("'frame-ancestors'")
        );
        assert!(message(json!({"directives": {"Script-Src": []}}))
            .contains("lowercase: write 'script-src'"));
        assert!(message(json!({"strcit": true})).contains("'strict'"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn null_means_unset_and_empty_report_to_is_off() {
        let options = parse(json!({"strict": null, "directives": null, "reportTo": ""})).unwrap();
        assert_eq!(options, CspOptions::default());
    }
}
