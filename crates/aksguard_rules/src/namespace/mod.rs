//! NS: namespaces and tenancy (RULES.md "NS").

use aksguard_model::{Inventory, Object, Pos};

use crate::meta::{Reference, Rule};
use crate::peer::{PeerTool::Kubescape, narrower, same};

mod missing_pod_security_enforce_label;
mod missing_resource_quota;
mod permissive_pod_security_level;
mod workload_in_system_namespace;

pub(crate) const RULES: &[&Rule] = &[
    &missing_pod_security_enforce_label::RULE,
    &permissive_pod_security_level::RULE,
    &missing_resource_quota::RULE,
    &workload_in_system_namespace::RULE,
];

/// Namespaces that Kubernetes or AKS itself creates and manages: the Kubernetes system
/// namespaces, and those of AKS add-ons and features (Azure Policy's Gatekeeper, Calico
/// network policy, `az aks command invoke`, the application routing and Istio add-ons).
/// NS001/NS002/NS003 leave them alone (AKS sets them up, and they host privileged platform
/// pods); NS004 reports user workloads in them.
pub const SYSTEM_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "gatekeeper-system",
    "calico-system",
    "tigera-operator",
    "aks-command",
    "app-routing-system",
    "aks-istio-system",
    "aks-istio-ingress",
    "aks-istio-egress",
];

pub(crate) fn is_system_namespace(name: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&name)
}

/// The Pod Security Admission label that sets the enforced level.
/// kubescape's two Pod Security admission checks, which NS001 and NS002 answer together (a
/// peer check declared on several rules must be declared alike on each).
pub(crate) const PSA_BASELINE_APPLIED: Reference = Reference::Peer(
    narrower(
        Kubescape,
        "pod-security-admission-baseline-applied-1",
        "kubescape fails a namespace enforcing less than baseline; NS002 also reports `baseline`",
    )
    .judging(&["Namespace"]),
);
pub(crate) const PSA_RESTRICTED_APPLIED: Reference = Reference::Peer(
    same(Kubescape, "pod-security-admission-restricted-applied-1").judging(&["Namespace"]),
);

pub(crate) const PSA_ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// A core `v1` Namespace object.
pub(crate) fn core_namespace(object: &Object) -> bool {
    object.kind == "Namespace" && object.api_version == "v1"
}

/// Where a finding on `Namespace/<name>` is located: the Namespace manifest's
/// `metadata.name` when it is in the scan, else the `metadata.namespace` of the first object
/// in that namespace.
pub(crate) fn anchor_of<'a>(
    inventory: &'a Inventory,
    namespace: &str,
) -> Option<(&'a Object, Pos)> {
    if let Some(manifest) = inventory.namespace_object(namespace) {
        return Some((manifest, manifest.locate("metadata.name")));
    }
    let first = inventory.in_namespace(namespace).next()?;
    Some((first, first.locate("metadata.namespace")))
}

/// A name the API server accepts for a namespace (an RFC 1123 label). Others, such as
/// `${NAMESPACE}`, are unrendered template placeholders and are not judged.
pub(crate) fn is_namespace_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}
