//! What each rule needs in a scan to judge anything: the scan's coverage (which rules could
//! judge nothing, and so which compliance controls were not assessed) is counted from it.
//!
//! Derived where the rule's shape says it: container and pod-template rules need a workload
//! (a Linux one when the rule is Linux-only), `AKS` rules a managed cluster, `ACR` rules a
//! registry. Rules over objects or the whole inventory of the other families read given
//! kinds, listed in [`NEEDS`] by rule ID (kept here, not on each rule, so that the rule
//! files stay about their check; a catalogue test fails when a rule is missing here or
//! listed twice). A rule that reaches a target but cannot judge it from its source (a
//! cluster read from `az aks show`, which never holds diagnostic settings) says so through
//! [`Checker::undecided`](crate::Checker::undecided).

use aksguard_model::azure::kinds;

use crate::meta::{Check, Family, Rule};

/// Something a rule judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An object with a pod template (bare Pods, controllers, CronJobs, pod-template CRDs);
    /// for Linux-only rules, one that is not a Windows pod.
    Workload,
    /// Kubernetes objects of this kind.
    Kind(&'static str),
    /// Any Kubernetes object.
    AnyObject,
    /// An AKS managed cluster (az JSON, ARM, Terraform).
    Cluster,
    /// A container registry.
    Registry,
    /// A Defender for Cloud pricing.
    DefenderPricing,
    /// Azure resources of this kind (an `aksguard_model::azure::kinds` name).
    Azure(&'static str),
}

/// A rule's targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    /// Any one of these in the scan gives the rule something to judge.
    pub targets: &'static [Target],
    /// With `--complete`, these too (a missing object is then conclusive).
    pub complete_targets: &'static [Target],
    /// The rule judges only with `--complete` (its verdict rests on an absence that a partial
    /// scan cannot show).
    pub complete_only: bool,
}

impl Needs {
    const fn any(targets: &'static [Target]) -> Needs {
        Needs {
            targets,
            complete_targets: &[],
            complete_only: false,
        }
    }

    const fn complete_only(targets: &'static [Target]) -> Needs {
        Needs {
            targets,
            complete_targets: &[],
            complete_only: true,
        }
    }
}

const WORKLOAD: &[Target] = &[Target::Workload];
const RBAC: &[Target] = &[
    Target::Kind("Role"),
    Target::Kind("ClusterRole"),
    Target::Kind("RoleBinding"),
    Target::Kind("ClusterRoleBinding"),
];
const BINDINGS: &[Target] = &[
    Target::Kind("RoleBinding"),
    Target::Kind("ClusterRoleBinding"),
];
const SERVICE: &[Target] = &[Target::Kind("Service")];
const INGRESS: &[Target] = &[Target::Kind("Ingress")];

/// Rules over objects or the inventory outside the `AKS` and `ACR` families.
pub const NEEDS: &[(&str, Needs)] = &[
    (
        "IDN001",
        Needs::any(&[
            Target::Workload,
            Target::Kind("AzureIdentity"),
            Target::Kind("AzureIdentityBinding"),
            Target::Kind("AzurePodIdentityException"),
        ]),
    ),
    (
        "IDN005",
        Needs::any(&[
            Target::Azure(kinds::MANAGED_IDENTITY),
            Target::Azure(kinds::FEDERATED_CREDENTIAL),
        ]),
    ),
    ("NET001", Needs::any(WORKLOAD)),
    ("NET002", Needs::any(WORKLOAD)),
    ("NET003", Needs::any(WORKLOAD)),
    ("NET004", Needs::any(WORKLOAD)),
    ("NET005", Needs::any(&[Target::Kind("NetworkPolicy")])),
    ("NET006", Needs::any(SERVICE)),
    ("NET007", Needs::any(SERVICE)),
    ("NET008", Needs::any(INGRESS)),
    ("NET009", Needs::any(INGRESS)),
    ("NET010", Needs::any(SERVICE)),
    ("NET011", Needs::any(SERVICE)),
    ("NET012", Needs::any(&[Target::Kind("NetworkPolicy")])),
    ("NET013", Needs::any(INGRESS)),
    ("NET014", Needs::any(&[Target::Cluster])),
    ("NET015", Needs::any(&[Target::Cluster])),
    ("NET016", Needs::complete_only(&[Target::Cluster])),
    ("NS001", Needs::any(&[Target::Kind("Namespace")])),
    ("NS002", Needs::any(&[Target::Kind("Namespace")])),
    ("NS003", Needs::any(WORKLOAD)),
    ("NS004", Needs::any(WORKLOAD)),
    (
        "POD020",
        Needs::any(&[
            Target::Kind("Deployment"),
            Target::Kind("DaemonSet"),
            Target::Kind("StatefulSet"),
        ]),
    ),
    ("POD021", Needs::any(WORKLOAD)),
    ("RBAC001", Needs::any(RBAC)),
    ("RBAC002", Needs::any(RBAC)),
    ("RBAC003", Needs::any(RBAC)),
    ("RBAC004", Needs::any(RBAC)),
    ("RBAC005", Needs::any(RBAC)),
    ("RBAC006", Needs::any(RBAC)),
    ("RBAC007", Needs::any(BINDINGS)),
    ("RBAC008", Needs::any(BINDINGS)),
    ("RBAC009", Needs::any(BINDINGS)),
    ("RBAC010", Needs::any(RBAC)),
    ("RBAC011", Needs::complete_only(BINDINGS)),
    ("RBAC012", Needs::any(RBAC)),
    ("REL001", Needs::any(&[Target::AnyObject])),
    ("REL002", Needs::any(&[Target::Kind("Pod")])),
    (
        "REL003",
        Needs::any(&[Target::Kind("Deployment"), Target::Kind("StatefulSet")]),
    ),
    (
        "REL004",
        Needs::complete_only(&[
            Target::Kind("Deployment"),
            Target::Kind("StatefulSet"),
            Target::Kind("ReplicaSet"),
        ]),
    ),
    (
        "REL005",
        Needs::any(&[
            Target::Kind("Deployment"),
            Target::Kind("ReplicaSet"),
            Target::Kind("StatefulSet"),
            Target::Kind("DaemonSet"),
            Target::Kind("Job"),
            Target::Kind("CronJob"),
            Target::Kind("ReplicationController"),
        ]),
    ),
    (
        "REL006",
        Needs::complete_only(&[
            Target::Kind("Service"),
            Target::Kind("Ingress"),
            Target::Kind("HorizontalPodAutoscaler"),
            Target::Kind("PodDisruptionBudget"),
        ]),
    ),
    ("SEC002", Needs::any(&[Target::AnyObject])),
    ("SEC003", Needs::any(&[Target::Kind("Secret")])),
    ("SEC004", Needs::any(&[Target::Kind("Secret")])),
    ("SEC005", Needs::any(&[Target::Kind("SecretProviderClass")])),
];

