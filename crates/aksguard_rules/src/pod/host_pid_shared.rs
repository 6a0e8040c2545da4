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
    id: "POD004",
    slug: "host-pid-shared",
    title: "Pod shares the node's process ID namespace",
    family: Family::Pod,
    severity: Severity::High,
    checks: "A pod template that sets `hostPID: true` (a boolean; YAML 1.1 spellings such as \
             `yes` count, a quoted string does not). The finding is about the pod as a whole \
             (no container) and points at the field. Applies to Windows pods too.",
    rationale: "A pod in the node's PID namespace sees every process on the AKS node, including \
                other pods' containers and the kubelet: it can read their command lines and, \
                through /proc, their environment (secrets passed as env vars), send them \
                signals, and with ptrace rights inject code into them, which is a direct path to \
                node compromise.",
    remediation: "Remove `hostPID` from the pod spec or set `hostPID: false`; use \
                  `shareProcessNamespace: true` if containers of the same pod need to see each \
                  other.",
    references: &[
        Reference::CisAks("4.2.2"),
        Reference::Pss("baseline", "Host Namespaces"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "host-pid")),
        Reference::Peer(same(Polaris, "hostPIDSet")),
        Reference::Peer(same(Checkov, "CKV_K8S_17")),
        Reference::Peer(same(Kubescape, "host-pid-privileges")),
        Reference::Peer(same(Kubescape, "host-pid-ipc-privileges")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    if let Some(field) = pod.get("hostPID")
        && is_true(Some(field))
    {
        out.report(
            Violation::at(
                field.pos,
                format!(
                    "pod shares the node's process ID namespace ({}: true)",
                    pod.path("hostPID")
                ),
            )
            .with_fix(patch::remove_pod_flag(pod, "hostPID")),
        );
    }
}
