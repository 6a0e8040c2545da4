use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS002",
    slug: "entra-id-integration-disabled",
    title: "AKS-managed Entra ID (AAD) integration not enabled",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "Every managed cluster: fires when `aadProfile` is absent (AKS's default is no \
             Entra ID integration), or when `aadProfile.managed` is known to be false or is \
             absent (the retired legacy integration with `clientAppID`/`serverAppID`). \
             Terraform: an `azure_active_directory_role_based_access_control` block (azurerm v3 \
             with `managed = true`). An unresolvable `aadProfile` or `managed` never fires. \
             Reported at `aadProfile.managed`, else at its enclosing object when that is \
             written, else at the cluster's first line.",
    rationale: "Without Entra ID integration, cluster access rests on certificate-based local \
                accounts that cannot be tied to a person, cannot be revoked individually, and \
                bypass Conditional Access and MFA. Managed Entra ID integration lets access \
                be granted to Entra groups and audited per user.",
    remediation: "Enable AKS-managed Entra ID integration with an admin group (`az aks update \
                  --enable-aad --aad-admin-group-object-ids <group-id>`; ARM \
                  `aadProfile.managed: true`; Terraform block \
                  `azure_active_directory_role_based_access_control`).",
    references: &[
        Reference::CisAks("5.5.1"),
        guides::AKS_MANAGED_ENTRA_ID,
        guides::AKS_IDENTITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Enable AKS-managed Entra ID integration with an admin group."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &[
            "az aks update {cluster-args} --enable-aad --aad-admin-group-object-ids <group-id>",
        ],
        iac: &[crate::IacSetting::new(
            "aadProfile.managed",
            "true",
            "azure_active_directory_role_based_access_control.admin_group_object_ids",
            "[\"<group-id>\"]",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get("aadProfile") {
        Lookup::Unknown(_) => return,
        Lookup::Absent => "is not enabled (`aadProfile` not set; AKS defaults to none)",
        Lookup::Known(_) => match flag(cluster, "aadProfile.managed", false) {
            Some(false) => {
                "is the retired legacy integration, not AKS-managed \
                 (`aadProfile.managed` not true)"
            }
            _ => return,
        },
    };
    let message = format!(
        "Entra ID integration {state}: cluster access relies on local certificate \
         credentials."
    );
    out.report(Violation::at(
        attr_pos(cluster, "aadProfile.managed"),
        message,
    ));
}
