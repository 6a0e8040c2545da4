use aksguard_model::{Inventory, Severity};

use crate::azure_fix::AzureTarget;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::clusters;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS035",
    slug: "no-planned-maintenance-window",
    title: "Cluster has no planned maintenance window",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every AKS cluster with no maintenance configuration joined to it in the scan \
             (ARM `Microsoft.ContainerService/managedClusters/maintenanceConfigurations`, \
             Terraform `maintenance_window`, `maintenance_window_auto_upgrade` or \
             `maintenance_window_node_os` blocks, `az aks maintenanceconfiguration list` output \
             joined by resource ID): any configuration (`default`, \
             `aksManagedAutoUpgradeSchedule`, `aksManagedNodeOSUpgradeSchedule`) passes. \
             Without `--complete` the message says one may exist outside the scanned files; \
             with `--complete` the absence is stated as a fact. Maintenance configurations are \
             child resources that `az aks show` and the REST cluster body never include, so a \
             cluster read from those alone is not judged (the scan lists the rule as not \
             judged) unless its `az aks maintenanceconfiguration list` output is scanned too \
             or `--complete` says the scan holds them all.",
    rationale: "Without a maintenance window AKS applies auto-upgrades, node OS image updates \
                and its weekly releases whenever it chooses, including peak hours. Teams that \
                fear unplanned disruption then turn auto-upgrade off, and security patches \
                stop arriving. A window makes automatic patching predictable enough to keep it \
                on.",
    remediation: "Add a maintenance configuration (`aksManagedAutoUpgradeSchedule` for cluster \
                  upgrades, `aksManagedNodeOSUpgradeSchedule` for node OS updates) with a \
                  weekly window outside business hours.",
    references: &[
        Reference::Guide(
            "Use planned maintenance to schedule and control upgrades for your AKS cluster",
            "https://learn.microsoft.com/azure/aks/planned-maintenance",
        ),
        Reference::Guide(
            "Automatically upgrade an AKS cluster",
            "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some("Add a planned maintenance window for upgrades."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks maintenanceconfiguration add --resource-group {group} --cluster-name {cluster} --name aksManagedAutoUpgradeSchedule --schedule-type Weekly --day-of-week Sunday --interval-weeks 1 --start-time 00:00 --duration 4",
        ],
        iac: &[crate::IacSetting::new(
            "",
            "",
            "maintenance_window_auto_upgrade.frequency",
            "\"Weekly\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Why a cluster from `az` JSON alone is not judged.
const NOT_IN_SOURCE: &str = "`az aks show`/`az aks list` JSON and REST cluster bodies never \
                             hold maintenance configurations (child resources): scan the \
                             cluster's `az aks maintenanceconfiguration list` output too, or \
                             pass --complete if the scan holds them all";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let complete = out.settings().complete_for(&["MaintenanceConfiguration"]);
    for cluster in clusters(inventory) {
        if !cluster.holds.maintenance_configurations && !complete {
            out.undecided(NOT_IN_SOURCE);
            continue;
        }
        if !cluster.maintenance_configurations.is_empty() {
            continue;
        }
        let message = if complete {
            "the cluster has no maintenance configuration (`--complete`): auto-upgrades and \
             node OS updates run at any time AKS chooses."
                .to_owned()
        } else {
            "no maintenance configuration for the cluster is in the scanned files: unless one \
             exists elsewhere, auto-upgrades and node OS updates run at any time AKS chooses."
                .to_owned()
        };
        out.report_on(
            &RULE,
            &AzureTarget::Cluster(cluster),
            Violation::at(cluster.pos, message),
        );
    }
}
