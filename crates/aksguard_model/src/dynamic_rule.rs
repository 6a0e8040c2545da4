//! Rules that are not compiled into aksguard: users' Gatekeeper templates (`GK.<Kind>`) and
//! ValidatingAdmissionPolicies (`VAP.<name>`), known only once their files are loaded.
//!
//! Findings borrow `&'static` rule IDs and texts, so a loaded policy's rule is interned here
//! once: leaked once per policy (bounded by the number of policies a process loads, not by
//! the number of findings). Reports look rule metadata up by ID ([`find_dynamic_rule`]) the
//! way they look up built-in rules.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use crate::finding::{RuleText, Severity};

/// What reports say about one policy rule (SARIF `reportingDescriptor`, `aksguard rules`).
#[derive(Debug, PartialEq, Eq)]
pub struct DynamicRule {
    /// `GK.<TemplateKind>` or `VAP.<policy-name>`.
    pub id: &'static str,
    /// The severity when neither the annotation nor the action says otherwise.
    pub severity: Severity,
    /// Title (the template's `metadata.gatekeeper.sh/title` or its kind), remediation,
    /// references; shared by every finding of the rule.
    pub text: RuleText,
    /// The template's or policy's `description` annotation, when it has one.
    pub description: String,
    /// `gatekeeper`, `vap`, …: a SARIF tag and the family `--select` accepts.
    pub engine: &'static str,
    /// `path:line` of the document that defines the rule.
    pub origin: String,
}

fn registry() -> &'static RwLock<HashMap<&'static str, &'static DynamicRule>> {
    static REGISTRY: OnceLock<RwLock<HashMap<&'static str, &'static DynamicRule>>> =
        OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The one `&'static` copy of `rule`: the registered one when an equal rule is already
/// interned (loading the same policies again leaks nothing), else a new one, which then
/// answers [`find_dynamic_rule`] for its ID.
pub fn intern_dynamic_rule(rule: DynamicRule) -> &'static DynamicRule {
    if let Ok(known) = registry().read()
        && let Some(found) = known.get(rule.id)
        && **found == rule
    {
        return found;
    }
    let leaked: &'static DynamicRule = Box::leak(Box::new(rule));
    // A poisoned lock means another thread panicked while inserting; that panic is the error.
    if let Ok(mut known) = registry().write() {
        known.insert(leaked.id, leaked);
    }
    leaked
}

/// An ID for a dynamic rule: interned once per distinct text (see the module comment).
pub fn intern_rule_id(id: &str) -> &'static str {
    static IDS: OnceLock<RwLock<HashMap<String, &'static str>>> = OnceLock::new();
    let ids = IDS.get_or_init(Default::default);
    if let Ok(known) = ids.read()
        && let Some(found) = known.get(id)
    {
        return found;
    }
    let mut known = match ids.write() {
        Ok(known) => known,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = known.get(id) {
        return found;
    }
    let leaked: &'static str = Box::leak(id.to_owned().into_boxed_str());
    known.insert(id.to_owned(), leaked);
    leaked
}

/// The text of a dynamic rule: `&'static` like a built-in rule's (see the module comment).
pub fn intern_text(text: &str) -> &'static str {
    intern_rule_id(text)
}

/// The interned rule with this ID (the last one loaded when policies were reloaded).
pub fn find_dynamic_rule(id: &str) -> Option<&'static DynamicRule> {
    registry().read().ok()?.get(id).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(title: &str) -> DynamicRule {
        DynamicRule {
            id: intern_rule_id("GK.TestKind"),
            severity: Severity::High,
            text: RuleText {
                title: intern_text(title),
                remediation: "",
                references: Vec::new(),
            },
            description: String::new(),
            engine: "gatekeeper",
            origin: "t.yaml:1".into(),
        }
    }

    #[test]
    fn equal_rules_intern_once_and_reloads_replace() {
        let first = intern_dynamic_rule(rule("one"));
        let again = intern_dynamic_rule(rule("one"));
        assert!(std::ptr::eq(first, again));
        assert_eq!(find_dynamic_rule("GK.TestKind").unwrap().text.title, "one");
        intern_dynamic_rule(rule("two"));
        assert_eq!(find_dynamic_rule("GK.TestKind").unwrap().text.title, "two");
        assert!(find_dynamic_rule("GK.Other").is_none());
        assert!(std::ptr::eq(intern_rule_id("x.y"), intern_rule_id("x.y")));
    }
}
