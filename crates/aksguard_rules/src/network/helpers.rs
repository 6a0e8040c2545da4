//! What several NET rules share: namespace naming and anchoring, scope notes, Service and
//! Ingress accessors.

use std::collections::BTreeSet;

use aksguard_model::netpol::parse_cidr;
use aksguard_model::{Inventory, Node, Object, UNSPECIFIED_NAMESPACE};

use crate::settings::RuleSettings;

/// Shown for objects without `metadata.namespace` (applied together into one namespace).
pub(crate) const UNSPECIFIED_LABEL: &str = "(unspecified)";

/// A namespace key as the name findings are reported on (`Namespace/<name>`).
pub(crate) fn namespace_name(namespace: &str) -> &str {
    if namespace == UNSPECIFIED_NAMESPACE {
        UNSPECIFIED_LABEL
    } else {
        namespace
    }
}

/// A namespace key for messages: "namespace `shop`" or "the unspecified namespace".
pub(crate) fn namespace_phrase(namespace: &str) -> String {
    if namespace == UNSPECIFIED_NAMESPACE {
        "the unspecified namespace (objects without metadata.namespace)".to_owned()
    } else {
        format!("namespace `{namespace}`")
    }
}

/// Every namespace key that holds a workload, including [`UNSPECIFIED_NAMESPACE`].
pub(crate) fn workload_namespaces(inventory: &Inventory) -> BTreeSet<&str> {
    inventory
        .workloads()
        .map(|(object, _)| object.namespace.as_deref().unwrap_or(UNSPECIFIED_NAMESPACE))
        .collect()
}

/// Where a namespace-level finding is located: the Namespace manifest when it is in the scan,
/// else the namespace's first object. For the unspecified namespace, whose first object could
/// be a cluster-scoped one (a ClusterRole, a Namespace), its first workload.
pub(crate) fn namespace_anchor<'a>(
    inventory: &'a Inventory,
    namespace: &'a str,
) -> Option<&'a Object> {
    if namespace == UNSPECIFIED_NAMESPACE {
        return inventory
            .workloads_in(namespace)
            .map(|(object, _)| object)
            .next();
    }
    inventory
        .namespace_object(namespace)
        .or_else(|| inventory.in_namespace(namespace).next())
}

/// The caveat for verdicts that rest on a NetworkPolicy being absent from the scan.
pub(crate) fn absence_note(settings: &RuleSettings) -> &'static str {
    if settings.complete_for(&["NetworkPolicy"]) {
        ""
    } else {
        " (judged from the scanned files only: a NetworkPolicy elsewhere may change this; pass \
         --complete if these files are the whole cluster state)"
    }
}

/// "`a`, `b`, `c` and 2 more".
pub(crate) fn list_at_most(names: &[String], max: usize) -> String {
    let shown: Vec<&str> = names.iter().take(max).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if names.len() > max {
        text.push_str(&format!(" and {} more", names.len() - max));
    }
    text
}

/// `Kind name` of a workload for lists in messages.
pub(crate) fn short_name(object: &Object) -> String {
    format!(
        "{} `{}`",
        object.kind,
        object.name.as_deref().unwrap_or("<unnamed>")
    )
}

pub(crate) fn name(object: &Object) -> &str {
    object.name.as_deref().unwrap_or("<unnamed>")
}

/// A core `v1` Service.
pub(crate) fn is_service(object: &Object) -> bool {
    object.kind == "Service" && object.api_version == "v1"
}

/// A Kubernetes Ingress (`networking.k8s.io` or the legacy `extensions` group).
pub(crate) fn is_ingress(object: &Object) -> bool {
    object.kind == "Ingress"
        && (object.api_version.starts_with("networking.k8s.io/")
            || object.api_version.starts_with("extensions/"))
}

/// `spec.type` of a Service, with its node.
pub(crate) fn service_type(object: &Object) -> Option<(&str, &Node)> {
    let node = object.root.at("spec.type")?;
    Some((node.as_str()?, node))
}

pub(crate) const INTERNAL_LB_ANNOTATION: &str =
    "service.beta.kubernetes.io/azure-load-balancer-internal";

