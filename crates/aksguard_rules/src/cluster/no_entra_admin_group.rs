use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
use crate::guides;
use crate::meta::{Check, Family, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS032",
    slug: "no-entra-admin-group",
    title: "Entra ID integration without a cluster admin group",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Clusters with AKS-managed Entra ID integration (`aadProfile.managed: true`): \
             reported when `aadProfile.adminGroupObjectIDs` is not set or an empty list. \
             Clusters without managed Entra ID are AKS002's. Unresolvable values are not \
             reported.",
    rationale: "The admin groups are the Entra ID groups bound to cluster-admin. With none, \
                cluster administration falls back to the local admin account (a shared, \
                non-auditable credential, see AKS003) or to Azure RBAC role assignments made \
                ad hoc; a named, reviewable Entra group makes admin access an auditable group \
                membership instead.",
    remediation: "Create an Entra ID group for cluster administrators and set it with `az aks \
                  update --aad-admin-group-object-ids <group-object-id>`, ARM \
                  `aadProfile.adminGroupObjectIDs` or Terraform \
                  `azure_active_directory_role_based_access_control { admin_group_object_ids \
                  = [...] }`.",
    references: &[
        guides::AKS_MANAGED_ENTRA_ID,
        guides::AKS_IDENTITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Name an Entra ID admin group for the cluster."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &["az aks update {cluster-args} --aad-admin-group-object-ids <group-object-id>"],
        iac: &[crate::IacSetting::new(
            "aadProfile.adminGroupObjectIDs",
            "[\"<group-object-id>\"]",
            "azure_active_directory_role_based_access_control.admin_group_object_ids",
            "[\"<group-object-id>\"]",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "aadProfile.adminGroupObjectIDs";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if cluster
        .settings
        .get("aadProfile.managed")
        .node()
        .and_then(node_flag)
        != Some(true)
    {
        return;
    }
    let state = match cluster.settings.get(PATH) {
        Lookup::Absent => "is not set",
        Lookup::Known(node) if node.is_seq() && node.items().is_empty() => "is empty",
        _ => return,
    };
    let message = format!(
        "aadProfile.adminGroupObjectIDs {state}: no Entra ID group is cluster admin, so \
         administration relies on local accounts or ad-hoc role assignments."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
