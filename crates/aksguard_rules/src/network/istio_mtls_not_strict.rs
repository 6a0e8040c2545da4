use aksguard_model::{Inventory, Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, clusters};
use crate::meta::{Check, Family, Reference, Rule};

const MODE: &str = "serviceMeshProfile.mode";
/// The Istio add-on's root namespace: a PeerAuthentication there without a selector applies
/// to the whole mesh.
const ROOT_NAMESPACE: &str = "aks-istio-system";
const KIND: &str = "PeerAuthentication";

pub(crate) static RULE: Rule = Rule {
    id: "NET016",
    slug: "istio-mtls-not-strict",
    title: "Istio add-on mesh does not require mutual TLS between workloads",
    family: Family::Network,
    severity: Severity::Low,
    checks: "Every managed cluster with the Istio service-mesh add-on \
             (`serviceMeshProfile.mode: Istio`, any case), judged only with `--complete` or a \
             live scan that read PeerAuthentications, and only when the scan holds Kubernetes \
             objects (Azure resources alone say nothing of the mesh): fires when no mesh-wide \
             `PeerAuthentication` (`security.istio.io`, in the add-on's root namespace \
             `aks-istio-system`, with no `spec.selector` or an empty one) sets \
             `spec.mtls.mode: STRICT`. Reported at `serviceMeshProfile.mode`, naming a \
             mesh-wide PeerAuthentication with another mode when there is one. Namespace- and \
             workload-level policies are not counted: the rule is about the mesh default.",
    rationale: "Istio's default mTLS mode is PERMISSIVE: sidecars accept plain-text traffic \
                alongside mutual TLS, so any pod (or anything that reaches the pod network) \
                can call meshed workloads without a workload identity, and authorization \
                policies keyed on peer identities can be bypassed. A mesh-wide STRICT policy \
                makes every sidecar refuse unauthenticated plain text.",
    remediation: "Apply a mesh-wide PeerAuthentication in STRICT mode: `apiVersion: \
                  security.istio.io/v1`, `kind: PeerAuthentication`, `metadata: {name: \
                  default, namespace: aks-istio-system}`, `spec: {mtls: {mode: STRICT}}`, \
                  after checking that every client of meshed workloads has a sidecar (use \
                  namespace-level PERMISSIVE exceptions during migration).",
    references: &[
        Reference::Guide(
            "Istio-based service mesh add-on for AKS",
            "https://learn.microsoft.com/azure/aks/istio-about",
        ),
        Reference::Guide(
            "Istio: Mutual TLS migration (PeerAuthentication)",
            "https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/",
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const FIX: &str = "Fix: `kubectl apply -f -` with `{apiVersion: security.istio.io/v1, kind: \
                   PeerAuthentication, metadata: {name: default, namespace: \
                   aks-istio-system}, spec: {mtls: {mode: STRICT}}}` (after making sure every \
                   client of meshed workloads has a sidecar).";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let complete = out.settings().complete_for(&[KIND]);
    for cluster in clusters(inventory) {
        let Some(mode) = cluster.settings.get(MODE).as_str() else {
            continue;
        };
        if !mode.trim().eq_ignore_ascii_case("Istio") {
            continue;
        }
        if !complete {
            out.undecided(
                "judged only with --complete or a live scan that read PeerAuthentications \
                 (a mesh-wide policy may live outside the scanned files)",
            );
            continue;
        }
        // A scan with no Kubernetes object at all did not read the cluster's state, whatever
        // `--complete` says of its Azure resources.
        if inventory.objects().is_empty() {
            out.undecided(
                "the scan holds no Kubernetes object, so a mesh-wide PeerAuthentication could \
                 not be in it: scan the cluster (or its manifests) with --complete",
            );
            continue;
        }
        let mesh_wide: Vec<&Object> = inventory
            .of_kind_in(KIND, ROOT_NAMESPACE)
            .filter(|o| o.api_version.starts_with("security.istio.io/") && selects_all(o))
            .collect();
        if mesh_wide
            .iter()
            .any(|o| mtls_mode(o).as_deref() == Some("STRICT"))
        {
            continue;
        }
        let found = match mesh_wide.first() {
            Some(policy) => format!(
                "the mesh-wide PeerAuthentication `{}` sets mTLS mode `{}`",
                policy.name.as_deref().unwrap_or("<unnamed>"),
                mtls_mode(policy).unwrap_or_else(|| "UNSET (PERMISSIVE)".to_owned())
            ),
            None => format!(
                "no mesh-wide PeerAuthentication (namespace `{ROOT_NAMESPACE}`, no selector) \
                 is in the scan, so mTLS is PERMISSIVE"
            ),
        };
        let message = format!(
            "The Istio add-on is enabled (`serviceMeshProfile.mode: {mode}`) but {found}: \
             meshed workloads accept plain-text calls from clients without a workload \
             identity. {FIX}"
        );
        out.report(Violation::at(attr_pos(cluster, MODE), message).on_azure(
            "ManagedCluster",
            &cluster.name,
            &cluster.source,
        ));
    }
}

/// A policy without a selector, or with one that selects nothing in particular.
fn selects_all(policy: &Object) -> bool {
    let Some(selector) = policy.root.at("spec.selector") else {
        return true;
    };
    let empty = |node: Option<&Node>| node.is_none_or(|n| n.is_null() || n.entries().is_empty());
    selector.is_null() || empty(selector.get("matchLabels")) && selector.entries().len() <= 1
}

/// `spec.mtls.mode`, upper-cased; `None` when not set.
fn mtls_mode(policy: &Object) -> Option<String> {
    policy
        .root
        .at("spec.mtls.mode")
        .and_then(Node::as_str)
        .map(|m| m.trim().to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleSettings;
    use crate::test_azure::{cluster_yaml, run_with};
    use aksguard_load::{Limits, load_text_all};

    const ISTIO: &str = "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
                         serviceMeshProfile:\n    mode: Istio\n";

    /// A Kubernetes object other than a PeerAuthentication: the scan read the cluster.
    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n";

    fn policy(namespace: &str, spec: &str) -> String {
        format!(
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: \
             default\n  namespace: {namespace}\nspec:\n{spec}\n---\n"
        )
    }

    fn judge(manifests: &str, settings: RuleSettings) -> (usize, Vec<String>, Vec<String>) {
        let mut objects = load_text_all("mesh.yaml", manifests, &Limits::default()).objects;
        objects.iter_mut().for_each(Object::shed_bulk);
        let (found, undecided) = run_with(&RULE, cluster_yaml(ISTIO), objects, settings);
        let messages = found.iter().map(|f| f.2.clone()).collect();
        (found.len(), messages, undecided)
    }

    fn complete() -> RuleSettings {
        RuleSettings {
            complete: true,
            ..RuleSettings::default()
        }
    }

    #[test]
    fn a_mesh_wide_strict_policy_passes_and_anything_less_fires() {
        let strict = policy(ROOT_NAMESPACE, "  mtls:\n    mode: STRICT");
        assert_eq!(judge(&strict, complete()).0, 0);
        for (manifests, expected) in [
            (NAMESPACE.to_owned(), "no mesh-wide PeerAuthentication"),
            (
                policy(ROOT_NAMESPACE, "  mtls:\n    mode: PERMISSIVE"),
                "sets mTLS mode `PERMISSIVE`",
            ),
            (policy(ROOT_NAMESPACE, "  {}"), "UNSET"),
            // Elsewhere than the root namespace, or selecting workloads: not mesh-wide.
            (
                policy("shop", "  mtls:\n    mode: STRICT"),
                "no mesh-wide PeerAuthentication",
            ),
            (
                policy(
                    ROOT_NAMESPACE,
                    "  selector:\n    matchLabels:\n      app: web\n  mtls:\n    mode: STRICT",
                ),
                "no mesh-wide PeerAuthentication",
            ),
        ] {
            let (count, messages, _) = judge(&manifests, complete());
            assert_eq!(count, 1, "{manifests}");
            assert!(messages[0].contains(expected), "{}", messages[0]);
            assert!(messages[0].contains("kubectl apply"), "{}", messages[0]);
        }
    }

    #[test]
    fn judged_only_when_the_scan_is_complete_for_peer_authentications() {
        let (count, _, undecided) = judge(NAMESPACE, RuleSettings::default());
        assert_eq!((count, undecided.len()), (0, 1));
        let unread = RuleSettings {
            unread: vec![KIND.into()],
            ..complete()
        };
        let (count, _, undecided) = judge(NAMESPACE, unread);
        assert_eq!((count, undecided.len()), (0, 1));
        // Complete, but no Kubernetes object at all: the cluster's state was not read.
        let (count, _, undecided) = judge("", complete());
        assert_eq!((count, undecided.len()), (0, 1));
        assert!(
            undecided[0].contains("no Kubernetes object"),
            "{undecided:?}"
        );
    }

    #[test]
    fn clusters_without_the_istio_addon_are_not_concerned() {
        let azure = cluster_yaml(
            "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
             serviceMeshProfile:\n    mode: Disabled\n",
        );
        assert_eq!(
            run_with(&RULE, azure, Vec::new(), complete()),
            (Vec::new(), Vec::new())
        );
    }
}
