//! Clerk's default directives and its merging and formatting rules, step for step.
//!
//! Why step for step: the output must equal `createContentSecurityPolicyHeaders` of
//! `@clerk/nextjs` 7.8.0 byte for byte, including its quirks — defaults are stored unquoted and
//! quoted only on output; a merged directive is quoted and de-duplicated *after* quoting; a source
//! list containing `none` or `'none'` becomes just `'none'`; quoting strips one leading and one
//! trailing `'` and quotes the result when it is a keyword (so `'self` becomes `'self'`).

use std::borrow::Cow;

/// Sources that are quoted on output.
const KEYWORDS: [&str; 6] = [
    "none",
    "self",
    "strict-dynamic",
    "unsafe-eval",
    "unsafe-hashes",
    "unsafe-inline",
];

const PROTECT: &str = "https://*.protect.clerk.com";

/// Clerk's defaults; `'unsafe-eval'` only outside production (Clerk reads `NODE_ENV` once, when
/// its module loads).
pub(crate) fn defaults(production: bool) -> Vec<(String, Vec<String>)> {
    let mut script = vec!["self"];
    if !production {
        script.push("unsafe-eval");
    }
    script.extend([
        "unsafe-inline",
        "https:",
        "http:",
        "https://*.js.stripe.com",
        "https://js.stripe.com",
        "https://maps.googleapis.com",
        PROTECT,
    ]);
    let connect_protect = format!("{PROTECT}:*");
    let table: [(&str, Vec<&str>); 8] = [
        (
            "connect-src",
            vec![
                "self",
                "https://clerk-telemetry.com",
                "https://*.clerk-telemetry.com",
                "https://api.stripe.com",
                "https://maps.googleapis.com",
                "https://img.clerk.com",
                "https://images.clerkstage.dev",
                &connect_protect,
            ],
        ),
        ("default-src", vec!["self"]),
        ("form-action", vec!["self"]),
        (
            "frame-src",
            vec![
                "self",
                "https://challenges.cloudflare.com",
                "https://*.js.stripe.com",
                "https://js.stripe.com",
                "https://hooks.stripe.com",
                PROTECT,
            ],
        ),
        ("img-src", vec!["self", "https://img.clerk.com"]),
        ("script-src", script),
        ("style-src", vec!["self", "unsafe-inline"]),
        ("worker-src", vec!["self", "blob:"]),
    ];
    table
        .into_iter()
        .map(|(name, values)| {
            (
                name.to_owned(),
                values.into_iter().map(str::to_owned).collect(),
            )
        })
        .collect()
}

/// Whether `name` is one of Clerk's default directives (whose sources are merged, not replaced).
pub(crate) fn is_default(name: &str) -> bool {
    matches!(
        name,
        "connect-src"
            | "default-src"
            | "form-action"
            | "frame-src"
            | "img-src"
            | "script-src"
            | "style-src"
            | "worker-src"
    )
}

/// JavaScript's `value.replace(/^'|'$/g, '')`: one leading and one trailing quote removed.
fn strip_quotes(value: &str) -> &str {
    let value = value.strip_prefix('\'').unwrap_or(value);
    value.strip_suffix('\'').unwrap_or(value)
}

/// Clerk's `formatValue`: strip quotes; when what remains (stripped once more) is a keyword,
/// quote what remains; otherwise keep the value as written.
pub(crate) fn format_value(value: &str) -> Cow<'_, str> {
    let unquoted = strip_quotes(value);
    if KEYWORDS.contains(&strip_quotes(unquoted)) {
        Cow::Owned(format!("'{unquoted}'"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Adds `value` unless present (a JavaScript `Set`'s `add`).
pub(crate) fn add(set: &mut Vec<String>, value: String) {
    if !set.contains(&value) {
        set.push(value);
    }
}

fn is_none(values: &[String]) -> bool {
    values.iter().any(|v| v == "'none'" || v == "none")
}

/// Clerk's `handleExistingDirective` / `handleCustomDirective`: the new source list for `name`.
pub(crate) fn merged(existing: Option<&[String]>, values: &[String]) -> Vec<String> {
    if is_none(values) {
        return vec!["'none'".to_owned()];
    }
    let mut set = Vec::new();
    for value in existing.unwrap_or_default().iter().chain(values) {
        add(&mut set, format_value(value).into_owned());
    }
    set
}

/// Clerk's `formatCSPHeader`: sorted by name, each source quoted again (no de-duplication here),
/// `name v1 v2`, joined with `; `. The names are lowercase ASCII letters and hyphens, for which
/// byte order is `localeCompare` order.
pub(crate) fn format_header(mut directives: Vec<(String, Vec<String>)>) -> String {
    directives.sort_by(|(a, _), (b, _)| a.cmp(b));
    directives
        .iter()
        .map(|(name, values)| {
            let values: Vec<Cow<'_, str>> = values.iter().map(|v| format_value(v)).collect();
            format!("{name} {}", values.join(" "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_clerk() {
        for (input, output) in [
            ("self", "'self'"),
            ("'self'", "'self'"),
            ("'self", "'self'"),
            ("self'", "'self'"),
            ("''self''", "''self''"),
            ("'", "'"),
            ("none", "'none'"),
            ("https:", "https:"),
            ("'nonce-abc'", "'nonce-abc'"),
            ("SELF", "SELF"),
        ] {
            assert_eq!(format_value(input), output, "{input}");
        }
    }

    #[test]
    fn none_replaces_and_merges_dedupe_after_quoting() {
        let existing = ["self".to_owned(), "blob:".to_owned()];
        assert_eq!(
            merged(Some(&existing), &["'self'".into(), "x".into(), "x".into()]),
            ["'self'", "blob:", "x"]
        );
        assert_eq!(
            merged(Some(&existing), &["x".into(), "none".into()]),
            ["'none'"]
        );
        assert_eq!(merged(None, &["'none".into()]), ["'none'"]);
    }
}
