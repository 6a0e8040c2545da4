use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "REL002",
    slug: "naked-pod",
    title: "Pod is not managed by a controller",
    family: Family::Reliability,
    severity: Severity::Low,
    checks: "Every object of kind `Pod` (core `v1`) without `metadata.ownerReferences` (absent, \
             null or an empty list). Exempt: Helm hook pods (`helm.sh/hook` annotation, e.g. `helm \
             test` pods, run once by design) and mirror pods of static pods \
             (`kubernetes.io/config.mirror` annotation; the kubelet keeps those running). Pods in \
             `kube-system` are not exempt: AKS manages its control plane outside the cluster and \
             runs its system pods under controllers, so a naked pod there is also one nobody \
             recreates. Debug pods (`kubectl debug node/...`) found in a live cluster are \
             reported: they are naked pods left behind. Reported at the object.",
    rationale: "A pod created directly is not recreated when its node is drained, upgraded, \
                scaled in or fails: AKS cluster and node-image upgrades cordon and drain every \
                node, so a naked pod is deleted and stays gone. It also gets no rolling \
                updates, so shipping a patched image means deleting and recreating it by hand.",
    remediation: "Run the pod from a controller: a Deployment (stateless), StatefulSet, \
                  DaemonSet, or a Job/CronJob for run-to-completion work.",
    references: &[guides::APP_CLUSTER_RELIABILITY],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if object.kind != "Pod" || object.api_version != "v1" {
        return;
    }
    let owned = object
        .metadata()
        .and_then(|m| m.get("ownerReferences"))
        .is_some_and(|refs| !Node::items(refs).is_empty());
    let exempt = ["helm.sh/hook", "kubernetes.io/config.mirror"]
        .iter()
        .any(|key| object.annotation(key).is_some());
    if owned || exempt {
        return;
    }
    out.report(Violation::at(
        object.pos(),
        "pod is not managed by a controller (no metadata.ownerReferences): it is not \
         recreated when its node is drained for an upgrade",
    ));
}
