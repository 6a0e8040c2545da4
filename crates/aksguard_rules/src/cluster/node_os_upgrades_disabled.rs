use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::pos_of;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS019",
    slug: "node-os-upgrades-disabled",
    title: "Node OS upgrade channel is None or Unmanaged",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "The cluster's `autoUpgradeProfile.nodeOSUpgradeChannel` (az: \
             `nodeOsUpgradeChannel`): reported when it is `None` or `Unmanaged` (any case). \
             `NodeImage` and `SecurityPatch` pass. Not set passes: the API default for new \
             clusters is `NodeImage` (clusters created before that default, and az output \
             that omits the field, can differ; check `az aks show`). An unresolvable value is \
             not reported.",
    rationale: "Node OS security patches reach AKS nodes only through the node OS upgrade \
                channel. With `None` AKS never patches the nodes; with `Unmanaged` patching is \
                left to the node OS's own update mechanism, outside AKS's cordon, drain and \
                reboot handling, so fixes that need a reboot or a new node image may never \
                take effect.",
    remediation: "Set the node OS upgrade channel to `NodeImage` (or `SecurityPatch`) with `az \
                  aks update --node-os-upgrade-channel`, ARM \
                  `autoUpgradeProfile.nodeOSUpgradeChannel` or Terraform \
                  `node_os_upgrade_channel` (azurerm v4; `node_os_channel_upgrade` in v3).",
    references: &[Reference::Guide(
        "Auto-upgrade node OS images in AKS",
        "https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image",
    )],
    fix: crate::RuleFix {
        summary: Some("Let AKS patch the node OS (NodeImage channel)."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --node-os-upgrade-channel NodeImage"],
        iac: &[crate::IacSetting::new(
            "autoUpgradeProfile.nodeOSUpgradeChannel",
            "\"NodeImage\"",
            "node_os_upgrade_channel",
            "\"NodeImage\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "autoUpgradeProfile.nodeOSUpgradeChannel";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let Some(value) = cluster.settings.get(PATH).as_str() else {
        return;
    };
    let consequence = if value.eq_ignore_ascii_case("none") {
        "nodes never receive OS security patches from AKS"
    } else if value.eq_ignore_ascii_case("unmanaged") {
        "OS patching is left to the nodes' own update mechanism, without AKS's \
         coordinated node image upgrades and reboots"
    } else {
        return;
    };
    let message = format!("autoUpgradeProfile.nodeOSUpgradeChannel is `{value}`: {consequence}.");
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
