use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks_nodepool, clusters, node_flag, pool_pos_of, report_pool};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS020",
    slug: "node-pool-public-ip",
    title: "Node pool gives each node a public IP address",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "Every node pool of the cluster (`agentPoolProfiles`, ARM `agentPools` child \
             resources, Terraform `default_node_pool` and `azurerm_kubernetes_cluster_node_pool`): \
             reported when `enableNodePublicIP` (az: `enableNodePublicIp`) is true. Not set \
             means false (the API default). One finding per pool, naming it, at the \
             attribute's line; an unresolvable value is not reported.",
    rationale: "With node public IPs every node VM is directly addressable from the internet: \
                kubelet, SSH and any hostPort or NodePort listener are exposed to scanning and \
                attack without passing a load balancer, firewall or ingress, and the nodes \
                bypass the cluster's egress path.",
    remediation: "Node public IPs cannot be turned off on an existing node pool: add a \
                  replacement pool without `--enable-node-public-ip` (`az aks nodepool add`), \
                  move the workloads, then delete the old pool (`az aks nodepool delete`). In \
                  templates set `enableNodePublicIP: false` (ARM) or \
                  `node_public_ip_enabled = false` (Terraform azurerm v4; \
                  `enable_node_public_ip` in v3).",
    references: &[
        Reference::CisAks("5.4.3"),
        Reference::Guide(
            "Use instance-level public IP addresses in AKS",
            "https://learn.microsoft.com/azure/aks/use-node-public-ips",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_143")),
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "enableNodePublicIP";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        for pool in &cluster.node_pools {
            if pool.settings.get(PATH).node().and_then(node_flag) != Some(true) {
                continue;
            }
            // Pool names are lowercase letters and digits: leave the new name to the user.
            let add = az_aks_nodepool(cluster, "add", "", "<options of the old pool>")
                .replace("--name <pool>", "--name <new-pool>");
            let message = format!(
                "node pool `{}` has enableNodePublicIP: true: every node gets a public IP \
                 address reachable from the internet. This cannot be changed on an existing \
                 pool: add a replacement pool without public IPs (`{}`, no \
                 `--enable-node-public-ip`), move the workloads, then delete the old one (`{}`). \
                 ARM `enableNodePublicIP: false`, Terraform `node_public_ip_enabled = false` \
                 (azurerm v3: `enable_node_public_ip`).",
                pool.name,
                add,
                az_aks_nodepool(cluster, "delete", &pool.name, ""),
            );
            report_pool(out, cluster, pool, pool_pos_of(pool, PATH), message);
        }
    }
}
