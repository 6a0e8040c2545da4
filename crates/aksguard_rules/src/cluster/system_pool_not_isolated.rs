use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::azure_fix::{AzureTarget, with_commands};
use crate::checker::{Checker, Violation};
use crate::cluster::free_tier_cluster::is_critical_addons_only_taint;
use crate::cluster::helpers::{az_aks_nodepool, node_flag, pool_pos_of};
use crate::meta::{Check, Family, IacSetting, Reference, Rule};
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
    fix: crate::RuleFix {
        commands: &[
            "az aks nodepool update --resource-group {group} --cluster-name {cluster} --name {pool} --node-taints CriticalAddonsOnly=true:NoSchedule",
        ],
        summary: Some(
            "Taint the system node pool `CriticalAddonsOnly=true:NoSchedule` and run it on at \
             least 3 nodes.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn is_system(pool: &NodePool) -> bool {
    pool.settings
        .get("mode")
        .as_str()
        .is_some_and(|mode| mode.trim().eq_ignore_ascii_case("system"))
}

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    for (index, pool) in cluster.node_pools.iter().enumerate() {
        if is_system(pool) {
            check_taint(cluster, pool, index, out);
            check_size(cluster, pool, index, out);
        }
    }
}

fn check_taint(cluster: &ManagedCluster, pool: &NodePool, index: usize, out: &mut Checker<'_>) {
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
    let message = format!(
        "system node pool `{}`: {state}, so application pods can be scheduled beside the \
         cluster's system components.",
        pool.name
    );
    let command = az_aks_nodepool(
        cluster,
        "update",
        &pool.name,
        "--node-taints CriticalAddonsOnly=true:NoSchedule",
    );
    let mut fix = with_commands(&RULE, [command]);
    fix.iac = [AzureTarget::Pool {
        cluster,
        pool,
        index,
    }]
    .iter()
    .filter_map(|target| {
        target.iac(&IacSetting::new(
            "nodeTaints",
            "[\"CriticalAddonsOnly=true:NoSchedule\"]",
            "only_critical_addons_enabled",
            "true",
        ))
    })
    .collect();
    out.report(
        Violation::at(pool_pos_of(pool, PATH), message)
            .on_azure("ManagedCluster", &cluster.name, &pool.source)
            .with_fix(fix),
    );
}

fn check_size(cluster: &ManagedCluster, pool: &NodePool, index: usize, out: &mut Checker<'_>) {
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
    let (command, setting) = if autoscaling {
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
            IacSetting::new("minCount", "3", "min_count", "3"),
        )
    } else {
        (
            az_aks_nodepool(cluster, "scale", &pool.name, "--node-count 3"),
            IacSetting::new("count", "3", "node_count", "3"),
        )
    };
    let message = format!(
        "system node pool `{}`: {state}, fewer than 3 nodes: one node failure or upgrade \
         leaves the system components without redundancy.",
        pool.name
    );
    let mut fix = with_commands(&RULE, [command]);
    let target = AzureTarget::Pool {
        cluster,
        pool,
        index,
    };
    fix.iac.extend(target.iac(&setting));
    fix.summary = "Run the system node pool on at least 3 nodes.".to_owned();
    out.report(
        Violation::at(pool_pos_of(pool, path), message)
            .on_azure("ManagedCluster", &cluster.name, &pool.source)
            .with_fix(fix),
    );
}
