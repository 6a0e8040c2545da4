use aksguard_model::netpol::policies;
use std::collections::HashMap;

use aksguard_model::{Inventory, Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::namespace_phrase;
use crate::peer::{
    PeerTool::{KubeLinter, Kubescape},
    WORKLOAD_KINDS, broader,
};

pub(crate) static RULE: Rule = Rule {
    id: "NET012",
    slug: "dangling-network-policy",
    title: "NetworkPolicy selects no workload in its namespace",
    family: Family::Network,
    severity: Severity::Low,
    checks: "Every Kubernetes NetworkPolicy whose namespace (the unspecified namespace for \
             policies without metadata.namespace) holds at least one workload, and whose \
             podSelector (matchLabels and matchExpressions) matches the pod-template labels of \
             none of them (nor the pod labels that operator custom resources declare for the \
             pods they create: `spec.podMetadata.labels` of Prometheus Operator resources, \
             `spec.podTemplate.metadata.labels`, `spec.template.metadata.labels`). An empty \
             podSelector matches every pod and never fires; a malformed \
             one is not reported here; namespaces without workloads in the scan are skipped. \
             Reported at `spec.podSelector`. Without `--complete` the message says the \
             workloads it is meant for may live outside the scanned files.",
    rationale: "A policy that selects nothing protects nothing: usually its labels drifted from \
                the workload's (a renamed app label, a Helm release prefix), so the workload it \
                was written for runs without the isolation its authors believe it has.",
    remediation: "Fix the podSelector to match the pod-template labels of the workload the \
                  policy is meant for, or delete the policy.",
    references: &[
        guides::USE_NETWORK_POLICIES,
        Reference::Peer(
            broader(
                KubeLinter,
                "dangling-networkpolicy",
                "NET012 judges a policy only in a namespace where the scan holds workloads",
            )
            .judging(&["NetworkPolicy"]),
        ),
        Reference::Peer(
            broader(
                Kubescape,
                "dangling-networkpolicy",
                "NET012 judges a policy only in a namespace where the scan holds workloads",
            )
            .judging(&["NetworkPolicy"]),
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Where operator custom resources keep the labels of the pods their controller creates
/// (Prometheus Operator's Prometheus and Alertmanager, agent-sandbox templates, CRDs with a pod
/// template the workload view does not recognise).
const POD_LABEL_PATHS: &[&str] = &[
    "spec.podMetadata.labels",
    "spec.podTemplate.metadata.labels",
    "spec.template.metadata.labels",
];

/// The pod labels a policy of `namespace` could select: every workload's pod-template labels,
/// and the pod labels declared by other objects at [`POD_LABEL_PATHS`].
fn pod_label_sets<'a>(inventory: &'a Inventory, namespace: &'a str) -> Vec<Option<&'a Node>> {
    let mut sets: Vec<Option<&Node>> = inventory
        .workloads_in(namespace)
        .map(|(_, pod)| Inventory::pod_labels(&pod))
        .collect();
    for object in inventory.in_namespace(namespace) {
        if PodSpecView::of(object).is_some() || object.kind == "NetworkPolicy" {
            continue;
        }
        sets.extend(
            POD_LABEL_PATHS
                .iter()
                .filter_map(|path| object.root.at(path))
                .filter(|labels| labels.is_map())
                .map(Some),
        );
    }
    sets
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    // Label sets are computed once per namespace: computing them per policy is quadratic in
    // namespaces with many policies and objects.
    let mut label_sets: HashMap<&str, Vec<Option<&Node>>> = HashMap::new();
    for policy in policies(inventory) {
        if policy.pod_selector.is_none() || policy.selects_all_pods() {
            continue;
        }
        let pods = label_sets
            .entry(policy.namespace)
            .or_insert_with(|| pod_label_sets(inventory, policy.namespace));
        if pods.is_empty() || pods.iter().any(|labels| policy.selects(*labels)) {
            continue;
        }
        let note = if out.settings().complete_for(WORKLOAD_KINDS) {
            ""
        } else {
            " (judged from the scanned files only: the workloads it is meant for may live \
             elsewhere; pass --complete if these files are the whole cluster state)"
        };
        out.report(
            Violation::at(
                policy.pod_selector_pos(),
                format!(
                    "NetworkPolicy `{}` selects no workload of {}: its podSelector matches the \
                     pod labels of none of the {} workload(s) there{note}",
                    policy.name(),
                    namespace_phrase(policy.namespace),
                    pods.len(),
                ),
            )
            .on(policy.object),
        );
    }
}
