use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    same,
};
use crate::pod::helpers::is_true;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD007",
    slug: "writable-root-filesystem",
    title: "Container root filesystem is writable",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose securityContext \
             does not set `readOnlyRootFilesystem: true`: absent, `false`, null and \
             non-boolean values all fire. The field exists only at container level; the pod \
             security context cannot set it. Windows pods are skipped (Windows containers do \
             not support it).",
    rationale: "A writable root filesystem lets an attacker who gets code execution in the \
                container drop tools and binaries, modify the application, plant persistence \
                or tamper with configuration and logs. A read-only root filesystem confines \
                writes to volumes you declare, which also keeps the node's disk from filling \
                up through container layers.",
    remediation: "Set `securityContext.readOnlyRootFilesystem: true` on the container and mount \
                  an `emptyDir` volume at each path the application must write to (for \
                  example `/tmp`).",
    references: &[
        Reference::CisAks("4.6.2"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(KubeLinter, "no-read-only-root-fs")),
        Reference::Peer(same(Polaris, "notReadOnlyRootFilesystem")),
        Reference::Peer(same(Checkov, "CKV_K8S_22")),
        Reference::Peer(same(Kubescape, "immutable-container-filesystem")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let field = container.security("readOnlyRootFilesystem");
    if is_true(field) {
        return;
    }
    let name = container.name();
    let message = if field.and_then(Node::as_bool) == Some(false) {
        format!("container `{name}` sets securityContext.readOnlyRootFilesystem: false")
    } else {
        format!("container `{name}` does not set securityContext.readOnlyRootFilesystem: true")
    };
    out.report(
        Violation::in_container(container, container.pos_of(field), message).with_fix(
            patch::set_security(container, "readOnlyRootFilesystem", true, FixSafety::Review),
        ),
    );
}
