use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Polaris, broader};
use crate::reliability::helpers::{
    PdbSelection, Replicas, autoscaler_min_replicas, autoscaler_of, format_labels,
    namespace_display, namespace_of, of_kind_in_reach, pdb_selection, pod_template_labels,
    replicas, selects_workload,
};

pub(crate) static RULE: Rule = Rule {
    id: "REL004",
    slug: "missing-pod-disruption-budget",
    title: "Multi-replica workload has no PodDisruptionBudget",
    family: Family::Reliability,
    severity: Severity::Low,
    checks: "Only with `--complete` (otherwise the budget may simply live in other files). Every \
             Deployment, StatefulSet and ReplicaSet (ReplicaSets with `metadata.ownerReferences` \
             are left to their Deployment) that runs 2 or more replicas and whose pod-template \
             labels no PodDisruptionBudget in the same namespace selects. The replica count is the \
             `minReplicas` of a HorizontalPodAutoscaler (or KEDA `minReplicaCount`) targeting the \
             workload when there is one, else `spec.replicas` (absent = 1; non-integer values are \
             not judged). A budget's `spec.selector` is matched with `matchLabels` and \
             `matchExpressions`; an empty selector selects every pod of the namespace in policy/v1 \
             and none in policy/v1beta1; a missing or malformed selector selects nothing; labels \
             the controller adds to its pods (`pod-template-hash`, a StatefulSet's pod name) count \
             as present. Objects without `metadata.namespace` may be applied into any namespace, \
             so they are matched with objects of every namespace, and every namespace also sees \
             them. Reported at `spec.replicas` (or `spec`).",
    rationale: "AKS upgrades drain nodes through the eviction API, which honours \
                PodDisruptionBudgets; without one, nothing stops a drain (or several nodes \
                drained at once with max-surge upgrades and the cluster autoscaler) from \
                evicting every replica at the same moment, and the extra replicas were meant \
                to prevent exactly that outage.",
    remediation: "Add a PodDisruptionBudget (`policy/v1`) in the workload's namespace whose \
                  selector matches its pod labels, with `maxUnavailable: 1` or a \
                  `minAvailable` below the replica count so drains can still proceed.",
    references: &[
        guides::APP_CLUSTER_RELIABILITY,
        Reference::Peer(
            broader(
                Polaris,
                "missingPodDisruptionBudget",
                "Polaris wants every Deployment, whatever its replicas, to carry the label \
             `app.kubernetes.io/name` equal to its name and a budget named `<name>-pdb` \
             selecting that label; REL004 judges workloads with 2 or more replicas and \
             accepts any budget that selects their pods (REL004 also judges StatefulSets \
             and ReplicaSets, which Polaris does not)",
            )
            .judging(&["Deployment"])
            .complete(),
        ),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Add a PodDisruptionBudget whose selector matches the pod labels, with `maxUnavailable: 1`.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: true,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !out
        .settings()
        .complete_for(&["PodDisruptionBudget", "HorizontalPodAutoscaler"])
        || !matches!(
            object.kind.as_str(),
            "Deployment" | "StatefulSet" | "ReplicaSet"
        )
    {
        return;
    }
    let owned = object
        .metadata()
        .and_then(|m| m.get("ownerReferences"))
        .is_some_and(|refs| !refs.items().is_empty());
    if object.kind == "ReplicaSet" && owned {
        return;
    }
    let inventory = out.inventory();
    let (count, source) = match autoscaler_of(inventory, object) {
        Some(hpa) => (
            autoscaler_min_replicas(hpa),
            format!(
                "the minimum of {} `{}`",
                hpa.kind,
                hpa.name.as_deref().unwrap_or("<unnamed>")
            ),
        ),
        None => match replicas(object) {
            Replicas::Count(n) => (n, format!("spec.replicas: {n}")),
            Replicas::Unset | Replicas::Unknown => return,
        },
    };
    if count < 2 {
        return;
    }
    let namespace = namespace_of(object);
    let labels = pod_template_labels(object);
    let protected =
        of_kind_in_reach(inventory, namespace, "PodDisruptionBudget").any(
            |pdb| match pdb_selection(pdb) {
                PdbSelection::Selector(selector) => selects_workload(&selector, object, labels),
                PdbSelection::Nothing | PdbSelection::Malformed => false,
            },
        );
    if protected {
        return;
    }
    out.report(Violation::at(
        object.locate("spec.replicas"),
        format!(
            "{} runs {count} replicas ({source}) and no PodDisruptionBudget in {} \
             selects its pods (labels: {}); node drains during an upgrade may evict all of \
             them at once",
            object.kind,
            namespace_display(namespace),
            format_labels(labels)
        ),
    ));
}
