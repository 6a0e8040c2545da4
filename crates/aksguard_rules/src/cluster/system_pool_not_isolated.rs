use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};
use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::free_tier_cluster::is_critical_addons_only_taint;
use crate::cluster::helpers::{
    az_aks_nodepool, clusters, fix, node_flag, pool_pos_of, report_pool,
};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS038",
    slug: "system-pool-not-isolated",
    title: "System node pool without the CriticalAddonsOnly taint or with fewer than 3 nodes",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool in `System` mode (Terraform `default_node_pool` and pools with \
             `mode = \"System\"`), two separate findings: (1) `nodeTaints` (Terraform \
             `only_critical_addons_enabled = true`) does not contain \
             `CriticalAddonsOnly=true:NoSchedule` (or `:NoExecute`), so application pods can \
             be scheduled beside CoreDNS, konnectivity and the security agents; (2) the pool \
             has fewer than 3 nodes: `minCount` when `enableAutoScaling` is true, else `count` \
             (absent: the API default 1). Pools in `User` mode or with no known mode are not \
             checked; unresolvable values never fire.",
    rationale: "System pods (CoreDNS, metrics-server, konnectivity, Azure Policy/Gatekeeper, \
                Defender) keep the cluster and its controls running. On an untainted system \
                pool an application pod, or a compromised one, shares nodes with them and can \
                starve or attack them. With fewer than three nodes a single node failure or \
                upgrade leaves the system components without capacity or redundancy.",
    remediation: "Taint the system pool with `CriticalAddonsOnly=true:NoSchedule`, run \
                  applications in User pools, and keep at least three system nodes (auto-scaler \
                  minimum 3).",
    references: &[
        Reference::Guide(
            "Manage system node pools in Azure Kubernetes Service (AKS)",
            "https://learn.microsoft.com/azure/aks/use-system-pools",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_232")),
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn is_system(pool: &NodePool) -> bool {
    pool.settings
        .get("mode")
        .as_str()
        .is_some_and(|mode| mode.trim().eq_ignore_ascii_case("system"))
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        for pool in cluster.node_pools.iter().filter(|p| is_system(p)) {
            check_taint(cluster, pool, out);
            check_size(cluster, pool, out);
        }
    }
}

fn check_taint(cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    const PATH: &str = "nodeTaints";
    let state = match pool.settings.get(PATH) {
        Lookup::Known(taints) => {
            if taints
                .items()
                .iter()
                .any(|t| t.as_str().is_some_and(is_critical_addons_only_taint))
            {
                return;
            }
            if !taints.is_seq() {
                return;
            }
            format!("`{PATH}` lacks `CriticalAddonsOnly=true:NoSchedule`")
        }
        Lookup::Absent => format!("`{PATH}` is not set (no `CriticalAddonsOnly` taint)"),
        Lookup::Unknown(_) => return,
    };
    let mut message = format!(
        "system node pool `{}`: {state}, so application pods can be scheduled beside the \
         cluster's system components.",
        pool.name
    );
    message.push_str(&fix(
        &az_aks_nodepool(
            cluster,
            "update",
            &pool.name,
            "--node-taints CriticalAddonsOnly=true:NoSchedule",
        ),
        "the agent pool's `nodeTaints: [\"CriticalAddonsOnly=true:NoSchedule\"]`",
        "`only_critical_addons_enabled = true` in `default_node_pool` (or `node_taints` on an \
         `azurerm_kubernetes_cluster_node_pool`)",
    ));
    report_pool(out, cluster, pool, pool_pos_of(pool, PATH), message);
}

fn check_size(cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    let autoscaling = match pool.settings.get("enableAutoScaling") {
        Lookup::Known(node) => match node_flag(node) {
            Some(enabled) => enabled,
            None => return,
        },
        Lookup::Absent => false,
        Lookup::Unknown(_) => return,
    };
    let path = if autoscaling { "minCount" } else { "count" };
    let (nodes, state) = match pool.settings.get(path) {
        Lookup::Known(node) => match node.as_i64() {
            Some(n) => (n, format!("`{path}` is {n}")),
            None => return,
        },
        // The API default for `count` is 1; an autoscaled pool without minCount is invalid.
        Lookup::Absent if !autoscaling => (1, format!("`{path}` is not set (defaults to 1)")),
        Lookup::Absent | Lookup::Unknown(_) => return,
    };
    if nodes >= 3 {
        return;
    }
    let (command, terraform) = if autoscaling {
        let max = pool
            .settings
            .get("maxCount")
            .node()
            .and_then(|n| n.as_i64())
            .filter(|max| *max >= 3)
            .map_or_else(|| "<max>".to_owned(), |max| max.to_string());
        (
            az_aks_nodepool(
                cluster,
                "update",
                &pool.name,
                &format!("--update-cluster-autoscaler --min-count 3 --max-count {max}"),
            ),
            "`min_count = 3` on the pool",
        )
    } else {
        (
            az_aks_nodepool(cluster, "scale", &pool.name, "--node-count 3"),
            "`node_count = 3` on the pool",
        )
    };
    let arm = if autoscaling {
        "the agent pool's `minCount: 3`"
    } else {
        "the agent pool's `count: 3`"
    };
    let mut message = format!(
        "system node pool `{}`: {state}, fewer than 3 nodes: one node failure or upgrade \
         leaves the system components without redundancy.",
        pool.name
    );
    message.push_str(&fix(&command, arm, terraform));
    report_pool(out, cluster, pool, pool_pos_of(pool, path), message);
}
