use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{
    INTERNAL_LB_ANNOTATION, annotation_node, name, public_load_balancer,
};
use crate::patch;
use crate::peer::{PeerTool::KubeLinter, same};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "NET006",
    slug: "public-load-balancer-service",
    title: "LoadBalancer Service gets a public IP",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every core v1 Service with `spec.type: LoadBalancer` whose annotation \
             `service.beta.kubernetes.io/azure-load-balancer-internal` is absent or not \
             \"true\" (compared trimmed and case-insensitively, as the Azure cloud provider \
             does). Reported at `spec.type`, or at the annotation when it is set to another \
             value.",
    rationale: "On AKS a LoadBalancer Service without the internal annotation gets a public IP \
                on the cluster's Azure load balancer, exposing the workload to the internet. \
                Services meant for clients inside the virtual network, peered networks or \
                on-premises should use an internal load balancer; public entry points belong \
                behind an ingress with TLS and a web application firewall.",
    remediation: "Add the annotation `service.beta.kubernetes.io/azure-load-balancer-internal: \
                  \"true\"`, or expose the workload through an ingress or Application Gateway \
                  instead of its own public load balancer.",
    references: &[
        guides::INTERNAL_LOAD_BALANCER,
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Peer(same(KubeLinter, "exposed-services").judging(&["Service"])),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let Some(type_node) = public_load_balancer(object) else {
        return;
    };
    let violation = match annotation_node(object, INTERNAL_LB_ANNOTATION) {
        Some(node) => Violation::at(
            node.pos,
            format!(
                "LoadBalancer Service `{}` gets a public IP: {INTERNAL_LB_ANNOTATION} is \"{}\", \
                 not \"true\"",
                name(object),
                node.as_str().unwrap_or_default()
            ),
        ),
        None => Violation::at(
            type_node.pos,
            format!(
                "LoadBalancer Service `{}` gets a public IP: it lacks the annotation \
                 {INTERNAL_LB_ANNOTATION}: \"true\"",
                name(object)
            ),
        ),
    };
    out.report(violation.with_fix(patch::set(
        &format!(
            "Set the annotation `{INTERNAL_LB_ANNOTATION}: \"true\"` (an internal load balancer)."
        ),
        FixSafety::Review,
        patch::object_path("metadata.annotations", &[INTERNAL_LB_ANNOTATION]),
        "true",
    )));
}
