//! What a live scan could not read, and which rules that leaves without a conclusive verdict.
//!
//! A live scan is the whole cluster (or subscription) state, so an absence is conclusive there,
//! except for kinds it could not read: a Kubernetes resource the credentials may not list (403),
//! an ARM resource type it was denied, and Secrets, which it never lists (their list returns
//! the values). Those kinds are marked unread in the rules' settings, so no rule takes their
//! absence as proof, and every rule that needs one is reported as not conclusive: a note and a
//! coverage reason, never a silent pass.

use aksguard_model::RuleCoverage;
use aksguard_rules::peer::WORKLOAD_KINDS;
use aksguard_rules::{Rule, Target};

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
    ("PolicyAssignment", Reach::Rules(&["AKS044"])),
    (
        "RoleAssignment",
        Reach::Rules(&["AKS042", "AKS043", "IDN005"]),
    ),
    ("AlertRule", Reach::Rules(&["AKS048"])),
    ("SecurityContact", Reach::Rules(&["AKS048"])),
    (
        "ManagedIdentity",
        Reach::Target(Target::Azure("ManagedIdentity")),
    ),
    (
        "FederatedIdentityCredential",
        Reach::Target(Target::Azure("FederatedIdentityCredential")),
    ),
    ("Subnet", Reach::Rules(&["AKS025", "NET014"])),
    ("NetworkSecurityGroup", Reach::Rules(&["NET014"])),
    ("RouteTable", Reach::Rules(&["AKS025"])),
    ("ApplicationGateway", Reach::Rules(&["NET015"])),
    ("WafPolicy", Reach::Rules(&["NET015"])),
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
                // Rules over any object judge what is present; Secrets are never listed by
                // design and their absence changes no verdict on other objects (the rules
                // that judge Secrets themselves name the kind).
                (None, Target::AnyObject) => self.kind != "Secret",
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
        let mut reasons: Vec<&str> = Vec::new();
        for u in unreadable.iter().filter(|u| u.affects(rule)) {
            if !reasons.contains(&u.reason.as_str()) {
                reasons.push(&u.reason);
            }
        }
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

/// One note per reason (a cluster that could not be read at all is one note, not one per
/// kind) naming the kinds and the rules they leave not conclusive, each list bounded.
pub fn notes(rules: &[&Rule], unreadable: &[Unreadable]) -> Vec<String> {
    let mut by_reason: Vec<(&str, Vec<&Unreadable>)> = Vec::new();
    for u in unreadable {
        match by_reason.iter_mut().find(|(reason, _)| *reason == u.reason) {
            Some((_, kinds)) => kinds.push(u),
            None => by_reason.push((&u.reason, vec![u])),
        }
    }
    by_reason
        .into_iter()
        .map(|(reason, kinds)| {
            let names: Vec<&str> = kinds.iter().map(|u| u.kind.as_str()).collect();
            let affected: Vec<&str> = rules
                .iter()
                .filter(|rule| kinds.iter().any(|u| u.affects(rule)))
                .map(|rule| rule.id)
                .collect();
            let rules = match affected.len() {
                0 => "no selected rule needs them".to_owned(),
                _ => format!("not conclusive: {}", bounded(&affected)),
            };
            format!("{} not read ({reason}): {rules}", bounded(&names))
        })
        .collect()
}

/// `a, b, c` or, past a dozen, the first dozen `and N more`.
fn bounded(items: &[&str]) -> String {
    const LISTED: usize = 12;
    match items.len() {
        n if n > LISTED => format!("{} and {} more", items[..LISTED].join(", "), n - LISTED),
        _ => items.join(", "),
    }
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
        // Secrets are never listed: only the rules that judge Secrets need them.
        let secrets = Unreadable::new("Secret", "never listed");
        assert!(secrets.affects(rule("SEC004")));
        assert!(!secrets.affects(rule("REL001")));
        // ARM types map to their target; child resources are the rules' own `undecided`.
        assert!(Unreadable::new("DefenderPricing", "denied").affects(rule("AKS040")));
        let diagnostic = Unreadable::new("DiagnosticSetting", "denied");
        assert!(diagnostic.affects(rule("AKS016")));
        assert!(!diagnostic.affects(rule("AKS001")));
        assert!(!Unreadable::new("DefenderPricing", "denied").affects(rule("POD001")));
        // The Azure surroundings: role and policy assignments, alerting, identities.
        let roles = Unreadable::new("RoleAssignment", "denied");
        assert!(roles.affects(rule("AKS043")) && roles.affects(rule("IDN005")));
        assert!(!roles.affects(rule("AKS044")));
        assert!(Unreadable::new("PolicyAssignment", "denied").affects(rule("AKS044")));
        assert!(Unreadable::new("AlertRule", "denied").affects(rule("AKS048")));
        assert!(Unreadable::new("SecurityContact", "denied").affects(rule("AKS048")));
        assert!(Unreadable::new("ManagedIdentity", "denied").affects(rule("IDN005")));
        assert!(!Unreadable::new("ManagedIdentity", "denied").affects(rule("AKS043")));
        // The network around the cluster: subnets, NSGs, route tables, gateways.
        let subnets = Unreadable::new("Subnet", "denied");
        assert!(subnets.affects(rule("NET014")) && subnets.affects(rule("AKS025")));
        assert!(!subnets.affects(rule("NET015")));
        assert!(Unreadable::new("NetworkSecurityGroup", "denied").affects(rule("NET014")));
        assert!(Unreadable::new("RouteTable", "denied").affects(rule("AKS025")));
        assert!(Unreadable::new("ApplicationGateway", "denied").affects(rule("NET015")));
        assert!(Unreadable::new("WafPolicy", "denied").affects(rule("NET015")));
        assert!(!Unreadable::new("WafPolicy", "denied").affects(rule("AKS001")));
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
    fn one_note_per_reason_and_no_repeated_coverage_reason() {
        let rules = [rule("NET006"), rule("NET008"), rule("POD001")];
        let down = [
            Unreadable::new("Service", "the cluster could not be read"),
            Unreadable::new("Ingress", "the cluster could not be read"),
            Unreadable::new("Deployment", "forbidden"),
            Unreadable::new("Pod", "forbidden"),
        ];
        assert_eq!(
            notes(&rules, &down),
            [
                "Service, Ingress not read (the cluster could not be read): not conclusive: \
                 NET006, NET008",
                "Deployment, Pod not read (forbidden): not conclusive: POD001",
            ]
        );
        let mut coverage = vec![RuleCoverage {
            rule_id: "POD001",
            targets: 1,
            undecided: 0,
            reason: None,
        }];
        mark_coverage(&mut coverage, &rules, &down);
        assert_eq!(
            coverage[0].reason.as_deref(),
            Some("not conclusive: forbidden")
        );
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
