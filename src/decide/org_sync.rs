//! `organizationSyncOptions`: which organization a URL asks to be active (CLERK-BEHAVIOUR.md §1.5,
//! §2.8).
//!
//! These patterns follow different rules from `createRouteMatcher`, and we keep them: they are
//! matched against the **raw** `clerkUrl.pathname` (no `decodeURI`, no `//` collapsing), the
//! captured `:id` / `:slug` are **not** decoded (`/orgs/My%20Org` asks for slug `My%20Org`), and
//! organization patterns are tried before personal-account patterns. As in path-to-regexp,
//! `match([])` matches every path — so `personalAccountPatterns: []` makes every page a
//! personal-account page. That is Clerk's behaviour, reproduced rather than "fixed", because
//! changing which organization gets activated would be a silent behaviour change.

use serde::{Deserialize, Serialize};

use crate::route::capture::{Exec, MatchPattern, ParamValue};
use crate::route::PatternError;

/// The option as Clerk spells it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationSyncOptions {
    /// Patterns with `:id` (an organization ID) or `:slug`.
    #[serde(default)]
    pub organization_patterns: Option<Vec<String>>,
    /// Patterns of pages that belong to the personal account.
    #[serde(default)]
    pub personal_account_patterns: Option<Vec<String>>,
}

/// What a URL asks to activate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrgTarget {
    /// An organization by ID (`:id`).
    Id(ParamValue),
    /// An organization by slug (`:slug`).
    Slug(ParamValue),
    /// The personal account (no organization).
    PersonalAccount,
}

impl OrgTarget {
    /// The `organization_id` value for the handshake URL (a slug is sent under the same name).
    pub(crate) fn query_value(&self) -> String {
        match self {
            OrgTarget::Id(value) | OrgTarget::Slug(value) => js_string(value),
            OrgTarget::PersonalAccount => String::new(),
        }
    }

    /// Whether the session's organization differs from the target (Clerk's `mustActivate`).
    pub(crate) fn must_activate(&self, org_id: Option<&str>, org_slug: Option<&str>) -> bool {
        let differs = |value: &ParamValue, current: Option<&str>| match value {
            ParamValue::One(text) => Some(text.as_str()) != current,
            // An array never equals a string in JavaScript.
            ParamValue::Many(_) => true,
        };
        match self {
            OrgTarget::Id(id) => differs(id, org_id),
            OrgTarget::Slug(slug) => differs(slug, org_slug),
            OrgTarget::PersonalAccount => org_id.is_some_and(|id| !id.is_empty()),
        }
    }
}

/// `String(value)`: an array joins with commas.
fn js_string(value: &ParamValue) -> String {
    match value {
        ParamValue::One(text) => text.clone(),
        ParamValue::Many(parts) => parts.join(","),
    }
}

/// `params.x` is truthy.
fn truthy(value: &ParamValue) -> bool {
    match value {
        ParamValue::One(text) => !text.is_empty(),
        ParamValue::Many(_) => true,
    }
}

/// Compiled `organizationSyncOptions`.
#[derive(Debug, Default)]
pub(crate) struct OrganizationMatcher {
    organization: Option<Vec<MatchPattern>>,
    personal: Option<Vec<MatchPattern>>,
}

/// The result of one pattern list on a path.
enum ListMatch {
    No,
    Yes(Vec<(String, ParamValue)>),
    /// Capturing ran out of budget; Clerk's equivalent is a thrown matcher, logged and ignored.
    Failed,
}

fn compile(patterns: &Option<Vec<String>>) -> Result<Option<Vec<MatchPattern>>, PatternError> {
    patterns
        .as_ref()
        .map(|list| list.iter().map(|p| MatchPattern::new(p)).collect())
        .transpose()
}

fn run(list: &[MatchPattern], pathname: &str) -> ListMatch {
    if list.is_empty() {
        return ListMatch::Yes(Vec::new()); // `match([])` is `/(?:)/i`: it matches everything
    }
    for pattern in list {
        match pattern.exec(pathname) {
            Exec::NoMatch => continue,
            Exec::Match(params) => return ListMatch::Yes(params),
            Exec::GaveUp => return ListMatch::Failed,
        }
    }
    ListMatch::No
}

