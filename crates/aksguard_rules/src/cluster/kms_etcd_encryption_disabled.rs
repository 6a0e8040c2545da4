use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::meta::{Check, Family, Reference, Rule};

const ENABLED: &str = "securityProfile.azureKeyVaultKms.enabled";

pub(crate) static RULE: Rule = Rule {
    id: "AKS014",
    slug: "kms-etcd-encryption-disabled",
    title: "etcd secrets not encrypted with a customer-managed Key Vault key (KMS)",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every managed cluster: fires when `securityProfile.azureKeyVaultKms.enabled` \
             (Terraform: a `key_management_service` block) is known false or absent (the \
             default is false: platform-managed keys only). An unresolvable value never fires. \
             Reported at `enabled`, else at its enclosing object when that is written, else at \
             the cluster's first line.",
    rationale: "Without KMS, Kubernetes Secrets in etcd are protected only by Azure's \
                platform-managed disk encryption: you cannot revoke access by disabling a key, \
                rotate the key on your schedule, or prove key custody for compliance. KMS \
                envelope-encrypts each Secret with a key you hold in Azure Key Vault.",
    remediation: "Enable KMS etcd encryption with a Key Vault key (`az aks update \
                  --enable-azure-keyvault-kms --azure-keyvault-kms-key-id <key-id>`, for a \
                  private vault also `--azure-keyvault-kms-key-vault-network-access Private \
                  --azure-keyvault-kms-key-vault-resource-id <vault-id>`; ARM \
                  `securityProfile.azureKeyVaultKms`; Terraform `key_management_service { \
                  key_vault_key_id = ... }`).",
    references: &[
        Reference::CisAks("5.3.1"),
        Reference::Guide(
            "Add Key Management Service etcd encryption to an AKS cluster",
            "https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some("Encrypt etcd with a customer-managed Key Vault key (KMS)."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &[
            "az aks update {cluster-args} --enable-azure-keyvault-kms --azure-keyvault-kms-key-id <key-id>",
        ],
        iac: &[crate::IacSetting::new(
            "securityProfile.azureKeyVaultKms.enabled",
            "true",
            "key_management_service.key_vault_key_id",
            "\"<key-id>\"",
        )],
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
        Lookup::Absent => {
            "`securityProfile.azureKeyVaultKms.enabled` not set; the default is false"
        }
        _ => "`securityProfile.azureKeyVaultKms.enabled: false`",
    };
    let message = format!(
        "Kubernetes Secrets in etcd are not encrypted with a customer-managed key \
         ({state})."
    );
    out.report(Violation::at(attr_pos(cluster, ENABLED), message));
}