/// A `type: LoadBalancer` Service without the internal annotation set to `"true"` (compared
/// trimmed and case-insensitively, as cloud-provider-azure does): it gets a public IP.
pub(crate) fn public_load_balancer(object: &Object) -> Option<&Node> {
    if !is_service(object) {
        return None;
    }
    let (kind, node) = service_type(object)?;
    let internal = object
        .annotation(INTERNAL_LB_ANNOTATION)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    (kind == "LoadBalancer" && !internal).then_some(node)
}

/// The node of an annotation of the object itself (for reporting at its line).
pub(crate) fn annotation_node<'a>(object: &'a Object, key: &str) -> Option<&'a Node> {
    object.metadata()?.get("annotations")?.get(key)
}

/// Whether a CIDR text is the whole IPv4 or IPv6 space (`0.0.0.0/0`, `::/0`).
pub(crate) fn is_all_addresses(cidr: &str) -> bool {
    parse_cidr(cidr).is_some_and(|net| net.prefix_len() == 0)
}

/// A traffic direction of NetworkPolicies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

/// NET001/NET002: every namespace with workloads needs a policy selecting all its pods for
/// `direction` (a default deny), and no all-pods policy may reopen it with a rule that allows
/// every peer on every port (policies are additive, so that rule would allow everything).
pub(crate) fn check_default_deny(
    inventory: &Inventory,
    out: &mut crate::checker::Checker<'_>,
    direction: Direction,
) {
    use aksguard_model::netpol::policies_in;

    use crate::checker::Violation;

    for namespace in workload_namespaces(inventory) {
        let policies = policies_in(inventory, namespace);
        let isolating: Vec<_> = policies
            .iter()
            .filter(|p| p.selects_all_pods())
            .filter(|p| match direction {
                Direction::Ingress => p.policy_types.ingress,
                Direction::Egress => p.policy_types.egress,
            })
            .collect();
        let reopened = isolating.iter().find_map(|policy| {
            let rules = match direction {
                Direction::Ingress => &policy.ingress,
                Direction::Egress => &policy.egress,
            };
            rules
                .iter()
                .find(|r| r.allows_all_peers() && r.allows_all_ports())
                .map(|rule| (policy, rule))
        });
        let lower = direction.word().to_ascii_lowercase();
        let (anchor, pos, message) = if isolating.is_empty() {
            let Some(anchor) = namespace_anchor(inventory, namespace) else {
                continue;
            };
            let names: Vec<String> = policies.iter().map(|p| format!("`{}`", p.name())).collect();
            let mut found = if policies.is_empty() {
                "it has no NetworkPolicy".to_owned()
            } else {
                format!(
                    "none of its NetworkPolicies ({}) selects all pods (podSelector: {{}}) with \
                     {} in policyTypes",
                    list_at_most(&names, 3),
                    direction.word()
                )
            };
            if direction == Direction::Egress
                && let Some(policy) = policies.iter().find(|p| {
                    p.selects_all_pods()
                        && !p.policy_types.explicit
                        && p.object.root.at("spec.egress").is_some()
                })
            {
                found.push_str(&format!(
                    " (`{}` has an empty `egress` list but no policyTypes, which defaults to \
                     Ingress only; add `policyTypes: [Egress]`)",
                    policy.name()
                ));
            }
            (
                anchor,
                anchor.pos(),
                format!(
                    "{} has workloads but no default-deny {lower} NetworkPolicy: {found}{}",
                    namespace_phrase(namespace),
                    absence_note(out.settings()),
                ),
            )
        } else if let Some((policy, rule)) = reopened {
            let peers = match direction {
                Direction::Ingress => "from",
                Direction::Egress => "to",
            };
            (
                policy.object,
                rule.node.pos,
                format!(
                    "{} has no effective default-deny {lower}: NetworkPolicy `{}` selects all \
                     pods and its {lower} rule {} has no `{peers}` and no `ports`, so it allows \
                     all {lower} traffic",
                    namespace_phrase(namespace),
                    policy.name(),
                    rule.index,
                ),
            )
        } else {
            continue;
        };
        out.report(Violation::at(pos, message).on_namespace(namespace_name(namespace), anchor));
    }
}
