use aksguard_model::azure::{Lookup, NodePool};
use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks_nodepool, clusters, node_flag, pool_pos_of, report_pool};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS024",
    slug: "no-trusted-launch",
    title: "Node pool without Trusted Launch (secure boot and vTPM)",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool of the cluster: reported when `securityProfile.enableSecureBoot` \
             or `securityProfile.enableVTPM` is false or not set (both default to false). One \
             finding per pool naming the missing settings, at the first one's line or the \
             pool's first line. Unresolvable values are not reported. When neither is on the \
             pool was not created with Trusted Launch and must be replaced; when one is on, \
             the other can be enabled in place.",
    rationale: "Trusted Launch protects node VMs against boot kits and kernel-level rootkits: \
                secure boot lets only signed bootloaders, kernels and drivers start, and the \
                vTPM measures the boot chain so its integrity can be attested. Without them a \
                compromise that reaches the boot path persists across reboots undetected.",
    remediation: "Create node pools with Trusted Launch (`az aks nodepool add \
                  --enable-secure-boot --enable-vtpm`) and move workloads off pools without \
                  it; on a pool already created with Trusted Launch, `az aks nodepool update \
                  --enable-secure-boot --enable-vtpm` (these flags may need the aks-preview \
                  extension). ARM agent pool `securityProfile.enableSecureBoot: true` and \
                  `securityProfile.enableVTPM: true`.",
    references: &[Reference::Guide(
        "Trusted Launch for Azure Kubernetes Service (AKS)",
        "https://learn.microsoft.com/azure/aks/use-trusted-launch",
    )],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const SECURE_BOOT: &str = "securityProfile.enableSecureBoot";
const VTPM: &str = "securityProfile.enableVTPM";

/// `Some(description)` when the setting is known to be off.
fn off(pool: &NodePool, path: &str) -> Option<String> {
    match pool.settings.get(path) {
        Lookup::Absent => Some(format!("{path} is not set (defaults to false)")),
        lookup if lookup.node().and_then(node_flag) == Some(false) => {
            Some(format!("{path} is false"))
        }
        _ => None,
    }
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        for pool in &cluster.node_pools {
            let missing: Vec<(&str, String)> = [SECURE_BOOT, VTPM]
                .into_iter()
                .filter_map(|path| off(pool, path).map(|state| (path, state)))
                .collect();
            let Some((first, _)) = missing.first() else {
                continue;
            };
            let states: Vec<&str> = missing.iter().map(|(_, state)| state.as_str()).collect();
            let flags = "--enable-secure-boot --enable-vtpm";
            let fix = if missing.len() == 2 {
                let add = az_aks_nodepool(cluster, "add", "", flags)
                    .replace("--name <pool>", "--name <new-pool>");
                format!(
                    "Trusted Launch is chosen when a pool is created: add a replacement pool \
                     (`{add}`, with the old pool's other options), move the workloads, then \
                     `{}`.",
                    az_aks_nodepool(cluster, "delete", &pool.name, ""),
                )
            } else {
                let flag = if *first == SECURE_BOOT {
                    "--enable-secure-boot"
                } else {
                    "--enable-vtpm"
                };
                format!(
                    "Fix: `{}` (may need the aks-preview extension).",
                    az_aks_nodepool(cluster, "update", &pool.name, flag),
                )
            };
            let message = format!(
                "node pool `{}`: {}: its nodes boot without Trusted Launch protection. {fix} \
                 ARM agent pool `securityProfile.enableSecureBoot: true` and \
                 `securityProfile.enableVTPM: true`.",
                pool.name,
                states.join("; "),
            );
            report_pool(out, cluster, pool, pool_pos_of(pool, first), message);
        }
    }
}
