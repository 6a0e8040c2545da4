use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::pos_of;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS018",
    slug: "no-auto-upgrade-channel",
    title: "Cluster has no automatic upgrade channel",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "The cluster's `autoUpgradeProfile.upgradeChannel`: reported when it is `none` or \
             not set (the API default is `none`). `patch`, `stable`, `rapid` and `node-image` \
             pass (`node-image` upgrades node images only; the node OS channel is AKS019's). \
             An unresolvable value is not reported.",
    rationale: "Without an auto-upgrade channel the cluster stays on the Kubernetes patch and \
                minor version it was created with until someone upgrades it by hand: security \
                patches for the API server and kubelet are not applied, and the version drifts \
                towards the end of AKS support.",
    remediation: "Set an auto-upgrade channel (`stable` or `patch` for most clusters) with `az \
                  aks update --auto-upgrade-channel`, ARM \
                  `autoUpgradeProfile.upgradeChannel` or Terraform \
                  `automatic_upgrade_channel` (azurerm v4; `automatic_channel_upgrade` in v3), \
                  and a planned maintenance window for it.",
    references: &[
        Reference::Guide(
            "Automatically upgrade an AKS cluster",
            "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster",
        ),
        guides::AKS_CLUSTER_SECURITY_BEST_PRACTICES,
        Reference::Peer(same(Checkov, "CKV_AZURE_171")),
    ],
    fix: crate::RuleFix {
        summary: Some("Set an automatic upgrade channel."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --auto-upgrade-channel stable"],
        iac: &[crate::IacSetting::new(
            "autoUpgradeProfile.upgradeChannel",
            "\"stable\"",
            "automatic_upgrade_channel",
            "\"stable\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "autoUpgradeProfile.upgradeChannel";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get(PATH) {
        Lookup::Absent => "is not set (defaults to `none`)".to_owned(),
        Lookup::Known(node) => match node.as_str() {
            Some(value) if value.eq_ignore_ascii_case("none") => format!("is `{value}`"),
            _ => return,
        },
        Lookup::Unknown(_) => return,
    };
    let message = format!(
        "autoUpgradeProfile.upgradeChannel {state}: the cluster's Kubernetes version is \
         never upgraded automatically."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
