use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::azure_fix::with_commands;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::az_aks_update;
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS004",
    slug: "azure-rbac-disabled",
    title: "Azure RBAC for Kubernetes authorization not enabled",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster: fires when `aadProfile.enableAzureRBAC` (Terraform \
             `azure_rbac_enabled` in `azure_active_directory_role_based_access_control`) is \
             known to be false or is absent (the default is false), whether or not Entra ID \
             integration is on: without it the fix command also enables managed Entra ID \
             integration, which Azure RBAC requires. An unresolvable `aadProfile` or \
             `enableAzureRBAC` never fires. Reported at `aadProfile.enableAzureRBAC`, else at \
             its enclosing object when that is written, else at the cluster's first line.",
    rationale: "Without Azure RBAC, Kubernetes permissions live only in in-cluster \
                RoleBindings that Azure governance cannot see: they escape Privileged Identity \
                Management, access reviews and Azure Policy, and each cluster must be audited \
                separately. Azure RBAC grants Kubernetes access as Azure role assignments \
                managed and reviewed centrally.",
    remediation: "Enable Azure RBAC for Kubernetes authorization (`az aks update \
                  --enable-azure-rbac`; ARM `aadProfile.enableAzureRBAC: true`; Terraform \
                  `azure_rbac_enabled = true`) and grant access with the built-in Azure \
                  Kubernetes Service RBAC roles.",
    references: &[
        Reference::CisAks("5.5.2"),
        Reference::Guide(
            "Use Azure RBAC for Kubernetes authorization",
            "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
        ),
        guides::AKS_IDENTITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Enable Azure RBAC for Kubernetes authorization."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --enable-azure-rbac"],
        iac: &[crate::IacSetting::new(
            "aadProfile.enableAzureRBAC",
            "true",
            "azure_active_directory_role_based_access_control.azure_rbac_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let (state, flags) = match cluster.settings.get("aadProfile") {
        Lookup::Unknown(_) => return,
        Lookup::Absent => (
            "no `aadProfile`: Entra ID integration, which it needs, is off too",
            "--enable-aad --aad-admin-group-object-ids <group-id> --enable-azure-rbac",
        ),
        Lookup::Known(_) => {
            match flag(cluster, "aadProfile.enableAzureRBAC", false) {
                Some(false) => {}
                _ => return,
            }
            let state = if cluster
                .settings
                .get("aadProfile.enableAzureRBAC")
                .is_absent()
            {
                "`aadProfile.enableAzureRBAC` not set; the default is false"
            } else {
                "`aadProfile.enableAzureRBAC: false`"
            };
            let flags = if flag(cluster, "aadProfile.managed", false) == Some(true) {
                "--enable-azure-rbac"
            } else {
                "--enable-aad --aad-admin-group-object-ids <group-id> --enable-azure-rbac"
            };
            (state, flags)
        }
    };
    let message = format!(
        "Azure RBAC for Kubernetes authorization is not enabled ({state}): \
         Kubernetes access is governed only by in-cluster RoleBindings."
    );
    let fix = with_commands(&RULE, [az_aks_update(cluster, flags)]);
    out.report(
        Violation::at(attr_pos(cluster, "aadProfile.enableAzureRBAC"), message).with_fix(fix),
    );
}
