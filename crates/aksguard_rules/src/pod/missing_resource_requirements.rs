use aksguard_model::{ContainerKind, ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    narrower,
};

pub(crate) static RULE: Rule = Rule {
    id: "POD015",
    slug: "missing-resource-requirements",
    title: "Container lacks CPU or memory requests or a memory limit",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Every init and regular container (ephemeral containers cannot set resources) that \
             lacks `resources.requests.cpu`, `resources.requests.memory` or \
             `resources.limits.memory`; one finding per container listing what is missing, at \
             its `resources` (or the container when `resources` is absent). A request counts \
             as set when the matching limit is set, because the API server copies a limit into \
             a missing request; a value counts as set when the pod-level `spec.resources` \
             (pod-level resources) sets it. A null, empty or zero quantity (`0`, `0m`, `0Mi`) \
             counts as missing. Defaults a namespace's LimitRange may inject are not visible in \
             manifests and are not assumed. Applies to Windows pods too.",
    rationale: "Without requests the scheduler cannot place the pod sensibly and it runs as \
                BestEffort, first to be evicted; without a memory limit one container can \
                exhaust the node's memory and get its neighbours, including AKS system pods on \
                shared node pools, OOM-killed: a denial of service any compromised or leaking \
                workload can cause. AKS namespaces with a ResourceQuota reject pods that do not \
                declare them.",
    remediation: "Set `resources.requests.cpu`, `resources.requests.memory` and \
                  `resources.limits.memory` on every container, e.g. `resources: {requests: \
                  {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}`, sized from observed \
                  usage.",
    references: &[
        Reference::Guide(
            "Best practices for application developers to manage resources in AKS",
            "https://learn.microsoft.com/azure/aks/developer-best-practices-resource-management",
        ),
        Reference::Peer(narrower(
            Polaris,
            "cpuRequestsMissing",
            "the CPU request only",
        )),
        Reference::Peer(narrower(
            Polaris,
            "memoryRequestsMissing",
            "the memory request only",
        )),
        Reference::Peer(narrower(
            Polaris,
            "memoryLimitsMissing",
            "the memory limit only",
        )),
        Reference::Peer(narrower(
            KubeLinter,
            "unset-memory-requirements",
            "kube-linter checks memory only",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "resources-cpu-requests",
            "the CPU request only",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "resources-memory-requests",
            "the memory request only",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "resources-memory-limits",
            "the memory limit only",
        )),
        Reference::Peer(narrower(Checkov, "CKV_K8S_10", "the CPU request only")),
        Reference::Peer(narrower(Checkov, "CKV_K8S_12", "the memory request only")),
        Reference::Peer(narrower(Checkov, "CKV_K8S_13", "the memory limit only")),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Set CPU and memory requests and a memory limit on every container, sized from observed usage.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    if container.kind == ContainerKind::Ephemeral {
        return;
    }
    let own = container.get("resources").filter(|n| !n.is_null());
    let pod = container.pod.get("resources").filter(|n| !n.is_null());
    let request_set = |name: &str| {
        [own, pod]
            .into_iter()
            .any(|r| quantity_set(r, "requests", name) || quantity_set(r, "limits", name))
    };
    let limit_set = |name: &str| {
        [own, pod]
            .into_iter()
            .any(|r| quantity_set(r, "limits", name))
    };
    let missing: Vec<&str> = [
        ("resources.requests.cpu", request_set("cpu")),
        ("resources.requests.memory", request_set("memory")),
        ("resources.limits.memory", limit_set("memory")),
    ]
    .into_iter()
    .filter(|(_, set)| !set)
    .map(|(field, _)| field)
    .collect();
    if missing.is_empty() {
        return;
    }
    out.report(Violation::in_container(
        container,
        container.pos_of(own),
        format!(
            "container `{}` sets no {} ({}.resources)",
            container.name(),
            missing.join(", "),
            container.path()
        ),
    ));
}

/// True when `resources.<section>.<name>` holds a non-zero quantity.
fn quantity_set(resources: Option<&Node>, section: &str, name: &str) -> bool {
    resources
        .and_then(|r| r.get(section))
        .and_then(|s| s.get(name))
        .and_then(Node::as_str)
        .is_some_and(|q| !q.trim().is_empty() && !is_zero(q))
}

/// `0`, `0m`, `0.0`, `0Mi`: a quantity whose number is zero.
fn is_zero(quantity: &str) -> bool {
    let number = quantity
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    number.bytes().any(|b| b.is_ascii_digit())
        && number
            .bytes()
            .all(|b| matches!(b, b'0' | b'.' | b'+' | b'-'))
}
