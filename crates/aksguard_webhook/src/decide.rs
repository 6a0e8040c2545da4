//! Findings → the answer to a review, per mode:
//!
//! - `enforce`: a finding at or above `fail-on` denies, unless it is one `oldObject` already
//!   had on an UPDATE (then it warns, with `update = "warn-existing"`); other findings warn;
//! - `warn`: allowed, one warning per finding;
//! - `audit`: allowed, no warnings (the server logs each finding).
//!
//! Texts are short because the API server shows them to `kubectl` users: a warning is at most
//! [`MAX_WARNING_CHARS`] characters and a review carries at most [`MAX_WARNINGS`] of them (the
//! last says how many more there are); the denial names at most [`MAX_DENIAL_FINDINGS`]
//! findings with their container and the first sentence of the fix.

use aksguard_config::{FailOn, WebhookMode};
use aksguard_model::{Finding, Fingerprint};
use std::collections::HashSet;

use crate::review::Answer;

pub const MAX_WARNING_CHARS: usize = 120;
pub const MAX_WARNINGS: usize = 10;
pub const MAX_DENIAL_FINDINGS: usize = 5;
/// The fix as written in a denial: its first sentence, at most this long.
const MAX_FIX_CHARS: usize = 140;

/// What happened to one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Deny,
    Warn,
    Audit,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Warn => "warn",
            Action::Audit => "audit",
        }
    }
}

/// The answer and, per finding (same order), what it caused.
#[derive(Debug)]
pub struct Decision {
    pub answer: Answer,
    pub actions: Vec<Action>,
}

/// What a finding does in `mode`; `existed`: `oldObject` had it and existing findings warn.
pub fn action(mode: WebhookMode, fail_on: FailOn, finding: &Finding, existed: bool) -> Action {
    match mode {
        WebhookMode::Audit => Action::Audit,
        WebhookMode::Warn => Action::Warn,
        WebhookMode::Enforce if fail_on.fails(finding.severity) && !existed => Action::Deny,
        WebhookMode::Enforce => Action::Warn,
    }
}

/// Decides a judged review. `existing`: fingerprints `oldObject` already had (empty unless an
/// UPDATE is judged with `warn-existing`); `problems` (what could not be judged, invalid
/// annotations) always warn, in every mode: they are aksguard's own, not the object's.
pub fn decide(
    mode: WebhookMode,
    fail_on: FailOn,
    findings: &[Finding],
    existing: &HashSet<Fingerprint>,
    problems: &[String],
    subject: &str,
) -> Decision {
    let actions: Vec<Action> = findings
        .iter()
        .map(|f| action(mode, fail_on, f, existing.contains(&f.fingerprint)))
        .collect();
    let mut warnings: Vec<String> = problems
        .iter()
        .map(|p| clip(&format!("aksguard: {p}"), MAX_WARNING_CHARS))
        .collect();
    warnings.extend(
        findings
            .iter()
            .zip(&actions)
            .filter(|(_, a)| **a == Action::Warn)
            .map(|(f, _)| {
                let existed = if existing.contains(&f.fingerprint) {
                    ", existing"
                } else {
                    ""
                };
                warning(f, existed)
            }),
    );
    let denying: Vec<&Finding> = findings
        .iter()
        .zip(&actions)
        .filter(|(_, a)| **a == Action::Deny)
        .map(|(f, _)| f)
        .collect();
    let denial = (!denying.is_empty()).then(|| denial(subject, fail_on, &denying));
    Decision {
        answer: Answer {
            allowed: denial.is_none(),
            denial,
            warnings: bound_warnings(warnings),
        },
        actions,
    }
}

/// `POD001 [high] container app: <message>`, clipped; `marker` goes after the severity
/// (where clipping cannot cut it off).
fn warning(finding: &Finding, marker: &str) -> String {
    let container = match &finding.container {
        Some(name) => format!(" container {name}"),
        None => String::new(),
    };
    clip(
        &format!(
            "{} [{}{marker}]{container}: {}",
            finding.rule_id, finding.severity, finding.message
        ),
        MAX_WARNING_CHARS,
    )
}

fn denial(subject: &str, fail_on: FailOn, denying: &[&Finding]) -> String {
    let mut text = format!(
        "aksguard denied {subject}: {} finding(s) at or above {}:",
        denying.len(),
        fail_on.as_str()
    );
    for finding in denying.iter().take(MAX_DENIAL_FINDINGS) {
        let container = match &finding.container {
            Some(name) => format!(" (container {name})"),
            None => String::new(),
        };
        text.push_str(&format!(
            "\n- {}{container}: {}. Fix: {}",
            finding.rule_id,
            finding.message.trim_end_matches('.'),
            first_sentence(finding.rule.remediation)
        ));
    }
    if denying.len() > MAX_DENIAL_FINDINGS {
        text.push_str(&format!(
            "\n- and {} more",
            denying.len() - MAX_DENIAL_FINDINGS
        ));
    }
    text.push_str("\nDetails: aksguard rule <ID>");
    text
}

