use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{Direction, check_default_deny};
use crate::peer::{PeerTool::Kubescape, narrower};

pub(crate) static RULE: Rule = Rule {
    id: "NET001",
    slug: "no-default-deny-ingress",
    title: "Namespace has no default-deny ingress NetworkPolicy",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every namespace that holds a workload, including the unspecified namespace of \
             objects without metadata.namespace (they are applied together). It passes when a \
             Kubernetes NetworkPolicy (networking.k8s.io; Calico and Cilium policies are not \
             read) of that same namespace selects all pods (`podSelector: {}` or absent) and \
             has Ingress in its policyTypes (explicit, or by defaulting: every policy without \
             policyTypes is an Ingress policy), and no such all-pods policy has an ingress \
             rule with neither `from` nor `ports`, which would allow all ingress again \
             (policies are additive). Policies in other namespaces never count. Reported on \
             `Namespace/<name>` at the Namespace manifest (else the namespace's first \
             workload), or at the reopening rule. Without `--complete` the message says a \
             policy outside the scanned files may exist.",
    rationale: "Without a NetworkPolicy isolating them, pods accept connections from every pod \
                of every namespace in the cluster: one compromised workload can reach \
                databases, internal APIs and admin endpoints anywhere. AKS enforces \
                NetworkPolicies (Azure NPM, Calico or Cilium) only for pods they select, so \
                each namespace needs a default-deny ingress policy with explicit allows on top.",
    remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` (no \
                  ingress rules) to the namespace, then allow the traffic each workload needs \
                  with narrower policies.",
    references: &[
        Reference::CisAks("4.4.2"),
        guides::USE_NETWORK_POLICIES,
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Peer(
            narrower(
                Kubescape,
                "internal-networking",
                "kubescape fails a namespace without any NetworkPolicy; NET001 also one \
             whose policies deny no ingress by default",
            )
            .judging(&["Namespace"]),
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_default_deny(inventory, out, Direction::Ingress);
}
