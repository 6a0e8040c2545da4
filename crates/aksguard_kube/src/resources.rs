//! The built-in kinds the rules read, as the Kubernetes API serves them: the one list a live
//! scan asks the API server for, and the one list the in-cluster scanner's ClusterRole grants
//! (see [`crate::rbac`]). A test checks it against the kinds the rules declare
//! (`aksguard_rules::needs::NEEDS`), the workload kinds and the kinds rules read without
//! declaring them.
//!
//! Secrets are not here, on purpose: `list` on Secrets returns their data, so a scanner that
//! may list them holds every credential of the cluster. The Secret rules judge files only.

/// One resource of the Kubernetes API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resource {
    /// The API group; empty for the core group (`/api/v1`).
    pub group: &'static str,
    /// The version listed when the server serves it; otherwise the group's preferred version.
    pub version: &'static str,
    /// The plural resource name in URLs and RBAC rules.
    pub resource: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    /// When it is listed: owners before what they own (see [`Phase`]).
    pub phase: Phase,
}

/// The order of the lists. A controller's workloads are judged once, on the controller: to
/// know which Pods a listed ReplicaSet owns, the ReplicaSets are listed before the Pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Everything that owns no workload and is owned by none: RBAC, network, namespaces,
    /// ConfigMaps, CustomResourceDefinitions (which name the pod-template custom resources).
    Context,
    /// Workload controllers nothing else controls: Deployments, CronJobs, StatefulSets,
    /// DaemonSets, ReplicationControllers, pod-template custom resources (Argo Rollouts).
    Controllers,
    /// What controllers create and may also be made directly: ReplicaSets, Jobs.
    Owned,
    /// Pods, last: owned by any of the above, or bare.
    Pods,
}

const fn core(resource: &'static str, kind: &'static str, namespaced: bool) -> Resource {
    Resource {
        group: "",
        version: "v1",
        resource,
        kind,
        namespaced,
        phase: Phase::Context,
    }
}

const fn grouped(
    group: &'static str,
    version: &'static str,
    resource: &'static str,
    kind: &'static str,
) -> Resource {
    Resource {
        group,
        version,
        resource,
        kind,
        namespaced: true,
        phase: Phase::Context,
    }
}

const fn cluster_scoped(resource: Resource) -> Resource {
    Resource {
        namespaced: false,
        ..resource
    }
}

const fn in_phase(resource: Resource, phase: Phase) -> Resource {
    Resource { phase, ..resource }
}

/// The group of CustomResourceDefinitions.
pub const APIEXTENSIONS: &str = "apiextensions.k8s.io";

const RESOURCES: &[Resource] = &[
    // Workloads (every kind with a pod template the model knows).
    in_phase(core("pods", "Pod", true), Phase::Pods),
    in_phase(
        core("replicationcontrollers", "ReplicationController", true),
        Phase::Controllers,
    ),
    core("podtemplates", "PodTemplate", true),
    in_phase(
        grouped("apps", "v1", "deployments", "Deployment"),
        Phase::Controllers,
    ),
    in_phase(
        grouped("apps", "v1", "statefulsets", "StatefulSet"),
        Phase::Controllers,
    ),
    in_phase(
        grouped("apps", "v1", "daemonsets", "DaemonSet"),
        Phase::Controllers,
    ),
    in_phase(
        grouped("apps", "v1", "replicasets", "ReplicaSet"),
        Phase::Owned,
    ),
    in_phase(grouped("batch", "v1", "jobs", "Job"), Phase::Owned),
    in_phase(
        grouped("batch", "v1", "cronjobs", "CronJob"),
        Phase::Controllers,
    ),
    // OpenShift's Deployment (an aggregated API, not a CRD); absent on AKS.
    in_phase(
        grouped(
            "apps.openshift.io",
            "v1",
            "deploymentconfigs",
            "DeploymentConfig",
        ),
        Phase::Controllers,
    ),
    // The best-known pod-template custom resource, named so that the in-cluster scanner's
    // ClusterRole may list it; others are found from their CRD's schema at scan time.
    in_phase(
        grouped("argoproj.io", "v1alpha1", "rollouts", "Rollout"),
        Phase::Controllers,
    ),
    // Namespaces, identities, configuration.
    cluster_scoped(core("namespaces", "Namespace", false)),
    core("serviceaccounts", "ServiceAccount", true),
    core("configmaps", "ConfigMap", true),
    core("resourcequotas", "ResourceQuota", true),
    core("limitranges", "LimitRange", true),
    // Network.
    core("services", "Service", true),
    grouped(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "NetworkPolicy",
    ),
    grouped("networking.k8s.io", "v1", "ingresses", "Ingress"),
    // RBAC.
    grouped("rbac.authorization.k8s.io", "v1", "roles", "Role"),
    grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "RoleBinding",
    ),
    cluster_scoped(grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "ClusterRole",
    )),
    cluster_scoped(grouped(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
    )),
    // Reliability.
    grouped(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
    ),
    grouped(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
    ),
    grouped("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject"),
    // Custom resources: their schemas, and those that embed a pod template.
    cluster_scoped(grouped(
        APIEXTENSIONS,
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
    )),
    // What creates Secrets without holding their values in the clear.
    grouped(
        "secrets-store.csi.x-k8s.io",
        "v1",
        "secretproviderclasses",
        "SecretProviderClass",
    ),
    grouped(
        "external-secrets.io",
        "v1",
        "externalsecrets",
        "ExternalSecret",
    ),
    grouped("bitnami.com", "v1alpha1", "sealedsecrets", "SealedSecret"),
    // Istio's mesh-wide mutual TLS (NET016: the AKS Istio add-on with no STRICT
    // PeerAuthentication). Listed so that a live scan of a mesh cluster knows the policies
    // present; where Istio is not installed the kind is not served and there are none.
    grouped(
        "security.istio.io",
        "v1",
        "peerauthentications",
        "PeerAuthentication",
    ),
    // AAD pod identity (deprecated; IDN001 reports it where it is still installed).
    grouped(
        "aadpodidentity.k8s.io",
        "v1",
        "azureidentities",
        "AzureIdentity",
    ),
    grouped(
        "aadpodidentity.k8s.io",
        "v1",
        "azureidentitybindings",
        "AzureIdentityBinding",
    ),
    grouped(
        "aadpodidentity.k8s.io",
        "v1",
        "azurepodidentityexceptions",
        "AzurePodIdentityException",
    ),
];

