use aksguard_model::service::{ingress_backend_services, service_selector};
use aksguard_model::{Inventory, Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{KubeLinter, Kubescape},
    WORKLOAD_KINDS, broader, same,
};
use crate::reliability::helpers::{
    PdbSelection, find_in_reach, format_labels, named_in_reach, namespace_display, namespace_of,
    pdb_selection, selects_any_workload,
};

pub(crate) static RULE: Rule = Rule {
    id: "REL006",
    slug: "dangling-selector-or-target",
    title: "Service, Ingress, HPA or PodDisruptionBudget selects or targets nothing",
    family: Family::Reliability,
    severity: Severity::Low,
    checks: "Only with `--complete` (otherwise the target may live in other files). In the \
             object's namespace (see the end): a Service (not `ExternalName`) with a non-empty \
             `spec.selector` whose labels match no workload's pod labels (any object with a pod \
             template, bare Pods included); an Ingress backend (`defaultBackend`/`backend` and \
             every `rules[].http.paths[].backend`, networking.k8s.io/v1 `service.name` and v1beta1 \
             `serviceName`) naming a Service that is not in the inventory (resource backends are \
             not checked); a HorizontalPodAutoscaler whose `scaleTargetRef` kind and name match no \
             object; a PodDisruptionBudget whose selector matches no workload's pods, or that has \
             no selector (it then protects nothing). Labels that controllers add to their pods \
             count as present (`pod-template-hash`, a StatefulSet's \
             `statefulset.kubernetes.io/pod-name` when it is `<name>-<ordinal>`, a Job's \
             `job-name`, …). A selector with a label value equal to the name of a custom resource \
             in the namespace (API group outside core and `*.k8s.io`) is taken to select the pods \
             an operator creates for it (`prometheus: k8s` for a Prometheus named k8s), since \
             those pods are not in files. Pods created at run time by other means are unknown: \
             scan a live cluster for those. Malformed selectors and references without a name are \
             left alone. An Ingress backend Service named `<name>-…` after a custom resource \
             within reach is taken to be created by its operator (`kibana-kb-http` for an ECK \
             Kibana named kibana). Objects without `metadata.namespace` may be applied into any \
             namespace, so they are matched with objects of every namespace, and every namespace \
             also sees them. Reported at the selector or the name that points nowhere.",
    rationale: "A reference to nothing is usually a typo or a leftover from a rename, and it \
                fails silently: the Service has no endpoints so traffic gets connection \
                errors, the Ingress answers 503, the autoscaler scales nothing, and the \
                disruption budget protects no pod during an AKS node drain while its owners \
                believe it does.",
    remediation: "Fix the selector or name so it points at the intended workload or Service \
                  in the same namespace, or delete the leftover object.",
    references: &[
        crate::guides::APP_CLUSTER_RELIABILITY,
        Reference::Peer(
            same(KubeLinter, "dangling-service")
                .judging(&["Service"])
                .complete(),
        ),
        Reference::Peer(
            broader(
                KubeLinter,
                "dangling-ingress",
                "kube-linter also checks the Service's port; REL006 that the Service exists",
            )
            .judging(&["Ingress"])
            .complete(),
        ),
        Reference::Peer(
            same(KubeLinter, "dangling-hpa")
                .judging(&["HorizontalPodAutoscaler"])
                .complete(),
        ),
        Reference::Peer(
            same(Kubescape, "dangling-ingress-backend")
                .judging(&["Ingress"])
                .complete(),
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: true,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    // What must have been read in full for the absence to be conclusive.
    let targets: &[&str] = match object.kind.as_str() {
        "Ingress" => &["Service"],
        _ => WORKLOAD_KINDS,
    };
    if !out.settings().complete_for(targets) {
        return;
    }
    let inventory = out.inventory();
    let namespace = namespace_of(object);
    let shown = namespace_display(namespace);
    match object.kind.as_str() {
        "Service" => check_service(object, inventory, namespace, out),
        "Ingress" => {
            for name in ingress_backend_services(object) {
                let Some(service) = name.as_str().filter(|s| !s.is_empty()) else {
                    continue;
                };
                let exists = find_in_reach(inventory, namespace, "Service", service).is_some();
                if !exists && !operator_named(inventory, namespace, service) {
                    out.report(Violation::at(
                        name.pos,
                        format!(
                            "{} routes to Service `{service}`, which is not in {shown}",
                            object.kind
                        ),
                    ));
                }
            }
        }
        "HorizontalPodAutoscaler" => {
            let Some(target) = object.root.at("spec.scaleTargetRef") else {
                return;
            };
            let text = |key: &str| target.get(key).and_then(Node::as_str);
            let (Some(kind), Some(name)) = (text("kind"), text("name")) else {
                return;
            };
            let exists = find_in_reach(inventory, namespace, kind, name).is_some();
            if !exists {
                let pos = target.get("name").map_or(target.pos, |n| n.pos);
                out.report(Violation::at(
                    pos,
                    format!(
                        "{} scales {kind} `{name}`, which is not in {shown}",
                        object.kind
                    ),
                ));
            }
        }
        "PodDisruptionBudget" => {
            let selector = match pdb_selection(object) {
                PdbSelection::Malformed => return,
                PdbSelection::Nothing => {
                    let present = object
                        .root
                        .at("spec.selector")
                        .is_some_and(|n| !n.is_null());
                    let state = if present {
                        "has an empty spec.selector, which selects no pod in policy/v1beta1"
                    } else {
                        "has no spec.selector, so it selects no pod"
                    };
                    out.report(Violation::at(
                        object.locate("spec.selector"),
                        format!("{} {state}; it protects nothing", object.kind),
                    ));
                    return;
                }
                PdbSelection::Selector(selector) => selector,
            };
            if !selects_any_workload(inventory, namespace, &selector) {
                out.report(Violation::at(
                    object.locate("spec.selector"),
                    format!(
                        "{} selects no workload's pods in {shown}, so it protects \
                         nothing",
                        object.kind
                    ),
                ));
            }
        }
        _ => {}
    }
}

fn check_service(object: &Object, inventory: &Inventory, namespace: &str, out: &mut Checker<'_>) {
    let service_type = object.root.at("spec.type").and_then(Node::as_str);
    if service_type == Some("ExternalName") {
        return;
    }
    let Some((selector_node, selector)) = service_selector(object) else {
        return;
    };
    if !selects_any_workload(inventory, namespace, &selector) {
        out.report(Violation::at(
            selector_node.pos,
            format!(
                "{} selects no workload's pods in {} (selector: {}), so it has no \
                 endpoints",
                object.kind,
                namespace_display(namespace),
                format_labels(Some(selector_node))
            ),
        ));
    }
}

/// Whether a Service named `service` is likely created by an operator for a custom resource
/// within reach: operators name their Services after the resource (`<name>-kb-http` for an
/// ECK Kibana, `<name>-rw` for a CloudNativePG Cluster).
fn operator_named(inventory: &Inventory, namespace: &str, service: &str) -> bool {
    // Every `<prefix>-` of the Service name is a candidate resource name.
    service
        .match_indices('-')
        .map(|(at, _)| &service[..at])
        .filter(|prefix| !prefix.is_empty())
        .any(|prefix| named_in_reach(inventory, namespace, prefix).any(Object::is_custom_resource))
}
