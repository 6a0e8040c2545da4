use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, broader};
use crate::pod::helpers::effective_path;

pub(crate) static RULE: Rule = Rule {
    id: "POD025",
    slug: "low-uid-or-gid",
    title: "Container runs with a user or group ID below 10000",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Any container (init, regular or ephemeral) whose effective `runAsUser` or \
             `runAsGroup` (the container's `securityContext` value, else the pod's) is an \
             integer from 1 to 9999 inclusive. One finding per container per field, at the \
             field that sets it (the container's own, else the pod's). 0 is left to POD006 and \
             POD022, unset values and non-integers are not flagged. Windows pods are exempt.",
    rationale: "UIDs and GIDs below 10000 are where node distributions place system and \
                regular accounts. Without user namespaces a container process with such an \
                ID is that user on the AKS node: after a container escape, or through a \
                hostPath or shared volume, it gets the files and processes owned by the \
                matching host account.",
    remediation: "Set `securityContext.runAsUser` and `securityContext.runAsGroup` (pod or \
                  container) to IDs of 10000 or above, for example `runAsUser: 10001` and \
                  `runAsGroup: 10001`.",
    references: &[
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(broader(
            Checkov,
            "CKV_K8S_40",
            "checkov wants runAsUser of 10000 or more, so it also fails root and unset \
             users (POD006 reports root); it does not look at runAsGroup, which POD025 \
             also reports",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    for (field, what) in [("runAsUser", "user"), ("runAsGroup", "group")] {
        let Some(node) = container.effective(field) else {
            continue;
        };
        let Some(id) = node.as_i64().filter(|id| (1..=9999).contains(id)) else {
            continue;
        };
        out.report(Violation::in_container(
            container,
            node.pos,
            format!(
                "container `{}` runs as {what} {id}, below 10000 and liable to collide with a \
                 node account ({}: {id})",
                container.name(),
                effective_path(container, field)
            ),
        ));
    }
}
