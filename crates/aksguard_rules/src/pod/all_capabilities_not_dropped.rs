use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::Checkov, same};
use crate::pod::helpers::capabilities;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD027",
    slug: "all-capabilities-not-dropped",
    title: "Container does not drop ALL capabilities",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Any container (init, regular or ephemeral) whose \
             `securityContext.capabilities.drop` does not list `ALL` (case-insensitive, \
             `CAP_ALL` tolerated), including when `capabilities` or `drop` is absent or not a \
             list. Reported at `drop` when present, else at the container. Capabilities exist \
             only at container level, so the pod's securityContext cannot satisfy it. Windows \
             pods are exempt.",
    rationale: "Container runtimes grant a default capability set (CHOWN, DAC_OVERRIDE, \
                FOWNER, SETUID, SETGID, NET_RAW, ...) that most workloads never use and that \
                attackers use to tamper with files, forge packets or exploit kernel bugs from \
                a compromised pod. The Pod Security Standards restricted profile, enforceable \
                on AKS namespaces with Pod Security Admission, requires dropping ALL.",
    remediation: "Set `securityContext.capabilities.drop: [ALL]` on every container and add \
                  back only what is needed (at most `NET_BIND_SERVICE` under the restricted \
                  profile).",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("restricted", "Capabilities"),
        guides::USE_PSA,
        guides::SECURE_CONTAINER_ACCESS,
        Reference::Peer(same(Checkov, "CKV_K8S_37")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    if capabilities(container, "drop")
        .iter()
        .any(|(_, name)| name == "ALL")
    {
        return;
    }
    let drop = container
        .security("capabilities")
        .and_then(|caps| caps.get("drop"))
        .filter(|n| !n.is_null());
    out.report(Violation::in_container(
        container,
        container.pos_of(drop),
        format!(
            "container `{}` does not drop ALL capabilities (securityContext.capabilities.drop \
             lacks ALL)",
            container.name()
        ),
    )
    .with_fix(patch::add(
        "Add ALL to `securityContext.capabilities.drop` (add back only what the workload needs).",
        FixSafety::Review,
        patch::security_path(container, &["capabilities", "drop"]),
        "ALL",
    )));
}
