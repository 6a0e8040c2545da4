use aksguard_model::{PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    same,
};
use crate::pod::helpers::is_true;

pub(crate) static RULE: Rule = Rule {
    id: "POD005",
    slug: "host-ipc-shared",
    title: "Pod shares the node's IPC namespace",
    family: Family::Pod,
    severity: Severity::High,
    checks: "A pod template that sets `hostIPC: true` (a boolean; YAML 1.1 spellings such as \
             `yes` count, a quoted string does not). The finding is about the pod as a whole \
             (no container) and points at the field. Applies to Windows pods too.",
    rationale: "A pod in the node's IPC namespace can read and write the System V shared memory, \
                semaphores and message queues of every process on the AKS node, including other \
                pods, which leaks data and lets it tamper with or crash processes it does not \
                own.",
    remediation: "Remove `hostIPC` from the pod spec or set `hostIPC: false`; share memory between \
                  the pod's own containers through an `emptyDir` volume with `medium: Memory`.",
    references: &[
        Reference::CisAks("4.2.3"),
        Reference::Pss("baseline", "Host Namespaces"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "host-ipc")),
        Reference::Peer(same(Polaris, "hostIPCSet")),
        Reference::Peer(same(Checkov, "CKV_K8S_18")),
        Reference::Peer(same(Kubescape, "host-ipc-privileges")),
        Reference::Peer(same(Kubescape, "host-pid-ipc-privileges")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    if let Some(field) = pod.get("hostIPC")
        && is_true(Some(field))
    {
        out.report(
            Violation::at(
                field.pos,
                format!(
                    "pod shares the node's IPC namespace ({}: true)",
                    pod.path("hostIPC")
                ),
            )
            .with_fix(patch::remove_pod_flag(pod, "hostIPC")),
        );
    }
}
