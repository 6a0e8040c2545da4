use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Polaris, same};
use crate::reliability::helpers::{Replicas, autoscaler_of, replicas};

pub(crate) static RULE: Rule = Rule {
    id: "REL003",
    slug: "single-replica-without-autoscaler",
    title: "Deployment or StatefulSet runs one replica and has no autoscaler",
    family: Family::Reliability,
    severity: Severity::Low,
    checks: "Every Deployment and StatefulSet whose `spec.replicas` is 1, or absent or null (the \
             API server defaults it to 1), and that no HorizontalPodAutoscaler in its namespace \
             targets (`spec.scaleTargetRef` with the same kind and name; KEDA `ScaledObject`s \
             count, as KEDA creates the HPA). `replicas: 0` (deliberately scaled down) and \
             non-integer values (quoted or templated) are not reported. The verdict depends on the \
             absence of an HPA, so unless `--complete` is given the message says an autoscaler may \
             live outside the scanned files. Objects without `metadata.namespace` may be applied \
             into any namespace, so they are matched with objects of every namespace, and every \
             namespace also sees them. Reported at `spec.replicas`, or at `spec` when it is \
             absent.",
    rationale: "With a single replica, every node drain takes the application down: AKS \
                cluster and node-image upgrades cordon and drain each node in turn, and the \
                pod is only recreated elsewhere after it has been evicted, so each upgrade means \
                an outage (a StatefulSet's rolling update does too). Teams then postpone \
                upgrades, which leaves known vulnerabilities unpatched.",
    remediation: "Set `spec.replicas` to 2 or more (spread with topologySpreadConstraints or \
                  pod anti-affinity across nodes and zones), or let a HorizontalPodAutoscaler \
                  with `minReplicas: 2` manage it.",
    references: &[
        guides::APP_CLUSTER_RELIABILITY,
        Reference::Peer(same(Polaris, "deploymentMissingReplicas")),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: true,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !matches!(object.kind.as_str(), "Deployment" | "StatefulSet") {
        return;
    }
    let state = match replicas(object) {
        Replicas::Unset => "spec.replicas is not set, so 1",
        Replicas::Count(1) => "spec.replicas: 1",
        Replicas::Count(_) | Replicas::Unknown => return,
    };
    if autoscaler_of(out.inventory(), object).is_some() {
        return;
    }
    let scope = if out.settings().complete_for(&["HorizontalPodAutoscaler"]) {
        "and no HorizontalPodAutoscaler targets it"
    } else {
        "and no HorizontalPodAutoscaler in the scanned files targets it (one may live \
         elsewhere; pass --complete if these files are the whole cluster state)"
    };
    out.report(Violation::at(
        object.locate("spec.replicas"),
        format!(
            "{} runs a single replica ({state}) {scope}; every node drain during an upgrade \
             takes it down",
            object.kind
        ),
    ));
}
