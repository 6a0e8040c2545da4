use aksguard_model::azure::builtins::{self, BuiltinRole, principal_listed};
use aksguard_model::azure::scopes::{ClusterScope, classify};
use aksguard_model::azure::{ManagedCluster, RoleAssignment, kinds};
use aksguard_model::{Inventory, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{clusters, flag};
use crate::cluster::role_assignments::{delete_command, describe_principal, role_name, scope_word};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS043",
    slug: "privileged-azure-role-on-cluster",
    title: "A principal not listed as admin holds a privileged Azure role on the cluster",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "Every role assignment of the scan (`az role assignment list` output, ARM \
             `Microsoft.Authorization/roleAssignments`, Terraform `azurerm_role_assignment`) \
             whose scope is a cluster of the scan, its resource group, its node resource group \
             (`nodeResourceGroup`, else AKS's default `MC_<group>_<cluster>_<location>`) or its \
             subscription (IDs compared ignoring case, where a template's unresolvable \
             subscription or group matches any; or the Terraform/ARM symbol of the cluster or \
             its resource group), and whose role is Owner, Contributor, User Access \
             Administrator, Azure Kubernetes Service Cluster Admin Role or Azure Kubernetes \
             Service RBAC Cluster Admin (by name, any case, or by the built-in role definition \
             GUID, see `aksguard_model::azure::builtins`). Fires unless the principal's object \
             ID or `principalName` is in `[azure] admin-principals` of aksguard.toml (any \
             case). Critical when the cluster's local accounts are enabled \
             (`disableLocalAccounts` not true): the role then yields the static cluster-admin \
             kubeconfig. A role or scope that is an unresolvable expression never fires; an \
             unresolvable principal fires only when `admin-principals` is empty. When the scan \
             holds no role assignment at all, the rule judges nothing (not judged, with the \
             reason) unless `--complete` or a live ARM scan says there are none.",
    rationale: "Owner and Contributor on the cluster, its resource group or subscription can \
                fetch the cluster-admin kubeconfig (`listClusterAdminCredential`), run \
                commands on the nodes and change the cluster's security settings; User Access \
                Administrator can grant itself any of these; the two AKS admin roles are \
                cluster-admin inside Kubernetes. Every such principal beyond the few that \
                administer the cluster is a path from one stolen credential to the whole \
                cluster and every workload identity in it.",
    remediation: "Remove the assignment (`az role assignment delete --assignee <principal> --role \
                  <role> --scope <scope>`) and grant a narrower role (Azure Kubernetes Service \
                  Cluster User Role plus an Azure Kubernetes Service RBAC Reader/Writer role at a \
                  namespace), or list the principal in `[azure] admin-principals` when it is a \
                  sanctioned administrator.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        Reference::Guide(
            "Use Azure role-based access control to define access to the kubeconfig file in AKS",
            "https://learn.microsoft.com/azure/aks/control-kubeconfig-access",
        ),
        Reference::Guide(
            "Azure built-in roles for Privileged",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged",
        ),
        Reference::Guide(
            "Azure built-in roles for Containers",
            "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers",
        ),
    ],
    fix: crate::RuleFix {
        commands: &["az role assignment delete --ids <role-assignment-id>"],
        summary: Some(
            "Delete the role assignment and grant a narrower role, or list the principal in `[azure] admin-principals` when it is a sanctioned administrator.",
        ),
        safety: aksguard_model::FixSafety::Manual,
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// The roles this rule reports.
pub(crate) const PRIVILEGED: &[BuiltinRole] = &[
    builtins::OWNER,
    builtins::CONTRIBUTOR,
    builtins::USER_ACCESS_ADMINISTRATOR,
    builtins::AKS_CLUSTER_ADMIN,
    builtins::AKS_RBAC_CLUSTER_ADMIN,
];

const NO_ROLE_ASSIGNMENTS: &str = "the scan holds no role assignment (`az role assignment list \
                                   --all`, ARM `Microsoft.Authorization/roleAssignments`, \
                                   Terraform `azurerm_role_assignment`): add them, or pass \
                                   --complete if there are none";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    let complete = out.settings().complete_for(&[kinds::ROLE_ASSIGNMENT]);
    for cluster in clusters(inventory) {
        if azure.role_assignments.is_empty() && !complete {
            out.undecided(NO_ROLE_ASSIGNMENTS);
            continue;
        }
        for assignment in &azure.role_assignments {
            check_assignment(cluster, assignment, inventory, out);
        }
    }
}