/// Every built-in resource a live scan lists (custom pod-template resources are found at
/// scan time, from the CustomResourceDefinitions).
pub fn resources() -> &'static [Resource] {
    RESOURCES
}

/// Kinds a live scan never lists, and why: the rules that read them judge files only.
pub const NEVER_LISTED: &[(&str, &str)] = &[(
    "Secret",
    "listing Secrets returns their data: a live scan never reads them",
)];

impl Resource {
    /// `deployments.apps`, `pods` (core): how `kubectl` and error messages name it.
    pub fn qualified_name(&self) -> String {
        if self.group.is_empty() {
            self.resource.to_owned()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    /// `apps/v1`, `v1`: the apiVersion of its objects in `version`.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{version}", self.group)
        }
    }
}

/// The table entry of a kind.
pub fn resource_of_kind(kind: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_rules::needs::{NEEDS, Target};
    use std::collections::HashSet;

    /// Kinds that rules read from the inventory without declaring them as their targets
    /// (`grep -rn 'kind ==' crates/aksguard_rules`): SEC002 judges ConfigMap values, the
    /// dangling-reference rules look up ConfigMaps, ServiceAccounts, ExternalSecrets,
    /// SealedSecrets and ScaledObjects, NS rules ResourceQuotas and LimitRanges, and the
    /// resource-scope index reads CRDs.
    const READ_WITHOUT_DECLARING: &[&str] = &[
        "ConfigMap",
        "ServiceAccount",
        "ResourceQuota",
        "LimitRange",
        "ExternalSecret",
        "SealedSecret",
        "ScaledObject",
        "CustomResourceDefinition",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ];

    #[test]
    fn every_kind_the_rules_declare_is_listed_but_secrets() {
        let listed: HashSet<&str> = resources().iter().map(|r| r.kind).collect();
        let never: HashSet<&str> = NEVER_LISTED.iter().map(|(kind, _)| *kind).collect();
        for (rule, needs) in NEEDS {
            for target in needs.targets.iter().chain(needs.complete_targets) {
                if let Target::Kind(kind) = target {
                    assert!(
                        listed.contains(kind) || never.contains(kind),
                        "{rule} reads {kind}, which resources() does not list"
                    );
                }
            }
        }
        for kind in aksguard_rules::peer::WORKLOAD_KINDS {
            assert!(listed.contains(kind), "workload kind {kind} is not listed");
        }
        for kind in READ_WITHOUT_DECLARING {
            assert!(
                listed.contains(kind),
                "{kind} is read by rules but not listed"
            );
        }
    }

    #[test]
    fn secrets_are_never_listed() {
        for resource in resources() {
            assert_ne!(resource.kind, "Secret");
            assert_ne!(resource.resource, "secrets");
        }
        assert!(NEVER_LISTED.iter().any(|(kind, _)| *kind == "Secret"));
    }

    #[test]
    fn each_resource_is_listed_once_with_a_consistent_name() {
        let mut seen = HashSet::new();
        for resource in resources() {
            assert!(
                seen.insert((resource.group, resource.resource)),
                "{} twice",
                resource.qualified_name()
            );
            assert_eq!(
                resource.resource,
                resource.resource.to_ascii_lowercase(),
                "{}",
                resource.kind
            );
            assert!(
                resource
                    .resource
                    .starts_with(&resource.kind.to_ascii_lowercase()[..3]),
                "{} / {}",
                resource.resource,
                resource.kind
            );
        }
    }

    #[test]
    fn owners_are_listed_before_what_they_own() {
        let phase = |kind| resource_of_kind(kind).unwrap().phase;
        for (owner, owned) in [
            ("Deployment", "ReplicaSet"),
            ("Rollout", "ReplicaSet"),
            ("CronJob", "Job"),
            ("ReplicaSet", "Pod"),
            ("Job", "Pod"),
            ("StatefulSet", "Pod"),
            ("DaemonSet", "Pod"),
            ("ReplicationController", "Pod"),
        ] {
            assert!(phase(owner) < phase(owned), "{owner} before {owned}");
        }
    }

    #[test]
    fn names_follow_kubectl() {
        let deployments = resource_of_kind("Deployment").unwrap();
        assert_eq!(deployments.qualified_name(), "deployments.apps");
        assert_eq!(deployments.api_version("v1"), "apps/v1");
        let pods = resource_of_kind("Pod").unwrap();
        assert_eq!(pods.qualified_name(), "pods");
        assert_eq!(pods.api_version("v1"), "v1");
    }
}
