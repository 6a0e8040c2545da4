use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::azure_fix::with_commands;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{az_aks_nodepool, pool_pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS037",
    slug: "node-pool-without-availability-zones",
    title: "Node pool is not spread across availability zones",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool of every AKS cluster whose `availabilityZones` (Terraform \
             `zones`) is absent or an empty list. A pool in a single zone is not reported \
             (a deliberate zonal pool); an unresolvable list never fires. Zones are fixed \
             when a pool is created, so the fix adds a zonal pool and moves workloads. Some \
             regions have no availability zones: ignore the finding there.",
    rationale: "A pool without zones places its nodes wherever Azure finds capacity, possibly \
                all in one datacenter: a zone outage then takes down every node and the \
                workloads and security agents on them together. Spreading the pool over zones \
                keeps the cluster and its defences running through a datacenter failure.",
    remediation: "Create a replacement node pool with `--zones 1 2 3` (zones cannot be added \
                  to an existing pool), move workloads to it, and delete the old pool.",
    references: &[Reference::Guide(
        "Create an AKS cluster that uses availability zones",
        "https://learn.microsoft.com/azure/aks/availability-zones",
    )],
    fix: crate::RuleFix {
        summary: Some("Replace the node pool with one spread across availability zones."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks nodepool add --resource-group {group} --cluster-name {cluster} --name <new-pool> --zones 1 2 3 <options of the old pool>",
            "az aks nodepool delete --resource-group {group} --cluster-name {cluster} --name {pool}",
        ],
        iac: &[crate::IacSetting::new(
            "availabilityZones",
            "[\"1\", \"2\", \"3\"]",
            "zones",
            "[\"1\", \"2\", \"3\"]",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
};

fn check(cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    const PATH: &str = "availabilityZones";
    let state = match pool.settings.get(PATH) {
        Lookup::Known(zones) if zones.items().is_empty() && zones.is_seq() => {
            format!("`{PATH}` is empty")
        }
        Lookup::Known(_) | Lookup::Unknown(_) => return,
        Lookup::Absent => format!("`{PATH}` is not set"),
    };
    let message = format!(
        "node pool `{}`: {state}, so its nodes may all sit in one datacenter; zones \
         are fixed at creation, so add a zonal pool, move workloads and delete this \
         one.",
        pool.name
    );
    let mode = pool
        .settings
        .get("mode")
        .as_str()
        .filter(|m| m.eq_ignore_ascii_case("system"))
        .map_or("User", |_| "System");
    let commands = [
        new_pool_command(cluster, &format!("--mode {mode} --zones 1 2 3")),
        az_aks_nodepool(cluster, "delete", &pool.name, ""),
    ];
    let fix = with_commands(&RULE, commands);
    out.report(Violation::at(pool_pos_of(pool, PATH), message).with_fix(fix));
}

/// `az aks nodepool add … --name <new-pool> <flags>`: the replacement pool's name is the
/// user's choice (Linux pool names: at most 12 lower-case letters and digits).
pub(crate) fn new_pool_command(
    cluster: &aksguard_model::azure::ManagedCluster,
    flags: &str,
) -> String {
    az_aks_nodepool(cluster, "add", "<pool>", flags).replacen(
        "--name <pool>",
        "--name <new-pool>",
        1,
    )
}