fn first_sentence(text: &str) -> String {
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    clip(text[..end].trim(), MAX_FIX_CHARS)
}

/// At most [`MAX_WARNINGS`]: the first ones, then "and N more".
fn bound_warnings(mut warnings: Vec<String>) -> Vec<String> {
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - (MAX_WARNINGS - 1);
        warnings.truncate(MAX_WARNINGS - 1);
        warnings.push(format!("aksguard: and {more} more findings"));
    }
    warnings
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aksguard_model::{Location, ObjectRef, RuleText, Severity};

    use super::*;

    static TEXT: RuleText = RuleText {
        title: "Privileged container",
        remediation: "Remove `securityContext.privileged: true`. Privileged containers can do anything.",
        references: Vec::new(),
    };

    fn finding(rule: &'static str, severity: Severity, fingerprint: u64, message: &str) -> Finding {
        Finding {
            rule_id: rule,
            severity,
            rule: &TEXT,
            message: message.into(),
            object: Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            }),
            container: Some("app".into()),
            location: Location {
                path: "admission".into(),
                line: 1,
                column: 1,
                template: None,
            },
            fingerprint: Fingerprint(fingerprint),
            fix: None,
            on_attack_path: false,
        }
    }

    const HIGH: FailOn = FailOn::At(Severity::High);

    #[test]
    fn enforce_denies_at_fail_on_and_warns_below_and_for_existing() {
        let findings = [
            finding("POD001", Severity::Critical, 1, "runs privileged"),
            finding("POD020", Severity::Low, 2, "no memory limit"),
            finding("POD004", Severity::High, 3, "allows privilege escalation"),
        ];
        let existing: HashSet<Fingerprint> = [Fingerprint(3)].into();
        let decision = decide(
            WebhookMode::Enforce,
            HIGH,
            &findings,
            &existing,
            &[],
            "Pod shop/web",
        );
        assert_eq!(decision.actions, [Action::Deny, Action::Warn, Action::Warn]);
        assert!(!decision.answer.allowed);
        let denial = decision.answer.denial.unwrap();
        assert!(
            denial.starts_with("aksguard denied Pod shop/web: 1 finding(s) at or above high:"),
            "{denial}"
        );
        assert!(denial.contains("POD001 (container app): runs privileged. Fix: Remove `securityContext.privileged: true`."), "{denial}");
        assert!(!denial.contains("can do anything"), "{denial}");
        assert_eq!(decision.answer.warnings.len(), 2);
        assert!(decision.answer.warnings[1].starts_with("POD004 [high, existing] container app"));
    }

    #[test]
    fn warn_and_audit_allow() {
        let findings = [finding("POD001", Severity::Critical, 1, "runs privileged")];
        let none = HashSet::new();
        let warn = decide(
            WebhookMode::Warn,
            HIGH,
            &findings,
            &none,
            &[],
            "Pod shop/web",
        );
        assert!(warn.answer.allowed && warn.answer.denial.is_none());
        assert_eq!(
            warn.answer.warnings,
            ["POD001 [critical] container app: runs privileged"]
        );
        let audit = decide(
            WebhookMode::Audit,
            HIGH,
            &findings,
            &none,
            &[],
            "Pod shop/web",
        );
        assert!(audit.answer.allowed && audit.answer.warnings.is_empty());
        assert_eq!(audit.actions, [Action::Audit]);
        let never = decide(
            WebhookMode::Enforce,
            FailOn::Never,
            &findings,
            &none,
            &[],
            "x",
        );
        assert!(never.answer.allowed);
    }

    #[test]
    fn warnings_are_short_and_bounded() {
        let long = "x".repeat(300);
        let findings: Vec<Finding> = (0..25)
            .map(|i| finding("POD020", Severity::Low, i, &long))
            .collect();
        let problems = ["cannot parse".to_owned()];
        let decision = decide(
            WebhookMode::Warn,
            HIGH,
            &findings,
            &HashSet::new(),
            &problems,
            "Pod shop/web",
        );
        let warnings = decision.answer.warnings;
        assert_eq!(warnings.len(), MAX_WARNINGS);
        assert_eq!(warnings[0], "aksguard: cannot parse");
        assert!(
            warnings
                .iter()
                .all(|w| w.chars().count() <= MAX_WARNING_CHARS)
        );
        assert_eq!(warnings[MAX_WARNINGS - 1], "aksguard: and 17 more findings");
    }

    #[test]
    fn denial_names_at_most_five() {
        let findings: Vec<Finding> = (0..8)
            .map(|i| finding("POD001", Severity::Critical, i, "runs privileged"))
            .collect();
        let decision = decide(
            WebhookMode::Enforce,
            HIGH,
            &findings,
            &HashSet::new(),
            &[],
            "Pod a/b",
        );
        let denial = decision.answer.denial.unwrap();
        assert_eq!(denial.matches("\n- POD001").count(), 5);
        assert!(denial.contains("\n- and 3 more"));
    }
}
