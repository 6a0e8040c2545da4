use aksguard_model::{Node, PodSpecView, Pos, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD018",
    slug: "unsafe-selinux-options",
    title: "SELinux options set a custom user, role or type",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "A Linux pod's or container's (init, regular or ephemeral) \
             `securityContext.seLinuxOptions` whose `type` is set to something other than \
             `container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t`, or \
             whose `user` or `role` is set (empty strings count as unset; `level` is not \
             checked). Pod-level options are reported once (container: null), container-level \
             options once per container that sets them; each finding lists every offending \
             field and points at the first of `type`, `user`, `role`. A container's own \
             options are checked whether or not the pod's pass. Windows pods are skipped \
             (SELinux is Linux-only).",
    rationale: "SELinux types, users and roles decide which host files, devices and processes a \
                container may touch. A custom type such as `spc_t` (super-privileged container) \
                or `unconfined_t`, or a custom user or role, lifts the confinement the runtime \
                applies and can give the container host-level access to the AKS node. The PSS \
                baseline level forbids these settings, so namespaces enforcing it on AKS \
                reject such pods.",
    remediation: "Remove `user` and `role` from `securityContext.seLinuxOptions`, and remove \
                  `type` or set it to `container_t` (or `container_init_t`, `container_kvm_t`, \
                  `container_engine_t`); set only `level` when multi-category separation is \
                  needed.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("baseline", "SELinux"),
        guides::SECURE_CONTAINER_ACCESS,
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

pub const ALLOWED_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    if let Some((pos, problems)) = problems(pod.security("seLinuxOptions")) {
        out.report(
            Violation::at(
                pos,
                format!(
                    "pod sets custom SELinux {problems} ({})",
                    pod.path("securityContext.seLinuxOptions")
                ),
            )
            .with_fix(patch::remove(
                "Remove the pod's custom `securityContext.seLinuxOptions`.",
                FixSafety::Review,
                patch::pod_path(pod, &["securityContext", "seLinuxOptions"]),
            )),
        );
    }
    for container in pod.containers() {
        if let Some((pos, problems)) = problems(container.security("seLinuxOptions")) {
            out.report(
                Violation::in_container(
                    &container,
                    pos,
                    format!(
                        "container `{}` sets custom SELinux {problems} \
                     ({}.securityContext.seLinuxOptions)",
                        container.name(),
                        container.path()
                    ),
                )
                .with_fix(patch::remove(
                    "Remove the container's custom `securityContext.seLinuxOptions`.",
                    FixSafety::Review,
                    patch::security_path(&container, &["seLinuxOptions"]),
                )),
            );
        }
    }
}

/// The position of the first offending field and a description of all of them.
fn problems(options: Option<&Node>) -> Option<(Pos, String)> {
    let options = options?;
    let set = |key: &str| {
        options
            .get(key)
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    };
    let mut found: Vec<(Pos, String)> = Vec::new();
    if let Some(node) = set("type") {
        let value = node.as_str().unwrap_or_default();
        if !ALLOWED_TYPES.contains(&value) {
            found.push((node.pos, format!("type `{value}`")));
        }
    }
    for key in ["user", "role"] {
        if let Some(node) = set(key) {
            let value = node.as_str().unwrap_or_default();
            found.push((node.pos, format!("{key} `{value}`")));
        }
    }
    let pos = found.first()?.0;
    let text = found
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(", ");
    Some((pos, text))
}
