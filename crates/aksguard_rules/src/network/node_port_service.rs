use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{is_service, name, service_type};
use crate::patch;
use crate::peer::{PeerTool::KubeLinter, same};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "NET007",
    slug: "node-port-service",
    title: "Service of type NodePort opens a port on every node",
    family: Family::Network,
    severity: Severity::Low,
    checks: "Every core v1 Service with `spec.type: NodePort`, reported at `spec.type`. \
             LoadBalancer Services, which also allocate node ports, are left to NET006 and \
             NET010.",
    rationale: "A NodePort Service listens on a port of every node of the cluster, bypassing \
                ingress controllers, and reaches the pods from wherever the nodes' addresses \
                are reachable (the whole virtual network, peered networks, or the internet on \
                node pools with public IPs). Node ports are also hard to cover with \
                NetworkPolicies, since traffic arrives from the node.",
    remediation: "Use a ClusterIP Service behind an ingress controller, or an internal \
                  LoadBalancer Service, instead of `type: NodePort`.",
    references: &[
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Peer(same(KubeLinter, "exposed-services").judging(&["Service"])),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !is_service(object) {
        return;
    }
    if let Some(("NodePort", node)) = service_type(object) {
        out.report(
            Violation::at(
                node.pos,
                format!(
                    "Service `{}` is of type NodePort: it listens on a port of every node",
                    name(object)
                ),
            )
            .with_fix(patch::set(
                "Set `spec.type: ClusterIP` and expose the Service through an Ingress.",
                FixSafety::Review,
                patch::object_path("spec.type", &[]),
                "ClusterIP",
            )),
        );
    }
}
