//! Policy rules as aksguard rules: their IDs, severities and texts.
//!
//! | policy                      | rule ID                 |
//! |-----------------------------|-------------------------|
//! | Gatekeeper template `K8sX`  | `GK.K8sX` (the template's `spec.crd.spec.names.kind`) |
//! | ValidatingAdmissionPolicy p | `VAP.p` (its `metadata.name`) |
//!
//! Severity, first that applies:
//! 1. the annotation `aksguard.io/severity` (`critical`…`info`) on the constraint or binding,
//!    then on the template or policy;
//! 2. the action the cluster takes:
//!
//! | Gatekeeper `enforcementAction` | VAP `validationActions` | severity |
//! |--------------------------------|-------------------------|----------|
//! | `deny` (the default)           | `Deny`                  | high     |
//! | `warn`                         | `Warn`                  | medium   |
//! | `audit` (Azure Policy)         | `Audit`                 | medium   |
//! | `dryrun`                       | –                       | low      |
//!
//! (Several VAP actions: the highest.)

use aksguard_model::{
    DynamicRule, RuleText, Severity, intern_dynamic_rule, intern_rule_id, intern_text,
};

/// The annotation that sets a policy's severity.
pub const SEVERITY_ANNOTATION: &str = "aksguard.io/severity";

/// What the cluster does with a violation (Gatekeeper's `enforcementAction`, VAP's
/// `validationActions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EnforcementAction {
    DryRun,
    Warn,
    Audit,
    Deny,
}

impl EnforcementAction {
    /// Gatekeeper's spelling (`deny`, `dryrun`, `warn`; Azure Policy's `audit`), or VAP's
    /// (`Deny`, `Warn`, `Audit`); `None` for anything else.
    pub fn parse(text: &str) -> Option<EnforcementAction> {
        match text.to_ascii_lowercase().as_str() {
            "deny" => Some(EnforcementAction::Deny),
            "dryrun" => Some(EnforcementAction::DryRun),
            "warn" => Some(EnforcementAction::Warn),
            "audit" => Some(EnforcementAction::Audit),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementAction::Deny => "deny",
            EnforcementAction::DryRun => "dryrun",
            EnforcementAction::Warn => "warn",
            EnforcementAction::Audit => "audit",
        }
    }

    /// The severity of a violation when no annotation says (see the module table).
    pub fn severity(self) -> Severity {
        match self {
            EnforcementAction::Deny => Severity::High,
            EnforcementAction::Warn | EnforcementAction::Audit => Severity::Medium,
            EnforcementAction::DryRun => Severity::Low,
        }
    }
}

/// The severity an `aksguard.io/severity` annotation value names; an error for a value that
/// names none (a typo must not silently fall back).
pub fn annotated_severity(value: Option<&str>) -> Result<Option<Severity>, String> {
    match value {
        None => Ok(None),
        Some(text) => Severity::parse(text.trim()).map(Some).ok_or_else(|| {
            format!(
                "{SEVERITY_ANNOTATION}: `{text}` is not a severity (critical, high, medium, low, info)"
            )
        }),
    }
}

/// What a policy says about itself, to be interned as a rule.
pub struct RuleSource<'a> {
    /// `GK.<Kind>` or `VAP.<name>`.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub severity: Severity,
    pub engine: &'static str,
    /// `path:line` of the template or policy.
    pub origin: String,
}

/// Interns a policy's rule (once per distinct policy text; see `aksguard_model::dynamic_rule`).
pub fn intern_rule(source: RuleSource<'_>) -> &'static DynamicRule {
    let remediation = format!(
        "Change the object so that the policy defined at {} admits it, or add an exception.",
        source.origin
    );
    intern_dynamic_rule(DynamicRule {
        id: intern_rule_id(source.id),
        severity: source.severity,
        text: RuleText {
            title: intern_text(source.title),
            remediation: intern_text(&remediation),
            references: vec![source.origin.clone()],
        },
        description: source.description.to_owned(),
        engine: source.engine,
        origin: source.origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_map_to_the_documented_severities() {
        let cases = [
            ("deny", Severity::High),
            ("Deny", Severity::High),
            ("warn", Severity::Medium),
            ("audit", Severity::Medium),
            ("dryrun", Severity::Low),
        ];
        for (text, severity) in cases {
            assert_eq!(EnforcementAction::parse(text).unwrap().severity(), severity);
        }
        assert_eq!(EnforcementAction::parse("block"), None);
    }

    #[test]
    fn annotations_name_a_severity_or_fail() {
        assert_eq!(
            annotated_severity(Some("critical")),
            Ok(Some(Severity::Critical))
        );
        assert_eq!(annotated_severity(None), Ok(None));
        assert!(
            annotated_severity(Some("severe"))
                .unwrap_err()
                .contains("severe")
        );
    }
}
