//! Whether a Kubernetes API resource is namespaced or cluster-scoped, for RBAC reasoning: a
//! Role (or a ClusterRole bound by a RoleBinding) grants nothing on cluster-scoped resources,
//! and a ClusterRoleBinding whose role only names namespaced resources could be RoleBindings.
//!
//! Built-in resources are known by name (names are unique across the built-in API groups,
//! e.g. `nodes` is cluster-scoped in both `""` and `metrics.k8s.io`); custom resources are
//! known when their CustomResourceDefinition is in the scan. Anything else is unknown.

use crate::node::Node;
use crate::object::Object;

/// Built-in cluster-scoped resources (Kubernetes 1.33), plus the pseudo-resources RBAC rules
/// name for cluster-wide permissions (`users`, `groups` for impersonation, `signers`).
const CLUSTER_SCOPED: &[&str] = &[
    "apiservices",
    "certificatesigningrequests",
    "clusterrolebindings",
    "clusterroles",
    "clustertrustbundles",
    "componentstatuses",
    "csidrivers",
    "csinodes",
    "customresourcedefinitions",
    "deviceclasses",
    "flowschemas",
    "groups",
    "ingressclasses",
    "ipaddresses",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
    "mutatingwebhookconfigurations",
    "namespaces",
    "nodes",
    "persistentvolumes",
    "podsecuritypolicies",
    "priorityclasses",
    "prioritylevelconfigurations",
    "resourceslices",
    "runtimeclasses",
    "selfsubjectaccessreviews",
    "selfsubjectreviews",
    "selfsubjectrulesreviews",
    "servicecidrs",
    "signers",
    "storageclasses",
    "storageversionmigrations",
    "storageversions",
    "subjectaccessreviews",
    "tokenreviews",
    "uids",
    "userextras",
    "users",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "validatingwebhookconfigurations",
    "volumeattachments",
    "volumeattributesclasses",
];

/// Built-in namespaced resources (Kubernetes 1.33).
const NAMESPACED: &[&str] = &[
    "bindings",
    "configmaps",
    "controllerrevisions",
    "cronjobs",
    "csistoragecapacities",
    "daemonsets",
    "deployments",
    "endpoints",
    "endpointslices",
    "events",
    "horizontalpodautoscalers",
    "ingresses",
    "jobs",
    "leases",
    "limitranges",
    "localsubjectaccessreviews",
    "networkpolicies",
    "persistentvolumeclaims",
    "poddisruptionbudgets",
    "pods",
    "podschedulingcontexts",
    "podtemplates",
    "replicasets",
    "replicationcontrollers",
    "resourceclaims",
    "resourceclaimtemplates",
    "resourcequotas",
    "rolebindings",
    "roles",
    "secrets",
    "serviceaccounts",
    "services",
    "statefulsets",
];

/// `Some(true)` for a cluster-scoped built-in resource, `Some(false)` for a namespaced one,
/// `None` when unknown (custom resources, `*`). A subresource (`nodes/proxy`) has the scope of
/// its resource.
pub fn builtin_is_cluster_scoped(resource: &str) -> Option<bool> {
    let base = resource.split('/').next().unwrap_or(resource);
    if CLUSTER_SCOPED.contains(&base) {
        Some(true)
    } else if NAMESPACED.contains(&base) {
        Some(false)
    } else {
        None
    }
}

/// Like [`builtin_is_cluster_scoped`], also knowing custom resources whose
/// CustomResourceDefinition (`spec.names.plural`, `spec.scope`) is among `objects`. `group`
/// narrows the CRD match when it is not `*`.
pub fn is_cluster_scoped(objects: &[Object], group: &str, resource: &str) -> Option<bool> {
    if let Some(known) = builtin_is_cluster_scoped(resource) {
        return Some(known);
    }
    let base = resource.split('/').next().unwrap_or(resource);
    objects
        .iter()
        .filter(|o| {
            o.kind == "CustomResourceDefinition"
                && o.api_version.starts_with("apiextensions.k8s.io/")
        })
        .find_map(|crd| {
            let spec = crd.root.get("spec")?;
            let plural = spec.at("names.plural").and_then(Node::as_str)?;
            let crd_group = spec.get("group").and_then(Node::as_str).unwrap_or("");
            if plural != base || (group != "*" && group != crd_group) {
                return None;
            }
            match spec.get("scope").and_then(Node::as_str)? {
                "Cluster" => Some(true),
                "Namespaced" => Some(false),
                _ => None,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_and_subresources() {
        assert_eq!(builtin_is_cluster_scoped("nodes/proxy"), Some(true));
        assert_eq!(builtin_is_cluster_scoped("pods/exec"), Some(false));
        assert_eq!(builtin_is_cluster_scoped("secrets"), Some(false));
        assert_eq!(builtin_is_cluster_scoped("*"), None);
        assert_eq!(builtin_is_cluster_scoped("widgets"), None);
    }

    #[test]
    fn tables_are_sorted_and_disjoint() {
        assert!(CLUSTER_SCOPED.windows(2).all(|w| w[0] < w[1]));
        assert!(NAMESPACED.windows(2).all(|w| w[0] < w[1]));
        assert!(!CLUSTER_SCOPED.iter().any(|r| NAMESPACED.contains(r)));
    }
}
