use aksguard_model::{ContainerKind, ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    narrower,
};

pub(crate) static RULE: Rule = Rule {
    id: "POD024",
    slug: "missing-health-probes",
    title: "Container lacks a liveness or readiness probe",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "A regular container (`containers[*]`) without a `livenessProbe` or without a \
             `readinessProbe` mapping; one finding per container, at the container, naming \
             the missing probe(s). A null or non-mapping probe counts as missing. Init \
             containers (including `restartPolicy: Always` sidecars) and ephemeral containers \
             are not checked, and neither are Jobs and CronJobs (batch pods serve no traffic \
             and are not rolled out). Deployments, StatefulSets, DaemonSets, ReplicaSets, \
             ReplicationControllers, bare Pods and custom resources embedding a pod template \
             are checked, Windows pods included.",
    rationale: "Security updates reach a workload by rolling it: new pods with patched images \
                replace old ones, and AKS node image upgrades drain and reschedule every pod. \
                Without a readiness probe traffic is sent to pods that are not ready yet, and \
                without a liveness probe a hung pod is never restarted, so patching causes \
                outages and teams learn to postpone it.",
    remediation: "Add a `livenessProbe` and a `readinessProbe` (for example `httpGet` with \
                  `path: /healthz` and the container's `port`) to every regular container.",
    references: &[
        Reference::Guide(
            "Deployment and cluster reliability best practices for AKS",
            "https://learn.microsoft.com/azure/aks/best-practices-app-cluster-reliability",
        ),
        Reference::Peer(narrower(
            KubeLinter,
            "no-liveness-probe",
            "the liveness probe only",
        )),
        Reference::Peer(narrower(
            KubeLinter,
            "no-readiness-probe",
            "the readiness probe only",
        )),
        Reference::Peer(narrower(
            Polaris,
            "livenessProbeMissing",
            "the liveness probe only",
        )),
        Reference::Peer(narrower(
            Polaris,
            "readinessProbeMissing",
            "the readiness probe only",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "configured-liveness-probe",
            "the liveness probe only",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "configured-readiness-probe",
            "the readiness probe only",
        )),
        Reference::Peer(narrower(Checkov, "CKV_K8S_8", "the liveness probe only")),
        Reference::Peer(narrower(Checkov, "CKV_K8S_9", "the readiness probe only")),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn has_probe(container: &ContainerView<'_>, key: &str) -> bool {
    container.get(key).is_some_and(Node::is_map)
}

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    if container.kind != ContainerKind::Regular
        || matches!(container.pod.object.kind.as_str(), "Job" | "CronJob")
    {
        return;
    }
    let missing: Vec<&str> = ["livenessProbe", "readinessProbe"]
        .into_iter()
        .filter(|key| !has_probe(container, key))
        .collect();
    if missing.is_empty() {
        return;
    }
    out.report(Violation::in_container(
        container,
        container.pos_of(None),
        format!(
            "container `{}` has no {}",
            container.name(),
            missing.join(" and no ")
        ),
    ));
}
