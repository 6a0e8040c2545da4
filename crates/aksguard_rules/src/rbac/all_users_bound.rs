use aksguard_model::{FixSafety, Node, Object, RoleKind, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::Kubescape, RBAC_KINDS, narrower};
use crate::rbac::helpers::{binding_of, binding_scope, role_ref_display};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC007",
    slug: "all-users-bound",
    title: "Binding grants a role to anonymous or all authenticated users",
    family: Family::Rbac,
    severity: Severity::Critical,
    checks: "Every RoleBinding or ClusterRoleBinding with a `Group` or `User` subject named \
             `system:anonymous`, `system:unauthenticated` or `system:authenticated`; one \
             finding per such subject, at the subject, whatever the role. Exempt: bindings \
             to the default discovery ClusterRoles Kubernetes itself grants these groups \
             (`system:public-info-viewer`, `system:discovery`, `system:basic-user`), which \
             only expose version, API discovery and self-review endpoints. Any other role, \
             even read-only, fires (`view` bound to everyone still reads every \
             ConfigMap). The `system:serviceaccounts` groups are not covered here.",
    rationale: "These groups are everyone: `system:anonymous`/`system:unauthenticated` are \
                requests with no credentials at all, and `system:authenticated` is every \
                identity the API server accepts. On AKS with Microsoft Entra ID integration \
                that includes every user and service principal of the tenant (guests too) \
                that can reach the API server, not just the people given cluster access in \
                Azure RBAC.",
    remediation: "Bind the role to the specific Microsoft Entra groups, users or \
                  ServiceAccounts that need it, and remove these subjects.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        Reference::Peer(
            narrower(
                Kubescape,
                "system-authenticated-allowed-to-take-over-cluster",
                "kubescape fails `system:authenticated` bound to a role that allows a \
             takeover; RBAC007 any role granted to everyone",
            )
            .judging(RBAC_KINDS),
        ),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Remove the subject that stands for everyone from the binding; bind the role to the groups, users or ServiceAccounts that need it.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

const EVERYONE: &[&str] = &[
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
];

/// ClusterRoles Kubernetes binds to everyone by default (bootstrap policy).
const DEFAULT_PUBLIC_ROLES: &[&str] = &[
    "system:public-info-viewer",
    "system:discovery",
    "system:basic-user",
];

fn check(object: &Object, out: &mut Checker<'_>) {
    let Some(binding) = binding_of(object) else {
        return;
    };
    if binding.role_kind == RoleKind::ClusterRole
        && DEFAULT_PUBLIC_ROLES.contains(&binding.role_name.as_str())
    {
        return;
    }
    for subject in &binding.subjects {
        if !matches!(subject.kind.as_str(), "Group" | "User")
            || !EVERYONE.contains(&subject.name.as_str())
        {
            continue;
        }
        let who = match subject.name.as_str() {
            "system:authenticated" => "every authenticated identity",
            _ => "every request without credentials",
        };
        let violation = Violation::at(
            subject.pos,
            format!(
                "{} grants {} {} to {} ({who})",
                binding.display(),
                role_ref_display(&binding),
                binding_scope(&binding),
                subject.display()
            ),
        );
        // Review: whoever relied on the grant (often an anonymous health check or a
        // dashboard) loses it; nothing is granted in its place.
        let index = object
            .root
            .get("subjects")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .position(|item| item.pos == subject.pos);
        out.report(match index.and_then(|i| u32::try_from(i).ok()) {
            Some(index) => violation.with_fix(patch::remove(
                &format!("Remove subject {} from the binding.", subject.display()),
                FixSafety::Review,
                patch::object_path("subjects", &[]).index(index),
            )),
            None => violation,
        });
    }
}
