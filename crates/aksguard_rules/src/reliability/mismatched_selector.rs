use aksguard_model::{LabelSelector, Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::KubeLinter, WORKLOAD_KINDS, same};
use crate::reliability::helpers::format_labels;

pub(crate) static RULE: Rule = Rule {
    id: "REL005",
    slug: "mismatched-selector",
    title: "Workload selector does not match its pod template labels",
    family: Family::Reliability,
    severity: Severity::Medium,
    checks: "Deployments, ReplicaSets, StatefulSets, DaemonSets and Jobs whose `spec.selector` \
             (`matchLabels` and `matchExpressions`) does not match \
             `spec.template.metadata.labels`; CronJobs likewise for \
             `spec.jobTemplate.spec.selector`; ReplicationControllers for their plain \
             `spec.selector` map. An absent or null selector is not checked (older API \
             versions and ReplicationControllers default it from the template labels; Jobs \
             generate it). A malformed selector (matchLabels not a string map, an expression \
             without key or with an unknown operator) is reported too: it can match nothing \
             and the API server rejects it. Reported at `spec.selector`.",
    rationale: "The API server validates that a workload's selector matches its own pod \
                template (\"`selector` does not match template `labels`\") and rejects the \
                manifest otherwise, so the mistake surfaces only at apply time, often in the \
                middle of a pipeline rollout or of a migration to new API versions before an \
                AKS upgrade.",
    remediation: "Make the selector match the pod template labels (every `matchLabels` pair \
                  present in them, every expression satisfied); the selector of an existing \
                  apps/v1 object is immutable, so there change the template labels, not the \
                  selector.",
    references: &[
        crate::guides::APP_CLUSTER_RELIABILITY,
        Reference::Guide(
            "Kubernetes: Deployments, Selector",
            "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector",
        ),
        Reference::Peer(same(KubeLinter, "mismatching-selector").judging(WORKLOAD_KINDS)),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let (spec_path, equality_map) = match object.kind.as_str() {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => ("spec", false),
        "CronJob" => ("spec.jobTemplate.spec", false),
        "ReplicationController" => ("spec", true),
        _ => return,
    };
    let Some(spec) = object.root.at(spec_path) else {
        return;
    };
    let Some(selector_node) = spec.get("selector").filter(|n| !n.is_null()) else {
        return;
    };
    let selector = if equality_map {
        LabelSelector::from_equality_map(selector_node)
    } else {
        LabelSelector::parse(selector_node)
    };
    let labels = spec.at("template.metadata.labels").filter(|n| !n.is_null());
    let selector_path = format!("{spec_path}.selector");
    let message = match selector {
        None => {
            format!("{selector_path} is malformed, so it matches no pod; the API server rejects it")
        }
        Some(selector) if selector.matches(labels) => return,
        Some(_) => format!(
            "{selector_path} does not match the pod template labels ({}); the API server \
             rejects the manifest",
            describe(labels)
        ),
    };
    out.report(Violation::at(selector_node.pos, message));
}

fn describe(labels: Option<&Node>) -> String {
    match labels {
        None => "the template has no labels".into(),
        Some(labels) => format!("template labels: {}", format_labels(Some(labels))),
    }
}
