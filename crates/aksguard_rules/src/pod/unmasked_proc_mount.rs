use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{KubeLinter, Kubescape, Polaris},
    same,
};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD010",
    slug: "unmasked-proc-mount",
    title: "Container uses an unmasked /proc mount",
    family: Family::Pod,
    severity: Severity::High,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose \
             `securityContext.procMount` is a string other than `Default` (compared exactly, \
             as the API does), normally `Unmasked`. An absent or null `procMount` passes; a \
             non-string value is ignored. The field exists only at container level. Windows \
             pods are skipped.",
    rationale: "By default the container runtime masks and makes read-only the sensitive parts \
                of /proc (such as /proc/kcore, /proc/sysrq-trigger and /proc/sys). An \
                `Unmasked` /proc exposes them, letting a process read kernel memory and \
                information about the AKS node or change kernel settings, which defeats a \
                layer of container isolation.",
    remediation: "Remove `securityContext.procMount` or set it to `Default`.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("baseline", "/proc Mount Type"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "unsafe-proc-mount")),
        Reference::Peer(same(Polaris, "procMount")),
        Reference::Peer(same(Kubescape, "set-procmount-default")),
    ],
    fix: crate::RuleFix::SAFE,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some(field) = container.security("procMount") else {
        return;
    };
    let Some(value) = field.as_str() else {
        return;
    };
    let name = container.name();
    let message = match value {
        "Default" => return,
        "Unmasked" => {
            format!("container `{name}` sets securityContext.procMount: Unmasked, unmasking /proc")
        }
        _ => format!(
            "container `{name}` sets securityContext.procMount: {value}; only Default is allowed"
        ),
    };
    out.report(
        Violation::in_container(container, field.pos, message).with_fix(patch::set_security(
            container,
            "procMount",
            "Default",
            FixSafety::Safe,
        )),
    );
}
