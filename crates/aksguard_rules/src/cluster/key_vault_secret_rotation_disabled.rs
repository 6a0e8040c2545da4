use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

const ENABLED: &str = "addonProfiles.azureKeyvaultSecretsProvider.enabled";
const CONFIG: &str = "addonProfiles.azureKeyvaultSecretsProvider.config";
const ROTATION: &str = "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation";

pub(crate) static RULE: Rule = Rule {
    id: "AKS013",
    slug: "key-vault-secret-rotation-disabled",
    title: "Key Vault CSI add-on without secret autorotation",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every managed cluster with `addonProfiles.azureKeyvaultSecretsProvider.enabled` \
             known true: fires when `config.enableSecretRotation` (a string in REST: `\"true\"` \
             or `\"false\"`; booleans accepted too; Terraform \
             `key_vault_secrets_provider.secret_rotation_enabled`) is known false or absent \
             (the default is off). Clusters without the add-on are AKS012's concern. An \
             unresolvable value never fires. Reported at `enableSecretRotation`, else at the \
             add-on's `config`, else at the add-on profile (Terraform: the \
             `key_vault_secrets_provider` block).",
    rationale: "Without autorotation the CSI driver reads a Key Vault secret once, at pod \
                start: a secret rotated or revoked in Key Vault (after a leak, or on schedule) \
                stays in use in every running pod, and synced Kubernetes Secrets keep the old \
                value, until each pod is restarted.",
    remediation: "Enable secret autorotation (`az aks addon update --addon \
                  azure-keyvault-secrets-provider --enable-secret-rotation`; ARM \
                  `addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation: \
                  \"true\"`; Terraform `secret_rotation_enabled = true`).",
    references: &[
        Reference::Guide(
            "Azure Key Vault provider for Secrets Store CSI Driver configuration options",
            "https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options",
        ),
        guides::CSI_SECRETS_STORE_DRIVER,
        Reference::Peer(same(Checkov, "CKV_AZURE_172")),
    ],
    fix: crate::RuleFix {
        summary: Some("Turn on secret rotation in the Key Vault CSI add-on."),
        safety: aksguard_model::FixSafety::Safe,
        commands: &[
            "az aks addon update {cluster-args} --addon azure-keyvault-secrets-provider --enable-secret-rotation",
        ],
        iac: &[crate::IacSetting::new(
            "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation",
            "\"true\"",
            "key_vault_secrets_provider.secret_rotation_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if flag(cluster, ENABLED, false) != Some(true) || flag(cluster, ROTATION, false) != Some(false)
    {
        return;
    }
    let state = match cluster.settings.get(ROTATION) {
        Lookup::Absent => "`config.enableSecretRotation` not set; the default is off",
        _ => "`config.enableSecretRotation: \"false\"`",
    };
    let message = format!(
        "The Key Vault CSI add-on does not rotate secrets ({state}): secrets changed in Key \
         Vault stay in use until pods restart."
    );
    // Rotation, else its `config`, else the add-on profile (the Terraform block).
    let pos = match cluster.settings.get(ROTATION) {
        Lookup::Known(node) => node.pos,
        _ => attr_pos(cluster, CONFIG),
    };
    out.report(Violation::at(pos, message));
}
