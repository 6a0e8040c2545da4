use aksguard_model::{Node, Object, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape},
    WORKLOAD_KINDS, same,
};

pub(crate) static RULE: Rule = Rule {
    id: "POD021",
    slug: "default-namespace",
    title: "Workload is deployed to the default namespace",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Workloads only: every workload kind (Pod, PodTemplate, Deployment, ReplicaSet, \
             StatefulSet, DaemonSet, Job, CronJob, ReplicationController, OpenShift \
             DeploymentConfig), judged by its metadata alone, so even without a `spec`, and \
             custom resources embedding a pod template (`spec.template.spec.containers`). Fires at `metadata.namespace` when it \
             is explicitly `default`. When no namespace is given (absent, null or empty) it \
             fires with severity info at the object's `metadata` (or the document root): the \
             namespace is unspecified, so the object lands in whatever namespace the deploying \
             context targets (`kubectl`'s current context, `helm --namespace`), which is \
             `default` unless one is set. Any other namespace passes.",
    rationale: "The `default` namespace is shared by everything deployed without thought: RBAC \
                grants, NetworkPolicies, ResourceQuotas and Pod Security Admission labels \
                scoped to it apply to unrelated workloads, and its `default` ServiceAccount is \
                used by all of them. AKS guidance is to isolate teams and applications in their \
                own namespaces so these controls can be applied per workload.",
    remediation: "Set `metadata.namespace` to a dedicated namespace for the application (e.g. \
                  `metadata: {namespace: shop}`), created with its own RBAC, NetworkPolicies, \
                  quotas and Pod Security Admission labels.",
    references: &[
        Reference::CisAks("4.6.3"),
        Reference::Guide(
            "Best practices for cluster isolation in AKS",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-isolation",
        ),
        Reference::Peer(same(Checkov, "CKV_K8S_21")),
        Reference::Peer(same(KubeLinter, "use-namespace")),
        Reference::Peer(same(Kubescape, "pods-in-default-namespace")),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    // The namespace is known from the metadata, whatever the spec holds: a workload kind is
    // judged without its pod template; another kind only when it embeds one.
    let workload_kind = WORKLOAD_KINDS.contains(&object.kind.as_str());
    if !workload_kind && PodSpecView::of(object).is_none() {
        return;
    }
    let metadata = object.metadata();
    let namespace = metadata
        .and_then(|m| m.get("namespace"))
        .filter(|n| n.as_str().is_some_and(|s| !s.trim().is_empty()));
    match namespace {
        Some(node) if node.as_str() == Some("default") => out.report(Violation::at(
            node.pos,
            format!(
                "{} is deployed to the `default` namespace (metadata.namespace: default)",
                object.kind
            ),
        )),
        Some(_) => {}
        None => out.report(
            Violation::at(
                metadata.map_or(object.pos(), |m: &Node| m.pos),
                format!(
                    "{} sets no metadata.namespace: the namespace is unspecified, so it lands \
                     in whatever namespace the deploying context targets (`default` unless set)",
                    object.kind
                ),
            )
            .with_severity(Severity::Info),
        ),
    }
}
