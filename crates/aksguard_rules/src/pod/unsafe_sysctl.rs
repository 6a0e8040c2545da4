use aksguard_model::{Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{KubeLinter, Kubescape},
    same,
};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD017",
    slug: "unsafe-sysctl",
    title: "Pod sets a sysctl outside the Pod Security Standards safe set",
    family: Family::Pod,
    severity: Severity::High,
    checks: "Every entry of the pod's `securityContext.sysctls` whose `name` is outside the PSS \
             baseline safe set (`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, \
             `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`, \
             `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`, \
             `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, \
             `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`); one finding per \
             unsafe sysctl at its entry (container: null). Names written with `/` separators \
             (`net/ipv4/tcp_syncookies`) are converted to the dotted form first, as the kubelet \
             does; entries without a string `name` are ignored. Applies to Windows pods too \
             (the API server rejects sysctls there).",
    rationale: "Sysctls outside the safe set are either not namespaced, so setting them changes \
                the kernel of the whole node for every pod on it, or not isolated enough \
                between pods: they can exhaust kernel memory, weaken network hardening or crash \
                the node. On AKS such a pod only starts on node pools whose custom kubelet \
                configuration allowlists the sysctl (`allowedUnsafeSysctls`), which widens that \
                pool's attack surface for every tenant scheduled there.",
    remediation: "Remove the sysctl from `securityContext.sysctls`; if the workload truly needs \
                  it, run it on a dedicated, tainted AKS node pool whose custom node \
                  configuration sets it (`linuxOSConfig.sysctls`) or allowlists exactly that \
                  name in `allowedUnsafeSysctls`.",
    references: &[
        Reference::Pss("baseline", "Sysctls"),
        Reference::Guide(
            "Customize node configuration for AKS node pools",
            "https://learn.microsoft.com/azure/aks/custom-node-configuration",
        ),
        Reference::Peer(same(KubeLinter, "unsafe-sysctls")),
        Reference::Peer(same(Kubescape, "set-sysctls-params")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

/// The PSS baseline's allowed sysctls (Kubernetes 1.29+).
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let sysctls = pod.security("sysctls").map(Node::items).unwrap_or_default();
    for (index, entry) in sysctls.iter().enumerate() {
        let Some(name) = entry.get("name").and_then(Node::as_str) else {
            continue;
        };
        let dotted = dotted(name.trim());
        if SAFE_SYSCTLS.contains(&dotted.as_str()) {
            continue;
        }
        out.report(
            Violation::at(
                entry.pos,
                format!(
                    "pod sets unsafe sysctl `{name}` ({})",
                    pod.path(&format!("securityContext.sysctls[{index}]"))
                ),
            )
            .with_fix(patch::remove(
                &format!("Remove the unsafe sysctl `{name}`."),
                FixSafety::Review,
                patch::pod_path(pod, &["securityContext", "sysctls"])
                    .index(u32::try_from(index).unwrap_or(u32::MAX)),
            )),
        );
    }
}

/// The kubelet's conversion of a `/`-separated sysctl name to dotted form: when the first
/// separator is `/`, slashes and dots swap (`net/ipv4/conf/eth0.1/rp_filter` becomes
/// `net.ipv4.conf.eth0/1.rp_filter`).
fn dotted(name: &str) -> String {
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
        _ => name.to_owned(),
    }
}
