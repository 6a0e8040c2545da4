use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{is_service, name};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "NET011",
    slug: "service-external-ips",
    title: "Service sets externalIPs (CVE-2020-8554)",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every core v1 Service whose `spec.externalIPs` lists at least one address, \
             whatever the Service type; reported at `spec.externalIPs`, naming the addresses.",
    rationale: "kube-proxy routes traffic for a Service's externalIPs to its pods on every node, \
                for any address the Service's author chooses. Anyone allowed to create or edit \
                Services can claim an address belonging to another service or an external \
                host and intercept its traffic inside the cluster (CVE-2020-8554, unpatched by \
                design). AKS's Azure Policy built-ins restrict external IPs for this reason.",
    remediation: "Remove `spec.externalIPs`; expose the Service through a LoadBalancer (internal \
                  where possible) or an ingress, and block externalIPs cluster-wide with Azure \
                  Policy or an admission policy.",
    references: &[
        Reference::Cve("CVE-2020-8554"),
        Reference::Guide(
            "Azure Policy built-in definitions for AKS",
            "https://learn.microsoft.com/azure/aks/policy-reference",
        ),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !is_service(object) {
        return;
    }
    let Some(node) = object.root.at("spec.externalIPs") else {
        return;
    };
    let addresses: Vec<&str> = node.items().iter().filter_map(Node::as_str).collect();
    if addresses.is_empty() {
        return;
    }
    out.report(
        Violation::at(
            node.pos,
            format!(
                "Service `{}` sets spec.externalIPs ({}): kube-proxy captures traffic to these \
             addresses on every node (CVE-2020-8554)",
                name(object),
                addresses.join(", ")
            ),
        )
        .with_fix(patch::remove(
            "Remove `spec.externalIPs`.",
            FixSafety::Review,
            patch::object_path("spec.externalIPs", &[]),
        )),
    );
}
