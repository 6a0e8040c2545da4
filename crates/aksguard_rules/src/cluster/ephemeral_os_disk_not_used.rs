use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::azure_fix::with_commands;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::az_aks_nodepool;
use crate::cluster::helpers::pool_pos_of;
use crate::cluster::node_pool_without_availability_zones::new_pool_command;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS041",
    slug: "ephemeral-os-disk-not-used",
    title: "Node pool does not use ephemeral OS disks",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool of every AKS cluster whose `osDiskType` (Terraform \
             `os_disk_type`) is known and not `Ephemeral` (case-insensitive), or absent. When \
             absent, AKS picks Ephemeral only if the VM size has a cache or temporary disk \
             large enough for the requested OS disk, and Managed otherwise (the azurerm \
             provider defaults to `Managed`), so the finding says \"not set\". An \
             unresolvable value never fires. The OS disk type is fixed when a pool is \
             created: the fix adds a pool and moves workloads.",
    rationale: "Ephemeral OS disks live on the VM host's local storage and are recreated from \
                the image on every reimage: nothing an attacker writes to a node's OS disk \
                survives a reimage or upgrade, node state cannot drift, and no OS disk is left \
                in remote storage. Managed OS disks persist across reboots and keep whatever \
                was written to them.",
    remediation: "Create the node pool with `--node-osdisk-type Ephemeral` on a VM size whose \
                  cache or temporary disk fits the OS disk, move workloads to it and delete \
                  the old pool.",
    references: &[
        Reference::Guide(
            "Ephemeral OS disks in AKS (storage concepts)",
            "https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_226")),
    ],
    fix: crate::RuleFix {
        summary: Some("Use ephemeral OS disks: add a pool with them and move the workloads."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks nodepool add --resource-group {group} --cluster-name {cluster} --name <new-pool> --node-osdisk-type Ephemeral <options of the old pool>",
            "az aks nodepool delete --resource-group {group} --cluster-name {cluster} --name {pool}",
        ],
        iac: &[crate::IacSetting::new(
            "osDiskType",
            "\"Ephemeral\"",
            "os_disk_type",
            "\"Ephemeral\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
};

fn check(cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    const PATH: &str = "osDiskType";
    let state = match pool.settings.get(PATH) {
        Lookup::Known(node) => match node.as_str() {
            Some(kind) if kind.trim().eq_ignore_ascii_case("ephemeral") => return,
            Some(kind) => format!("`{PATH}` is `{kind}`"),
            None => return,
        },
        Lookup::Absent => format!(
            "`{PATH}` is not set (AKS uses Ephemeral only when the VM size's cache or \
             temporary disk fits the OS disk, Managed otherwise)"
        ),
        Lookup::Unknown(_) => return,
    };
    let mode = pool
        .settings
        .get("mode")
        .as_str()
        .filter(|m| m.trim().eq_ignore_ascii_case("system"))
        .map_or("User", |_| "System");
    let message = format!(
        "node pool `{}`: {state}; the OS disk type is fixed at creation, so add a pool \
         with ephemeral OS disks, move workloads and delete this one.",
        pool.name
    );
    let commands = [
        new_pool_command(
            cluster,
            &format!("--mode {mode} --node-osdisk-type Ephemeral"),
        ),
        az_aks_nodepool(cluster, "delete", &pool.name, ""),
    ];
    let fix = with_commands(&RULE, commands);
    out.report(Violation::at(pool_pos_of(pool, PATH), message).with_fix(fix));
}
