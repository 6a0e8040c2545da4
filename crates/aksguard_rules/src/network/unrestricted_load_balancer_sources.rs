use aksguard_model::netpol::parse_cidr;
use aksguard_model::{Node, Object, Pos, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{annotation_node, is_all_addresses, name, public_load_balancer};

const SOURCE_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
const ALLOWED_IP_RANGES_ANNOTATION: &str = "service.beta.kubernetes.io/azure-allowed-ip-ranges";
const ALLOWED_SERVICE_TAGS_ANNOTATION: &str =
    "service.beta.kubernetes.io/azure-allowed-service-tags";

pub(crate) static RULE: Rule = Rule {
    id: "NET010",
    slug: "unrestricted-load-balancer-sources",
    title: "Public LoadBalancer Service accepts traffic from any source",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every core v1 Service of `type: LoadBalancer` without \
             `service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"` whose allowed \
             sources are unrestricted. Sources are `spec.loadBalancerSourceRanges` (else the \
             `service.beta.kubernetes.io/load-balancer-source-ranges` annotation, which \
             Kubernetes reads only when the field is unset) plus the AKS annotations \
             `service.beta.kubernetes.io/azure-allowed-ip-ranges` and \
             `service.beta.kubernetes.io/azure-allowed-service-tags` (comma-separated). \
             Reported at `spec.type` when none of them holds a parsable CIDR or a tag, and at \
             the entry when one of them allows everything: a CIDR of prefix length 0 \
             (`0.0.0.0/0`, `::/0`) or the `Internet` service tag.",
    rationale: "A public Azure load balancer without source restrictions gets a network \
                security group rule admitting the whole internet to the Service's ports, so \
                scanners and attackers reach the workload directly. Restricting sources to \
                known client ranges or service tags (Front Door, Application Gateway subnets, \
                office egress IPs) shrinks the exposure to the clients that need it.",
    remediation: "Set `spec.loadBalancerSourceRanges` to the client CIDRs that need access (or \
                  the `service.beta.kubernetes.io/azure-allowed-service-tags` annotation), or \
                  make the load balancer internal.",
    references: &[
        Reference::Guide(
            "Use a public standard load balancer in AKS",
            "https://learn.microsoft.com/azure/aks/load-balancer-standard",
        ),
        guides::INTERNAL_LOAD_BALANCER,
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

/// One configured source and where it is written.
struct Source<'a> {
    text: &'a str,
    pos: Pos,
    field: &'static str,
    tag: bool,
}

fn check(object: &Object, out: &mut Checker<'_>) {
    let Some(type_node) = public_load_balancer(object) else {
        return;
    };
    let spec_ranges: Vec<Source<'_>> = object
        .root
        .at("spec.loadBalancerSourceRanges")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            Some(Source {
                text: n.as_str()?,
                pos: n.pos,
                field: "spec.loadBalancerSourceRanges",
                tag: false,
            })
        })
        .collect();
    let mut sources = if spec_ranges.is_empty() {
        annotation_list(object, SOURCE_RANGES_ANNOTATION, false)
    } else {
        spec_ranges
    };
    sources.extend(annotation_list(object, ALLOWED_IP_RANGES_ANNOTATION, false));
    sources.extend(annotation_list(
        object,
        ALLOWED_SERVICE_TAGS_ANNOTATION,
        true,
    ));
    sources.retain(|s| s.tag || parse_cidr(s.text).is_some());

    if let Some(open) = sources.iter().find(|s| {
        if s.tag {
            s.text.eq_ignore_ascii_case("Internet")
        } else {
            is_all_addresses(s.text)
        }
    }) {
        out.report(Violation::at(
            open.pos,
            format!(
                "public LoadBalancer Service `{}` accepts traffic from any source: {} allows {}",
                name(object),
                open.field,
                open.text
            ),
        ));
    } else if sources.is_empty() {
        out.report(Violation::at(
            type_node.pos,
            format!(
                "public LoadBalancer Service `{}` accepts traffic from any source: none of \
                 spec.loadBalancerSourceRanges, {SOURCE_RANGES_ANNOTATION}, \
                 {ALLOWED_IP_RANGES_ANNOTATION} or {ALLOWED_SERVICE_TAGS_ANNOTATION} holds a \
                 valid CIDR or service tag",
                name(object)
            ),
        ));
    }
}

/// The comma-separated entries of an annotation, located at the annotation.
fn annotation_list<'a>(object: &'a Object, key: &'static str, tag: bool) -> Vec<Source<'a>> {
    let Some(node) = annotation_node(object, key) else {
        return Vec::new();
    };
    node.as_str()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|text| Source {
            text,
            pos: node.pos,
            field: key,
            tag,
        })
        .collect()
}
