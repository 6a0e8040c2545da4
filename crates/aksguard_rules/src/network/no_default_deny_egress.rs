use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Rule};
use crate::network::helpers::{Direction, check_default_deny};

pub(crate) static RULE: Rule = Rule {
    id: "NET002",
    slug: "no-default-deny-egress",
    title: "Namespace has no default-deny egress NetworkPolicy",
    family: Family::Network,
    severity: Severity::Low,
    checks: "Every namespace that holds a workload, including the unspecified namespace of \
             objects without metadata.namespace. It passes when a Kubernetes NetworkPolicy of \
             that same namespace selects all pods (`podSelector: {}` or absent) and has Egress \
             in its policyTypes (explicit, or by defaulting when `spec.egress` is a non-empty \
             list: `egress: []` without policyTypes makes an Ingress-only policy), and no such \
             all-pods policy has an egress rule with neither `to` nor `ports`, which would \
             allow all egress again. Policies in other namespaces never count. Reported on \
             `Namespace/<name>` at the Namespace manifest (else the namespace's first \
             workload), or at the reopening rule. Without `--complete` the message says a \
             policy outside the scanned files may exist.",
    rationale: "Pods without an egress policy can connect anywhere: to every other pod, to the \
                node's Azure instance metadata endpoint and its managed-identity tokens, to \
                Azure services and to the internet, which is what exfiltration and \
                command-and-control traffic need. A default-deny egress policy per namespace \
                plus explicit allows (DNS, the services a workload calls) limits what a \
                compromised pod can reach.",
    remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` to the \
                  namespace, then allow DNS and the destinations each workload needs with \
                  narrower egress rules.",
    references: &[
        guides::USE_NETWORK_POLICIES,
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_default_deny(inventory, out, Direction::Egress);
}
