use aksguard_model::rbac::is_builtin_cluster_role;
use aksguard_model::{
    DEFAULT_SERVICE_ACCOUNT, Inventory, RoleKind, Severity, UNSPECIFIED_NAMESPACE,
};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Rule};
use crate::rbac::helpers::role_ref_display;

pub(crate) static RULE: Rule = Rule {
    id: "RBAC011",
    slug: "dangling-binding-reference",
    title: "Binding refers to a role or ServiceAccount that is not in the scan",
    family: Family::Rbac,
    severity: Severity::Info,
    checks: "Only with `--complete` (the scan is the whole cluster state; otherwise the \
             object may simply live in other files). Every RoleBinding or ClusterRoleBinding \
             whose `roleRef` names a Role (in the binding's namespace) or ClusterRole that is \
             not in the scan, reported at `roleRef`; built-in ClusterRoles (`cluster-admin`, \
             `admin`, `edit`, `view`, `system:*`) always exist and are exempt. And every \
             ServiceAccount subject (namespace defaulting to the binding's) that is not in \
             the scan, reported at the subject; `default` is exempt, since Kubernetes creates \
             it in every namespace.",
    rationale: "A binding to a missing role grants nothing today, but whoever later creates a \
                role or ServiceAccount with that name silently receives the binding's \
                permissions. Dangling bindings are usually leftovers of removed applications \
                and make the RBAC state harder to review.",
    remediation: "Delete the binding, or the subject, if the application it served is gone; \
                  otherwise create the missing role or ServiceAccount deliberately.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    if !out.settings().complete {
        return;
    }
    // A kind the scan could not read (a live scan denied it) proves nothing by its absence.
    let roles_read = out.settings().complete_for(&["Role", "ClusterRole"]);
    let accounts_read = out.settings().complete_for(&["ServiceAccount"]);
    let graph = inventory.rbac();
    let objects = inventory.objects();
    for binding in &graph.bindings {
        let object = &objects[binding.object];
        let builtin = binding.role_kind == RoleKind::ClusterRole
            && is_builtin_cluster_role(&binding.role_name);
        if roles_read && graph.role_of(binding).is_none() && !builtin {
            out.report(
                Violation::at(
                    binding.role_ref_pos,
                    format!(
                        "{} refers to {}, which is not in the scan",
                        binding.display(),
                        role_ref_display(binding)
                    ),
                )
                .on(object),
            );
        }
        for subject in &binding.subjects {
            if !accounts_read
                || subject.kind != "ServiceAccount"
                || subject.name == DEFAULT_SERVICE_ACCOUNT
            {
                continue;
            }
            let namespace = match (&subject.namespace, binding.cluster_wide) {
                (Some(ns), _) => ns.as_str(),
                (None, false) => UNSPECIFIED_NAMESPACE,
                // A cluster-wide ServiceAccount subject must name its namespace; the API
                // server rejects it otherwise.
                (None, true) => continue,
            };
            if inventory
                .service_account(namespace, &subject.name)
                .is_none()
            {
                out.report(
                    Violation::at(
                        subject.pos,
                        format!(
                            "{} binds {}, which is not in the scan",
                            binding.display(),
                            subject.display()
                        ),
                    )
                    .on(object),
                );
            }
        }
    }
}
