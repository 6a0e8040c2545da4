use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const ENABLED: &str = "addonProfiles.azureKeyvaultSecretsProvider.enabled";

pub(crate) static RULE: Rule = Rule {
    id: "AKS012",
    slug: "key-vault-csi-addon-disabled",
    title: "Key Vault Secrets Store CSI driver add-on not enabled on the AKS cluster",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster: fires when \
             `addonProfiles.azureKeyvaultSecretsProvider.enabled` (Terraform: a \
             `key_vault_secrets_provider` block) is known false, or when the add-on profile is \
             absent (off by default). An unresolvable value never fires. Reported at `enabled`, \
             else at its enclosing object when that is written, else at the cluster's first \
             line.",
    rationale: "Without the Key Vault provider for the Secrets Store CSI driver, workloads \
                keep their credentials in Kubernetes Secrets, which are only base64-encoded, \
                readable by anyone who can read Secrets in the namespace, and copied into \
                manifests and Helm values. The add-on mounts secrets from Azure Key Vault with \
                workload identity, access policies and audit logs.",
    remediation: "Enable the add-on (`az aks enable-addons --addons \
                  azure-keyvault-secrets-provider`; ARM \
                  `addonProfiles.azureKeyvaultSecretsProvider.enabled: true`; Terraform \
                  `key_vault_secrets_provider { secret_rotation_enabled = true }`) and move \
                  secrets to Key Vault.",
    references: &[Reference::CisAks("4.5.2"), guides::CSI_SECRETS_STORE_DRIVER],
    fix: crate::RuleFix {
        summary: Some("Enable the Key Vault Secrets Store CSI driver add-on."),
        safety: aksguard_model::FixSafety::Safe,
        commands: &["az aks enable-addons {cluster-args} --addons azure-keyvault-secrets-provider"],
        // The add-on with rotation on: enabling it without rotation would only trade this
        // finding for AKS013's (Terraform's block already sets rotation).
        iac: &[
            crate::IacSetting::new(
                "addonProfiles.azureKeyvaultSecretsProvider.enabled",
                "true",
                "key_vault_secrets_provider.secret_rotation_enabled",
                "true",
            ),
            crate::IacSetting::arm(
                "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation",
                "\"true\"",
            ),
        ],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if flag(cluster, ENABLED, false) != Some(false) {
        return;
    }
    let state = match cluster.settings.get(ENABLED) {
        Lookup::Absent => "is not enabled (no `azureKeyvaultSecretsProvider` add-on profile)",
        _ => "is disabled (`addonProfiles.azureKeyvaultSecretsProvider.enabled: false`)",
    };
    let message = format!(
        "The Azure Key Vault Secrets Store CSI driver add-on {state}: workloads cannot \
         mount secrets from Key Vault."
    );
    out.report(Violation::at(attr_pos(cluster, ENABLED), message));
}