fn check_assignment(
    cluster: &ManagedCluster,
    assignment: &RoleAssignment,
    inventory: &Inventory,
    out: &mut Checker<'_>,
) {
    let azure = inventory.azure();
    let Some(scope) = assignment.scope.as_ref() else {
        return;
    };
    let Some(at) = classify(scope, cluster) else {
        return;
    };
    let privileged = assignment
        .role
        .as_deref()
        .and_then(|r| builtins::resolve_role(r).builtin())
        .is_some_and(|r| PRIVILEGED.contains(&r));
    if !privileged {
        return;
    }
    let allowed = &out.settings().azure.admin_principals;
    let followable = assignment
        .principal
        .as_ref()
        .is_some_and(|p| p.key.is_some())
        || assignment.principal_name.is_some();
    if principal_listed(
        assignment.principal.as_ref(),
        assignment.principal_name.as_deref(),
        allowed,
    ) || (!followable && !allowed.is_empty())
    {
        return;
    }
    let local_accounts = flag(cluster, "disableLocalAccounts", false) == Some(false);
    let fallback = match at {
        ClusterScope::Cluster => cluster.id.as_deref(),
        _ => None,
    };
    let command = delete_command(assignment, azure, &scope_word(scope, fallback));
    let why = if local_accounts {
        " and, with local accounts enabled, can fetch the static cluster-admin kubeconfig \
         that bypasses Entra ID"
    } else {
        ""
    };
    let allowed_note = if allowed.is_empty() {
        "no `[azure] admin-principals` are configured".to_owned()
    } else {
        "it is not in `[azure] admin-principals`".to_owned()
    };
    let message = format!(
        "{} holds `{}` at {} (scope `{}`){why}; {allowed_note}.",
        describe_principal(assignment, azure),
        role_name(assignment),
        at.describe(),
        scope.written.trim(),
    );
    let mut violation = Violation::at(assignment.pos, message)
        .on_azure("ManagedCluster", &cluster.name, &assignment.source)
        .with_fix(crate::azure_fix::with_commands(&RULE, [command]));
    if local_accounts {
        violation = violation.with_severity(Severity::Critical);
    }
    out.report(violation);
}

#[cfg(test)]
mod tests {
    use aksguard_model::azure::{AzureResources, Ref};
    use aksguard_model::{Inventory, Pos};

    use super::*;
    use crate::RuleSettings;
    use crate::cluster::role_assignments::testing::{assignment, symbol, terraform_cluster};

    fn lines(assignments: Vec<RoleAssignment>, admins: &[&str]) -> Vec<(Pos, Option<Severity>)> {
        let azure = AzureResources {
            clusters: vec![terraform_cluster()],
            role_assignments: assignments,
            ..AzureResources::default()
        };
        let inventory = Inventory::new(Vec::new()).with_azure(azure);
        let mut settings = RuleSettings::default();
        settings.azure.admin_principals = admins.iter().map(|a| (*a).to_owned()).collect();
        let mut out = Checker::new(&settings, &inventory);
        RULE.run_inventory(&inventory, &mut out);
        out.take()
            .into_iter()
            .map(|v| (v.pos, v.severity))
            .collect()
    }

    #[test]
    fn symbolic_scopes_and_principals_join_and_unknowns_stay_silent() {
        let identity = || Some(symbol("azurerm_user_assigned_identity.ci", "principal_id"));
        let group = symbol("azurerm_resource_group.rg", "id");
        let found = lines(
            vec![
                // Owner on the cluster's resource group by symbol: reported.
                assignment(10, "Owner", identity(), group.clone()),
                // Cluster admin on the cluster by symbol: reported.
                assignment(
                    20,
                    "Azure Kubernetes Service Cluster Admin Role",
                    identity(),
                    symbol("azurerm_kubernetes_cluster.main", "id"),
                ),
                // `subscription().id`-like scope of the same deployment: reported.
                assignment(
                    30,
                    "Contributor",
                    identity(),
                    Ref::literal("/subscriptions/{unknown}"),
                ),
                // Another group's symbol, a scope expression, a role expression: silent.
                assignment(
                    40,
                    "Owner",
                    identity(),
                    symbol("azurerm_resource_group.other", "id"),
                ),
                assignment(50, "Owner", identity(), Ref::opaque("var.scope")),
                assignment(60, "var.role", identity(), group.clone()),
                // An unresolvable principal, with no admins configured: every principal is
                // unlisted, so it is reported.
                assignment(
                    70,
                    "Owner",
                    Some(Ref::opaque("var.principal")),
                    group.clone(),
                ),
            ],
            &[],
        );
        let at: Vec<u32> = found.iter().map(|(pos, _)| pos.line).collect();
        assert_eq!(at, [10, 20, 30, 70]);
        // Local accounts are disabled: the default severity.
        assert!(found.iter().all(|(_, severity)| severity.is_none()));
        // With admins configured, an unresolvable principal may be one of them: silent.
        let found = lines(
            vec![assignment(
                70,
                "Owner",
                Some(Ref::opaque("var.principal")),
                group,
            )],
            &["ops"],
        );
        assert!(found.is_empty());
    }

    #[test]
    fn local_accounts_make_it_critical() {
        let mut cluster = terraform_cluster();
        cluster.settings = aksguard_model::azure::Settings::new(aksguard_model::Node {
            pos: Pos::new(1, 1),
            value: aksguard_model::node::Value::Map(Vec::new()),
        });
        let azure = AzureResources {
            clusters: vec![cluster],
            role_assignments: vec![assignment(
                5,
                "b24988ac-6180-42a0-ab88-20f7382dd24c",
                Some(Ref::literal("11111111-0000-0000-0000-000000000001")),
                symbol("azurerm_resource_group.rg", "id"),
            )],
            ..AzureResources::default()
        };
        let inventory = Inventory::new(Vec::new()).with_azure(azure);
        let settings = RuleSettings::default();
        let mut out = Checker::new(&settings, &inventory);
        RULE.run_inventory(&inventory, &mut out);
        let found = out.take();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Some(Severity::Critical));
        let commands = &found[0].fix.as_ref().expect("a fix").commands;
        assert!(commands[0].contains("--scope <scope-id>"), "{commands:?}");
    }
}
