use aksguard_model::netpol::{EgressVerdict, NetworkPolicy, PeerKind, imds_egress, policies_in};
use aksguard_model::{Inventory, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{
    absence_note, list_at_most, namespace_anchor, namespace_name, namespace_phrase, short_name,
    workload_namespaces,
};

pub(crate) static RULE: Rule = Rule {
    id: "NET003",
    slug: "imds-reachable-from-pods",
    title: "Pods can reach the Azure instance metadata endpoint (IMDS)",
    family: Family::Network,
    severity: Severity::High,
    checks: "Every namespace that holds a workload (the unspecified namespace included). For \
             each workload, the Kubernetes NetworkPolicies (networking.k8s.io; Calico and \
             Cilium policies are not read) of its namespace whose podSelector matches its \
             pod-template labels and that have Egress in policyTypes (explicit or defaulted) \
             decide whether its pods may connect to 169.254.169.254 on TCP port 80: with no \
             such policy all egress is allowed; otherwise it is allowed only if some egress \
             rule of some such policy (they are additive) admits TCP/80 (no `ports`, an entry \
             without `port`, port 80 or a `port`..`endPort` range containing it; named ports \
             never match) and has no `to`, or a `to` ipBlock whose cidr contains the address \
             and none of whose `except` ranges does (CIDR arithmetic; IPv6 blocks never \
             contain it). Pod and namespace selectors never match the endpoint. A default-deny \
             egress policy without such an allow is safe. hostNetwork pods always reach it \
             (NetworkPolicies do not apply to them). One finding per namespace, naming up to \
             three affected workloads and why; it is located at the allowing ipBlock (or rule) \
             when a rule allows it, else on `Namespace/<name>`. Without `--complete`, a \
             finding that rests only on no policy selecting the pods says a policy outside the \
             scanned files may exist. AKS's cluster-level IMDS restriction is not visible in \
             manifests.",
    rationale: "On AKS every pod can call the node's Instance Metadata Service by default and \
                request OAuth tokens for the kubelet's and node pool's managed identities, which \
                commonly hold rights such as pulling from ACR or managing cluster resources in \
                Azure. Any pod compromise or server-side request forgery then becomes Azure \
                credential theft. Pods should use Microsoft Entra Workload ID and be blocked \
                from 169.254.169.254.",
    remediation: "Add an egress NetworkPolicy selecting the namespace's pods whose ipBlock \
                  allows list `169.254.169.254/32` (or `169.254.0.0/16`) under `except`, or \
                  enable AKS IMDS restriction for non-host-network pods; move Azure access to \
                  Microsoft Entra Workload ID.",
    references: &[
        Reference::CisAks("5.2.1"),
        Reference::Guide(
            "Block pod access to the Azure Instance Metadata Service (IMDS) endpoint",
            "https://learn.microsoft.com/azure/aks/imds-restriction",
        ),
        guides::USE_NETWORK_POLICIES,
        guides::WORKLOAD_IDENTITY_OVERVIEW,
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Block 169.254.169.254/32 in an egress NetworkPolicy of the namespace, or enable AKS IMDS restriction.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// The first egress rule found allowing the endpoint: where to locate the finding.
struct Allowing<'p, 'a> {
    policy: &'p NetworkPolicy<'a>,
    pos: aksguard_model::Pos,
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for namespace in workload_namespaces(inventory) {
        let policies = policies_in(inventory, namespace);
        // Listed in this order, so the workload the location points at comes first.
        let (mut by_rule, mut by_host_network, mut unselected) = (vec![], vec![], vec![]);
        let mut allowing: Option<Allowing<'_, '_>> = None;
        for (object, pod) in inventory.workloads_in(namespace) {
            let workload = short_name(object);
            if pod.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
                by_host_network.push(format!(
                    "{workload} (hostNetwork: NetworkPolicies do not apply to it)"
                ));
                continue;
            }
            let labels = Inventory::pod_labels(&pod);
            let selecting = policies.iter().filter(|p| p.selects(labels));
            match imds_egress(selecting) {
                EgressVerdict::Denied => {}
                EgressVerdict::Unrestricted => {
                    unselected.push(format!("{workload} (no egress NetworkPolicy selects it)"));
                }
                EgressVerdict::Allowed { policy, rule, peer } => {
                    let how = match peer.map(|p| &p.kind) {
                        Some(PeerKind::IpBlock(block)) if block.except.is_empty() => {
                            format!("ipBlock {} has no except", block.cidr)
                        }
                        Some(PeerKind::IpBlock(block)) => format!(
                            "ipBlock {} and none of its except ranges covers 169.254.169.254",
                            block.cidr
                        ),
                        _ => "the rule has no `to`".to_owned(),
                    };
                    by_rule.push(format!(
                        "{workload} (allowed by NetworkPolicy `{}` egress rule {}: {how})",
                        policy.name(),
                        rule.index
                    ));
                    if allowing.is_none() {
                        allowing = Some(Allowing {
                            policy,
                            pos: peer.map_or(rule.node.pos, |p| p.pos()),
                        });
                    }
                }
            }
        }
        let conclusive = !(by_rule.is_empty() && by_host_network.is_empty());
        let mut affected: Vec<String> = [by_rule, by_host_network, unselected].concat();
        // The same workload may be declared in several files of the scan.
        let mut seen = std::collections::HashSet::new();
        affected.retain(|entry| seen.insert(entry.clone()));
        if affected.is_empty() {
            continue;
        }
        let note = if !conclusive {
            absence_note(out.settings())
        } else {
            ""
        };
        let message = format!(
            "pods of {} can reach the instance metadata endpoint 169.254.169.254 and request \
             the node's managed-identity tokens: {}{note}",
            namespace_phrase(namespace),
            list_at_most(&affected, 3),
        );
        let (anchor, pos) = match &allowing {
            Some(a) => (a.policy.object, a.pos),
            None => match namespace_anchor(inventory, namespace) {
                Some(anchor) => (anchor, anchor.pos()),
                None => continue,
            },
        };
        out.report(Violation::at(pos, message).on_namespace(namespace_name(namespace), anchor));
    }
}
