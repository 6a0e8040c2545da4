use aksguard_model::{Node, Object, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::namespace::is_system_namespace;

pub(crate) static RULE: Rule = Rule {
    id: "NS004",
    slug: "workload-in-system-namespace",
    title: "User workload runs in an AKS system namespace",
    family: Family::Namespace,
    severity: Severity::Medium,
    checks: "Every workload (any object with a pod template: Pod, Deployment, CronJob, …) \
             whose `metadata.namespace` is a Kubernetes or AKS system namespace: \
             kube-system, kube-public, kube-node-lease, gatekeeper-system (Azure Policy), \
             calico-system and tigera-operator (Calico network policy), aks-command \
             (`az aks command invoke`), app-routing-system (application routing add-on), \
             aks-istio-system, aks-istio-ingress, aks-istio-egress (Istio add-on). Reported at \
             `metadata.namespace`. Platform components are not user workloads and pass: \
             objects labelled (on the object or its pod template) \
             `kubernetes.azure.com/managedby: aks`, `addonmanager.kubernetes.io/mode` (any \
             value) or `kubernetes.io/cluster-service: \"true\"`, and objects with \
             `metadata.ownerReferences` (created by a controller: their owner is what gets \
             judged). Anything else is reported, including self-installed cluster add-ons \
             (metrics-server, Gatekeeper, Calico operator): on AKS these namespaces belong to \
             the managed add-ons. Objects without a namespace are not judged.",
    rationale: "AKS system namespaces hold the cluster's own components (CoreDNS, \
                konnectivity, CSI drivers, add-ons), which run with broad RBAC and privileged \
                pods. Azure Policy for AKS and Deployment Safeguards skip kube-system and \
                gatekeeper-system by default, so a user workload there escapes the guardrails \
                tenants get; whoever may deploy it there can reach the platform's \
                ServiceAccounts and Secrets; and AKS reconciliation or upgrades may overwrite \
                or remove it.",
    remediation: "Deploy the workload into a dedicated application namespace with its own \
                  RBAC, quotas, NetworkPolicies and Pod Security labels; use the AKS add-on or \
                  extension instead of self-installing a component the platform manages.",
    references: &[
        Reference::CisAks("4.6.1"),
        Reference::Guide(
            "Kubernetes core concepts for AKS: namespaces",
            "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces",
        ),
        Reference::Guide(
            "Best practices for cluster isolation in AKS",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-isolation",
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let Some(namespace) = object.namespace.as_deref() else {
        return;
    };
    if !is_system_namespace(namespace) {
        return;
    }
    let Some(pod) = PodSpecView::of(object) else {
        return;
    };
    if controller_owned(object) || platform_managed(object, &pod) {
        return;
    }
    out.report(Violation::at(
        object.locate("metadata.namespace"),
        format!(
            "{} `{}` is a user workload in the AKS system namespace `{namespace}`; move it to \
             an application namespace",
            object.kind,
            object.name.as_deref().unwrap_or("<unnamed>")
        ),
    ));
}

/// Created by a controller (a ReplicaSet's Pod, a CronJob's Job): the owner is judged.
fn controller_owned(object: &Object) -> bool {
    object
        .metadata()
        .and_then(|m| m.get("ownerReferences"))
        .is_some_and(|refs| !refs.items().is_empty())
}

/// Labels AKS and the Kubernetes addon manager put on platform components.
fn platform_managed(object: &Object, pod: &PodSpecView<'_>) -> bool {
    let own = object.metadata().and_then(|m| m.get("labels"));
    let template = pod.metadata.and_then(|m| m.get("labels"));
    [own, template].into_iter().flatten().any(|labels| {
        let value = |key: &str| labels.get(key).and_then(Node::as_str);
        value("kubernetes.azure.com/managedby") == Some("aks")
            || labels
                .get("addonmanager.kubernetes.io/mode")
                .is_some_and(|n| !n.is_null())
            || value("kubernetes.io/cluster-service") == Some("true")
    })
}
