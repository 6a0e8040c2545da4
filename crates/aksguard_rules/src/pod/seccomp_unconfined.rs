use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, Kubescape},
    same,
};
use aksguard_model::FixSafety;

/// Legacy (pre-1.19) pod-wide seccomp annotation on the pod template.
const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// Legacy per-container seccomp annotation, followed by the container name.
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub(crate) static RULE: Rule = Rule {
    id: "POD011",
    slug: "seccomp-unconfined",
    title: "Container runs without a seccomp profile",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose effective \
             `seccompProfile.type` is `Unconfined` or that has no seccomp profile at all. The \
             container's `securityContext.seccompProfile` wins over the pod's; a profile \
             without a valid `type` (RuntimeDefault, Localhost, Unconfined) counts as unset at \
             its level. When neither level sets the field, the legacy annotations on the pod \
             template decide: `container.seccomp.security.alpha.kubernetes.io/<container \
             name>`, else `seccomp.security.alpha.kubernetes.io/pod`; `unconfined` fires, \
             `runtime/default`, `docker/default` and `localhost/<profile>` count as set, and \
             other values are ignored. Fields always win over annotations. Windows pods are \
             skipped.",
    rationale: "Seccomp filters the system calls a container may make; the runtime's default \
                profile blocks dozens that containers never need and that many kernel \
                exploits and container escapes rely on. Kubernetes runs containers \
                Unconfined unless a profile is requested, and AKS nodes do too unless the \
                node pool's custom kubelet configuration sets `seccompDefault: \
                RuntimeDefault`, so a manifest without a profile leaves the node's kernel \
                fully exposed.",
    remediation: "Set `securityContext.seccompProfile: {type: RuntimeDefault}` on the pod (or \
                  `type: Localhost` with a reviewed profile), and remove any `Unconfined` \
                  profile and legacy `seccomp.security.alpha.kubernetes.io` annotations.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("restricted", "Seccomp"),
        guides::SECURE_CONTAINER_ACCESS,
        Reference::Peer(same(Checkov, "CKV_K8S_31")),
        Reference::Peer(same(Kubescape, "set-seccomp-profile")),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Set `securityContext.seccompProfile: {type: RuntimeDefault}` on the pod and remove any `Unconfined` profile.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

/// The `type` of a `seccompProfile` mapping, when it is one Kubernetes accepts.
fn profile_type(profile: Option<&Node>) -> Option<(&Node, &str)> {
    let node = profile?.get("type")?;
    match node.as_str()? {
        value @ ("RuntimeDefault" | "Localhost" | "Unconfined") => Some((node, value)),
        _ => None,
    }
}

/// A legacy annotation value Kubernetes understood.
fn is_legacy_profile(value: &str) -> bool {
    matches!(value, "unconfined" | "runtime/default" | "docker/default")
        || value.starts_with("localhost/")
}

/// `RuntimeDefault` on the container: it overrides the pod's and any legacy annotation.
fn seccomp_fix(container: &ContainerView<'_>) -> aksguard_model::Fix {
    patch::set(
        &format!(
            "Set `securityContext.seccompProfile.type: RuntimeDefault` on container `{}`.",
            container.name()
        ),
        FixSafety::Review,
        patch::security_path(container, &["seccompProfile", "type"]),
        "RuntimeDefault",
    )
}

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let name = container.name();
    let field = profile_type(container.security("seccompProfile"))
        .map(|found| (found, "securityContext.seccompProfile.type".to_owned()))
        .or_else(|| {
            let pod = &container.pod;
            profile_type(pod.security("seccompProfile"))
                .map(|found| (found, pod.path("securityContext.seccompProfile.type")))
        });
    if let Some(((node, value), path)) = field {
        if value == "Unconfined" {
            out.report(
                Violation::in_container(
                    container,
                    node.pos,
                    format!("container `{name}` runs without seccomp ({path}: Unconfined)"),
                )
                .with_fix(seccomp_fix(container)),
            );
        }
        return;
    }

    let annotations = container.pod.metadata.and_then(|m| m.get("annotations"));
    let container_key = format!("{CONTAINER_ANNOTATION}{name}");
    let legacy = [container_key.as_str(), POD_ANNOTATION]
        .into_iter()
        .find_map(|key| {
            let node = annotations?.get(key)?;
            let value = node.as_str().filter(|v| is_legacy_profile(v))?;
            Some((key, node, value))
        });
    match legacy {
        Some((key, node, "unconfined")) => out.report(Violation::in_container(
            container,
            node.pos,
            format!("container `{name}` runs without seccomp (annotation {key}: unconfined)"),
        )),
        Some(_) => {}
        None => out.report(
            Violation::in_container(
                container,
                container.pos_of(None),
                format!(
                    "container `{name}` sets no seccomp profile (securityContext.seccompProfile \
                 on the container or the pod)"
                ),
            )
            .with_fix(seccomp_fix(container)),
        ),
    }
}
