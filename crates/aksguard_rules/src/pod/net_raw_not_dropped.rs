use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape},
    narrower, same,
};
use crate::pod::helpers::capabilities;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD008",
    slug: "net-raw-not-dropped",
    title: "Container does not drop NET_RAW",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose \
             `securityContext.capabilities.drop` contains neither `ALL` nor `NET_RAW`. Names \
             compare case-insensitively and with or without the `CAP_` prefix \
             (`cap_net_raw` counts). An absent, empty or non-list `drop` fires; non-string \
             items are ignored. Capabilities exist only at container level. Windows pods are \
             skipped.",
    rationale: "Container runtimes grant NET_RAW by default. It lets a process craft raw \
                packets: spoof ARP and DNS replies to other pods on the AKS node's network, \
                sniff traffic, and exploit kernel bugs in raw-socket handling (several \
                container escapes, such as CVE-2020-14386, needed it). Few applications need \
                it; `ping` and similar tools can use unprivileged ICMP sockets instead.",
    remediation: "Add `ALL` (preferred) or at least `NET_RAW` to \
                  `securityContext.capabilities.drop`, e.g. `capabilities: {drop: [ALL]}`.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("restricted", "Capabilities"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(narrower(
            KubeLinter,
            "drop-net-raw-capability",
            "kube-linter checks only containers that set `capabilities`; POD008 also \
             those that drop nothing",
        )),
        Reference::Peer(same(Checkov, "CKV_K8S_28")),
        Reference::Peer(same(Kubescape, "drop-capability-netraw")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let dropped = capabilities(container, "drop");
    if dropped
        .iter()
        .any(|(_, cap)| cap == "ALL" || cap == "NET_RAW")
    {
        return;
    }
    let drop = container
        .security("capabilities")
        .and_then(|caps| caps.get("drop"));
    out.report(
        Violation::in_container(
            container,
            container.pos_of(drop),
            format!(
                "container `{}` does not drop NET_RAW or ALL (securityContext.capabilities.drop)",
                container.name()
            ),
        )
        .with_fix(patch::add(
            "Add NET_RAW to `securityContext.capabilities.drop`.",
            FixSafety::Safe,
            patch::security_path(container, &["capabilities", "drop"]),
            "NET_RAW",
        )),
    );
}
