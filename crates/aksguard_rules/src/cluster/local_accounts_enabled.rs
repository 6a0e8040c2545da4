use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::azure_fix::with_commands;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::az_aks_update;
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS003",
    slug: "local-accounts-enabled",
    title: "Local accounts enabled on the AKS cluster (static admin credentials)",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "Every managed cluster: fires when `disableLocalAccounts` (Terraform \
             `local_account_disabled`) is known to be false, or is absent (the API default is \
             false: local accounts enabled; the message says so). An unresolvable value never \
             fires. Reported at `disableLocalAccounts`, else at its enclosing object when that \
             is written, else at the cluster's first line. When managed Entra ID integration is \
             not known to be on, the fix command enables it too, since AKS requires it before \
             local accounts can be disabled.",
    rationale: "With local accounts enabled, anyone allowed `listClusterAdminCredential` (or \
                holding a leaked kubeconfig) gets a static cluster-admin certificate that \
                bypasses Entra ID, Conditional Access and Azure RBAC, and cannot be revoked \
                short of rotating the cluster certificates.",
    remediation: "Disable local accounts (`az aks update --disable-local-accounts`, which needs \
                  managed Entra ID integration; ARM `disableLocalAccounts: true`; Terraform \
                  `local_account_disabled = true`).",
    references: &[
        Reference::Guide(
            "Manage local accounts with AKS-managed Microsoft Entra integration",
            "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad",
        ),
        guides::AKS_MANAGED_ENTRA_ID,
        guides::AKS_IDENTITY_BEST_PRACTICES,
        Reference::Peer(same(Checkov, "CKV_AZURE_141")),
    ],
    fix: crate::RuleFix {
        summary: Some("Disable local accounts and sign in through Entra ID."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --disable-local-accounts"],
        iac: &[crate::IacSetting::new(
            "disableLocalAccounts",
            "true",
            "local_account_disabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get("disableLocalAccounts") {
        Lookup::Unknown(_) => return,
        Lookup::Absent => "`disableLocalAccounts` not set; the default is false",
        Lookup::Known(_) => match flag(cluster, "disableLocalAccounts", false) {
            Some(false) => "`disableLocalAccounts: false`",
            _ => return,
        },
    };
    let entra = matches!(cluster.settings.get("aadProfile"), Lookup::Known(_))
        && flag(cluster, "aadProfile.managed", false) == Some(true);
    let flags = if entra {
        "--disable-local-accounts"
    } else {
        "--enable-aad --aad-admin-group-object-ids <group-id> --disable-local-accounts"
    };
    let message = format!(
        "Local accounts are enabled ({state}): static cluster-admin \
         credentials bypass Entra ID."
    );
    let fix = with_commands(&RULE, [az_aks_update(cluster, flags)]);
    out.report(Violation::at(attr_pos(cluster, "disableLocalAccounts"), message).with_fix(fix));
}
