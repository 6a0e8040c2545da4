use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::pos_of;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS027",
    slug: "os-disk-without-cmk",
    title: "Node OS disks are not encrypted with a customer-managed key",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "The cluster's `diskEncryptionSetID`: reported when it is not set or empty (node \
             OS and data disks then use platform-managed keys). Any value, and an \
             unresolvable one, passes; the key behind the disk encryption set is not \
             inspected.",
    rationale: "With platform-managed keys Microsoft holds and rotates the key protecting the \
                node disks. A customer-managed key in your Key Vault lets you control \
                rotation, audit key use and revoke access to the disks, which many compliance \
                regimes require for data at rest.",
    remediation: "Create a disk encryption set backed by a Key Vault key and create the \
                  cluster with it (`az aks create --node-osdisk-diskencryptionset-id`); it \
                  cannot be added to an existing cluster. ARM `diskEncryptionSetID`, \
                  Terraform `disk_encryption_set_id`.",
    references: &[Reference::Guide(
        "Bring your own keys (BYOK) with Azure managed disks in AKS",
        "https://learn.microsoft.com/azure/aks/azure-disk-customer-managed-keys",
    )],
    fix: crate::RuleFix {
        summary: Some("Re-create the cluster with OS disks encrypted by your disk encryption set."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &[
            "az aks create {cluster-args} --node-osdisk-diskencryptionset-id <disk-encryption-set-id> <other options of the cluster>",
        ],
        iac: &[crate::IacSetting::new(
            "diskEncryptionSetID",
            "\"<disk-encryption-set-id>\"",
            "disk_encryption_set_id",
            "\"<disk-encryption-set-id>\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "diskEncryptionSetID";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get(PATH) {
        Lookup::Absent => "is not set",
        lookup if lookup.as_str().is_some_and(|id| id.trim().is_empty()) => "is empty",
        _ => return,
    };
    let message = format!(
        "diskEncryptionSetID {state}: node OS disks are encrypted with platform-managed \
         keys only, and the key can only be chosen when the cluster is created."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