impl OrganizationMatcher {
    /// Compiles the options; a bad pattern fails configuration, as in Clerk.
    pub(crate) fn new(options: &OrganizationSyncOptions) -> Result<Self, PatternError> {
        Ok(OrganizationMatcher {
            organization: compile(&options.organization_patterns)?,
            personal: compile(&options.personal_account_patterns)?,
        })
    }

    /// Clerk's `findTarget(clerkUrl)` on the raw pathname, plus a log line when matching failed.
    pub(crate) fn find_target(&self, pathname: &str) -> (Option<OrgTarget>, Option<String>) {
        let mut log = None;
        if let Some(list) = &self.organization {
            match run(list, pathname) {
                ListMatch::Yes(params) => {
                    // The last defined value of a name wins, like assigning `params[name]` in order.
                    let param = |name: &str| {
                        params
                            .iter()
                            .rev()
                            .find(|(key, _)| key == name)
                            .map(|(_, v)| v.clone())
                    };
                    if let Some(id) = param("id").filter(truthy) {
                        return (Some(OrgTarget::Id(id)), None);
                    }
                    if let Some(slug) = param("slug").filter(truthy) {
                        return (Some(OrgTarget::Slug(slug)), None);
                    }
                }
                ListMatch::Failed => log = Some(failure("organization")),
                ListMatch::No => {}
            }
        }
        if let Some(list) = &self.personal {
            match run(list, pathname) {
                ListMatch::Yes(_) => return (Some(OrgTarget::PersonalAccount), log),
                ListMatch::Failed => log = Some(failure("personal account")),
                ListMatch::No => {}
            }
        }
        (None, log)
    }
}

fn failure(kind: &str) -> String {
    format!(
        "Failed to match {kind} pattern: the path is too long or the pattern too ambiguous to \
         capture its parameters within the work limit; no organization will be activated."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(org: Option<&[&str]>, personal: Option<&[&str]>) -> OrganizationMatcher {
        let list = |l: Option<&[&str]>| l.map(|l| l.iter().map(|s| s.to_string()).collect());
        OrganizationMatcher::new(&OrganizationSyncOptions {
            organization_patterns: list(org),
            personal_account_patterns: list(personal),
        })
        .unwrap()
    }

    #[test]
    fn finds_targets_like_clerk() {
        let m = matcher(
            Some(&["/orgs/:slug", "/orgs/:slug/(.*)", "/id/:id"]),
            Some(&["/me", "/me/(.*)"]),
        );
        let one = |s: &str| ParamValue::One(s.to_owned());
        assert_eq!(
            m.find_target("/orgs/My%20Org/x").0,
            Some(OrgTarget::Slug(one("My%20Org")))
        );
        assert_eq!(
            m.find_target("/ID/org_1").0,
            Some(OrgTarget::Id(one("org_1")))
        );
        assert_eq!(m.find_target("/me/").0, Some(OrgTarget::PersonalAccount));
        assert_eq!(
            m.find_target("//me").0,
            None,
            "raw pathname: no slash collapsing"
        );
        assert_eq!(m.find_target("/other").0, None);
        assert_eq!(
            matcher(None, Some(&[])).find_target("/any").0,
            Some(OrgTarget::PersonalAccount)
        );
        assert_eq!(
            matcher(Some(&["/a/(.*)"]), None).find_target("/a/b").0,
            None,
            "no :id or :slug"
        );
    }

    #[test]
    fn must_activate_rules() {
        let one = |s: &str| ParamValue::One(s.to_owned());
        assert!(!OrgTarget::Slug(one("acme")).must_activate(Some("org_1"), Some("acme")));
        assert!(OrgTarget::Slug(one("acme")).must_activate(Some("org_1"), None));
        assert!(OrgTarget::Id(one("org_2")).must_activate(Some("org_1"), None));
        assert!(OrgTarget::Id(ParamValue::Many(vec!["org_1".into()]))
            .must_activate(Some("org_1"), None));
        assert!(OrgTarget::PersonalAccount.must_activate(Some("org_1"), None));
        assert!(!OrgTarget::PersonalAccount.must_activate(None, None));
        assert_eq!(
            OrgTarget::Slug(ParamValue::Many(vec!["a".into(), "b".into()])).query_value(),
            "a,b"
        );
    }
}