/// `IDN004` judges only with `--complete`, though it runs per workload.
const COMPLETE_ONLY_WORKLOAD_RULES: &[&str] = &["IDN004"];

impl Rule {
    /// What this rule needs in a scan to judge anything.
    pub fn needs(&self) -> Needs {
        if let Some((_, needs)) = NEEDS.iter().find(|(id, _)| *id == self.id) {
            return *needs;
        }
        match (self.check, self.family) {
            (Check::Container(_) | Check::PodSpec(_), _) => Needs {
                complete_only: COMPLETE_ONLY_WORKLOAD_RULES.contains(&self.id),
                ..Needs::any(WORKLOAD)
            },
            // The subscription's plan, or every cluster once the scan is the whole
            // subscription.
            (_, Family::Cluster) if self.id == "AKS040" => Needs {
                targets: &[Target::DefenderPricing],
                complete_targets: &[Target::Cluster],
                complete_only: false,
            },
            // Conclusive only when the scan is the whole subscription.
            (_, Family::Cluster) if self.id == "AKS048" => Needs::complete_only(&[Target::Cluster]),
            (_, Family::Cluster) => Needs::any(&[Target::Cluster]),
            (_, Family::Registry) => Needs::any(&[Target::Registry]),
            // Not reached for catalogued rules (a test checks every rule is covered).
            _ => Needs::any(&[Target::AnyObject]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{all_rules, find_rule};

    #[test]
    fn every_object_and_inventory_rule_outside_aks_and_acr_is_listed_once() {
        for rule in all_rules() {
            let listed = NEEDS.iter().filter(|(id, _)| *id == rule.id).count();
            let derived = matches!(rule.check, Check::Container(_) | Check::PodSpec(_))
                || matches!(rule.family, Family::Cluster | Family::Registry);
            assert_eq!(
                listed,
                usize::from(!derived),
                "{}: list it in NEEDS exactly when its targets are not derived",
                rule.id
            );
        }
        for (id, _) in NEEDS {
            assert!(find_rule(id).is_some(), "NEEDS lists unknown rule {id}");
        }
    }

    #[test]
    fn needs_follow_the_rule_shape() {
        let needs = |id: &str| find_rule(id).unwrap().needs();
        assert_eq!(needs("POD001").targets, [Target::Workload]);
        assert_eq!(needs("AKS016").targets, [Target::Cluster]);
        assert_eq!(needs("ACR001").targets, [Target::Registry]);
        assert_eq!(needs("NET008").targets, [Target::Kind("Ingress")]);
        assert!(needs("IDN004").complete_only);
        assert!(needs("RBAC011").complete_only);
        assert_eq!(needs("AKS040").complete_targets, [Target::Cluster]);
        assert!(needs("AKS048").complete_only);
        assert_eq!(
            needs("IDN005").targets,
            [
                Target::Azure("ManagedIdentity"),
                Target::Azure("FederatedIdentityCredential")
            ]
        );
    }
}
