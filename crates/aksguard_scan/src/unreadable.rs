//! What a live scan could not read, and which rules that leaves without a conclusive verdict.
//!
//! A live scan is the whole cluster (or subscription) state, so an absence is conclusive there,
//! except for kinds it could not read: a Kubernetes resource the credentials may not list (403),
//! an ARM resource type it was denied, and Secrets, which it never lists (their list returns
//! the values). Those kinds are marked unread in the rules' settings, so no rule takes their
//! absence as proof, and every rule that needs one is reported as not conclusive: a note and a
//! coverage reason, never a silent pass.

use aksguard_model::RuleCoverage;
use aksguard_rules::{Rule, Target};

/// Kubernetes kinds with a pod template that the rules' `Workload` target covers.
const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// Who needs an ARM resource type.
#[derive(Clone, Copy)]
enum Reach {
    /// Every rule with this target.
    Target(Target),
    /// Read beside a cluster and judged by these AKS rules alone (not by every rule whose
    /// target is the cluster); they also say so per cluster through `Checker::undecided`.
    Rules(&'static [&'static str]),
}

/// ARM resource types as the rules name them, and who needs each.
const AZURE_KINDS: &[(&str, Reach)] = &[
    ("ManagedCluster", Reach::Target(Target::Cluster)),
    ("ContainerRegistry", Reach::Target(Target::Registry)),
    ("DefenderPricing", Reach::Target(Target::DefenderPricing)),
    ("DiagnosticSetting", Reach::Rules(&["AKS016"])),
    ("MaintenanceConfiguration", Reach::Rules(&["AKS035"])),
    ("RoleAssignment", Reach::Rules(&["AKS042"])),
];

/// One kind a scan could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The kind as rules name it: a Kubernetes kind (`Deployment`, `Rollout`) or an ARM type
    /// (`ManagedCluster`, `DiagnosticSetting`, `MaintenanceConfiguration`, `DefenderPricing`,
    /// `ContainerRegistry`, `RoleAssignment`).
    pub kind: String,
    /// Why, for notes and reports, e.g. "the credentials may not list deployments.apps".
    pub reason: String,
}

impl Unreadable {
    pub fn new(kind: impl Into<String>, reason: impl Into<String>) -> Self {
        Unreadable {
            kind: kind.into(),
            reason: reason.into(),
        }
    }

    /// Whether `rule` needs this kind to judge conclusively.
    pub fn affects(&self, rule: &Rule) -> bool {
        let azure = AZURE_KINDS
            .iter()
            .find(|(kind, _)| *kind == self.kind)
            .map(|(_, reach)| *reach);
        if let Some(Reach::Rules(ids)) = azure {
            return ids.contains(&rule.id);
        }
        let needs = rule.needs();
        needs
            .targets
            .iter()
            .chain(needs.complete_targets)
            .any(|target| match (azure, *target) {
                (Some(Reach::Target(of)), target) => of == target,
                (Some(Reach::Rules(_)), _) => false,
                (None, Target::Kind(kind)) => kind == self.kind,
                (None, Target::Workload) => WORKLOAD_KINDS.contains(&self.kind.as_str()),
                (None, Target::AnyObject) => true,
                (None, _) => false,
            })
    }
}

/// Coverage reasons for rules `unreadable` leaves not conclusive: a rule that judged
/// something is still not a pass for the kinds it could not see.
pub fn mark_coverage(coverage: &mut [RuleCoverage], rules: &[&Rule], unreadable: &[Unreadable]) {
    for entry in coverage.iter_mut() {
        let Some(rule) = rules.iter().find(|r| r.id == entry.rule_id) else {
            continue;
        };
        let reasons: Vec<&str> = unreadable
            .iter()
            .filter(|u| u.affects(rule))
            .map(|u| u.reason.as_str())
            .collect();
        if reasons.is_empty() {
            continue;
        }
        let not_conclusive = format!("not conclusive: {}", reasons.join("; "));
        entry.reason = Some(match entry.reason.take() {
            Some(reason) => format!("{reason}; {not_conclusive}"),
            None => not_conclusive,
        });
    }
}

/// One note per unreadable kind naming the rules it leaves not conclusive (bounded list).
pub fn notes(rules: &[&Rule], unreadable: &[Unreadable]) -> Vec<String> {
    const LISTED: usize = 12;
    unreadable
        .iter()
        .map(|u| {
            let affected: Vec<&str> = rules
                .iter()
                .filter(|rule| u.affects(rule))
                .map(|rule| rule.id)
                .collect();
            let listed = match affected.len() {
                0 => "no selected rule needs it".to_owned(),
                n if n > LISTED => format!(
                    "not conclusive: {} and {} more",
                    affected[..LISTED].join(", "),
                    n - LISTED
                ),
                _ => format!("not conclusive: {}", affected.join(", ")),
            };
            format!("{} not read ({}): {listed}", u.kind, u.reason)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_rules::find_rule;

    fn rule(id: &str) -> &'static Rule {
        find_rule(id).unwrap()
    }

    #[test]
    fn a_kind_affects_the_rules_that_need_it() {
        let bindings = Unreadable::new("RoleBinding", "forbidden");
        assert!(bindings.affects(rule("RBAC011")));
        assert!(!bindings.affects(rule("NET006")));
        // Workload rules need every workload kind; rules over any object need every kind.
        let pods = Unreadable::new("Pod", "forbidden");
        assert!(pods.affects(rule("POD001")));
        assert!(pods.affects(rule("REL001")));
        assert!(!pods.affects(rule("RBAC001")));
        // ARM types map to their target; child resources are the rules' own `undecided`.
        assert!(Unreadable::new("DefenderPricing", "denied").affects(rule("AKS040")));
        let diagnostic = Unreadable::new("DiagnosticSetting", "denied");
        assert!(diagnostic.affects(rule("AKS016")));
        assert!(!diagnostic.affects(rule("AKS001")));
        assert!(!Unreadable::new("DefenderPricing", "denied").affects(rule("POD001")));
    }

    #[test]
    fn the_rules_named_for_azure_children_exist() {
        for (kind, reach) in AZURE_KINDS {
            if let Reach::Rules(ids) = reach {
                for id in *ids {
                    assert!(find_rule(id).is_some(), "{kind}: no rule {id}");
                }
            }
        }
    }

    #[test]
    fn notes_and_coverage_name_what_was_not_read() {
        let rules = [rule("SEC003"), rule("SEC004"), rule("POD001")];
        let secrets = [Unreadable::new("Secret", "never listed")];
        assert_eq!(
            notes(&rules, &secrets),
            ["Secret not read (never listed): not conclusive: SEC003, SEC004"]
        );
        let mut coverage: Vec<RuleCoverage> = rules
            .iter()
            .map(|r| RuleCoverage {
                rule_id: r.id,
                targets: 1,
                undecided: 0,
                reason: None,
            })
            .collect();
        mark_coverage(&mut coverage, &rules, &secrets);
        assert_eq!(
            coverage[0].reason.as_deref(),
            Some("not conclusive: never listed")
        );
        assert_eq!(coverage[2].reason, None);
    }
}
