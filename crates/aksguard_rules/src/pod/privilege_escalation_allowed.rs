use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    narrower, same,
};
use crate::pod::helpers::{capabilities, is_true};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD002",
    slug: "privilege-escalation-allowed",
    title: "Container allows privilege escalation",
    family: Family::Pod,
    severity: Severity::High,
    checks: "Any container (init, regular or ephemeral) of a Linux pod whose securityContext \
             does not set `allowPrivilegeEscalation: false`: absent, `true`, null and \
             non-boolean values (such as the string \"false\", which the API server rejects) \
             all fire. The field exists only at container level, so a pod-level value is \
             not inherited. It also fires when the field is `false` but the container is \
             privileged (`privileged: true`) or adds `SYS_ADMIN` (written `CAP_SYS_ADMIN` or \
             in any case, or `ALL`, which includes it) to `capabilities.add`, because \
             Kubernetes then always allows escalation; that finding points at the \
             privileged flag or the capability and says so. Windows pods are skipped.",
    rationale: "Unless `allowPrivilegeEscalation` is `false`, the container runtime does not set \
                the kernel's no_new_privs flag, so a process can gain more privileges than \
                its parent through setuid binaries or file capabilities: a foothold in the \
                application becomes root in the container, the usual first step towards \
                escaping to the node, where an AKS node holds the kubelet credentials and \
                can use the node pool's managed identity. Pod Security Admission at the \
                restricted level and the Azure Policy pod security initiatives for AKS \
                disallow such pods.",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, \
                  and remove `privileged: true` and the `SYS_ADMIN`/`ALL` capability, which \
                  override it.",
    references: &[
        Reference::CisAks("4.2.5"),
        Reference::Pss("restricted", "Privilege Escalation"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(narrower(
            KubeLinter,
            "privilege-escalation-container",
            "kube-linter fails `allowPrivilegeEscalation: true`; POD002 also reports \
             the field left unset",
        )),
        Reference::Peer(same(Polaris, "privilegeEscalationAllowed")),
        Reference::Peer(same(Checkov, "CKV_K8S_20")),
        Reference::Peer(same(Kubescape, "rule-allow-privilege-escalation")),
    ],
    fix: crate::RuleFix::SAFE,
    linux_only: true,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let name = container.name();
    let field = container.security("allowPrivilegeEscalation");
    let set_false = field.and_then(Node::as_bool) == Some(false);
    let despite = if set_false {
        " despite allowPrivilegeEscalation: false"
    } else {
        ""
    };

    let privileged = container.security("privileged");
    if is_true(privileged) {
        out.report(Violation::in_container(
            container,
            container.pos_of(privileged),
            format!(
                "container `{name}` is privileged (securityContext.privileged: true), so \
                 privilege escalation is always allowed{despite}"
            ),
        ));
        return;
    }

    let sys_admin = capabilities(container, "add")
        .into_iter()
        .find(|(_, cap)| cap == "SYS_ADMIN" || cap == "ALL");
    if let Some((node, cap)) = sys_admin {
        out.report(Violation::in_container(
            container,
            node.pos,
            format!(
                "container `{name}` adds capability {cap} (securityContext.capabilities.add), so \
                 privilege escalation is always allowed{despite}"
            ),
        ));
        return;
    }

    if set_false {
        return;
    }
    let message = if field.and_then(Node::as_bool) == Some(true) {
        format!("container `{name}` sets securityContext.allowPrivilegeEscalation: true")
    } else {
        format!("container `{name}` does not set securityContext.allowPrivilegeEscalation: false")
    };
    out.report(
        Violation::in_container(container, container.pos_of(field), message).with_fix(
            patch::set_security(
                container,
                "allowPrivilegeEscalation",
                false,
                FixSafety::Safe,
            ),
        ),
    );
}
