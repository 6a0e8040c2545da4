use aksguard_model::netpol::{NetworkPolicy, PeerKind, Port, PortRange};
use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "NET005",
    slug: "ingress-rule-allows-all-sources",
    title: "NetworkPolicy ingress rule allows traffic from everywhere",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every ingress rule of a Kubernetes NetworkPolicy that has Ingress in its \
             policyTypes (explicit or defaulted; ingress rules of an Egress-only policy are \
             ignored by Kubernetes and not reported): a rule without `from` or with an empty \
             `from` (every source; reported at the rule, naming its ports if it restricts \
             them), and each `from` peer that is an ipBlock of the whole address space \
             (`0.0.0.0/0` or `::/0`, by CIDR prefix length, whatever its `except` list) or a \
             `namespaceSelector: {}` whose podSelector is absent or empty (every pod of every \
             namespace), reported at the peer. A `podSelector: {}` alone (the policy's own \
             namespace) is not reported.",
    rationale: "A NetworkPolicy is only as strict as its widest rule: since policies are \
                additive, one rule admitting every source undoes the default deny for the pods \
                it selects, letting any pod of any namespace, and with an ipBlock of the whole \
                address space anything that can route to the pod network, connect to them.",
    remediation: "List the allowed sources in `from`: a podSelector for pods of the namespace, a \
                  namespaceSelector naming the namespaces that need access (with a podSelector), \
                  or the specific CIDRs of clients outside the cluster.",
    references: &[
        guides::USE_NETWORK_POLICIES,
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let Some(policy) = NetworkPolicy::parse(object) else {
        return;
    };
    if !policy.policy_types.ingress {
        return;
    }
    for rule in &policy.ingress {
        let ports = if rule.allows_all_ports() {
            "on every port".to_owned()
        } else {
            format!(
                "on {}",
                rule.ports
                    .iter()
                    .map(describe_port)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if rule.allows_all_peers() {
            out.report(Violation::at(
                rule.node.pos,
                format!(
                    "ingress rule {} of NetworkPolicy `{}` has no (or an empty) `from`, so it admits \
                     traffic from every pod of every namespace and from outside the cluster \
                     {ports}",
                    rule.index,
                    policy.name()
                ),
            ));
            continue;
        }
        for peer in rule.peers.iter().filter(|p| p.is_everything()) {
            let what = match &peer.kind {
                PeerKind::IpBlock(block) if block.except.is_empty() => {
                    format!("ipBlock {} admits every address", block.cidr)
                }
                PeerKind::IpBlock(block) => format!(
                    "ipBlock {} admits every address but {} excepted range(s)",
                    block.cidr,
                    block.except.len()
                ),
                _ => {
                    "namespaceSelector: {} with no narrowing podSelector admits every pod of every \
                      namespace"
                        .to_owned()
                }
            };
            out.report(Violation::at(
                peer.pos(),
                format!(
                    "ingress rule {} of NetworkPolicy `{}`: {what} {ports}",
                    rule.index,
                    policy.name()
                ),
            ));
        }
    }
}

fn describe_port(port: &PortRange) -> String {
    match (&port.port, port.end_port) {
        (Port::Any, _) => format!("every {} port", port.protocol),
        (Port::Number(start), Some(end)) => format!("{}/{start}-{end}", port.protocol),
        (Port::Number(number), None) => format!("{}/{number}", port.protocol),
        (Port::Named(name), _) => format!("{}/{name}", port.protocol),
    }
}
