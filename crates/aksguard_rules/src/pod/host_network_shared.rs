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
    id: "POD003",
    slug: "host-network-shared",
    title: "Pod shares the node's network namespace",
    family: Family::Pod,
    severity: Severity::High,
    checks: "A pod template that sets `hostNetwork: true` (a boolean; YAML 1.1 spellings such \
             as `yes` count, a quoted string does not). The finding is about the pod as a \
             whole (no container) and points at the field. Applies to Windows pods too \
             (HostProcess pods use the host network).",
    rationale: "A host-network pod sees every interface of the AKS node: it can sniff or spoof \
                node traffic, reach services bound only to the node's localhost, and bind ports \
                on the node. Kubernetes network policies (Azure NPM, Cilium, Calico) do not \
                apply to host-network pods, so default-deny policies and IMDS egress blocks no \
                longer contain it.",
    remediation: "Remove `hostNetwork` from the pod spec or set `hostNetwork: false`; expose the \
                  workload through a Service instead.",
    references: &[
        Reference::CisAks("4.2.4"),
        Reference::Pss("baseline", "Host Namespaces"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "host-network")),
        Reference::Peer(same(Polaris, "hostNetworkSet")),
        Reference::Peer(same(Checkov, "CKV_K8S_19")),
        Reference::Peer(same(Kubescape, "host-network-access")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    if let Some(field) = pod.get("hostNetwork")
        && is_true(Some(field))
    {
        out.report(
            Violation::at(
                field.pos,
                format!(
                    "pod shares the node's network namespace ({}: true)",
                    pod.path("hostNetwork")
                ),
            )
            .with_fix(patch::remove_pod_flag(pod, "hostNetwork")),
        );
    }
}
