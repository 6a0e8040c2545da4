use aksguard_model::{PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Rule};
use crate::patch;
use crate::pod::helpers::is_true;

pub(crate) static RULE: Rule = Rule {
    id: "POD023",
    slug: "shared-process-namespace",
    title: "Pod shares one process namespace between its containers",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "A pod template whose spec sets `shareProcessNamespace: true` (a boolean; YAML 1.1 \
             spellings such as `yes` count, a quoted \"true\" does not). Reported once per pod, \
             at the field, with no container. Applies to Windows pods too.",
    rationale: "With a shared process namespace every container of the pod sees, and can \
                signal, every other container's processes, and can read their environment and \
                filesystem through `/proc/<pid>/root` and `/proc/<pid>/environ`. A compromised \
                sidecar then reaches the main container's secrets (for example Azure \
                credentials injected as environment variables or mounted tokens).",
    remediation: "Remove `shareProcessNamespace` from the pod spec or set it to `false`; use an \
                  ephemeral debug container with `kubectl debug --target` when process \
                  inspection is needed.",
    references: &[guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let share = pod.get("shareProcessNamespace");
    if let Some(node) = share.filter(|_| is_true(share)) {
        out.report(
            Violation::at(
                node.pos,
                format!(
                    "containers share one process namespace ({}: true)",
                    pod.path("shareProcessNamespace")
                ),
            )
            .with_fix(patch::remove_pod_flag(pod, "shareProcessNamespace")),
        );
    }
}
