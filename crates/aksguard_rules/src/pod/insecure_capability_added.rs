use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, Kubescape, Polaris},
    narrower, same,
};
use crate::pod::helpers::capabilities;
use aksguard_model::FixSafety;

/// Capabilities the Pod Security Standards baseline lets a container add.
pub const BASELINE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Capabilities that amount to node compromise; reported as critical.
const CRITICAL: &[&str] = &[
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "BPF",
    "ALL",
];

pub(crate) static RULE: Rule = Rule {
    id: "POD009",
    slug: "insecure-capability-added",
    title: "Container adds capabilities beyond the baseline set",
    family: Family::Pod,
    severity: Severity::High,
    checks: "Each entry of `securityContext.capabilities.add`, in any container (init, \
             regular or ephemeral) of a Linux pod, that is not in the Pod Security Standards \
             baseline set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, \
             NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT). Names compare \
             case-insensitively and with or without the `CAP_` prefix. One finding per entry, \
             at the entry; critical for SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, BPF and \
             ALL. Non-string entries are ignored. Windows pods are skipped.",
    rationale: "Each capability outside the runtime's default set hands the container a slice \
                of root's power over the node's kernel. SYS_ADMIN (mounts, namespaces), \
                SYS_MODULE (kernel modules), SYS_PTRACE (other processes), BPF (kernel \
                programs) and ALL are each enough to escape to the AKS node; NET_ADMIN lets a \
                pod rewrite its own routing and iptables (undoing a service mesh's traffic \
                capture) and, with host networking, the node's. The Azure Policy pod \
                security baseline initiative for AKS disallows them.",
    remediation: "Remove the capability from `securityContext.capabilities.add`; if the \
                  workload truly needs it, isolate it on a dedicated node pool and document \
                  an exception. Prefer `capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}`.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("baseline", "Capabilities"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(narrower(
            Polaris,
            "dangerousCapabilities",
            "Polaris fails a short list of dangerous capabilities; POD009 every \
             capability outside the Pod Security Standards baseline set",
        )),
        Reference::Peer(same(Checkov, "CKV_K8S_25")),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_39",
            "checkov fails SYS_ADMIN only",
        )),
        Reference::Peer(same(Kubescape, "insecure-capabilities")),
        Reference::Peer(narrower(
            Kubescape,
            "rule-privileged-container",
            "kubescape fails privileged containers and those adding SYS_ADMIN; POD009 also reports the other capabilities outside the \
             baseline set",
        )),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    for (node, cap) in capabilities(container, "add") {
        if BASELINE.contains(&cap.as_str()) {
            continue;
        }
        let violation = Violation::in_container(
            container,
            node.pos,
            format!(
                "container `{}` adds capability {cap} (securityContext.capabilities.add), \
                 outside the Pod Security Standards baseline set",
                container.name()
            ),
        )
        .with_fix(patch::take_out(
            &format!("Remove {cap} from `securityContext.capabilities.add`."),
            FixSafety::Review,
            patch::security_path(container, &["capabilities", "add"]),
            node.as_str().unwrap_or_default(),
        ));
        out.report(if CRITICAL.contains(&cap.as_str()) {
            violation.with_severity(Severity::Critical)
        } else {
            violation
        });
    }
}
