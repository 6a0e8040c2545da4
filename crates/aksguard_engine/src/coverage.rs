//! What each rule that ran could judge in a scan, so that reports can say which rules judged
//! nothing (and why) and compliance views can tell "pass" from "not assessed".
//!
//! Cheap by construction: a rule's targets are counted from the inventory's existing
//! indexes (objects per kind, workloads), once per rule and never by walking the objects
//! again; the targets a rule reached but could not judge are the reasons it gave through
//! `Checker::undecided` while it ran.

use std::collections::HashMap;

use aksguard_model::{Inventory, RuleCoverage};
use aksguard_rules::{Rule, Target};

/// The coverage of each of `rules` (in the given order) over `inventory`. `undecided` holds,
/// per rule ID, one reason per target the rule could not judge; `complete` is `--complete`.
pub fn rule_coverage(
    rules: &[&'static Rule],
    inventory: &Inventory,
    undecided: &HashMap<&'static str, Vec<String>>,
    complete: bool,
) -> Vec<RuleCoverage> {
    rules
        .iter()
        .map(|rule| {
            let needs = rule.needs();
            let mut targets: usize = needs
                .targets
                .iter()
                .map(|t| count(inventory, *t, rule.linux_only))
                .sum();
            if complete {
                targets += needs
                    .complete_targets
                    .iter()
                    .map(|t| count(inventory, *t, rule.linux_only))
                    .sum::<usize>();
            }
            let reasons = undecided.get(rule.id).map_or(&[][..], Vec::as_slice);
            let reason = if needs.complete_only && !complete {
                Some(
                    "judged only with --complete (its verdict rests on objects missing from \
                     the scan, which may live outside the scanned files)"
                        .to_owned(),
                )
            } else if targets == 0 {
                Some(format!("no {} in the scan", describe(needs.targets, rule)))
            } else if reasons.len() >= targets {
                Some(distinct(reasons).join("; "))
            } else {
                None
            };
            RuleCoverage {
                rule_id: rule.id,
                targets,
                undecided: reasons.len().min(targets),
                reason,
            }
        })
        .collect()
}

fn count(inventory: &Inventory, target: Target, linux_only: bool) -> usize {
    match target {
        Target::Workload => {
            let (all, windows) = inventory.workload_counts();
            if linux_only { all - windows } else { all }
        }
        Target::Kind(kind) => inventory.count_of_kind(kind),
        Target::AnyObject => inventory.len(),
        Target::Cluster => inventory.azure().clusters.len(),
        Target::Registry => inventory.azure().registries.len(),
        Target::DefenderPricing => inventory.azure().pricings.len(),
        Target::Azure(kind) => inventory.azure().count_of_kind(kind),
    }
}

/// `workload`, `Ingress`, `Role, ClusterRole, RoleBinding or ClusterRoleBinding`.
fn describe(targets: &[Target], rule: &Rule) -> String {
    let names: Vec<String> = targets
        .iter()
        .map(|t| match t {
            Target::Workload if rule.linux_only => "Linux workload".to_owned(),
            Target::Workload => "workload".to_owned(),
            Target::Kind(kind) => (*kind).to_owned(),
            Target::AnyObject => "Kubernetes object".to_owned(),
            Target::Cluster => "AKS cluster configuration".to_owned(),
            Target::Registry => "container registry".to_owned(),
            Target::DefenderPricing => "Defender for Cloud pricing".to_owned(),
            Target::Azure(kind) => (*kind).to_owned(),
        })
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "target".to_owned(),
    }
}

fn distinct(reasons: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for reason in reasons {
        if !out.contains(&reason.as_str()) {
            out.push(reason);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_load::{Limits, load_text};
    use aksguard_rules::find_rule;

    fn rules(ids: &[&str]) -> Vec<&'static Rule> {
        ids.iter().map(|id| find_rule(id).unwrap()).collect()
    }

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n\
                              spec:\n  template:\n    spec:\n      containers: [{name: a, image: x}]\n";

    #[test]
    fn rules_without_targets_are_not_judged_with_the_reason() {
        let (objects, errors) = load_text("d.yaml", DEPLOYMENT, &Limits::default());
        assert!(errors.is_empty());
        let inventory = Inventory::new(objects);
        let coverage = rule_coverage(
            &rules(&["POD001", "AKS016", "NET008", "RBAC001", "RBAC011"]),
            &inventory,
            &HashMap::new(),
            false,
        );
        let reasons: Vec<(&str, usize, Option<&str>)> = coverage
            .iter()
            .map(|c| (c.rule_id, c.targets, c.reason.as_deref()))
            .collect();
        assert_eq!(reasons[0], ("POD001", 1, None));
        assert_eq!(
            reasons[1],
            (
                "AKS016",
                0,
                Some("no AKS cluster configuration in the scan")
            )
        );
        assert_eq!(reasons[2], ("NET008", 0, Some("no Ingress in the scan")));
        assert_eq!(
            reasons[3].2,
            Some("no Role, ClusterRole, RoleBinding or ClusterRoleBinding in the scan")
        );
        assert!(
            reasons[4]
                .2
                .unwrap()
                .starts_with("judged only with --complete")
        );
        assert!(coverage[0].judged() && !coverage[1].judged());
    }

    #[test]
    fn azure_kinds_are_counted_as_targets() {
        let ids = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
        let text = format!(
            "[{{\"id\": \"{ids}/a\", \"type\": \"Microsoft.ManagedIdentity/userAssignedIdentities\"}}, \
             {{\"id\": \"{ids}/a/federatedIdentityCredentials/f\", \
             \"type\": \"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials\"}}]"
        );
        let loaded = aksguard_load::load_text_all("az.json", &text, &Limits::default());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let with = Inventory::new(Vec::new()).with_azure(loaded.azure);
        let coverage = rule_coverage(&rules(&["IDN005"]), &with, &HashMap::new(), false);
        assert_eq!(
            (coverage[0].targets, coverage[0].reason.as_deref()),
            (2, None)
        );
        let without = rule_coverage(
            &rules(&["IDN005"]),
            &Inventory::new(Vec::new()),
            &HashMap::new(),
            false,
        );
        assert_eq!(
            without[0].reason.as_deref(),
            Some("no ManagedIdentity or FederatedIdentityCredential in the scan")
        );
    }

    #[test]
    fn a_rule_whose_every_target_is_undecided_is_not_judged() {
        let (objects, _) = load_text("d.yaml", DEPLOYMENT, &Limits::default());
        let inventory = Inventory::new(objects);
        let ran = rules(&["POD021"]);
        let mut undecided = HashMap::new();
        undecided.insert("POD021", vec!["unknown".to_owned()]);
        let coverage = rule_coverage(&ran, &inventory, &undecided, false);
        assert_eq!(coverage[0].reason.as_deref(), Some("unknown"));
        assert_eq!(coverage[0].undecided, 1);
        // Fewer undecided than targets: judged.
        undecided.clear();
        let coverage = rule_coverage(&ran, &inventory, &undecided, false);
        assert!(coverage[0].judged());
    }
}
