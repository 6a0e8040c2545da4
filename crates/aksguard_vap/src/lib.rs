//! `aksguard export vap`: aksguard's single-object rules as native Kubernetes
//! ValidatingAdmissionPolicy objects (admissionregistration.k8s.io/v1), so a cluster can
//! enforce them in the API server itself, with no webhook to run.
//!
//! Only rules whose CEL translation ([`rules::translations`]) agrees with the Rust rule on
//! every one of the rule's fixtures are exported (the crate's tests check this with
//! kube-cel); every other rule is listed in [`not_exportable`] with the reason, never
//! exported in part.

mod cel;
mod manifest;
mod not_exportable;
pub mod rules;

use aksguard_rules::Rule;

pub use manifest::{
    BINDING_KIND, CHANGES_THE_SPEC, MATCHED_KINDS, MatchedKind, POLICY_API_VERSION, POLICY_KIND,
    SERVICE_KINDS, policy_name, to_yaml,
};
pub use not_exportable::NOT_EXPORTABLE;
pub use rules::{NotExportable, Scope, Translation, translation, translations};

/// What the API server does with a request the policy rejects (`validationActions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Reject the request (`[Deny]`).
    Enforce,
    /// Admit it with a warning shown to the client (`[Warn]`).
    Warn,
    /// Admit it and record the failure in the audit log (`[Audit]`).
    Audit,
}

impl Mode {
    /// The binding's `validationActions` for this mode.
    pub fn validation_actions(self) -> &'static [&'static str] {
        match self {
            Mode::Enforce => &["Deny"],
            Mode::Warn => &["Warn"],
            Mode::Audit => &["Audit"],
        }
    }
}

/// The complete CEL expression of a translated rule: reaches the pod spec of every matched
/// kind, skips Windows pods for Linux-only rules, and is true when the object is allowed.
pub fn expression(rule: &Rule, translation: &Translation) -> String {
    if translation.scope == Scope::Object {
        return translation.body.clone();
    }
    let allowed = rules::allowed_in_pod(translation);
    let allowed = if translation.needs_metadata {
        cel::with_pod_metadata(&allowed)
    } else {
        allowed
    };
    let body = if rule.linux_only {
        format!("{} || {allowed}", cel::IS_WINDOWS)
    } else {
        allowed
    };
    cel::with_pod_spec(&body)
}

/// Why `rule` is not exported, or `None` when it has a translation.
pub fn not_exportable(rule: &Rule) -> Option<&'static str> {
    not_exportable::generic_reason(rule).or_else(|| {
        NOT_EXPORTABLE
            .iter()
            .find(|entry| entry.id == rule.id)
            .map(|entry| entry.reason)
    })
}

/// The result of exporting a selection of rules.
#[derive(Debug)]
pub struct Export {
    /// A ValidatingAdmissionPolicy and its binding per exported rule, in rule-ID order.
    pub documents: Vec<serde_json::Value>,
    /// The rules exported.
    pub exported: Vec<&'static Rule>,
    /// The selected rules left out, each with the reason.
    pub skipped: Vec<(&'static Rule, &'static str)>,
}

/// Exports `rules` (already selected) as policies and bindings with the actions of `mode`.
pub fn export(rules: &[&'static Rule], mode: Mode) -> Export {
    let mut export = Export {
        documents: Vec::new(),
        exported: Vec::new(),
        skipped: Vec::new(),
    };
    for &rule in rules {
        match translation(rule.id) {
            Some(translation) => {
                export.documents.push(manifest::policy(
                    rule,
                    &expression(rule, &translation),
                    translation.kinds,
                ));
                export.documents.push(manifest::binding(rule, mode));
                export.exported.push(rule);
            }
            None => export.skipped.push((
                rule,
                not_exportable(rule).unwrap_or("no CEL translation is defined for this rule"),
            )),
        }
    }
    export
}
