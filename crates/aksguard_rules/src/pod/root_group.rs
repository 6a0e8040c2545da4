use aksguard_model::{Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Rule};
use crate::patch;
use crate::pod::helpers::effective_path;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD022",
    slug: "root-group",
    title: "Container or pod runs with the root group (GID 0)",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Per container (init, regular or ephemeral): the effective `runAsGroup` (the \
             container's `securityContext.runAsGroup`, else the pod's) is the integer 0; \
             reported at the field that sets it. Per pod (no container): the pod \
             `securityContext.fsGroup` is 0, or `securityContext.supplementalGroups` holds 0 \
             (reported at that item). Quoted values and other non-integers are not GIDs (the \
             API server rejects them) and are ignored; an unset `runAsGroup` is not flagged \
             (the image's group applies, which this rule cannot see). Windows pods are exempt.",
    rationale: "Group 0 is root's group: files and devices that are group-owned by root, on \
                the container's filesystem and on any mounted volume, become readable and \
                often writable by the workload, and a process that escapes the container \
                lands on the AKS node with root's group. `fsGroup: 0` also chowns every \
                mounted volume to group root.",
    remediation: "Set `securityContext.runAsGroup` (pod or container) and `fsGroup` to a \
                  non-zero GID such as `10001`, and remove `0` from `supplementalGroups`.",
    references: &[
        crate::Reference::CisAks("4.6.2"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        guides::SECURE_CONTAINER_ACCESS,
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: true,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn is_zero(node: &Node) -> bool {
    node.as_i64() == Some(0)
}

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    for container in pod.containers() {
        let Some(group) = container.effective("runAsGroup") else {
            continue;
        };
        if is_zero(group) {
            out.report(Violation::in_container(
                &container,
                group.pos,
                format!(
                    "container `{}` runs with the root group ({}: 0)",
                    container.name(),
                    effective_path(&container, "runAsGroup")
                ),
            ));
        }
    }
    if let Some(fs_group) = pod.security("fsGroup").filter(|n| is_zero(n)) {
        out.report(
            Violation::at(
                fs_group.pos,
                format!(
                    "pod volumes are owned by the root group ({}: 0)",
                    pod.path("securityContext.fsGroup")
                ),
            )
            .with_fix(patch::remove(
                "Remove `securityContext.fsGroup: 0` from the pod spec.",
                FixSafety::Review,
                patch::pod_path(pod, &["securityContext", "fsGroup"]),
            )),
        );
    }
    if let Some(groups) = pod.security("supplementalGroups") {
        for (index, item) in groups.items().iter().enumerate() {
            if is_zero(item) {
                out.report(Violation::at(
                    item.pos,
                    format!(
                        "pod processes get the root group as a supplemental group ({}[{index}]: 0)",
                        pod.path("securityContext.supplementalGroups")
                    ),
                )
                .with_fix(patch::take_out(
                    "Remove group 0 from `securityContext.supplementalGroups`.",
                    FixSafety::Review,
                    patch::pod_path(pod, &["securityContext", "supplementalGroups"]),
                    0,
                )));
            }
        }
    }
}
