use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    same,
};
use crate::pod::helpers::{effective_path, is_true};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD006",
    slug: "run-as-root-allowed",
    title: "Container may run as root",
    family: Family::Pod,
    severity: Severity::High,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose effective \
             security context (the container's value, else the pod's) either sets \
             `runAsUser: 0`, even together with `runAsNonRoot: true`, or has neither \
             `runAsNonRoot: true` nor a `runAsUser` above 0. A null, quoted or otherwise \
             non-numeric `runAsUser` counts as unset, as does a non-boolean `runAsNonRoot`. \
             The image's own `USER` is not known to a manifest scan, so a pod that relies on \
             it fires. Windows pods are skipped (see `runAsUserName` instead).",
    rationale: "A process running as UID 0 is root inside the container and, when anything \
                else goes wrong (a writable hostPath, an added capability, a kernel or \
                runtime bug), root on the AKS node, with access to the kubelet credentials \
                and the node pool's managed identity. `runAsNonRoot: true` makes the kubelet \
                refuse to start a container whose image would run as root, and a non-zero \
                `runAsUser` pins the identity regardless of the image.",
    remediation: "Set `securityContext.runAsNonRoot: true` on the pod (or each container), and \
                  `runAsUser` to a non-zero UID such as `10001` where the image does not \
                  declare a numeric non-root `USER`; never set `runAsUser: 0`.",
    references: &[
        Reference::CisAks("4.6.2"),
        Reference::Pss("restricted", "Running as Non-root"),
        Reference::Pss("restricted", "Running as Non-root user"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "run-as-non-root")),
        Reference::Peer(same(Polaris, "runAsRootAllowed")),
        Reference::Peer(same(Checkov, "CKV_K8S_23")),
        Reference::Peer(same(Kubescape, "non-root-containers")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let name = container.name();
    let user = container.effective("runAsUser");
    let uid = user.and_then(Node::as_i64);
    if let (Some(user), Some(0)) = (user, uid) {
        out.report(Violation::in_container(
            container,
            user.pos,
            format!(
                "container `{name}` runs as root ({}: 0)",
                effective_path(container, "runAsUser")
            ),
        ));
        return;
    }

    let non_root = container.effective("runAsNonRoot");
    if is_true(non_root) || uid.is_some_and(|uid| uid > 0) {
        return;
    }
    let message = match non_root {
        Some(_) => format!(
            "container `{name}` may run as root: {} is not true and no runAsUser above 0 is set",
            effective_path(container, "runAsNonRoot")
        ),
        None => format!(
            "container `{name}` may run as root: neither securityContext.runAsNonRoot: true \
             nor a runAsUser above 0 is set on the container or the pod"
        ),
    };
    out.report(
        Violation::in_container(container, container.pos_of(non_root), message).with_fix(
            patch::set_security(container, "runAsNonRoot", true, FixSafety::Review),
        ),
    );
}
