use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    narrower, same,
};
use crate::pod::helpers::is_true;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD001",
    slug: "privileged-container",
    title: "Container runs privileged",
    family: Family::Pod,
    severity: Severity::Critical,
    checks: "Any container (init, regular or ephemeral) whose securityContext sets \
             `privileged: true`.",
    rationale: "A privileged container gets every capability and device of the node and can \
                escape to it: mount the host disk, load kernel modules, read other pods' \
                secrets and the kubelet's credentials. On AKS that reaches the node's managed \
                identity and everything it can access in Azure.",
    remediation: "Remove `securityContext.privileged` or set it to `false`; add only the \
                  specific capabilities the workload needs.",
    references: &[
        Reference::CisAks("4.2.1"),
        Reference::Pss("baseline", "Privileged Containers"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "privileged-container")),
        Reference::Peer(same(Polaris, "runAsPrivileged")),
        Reference::Peer(same(Checkov, "CKV_K8S_16")),
        Reference::Peer(narrower(
            Kubescape,
            "rule-privileged-container",
            "kubescape fails privileged containers and those adding SYS_ADMIN; POD009 also reports the other capabilities outside the \
             baseline set",
        )),
    ],
    fix: crate::RuleFix::SAFE,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let privileged = container.security("privileged");
    if is_true(privileged) {
        out.report(
            Violation::in_container(
                container,
                container.pos_of(privileged),
                format!(
                    "container `{}` runs privileged (securityContext.privileged: true)",
                    container.name()
                ),
            )
            .with_fix(patch::set_security(
                container,
                "privileged",
                false,
                FixSafety::Safe,
            )),
        );
    }
}
