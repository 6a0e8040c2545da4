use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pool_pos_of};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS023",
    slug: "no-encryption-at-host",
    title: "Node pool without encryption at host",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool of the cluster: reported when `enableEncryptionAtHost` is false \
             or not set (the API default is false). One finding per pool, naming it, at the \
             attribute's line or the pool's first line. An unresolvable value is not \
             reported.",
    rationale: "Managed OS and data disks are encrypted at rest by Azure Storage, but a node's \
                temporary disk and the disk caches on the VM host are not unless encryption at \
                host is on. Container images, emptyDir volumes, logs and swapped-out secrets on \
                those disks then sit unencrypted on shared hardware.",
    remediation: "Encryption at host can only be chosen when a node pool is created: add a \
                  replacement pool with `az aks nodepool add --enable-encryption-at-host` \
                  (the subscription needs the `Microsoft.Compute/EncryptionAtHost` feature), \
                  move the workloads and delete the old pool. In templates set \
                  `enableEncryptionAtHost: true` (ARM) or `host_encryption_enabled = true` \
                  (Terraform azurerm v4; `enable_host_encryption` in v3).",
    references: &[
        Reference::Guide(
            "Host-based encryption on Azure Kubernetes Service (AKS)",
            "https://learn.microsoft.com/azure/aks/enable-host-encryption",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_227")),
    ],
    fix: crate::RuleFix {
        summary: Some("Replace the node pool with one that encrypts at host."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks nodepool add --resource-group {group} --cluster-name {cluster} --name <new-pool> --enable-encryption-at-host <options of the old pool>",
            "az aks nodepool delete --resource-group {group} --cluster-name {cluster} --name {pool}",
        ],
        iac: &[crate::IacSetting::new(
            "enableEncryptionAtHost",
            "true",
            "host_encryption_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
};

const PATH: &str = "enableEncryptionAtHost";

fn check(_cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    let state = match pool.settings.get(PATH) {
        Lookup::Absent => "is not set (defaults to false)",
        lookup if lookup.node().and_then(node_flag) == Some(false) => "is false",
        _ => return,
    };
    let message = format!(
        "node pool `{}`: enableEncryptionAtHost {state}: its temporary disk and disk \
         caches are not encrypted on the VM host, and it can only be set when a pool is \
         created.",
        pool.name,
    );
    out.report(Violation::at(pool_pos_of(pool, PATH), message));
}
