use std::collections::BTreeMap;

use aksguard_model::netpol::{NetworkPolicy, policies_in};
use aksguard_model::{Inventory, Severity, UNSPECIFIED_NAMESPACE};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{absence_note, list_at_most, namespace_phrase, short_name};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape},
    WORKLOAD_KINDS, narrower, same,
};

pub(crate) static RULE: Rule = Rule {
    id: "NET004",
    slug: "non-isolated-workload",
    title: "Workload is selected by no NetworkPolicy",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every workload (any object with a pod template) whose pod-template labels are \
             matched by the podSelector (matchLabels and matchExpressions) of no Kubernetes \
             NetworkPolicy (networking.k8s.io; Calico and Cilium policies are not read) of its \
             own namespace, whatever the policy's policyTypes. Workloads \
             and policies without metadata.namespace share the unspecified namespace; \
             policies in other namespaces never count, and a malformed podSelector selects \
             nothing. Reported on the workload at its pod-template labels (else its first \
             line). Without `--complete` the message says a policy outside the scanned files \
             may exist.",
    rationale: "A pod that no NetworkPolicy selects is not isolated at all: every pod in the \
                cluster can connect to it and it can connect anywhere, so a compromise of any \
                workload can spread to it and from it. On AKS, network policy engines only \
                filter traffic of the pods that policies select.",
    remediation: "Add a default-deny NetworkPolicy (`podSelector: {}`) to the workload's \
                  namespace, or a policy whose podSelector matches the workload's pod labels, \
                  and allow only the traffic it needs.",
    references: &[
        guides::USE_NETWORK_POLICIES,
        Reference::Peer(same(KubeLinter, "non-isolated-pod").judging(WORKLOAD_KINDS)),
        Reference::Peer(narrower(
            Kubescape,
            "ingress-and-egress-blocked",
            "kubescape also counts Cilium policies, which NET004 does not read",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "ensure_network_policy_configured_in_labels",
            "kubescape also counts Cilium policies, which NET004 does not read",
        )),
        Reference::Peer(
            narrower(
                Checkov,
                "CKV2_K8S_6",
                "checkov judges bare Pods only and also counts Cilium policies, which NET004 \
             does not read",
            )
            .judging(&["Pod"]),
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let mut by_namespace: BTreeMap<&str, Vec<NetworkPolicy<'_>>> = BTreeMap::new();
    // What was found in each namespace, for messages: built once, not once per workload.
    let mut found_in: BTreeMap<&str, String> = BTreeMap::new();
    for (object, pod) in inventory.workloads() {
        let namespace = object.namespace.as_deref().unwrap_or(UNSPECIFIED_NAMESPACE);
        let policies = by_namespace
            .entry(namespace)
            .or_insert_with(|| policies_in(inventory, namespace));
        let labels = Inventory::pod_labels(&pod);
        if policies.iter().any(|p| p.selects(labels)) {
            continue;
        }
        let found = found_in.entry(namespace).or_insert_with(|| {
            if policies.is_empty() {
                format!(
                    "there is no NetworkPolicy in {}",
                    namespace_phrase(namespace)
                )
            } else {
                let names: Vec<String> =
                    policies.iter().map(|p| format!("`{}`", p.name())).collect();
                format!(
                    "no podSelector of the NetworkPolicies of {} ({}) matches its pod labels",
                    namespace_phrase(namespace),
                    list_at_most(&names, 3)
                )
            }
        });
        out.report(
            Violation::at(
                labels.map_or(object.pos(), |l| l.pos),
                format!(
                    "{} is selected by no NetworkPolicy, so its pods accept and send any \
                     traffic: {found}{}",
                    short_name(object),
                    absence_note(out.settings())
                ),
            )
            .on(object),
        );
    }
}
