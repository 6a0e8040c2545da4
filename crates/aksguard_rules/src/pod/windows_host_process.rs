use aksguard_model::{Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Kubescape, Polaris},
    same,
};
use crate::pod::helpers::is_true;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD019",
    slug: "windows-host-process",
    title: "Windows HostProcess container runs directly on the node",
    family: Family::Pod,
    severity: Severity::High,
    checks: "`securityContext.windowsOptions.hostProcess: true` on the pod (reported once, \
             container: null) or on any container (init, regular or ephemeral; one finding per \
             container that sets it). Containers that only inherit the pod's value are covered \
             by the pod-level finding. Only the boolean `true` fires (a quoted \"true\" is \
             rejected by the API server). Windows pods are not exempt.",
    rationale: "A HostProcess container is the Windows equivalent of a privileged container: it \
                runs as a process on the AKS Windows node, in the host's network namespace, \
                with the host's file system and, by default, as a node account such as \
                NT AUTHORITY\\SYSTEM. Nothing isolates it from the node, the kubelet's \
                credentials or the other pods on it.",
    remediation: "Remove `windowsOptions.hostProcess` or set it to `false` in the pod and \
                  container `securityContext`; reserve HostProcess for audited node agents in \
                  system namespaces.",
    references: &[
        Reference::Pss("baseline", "HostProcess"),
        Reference::Guide(
            "Use Windows HostProcess containers",
            "https://learn.microsoft.com/azure/aks/use-windows-hpc",
        ),
        Reference::Peer(same(Polaris, "hostProcess")),
        Reference::Peer(same(Kubescape, "set-hostprocess-true")),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn host_process(security_context: Option<&Node>) -> Option<&Node> {
    security_context?
        .get("windowsOptions")?
        .get("hostProcess")
        .filter(|n| is_true(Some(n)))
}

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    if let Some(node) = host_process(pod.security_context()) {
        out.report(Violation::at(
            node.pos,
            format!(
                "pod runs its containers as Windows HostProcess containers on the node ({}: true)",
                pod.path("securityContext.windowsOptions.hostProcess")
            ),
        )
        .with_fix(patch::remove(
            "Remove `securityContext.windowsOptions.hostProcess` from the pod spec.",
            FixSafety::Review,
            patch::pod_path(pod, &["securityContext", "windowsOptions", "hostProcess"]),
        )));
    }
    for container in pod.containers() {
        if let Some(node) = host_process(container.security_context()) {
            out.report(
                Violation::in_container(
                    &container,
                    node.pos,
                    format!(
                        "container `{}` runs as a Windows HostProcess on the node \
                     ({}.securityContext.windowsOptions.hostProcess: true)",
                        container.name(),
                        container.path()
                    ),
                )
                .with_fix(patch::remove(
                    "Remove the container's `securityContext.windowsOptions.hostProcess`.",
                    FixSafety::Review,
                    patch::security_path(&container, &["windowsOptions", "hostProcess"]),
                )),
            );
        }
    }
}
