use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD012",
    slug: "apparmor-unconfined",
    title: "Container runs without AppArmor confinement",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose effective \
             `securityContext.appArmorProfile.type` is `Unconfined` (the container's \
             `appArmorProfile` overrides the pod's as a whole), or whose legacy pod-template \
             annotation `container.apparmor.security.beta.kubernetes.io/<container name>` is \
             `unconfined`. Values are matched exactly, as the API server does; `RuntimeDefault` \
             and `Localhost` profiles, and an absent profile (the runtime default applies), \
             pass. When both the field and the annotation are present the finding points at the \
             field if it says `Unconfined`, else at the annotation: one finding per container. \
             Windows pods are skipped (AppArmor is Linux-only).",
    rationale: "AppArmor confines what a container process can touch even when it runs as \
                root: mounts, raw sockets, writes under /proc and /sys. AKS Linux nodes \
                (Ubuntu) load the container runtime's default AppArmor profile; `Unconfined` \
                removes that layer, so a compromised or misbehaving container is held back \
                only by capabilities and seccomp, and kernel exploits that the default profile \
                would block become reachable.",
    remediation: "Remove the `Unconfined` setting so the runtime default applies, or set \
                  `securityContext.appArmorProfile: {type: RuntimeDefault}` (or `type: Localhost` \
                  with a `localhostProfile` loaded on the nodes); delete the legacy \
                  `container.apparmor.security.beta.kubernetes.io/<container>: unconfined` \
                  annotation.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("baseline", "AppArmor"),
        guides::SECURE_CONTAINER_ACCESS,
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

const LEGACY_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let name = container.name();
    let own = container
        .security("appArmorProfile")
        .is_some_and(|n| !n.is_null());
    if let Some(kind) = container
        .effective("appArmorProfile")
        .and_then(|profile| profile.get("type"))
        .filter(|kind| kind.as_str() == Some("Unconfined"))
    {
        let message = if own {
            format!(
                "container `{name}` runs without AppArmor confinement \
                 ({}.securityContext.appArmorProfile.type: Unconfined)",
                container.path()
            )
        } else {
            format!(
                "container `{name}` runs without AppArmor confinement, inherited from the pod \
                 ({}: Unconfined)",
                container.pod.path("securityContext.appArmorProfile.type")
            )
        };
        out.report(
            Violation::in_container(container, kind.pos, message).with_fix(patch::set(
                &format!("Set `securityContext.appArmorProfile.type: RuntimeDefault` on container `{name}`."),
                FixSafety::Review,
                patch::security_path(container, &["appArmorProfile", "type"]),
                "RuntimeDefault",
            )),
        );
        return;
    }
    let key = format!("{LEGACY_ANNOTATION_PREFIX}{name}");
    if let Some(annotation) = container
        .pod
        .metadata
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(&key))
        .filter(|value| value.as_str() == Some("unconfined"))
    {
        out.report(Violation::in_container(
            container,
            annotation.pos,
            format!(
                "container `{name}` runs without AppArmor confinement (legacy pod-template \
                 annotation {key}: unconfined)"
            ),
        ));
    }
}
