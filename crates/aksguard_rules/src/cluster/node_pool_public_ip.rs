use aksguard_model::Severity;
use aksguard_model::azure::{ManagedCluster, NodePool};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pool_pos_of};
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
    fix: crate::RuleFix {
        summary: Some("Replace the node pool with one whose nodes have no public IP."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks nodepool add --resource-group {group} --cluster-name {cluster} --name <new-pool> <options of the old pool>",
            "az aks nodepool delete --resource-group {group} --cluster-name {cluster} --name {pool}",
        ],
        iac: &[crate::IacSetting::new(
            "enableNodePublicIP",
            "false",
            "node_public_ip_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
};

const PATH: &str = "enableNodePublicIP";

fn check(_cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    if pool.settings.get(PATH).node().and_then(node_flag) != Some(true) {
        return;
    }
    // Pool names are lowercase letters and digits: leave the new name to the user.
    let message = format!(
        "node pool `{}` has enableNodePublicIP: true: every node gets a public IP \
         address reachable from the internet, and an existing pool cannot drop it.",
        pool.name,
    );
    out.report(Violation::at(pool_pos_of(pool, PATH), message));
}
