use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::Checkov, same};
use crate::pod::helpers::capabilities;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD026",
    slug: "capability-added-beyond-net-bind-service",
    title: "Container adds capabilities other than NET_BIND_SERVICE",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Any container (init, regular or ephemeral) whose `securityContext.capabilities.add` \
             lists a capability other than `NET_BIND_SERVICE`, the only one the Pod Security \
             Standards restricted profile allows. Names compare case-insensitively with an \
             optional `CAP_` prefix (`cap_net_bind_service` is allowed); one finding per \
             offending item, at the item. POD009 separately flags additions outside the \
             baseline set with a higher severity. Windows pods are exempt.",
    rationale: "Every added capability widens what a compromised process can do to the kernel \
                and the AKS node beyond the runtime's default set. The restricted profile, \
                which AKS namespaces can enforce through Pod Security Admission, rejects any \
                addition but NET_BIND_SERVICE, so such workloads also fail to deploy once the \
                namespace is hardened.",
    remediation: "Remove the capability from `securityContext.capabilities.add`, keeping at most \
                  `NET_BIND_SERVICE`, and drop the rest with `capabilities: {drop: [ALL]}`.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("restricted", "Capabilities"),
        guides::USE_PSA,
        guides::SECURE_CONTAINER_ACCESS,
        Reference::Peer(same(Checkov, "CKV_K8S_25")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    for (item, name) in capabilities(container, "add") {
        if name != "NET_BIND_SERVICE" {
            out.report(
                Violation::in_container(
                    container,
                    item.pos,
                    format!(
                        "container `{}` adds capability {} (securityContext.capabilities.add); the \
                     restricted profile allows only NET_BIND_SERVICE",
                        container.name(),
                        item.as_str().unwrap_or_default().trim()
                    ),
                )
                .with_fix(patch::take_out(
                    &format!("Remove {name} from `securityContext.capabilities.add`."),
                    FixSafety::Review,
                    patch::security_path(container, &["capabilities", "add"]),
                    item.as_str().unwrap_or_default(),
                )),
            );
        }
    }
}
