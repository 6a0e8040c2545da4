//! IMG005's severity raise: a container with fixable critical or high vulnerabilities is
//! worse when its workload is exposed, so its finding goes up one level (high → critical,
//! medium → high) and its message says why. The fingerprint stays that of the unraised
//! finding: a Service added in front of a workload changes its priority, not its identity
//! in baselines and history.
//!
//! A workload is exposed when one of its findings lies on an attack path (`on_attack_path`,
//! set by `aksguard_paths`), or, judged here from the inventory and the other findings:
//! - a public LoadBalancer Service (not `azure-load-balancer-internal: "true"`) or a NodePort
//!   Service of its namespace selects its pods, or an Ingress of its namespace routes to a
//!   Service that does;
//! - it runs privileged (a POD001 finding) or shares the node's network or PID namespace
//!   (POD003, POD004). Privileged containers are known from findings because the containers'
//!   security contexts are shed once the per-object rules have run.

use aksguard_model::service::{ingress_backend_services, service_selects};
use aksguard_model::{Finding, Inventory, Node, Object, ObjectRef};
use aksguard_rules::vulns::{RULE_ID, raised_severity};

/// Findings that make a workload exposed, with how the message names them.
const EXPOSING_RULES: &[(&str, &str)] = &[
    ("POD001", "it runs a privileged container"),
    ("POD003", "it shares the node's network namespace"),
    ("POD004", "it shares the node's PID namespace"),
];

const INTERNAL_LB_ANNOTATION: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";

/// Raises every IMG005 finding of an exposed workload (see the module documentation).
pub(crate) fn raise_exposed(findings: &mut [Finding], inventory: &Inventory) {
    if !findings.iter().any(|f| f.rule_id == RULE_ID) {
        return;
    }
    let on_path: Vec<ObjectRef> = findings
        .iter()
        .filter(|f| f.on_attack_path)
        .map(|f| (*f.object).clone())
        .collect();
    let risky: Vec<(ObjectRef, &'static str)> = findings
        .iter()
        .filter_map(|f| {
            EXPOSING_RULES
                .iter()
                .find(|(id, _)| *id == f.rule_id)
                .map(|(_, why)| ((*f.object).clone(), *why))
        })
        .collect();
    for finding in findings.iter_mut().filter(|f| f.rule_id == RULE_ID) {
        let reason = if finding.on_attack_path || on_path.contains(&finding.object) {
            Some("it lies on an attack path".to_owned())
        } else if let Some((_, why)) = risky.iter().find(|(o, _)| *o == *finding.object) {
            Some((*why).to_owned())
        } else {
            workload(inventory, &finding.object).and_then(|w| reached_from_outside(inventory, w))
        };
        if let Some(reason) = reason {
            raise(finding, &reason);
        }
    }
}

/// What a raised IMG005 message says after the finding's own words.
const RAISED: &str = "; severity raised because the workload is exposed: ";

fn raise(finding: &mut Finding, reason: &str) {
    finding.severity = raised_severity(finding.severity);
    finding.message = format!("{}{RAISED}{reason}", finding.message).into();
}

/// The second half of IMG005's raise, for callers that built the attack-path graph
/// (`aksguard scan`): a workload whose identity or host access reaches a crown jewel
/// (`reach` names it, e.g. "cluster-admin") is exposed even when nothing routes to it from
/// outside. A finding [`raise_exposed`] already raised is not raised twice.
pub fn raise_by_reach(findings: &mut [Finding], reach: impl Fn(&ObjectRef) -> Option<String>) {
    for finding in findings.iter_mut().filter(|f| f.rule_id == RULE_ID) {
        if finding.message.contains(RAISED) {
            continue;
        }
        if let Some(jewel) = reach(&finding.object) {
            raise(
                finding,
                &format!("from it, an attacker reaches {jewel} (see `aksguard paths`)"),
            );
        }
    }
}

fn workload<'a>(inventory: &'a Inventory, reference: &ObjectRef) -> Option<&'a Object> {
    inventory.named(&reference.name).find(|o| {
        o.kind == reference.kind
            && o.namespace.as_deref() == reference.namespace.as_deref()
            && o.api_version == reference.api_version
    })
}

/// How the internet reaches the workload's pods, if it does.
fn reached_from_outside(inventory: &Inventory, workload: &Object) -> Option<String> {
    let pod = aksguard_model::PodSpecView::of(workload)?;
    let labels = Inventory::pod_labels(&pod);
    let namespace = workload.namespace.as_deref().unwrap_or_default();
    let selecting: Vec<&Object> = inventory
        .of_kind_in("Service", namespace)
        .filter(|service| service_selects(service, labels))
        .collect();
    for service in &selecting {
        let kind = service.root.at("spec.type").and_then(Node::as_str);
        let internal = service
            .annotation(INTERNAL_LB_ANNOTATION)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        match kind {
            Some("LoadBalancer") if !internal => {
                return Some(format!("public LoadBalancer Service {}", name(service)));
            }
            Some("NodePort") => return Some(format!("NodePort Service {}", name(service))),
            _ => {}
        }
    }
    for ingress in inventory.of_kind_in("Ingress", namespace) {
        let backends = ingress_backend_services(ingress);
        if let Some(service) = selecting.iter().find(|s| {
            backends
                .iter()
                .any(|b| b.as_str().is_some_and(|b| Some(b) == s.name.as_deref()))
        }) {
            return Some(format!(
                "Ingress {} routes to Service {}",
                name(ingress),
                name(service)
            ));
        }
    }
    None
}

fn name(object: &Object) -> String {
    match &object.namespace {
        Some(ns) => format!("{ns}/{}", object.name.as_deref().unwrap_or_default()),
        None => object.name.clone().unwrap_or_default(),
    }
}
