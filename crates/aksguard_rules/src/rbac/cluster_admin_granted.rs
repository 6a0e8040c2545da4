use aksguard_model::{Binding, Inventory, PolicyRule, RbacGraph, RoleKind, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    BINDING_KINDS,
    PeerTool::{KubeLinter, Kubescape, Polaris},
    RBAC_KINDS, broader, narrower, same,
};
use crate::rbac::helpers::{binding_scope, role_display, role_ref_display};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC001",
    slug: "cluster-admin-granted",
    title: "Binding grants cluster-admin or an equivalent all-wildcard role",
    family: Family::Rbac,
    severity: Severity::High,
    checks: "Every RoleBinding or ClusterRoleBinding whose `roleRef` is the built-in \
             ClusterRole `cluster-admin` (whether or not it is in the scan), or a Role or \
             ClusterRole in the scan (aggregated ClusterRoles resolved through their parts) \
             with a rule granting every verb on every resource of every API group: `*` in \
             `apiGroups` and `resources`, and `*` in `verbs` or all of get, list, watch, \
             create, update, patch and delete. One finding per subject, at the subject, \
             except Kubernetes and AKS system components (`system:masters`, `system:kube-*`, \
             `system:node*`, `system:controller:*`, `system:monitoring`, ServiceAccounts of \
             kube-system), which the platform binds on purpose. A RoleBinding fires too (full \
             control of that namespace, including its Roles and Secrets); the message says \
             whether the grant is cluster-wide or namespaced. The binding's own name (e.g. a \
             `system:` prefix) exempts nothing. A ClusterRoleBinding whose `roleRef` names a \
             Role is invalid and ignored.",
    rationale: "cluster-admin can do anything to any object: read every Secret, run privileged \
                pods on every AKS node (and through them reach the nodes' managed identity), \
                and grant itself anything else. A compromised account or ServiceAccount token \
                holding it is a compromised cluster. AKS guidance is to bind Microsoft Entra \
                groups to least-privilege roles, and keep cluster-admin for break-glass.",
    remediation: "Bind a least-privilege Role or ClusterRole (the built-in `admin`, `edit` or \
                  `view` in a namespace, or a custom role) instead; keep cluster-admin for a \
                  small Microsoft Entra break-glass group.",
    references: &[
        Reference::CisAks("4.1.1"),
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        Reference::Peer(
            broader(
                Kubescape,
                "rule-list-all-cluster-admins-v1",
                "kubescape also counts `*` verbs on `*` resources of the core group alone \
             as cluster admin; RBAC001 wants every API group",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(
            narrower(
                Kubescape,
                "cluster-admin-role",
                "kubescape reports ClusterRoleBindings only; RBAC001 also RoleBindings to \
             `cluster-admin`",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(same(KubeLinter, "cluster-admin-role-binding").judging(BINDING_KINDS)),
        Reference::Peer(narrower(
            Polaris,
            "clusterrolebindingClusterAdmin",
            "Polaris exempts bindings by name (`system:` prefix, a few GKE names); RBAC001 \
             judges the subjects, whatever the binding is called",
        )),
        Reference::Peer(narrower(
            Polaris,
            "rolebindingClusterAdminClusterRole",
            "Polaris exempts bindings by name (`system:` prefix, a few GKE names); RBAC001 \
             judges the subjects, whatever the binding is called",
        )),
        Reference::Peer(narrower(
            Polaris,
            "rolebindingClusterAdminRole",
            "Polaris exempts bindings by name (`system:` prefix, a few GKE names); RBAC001 \
             judges the subjects, whatever the binding is called",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Verbs whose union over every resource is as good as `*`.
const ALL_STANDARD_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let graph = inventory.rbac();
    let objects = inventory.objects();
    for binding in &graph.bindings {
        if binding.cluster_wide && binding.role_kind == RoleKind::Role {
            continue;
        }
        let Some(equivalent) = superuser_role(graph, binding, inventory) else {
            continue;
        };
        for subject in binding.subjects.iter().filter(|s| !s.is_system_component()) {
            out.report(
                Violation::at(
                    subject.pos,
                    format!(
                        "{} grants {} {} {}{equivalent}",
                        binding.display(),
                        subject.display(),
                        role_ref_display(binding),
                        binding_scope(binding),
                    ),
                )
                .on(&objects[binding.object]),
            );
        }
    }
}

/// `Some("")` for cluster-admin itself, `Some("; the role allows …")` for an equivalent role
/// in the scan, `None` otherwise.
fn superuser_role(graph: &RbacGraph, binding: &Binding, inventory: &Inventory) -> Option<String> {
    if binding.role_kind == RoleKind::ClusterRole && binding.role_name == "cluster-admin" {
        return Some(String::new());
    }
    let role = graph.role_of(binding)?;
    let rule = graph
        .rules_of(role, inventory.objects())
        .into_iter()
        .find(|rule| grants_everything(rule))?;
    let owner = graph
        .roles
        .iter()
        .find(|r| r.rules.iter().any(|own| std::ptr::eq(own, rule)))
        .filter(|owner| owner.object != role.object)
        .map(|owner| format!(" (through its aggregated part {})", role_display(owner)))
        .unwrap_or_default();
    Some(format!(
        "; the role allows every verb on every resource{owner}, like cluster-admin"
    ))
}

fn grants_everything(rule: &PolicyRule) -> bool {
    rule.api_groups.iter().any(|g| g == "*")
        && rule.resources.iter().any(|r| r == "*")
        && (rule.verbs.iter().any(|v| v == "*")
            || ALL_STANDARD_VERBS.iter().all(|verb| rule.allows_verb(verb)))
}
