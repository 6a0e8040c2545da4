use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::attr_pos;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const PLUGIN: &str = "networkProfile.networkPlugin";

pub(crate) static RULE: Rule = Rule {
    id: "AKS009",
    slug: "kubenet-network-plugin",
    title: "AKS cluster uses the kubenet network plugin (retiring; no Azure NPM)",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every managed cluster: fires when `networkProfile.networkPlugin` (Terraform \
             `network_profile.network_plugin`) is known to be `kubenet`. Absent passes: the \
             default has changed across API versions and tools (older API versions chose \
             kubenet, current `az aks create` chooses Azure CNI Overlay), and `az aks show` \
             and REST output always report the plugin. Unresolvable values never fire. \
             Reported at `networkPlugin`.",
    rationale: "kubenet routes pod traffic through user-defined routes and NAT, supports only \
                Calico for network policy, cannot use Azure CNI features such as Cilium, \
                and is retired for AKS on 31 March 2028. Azure CNI Overlay keeps the small \
                address footprint with a supported data plane.",
    remediation: "Migrate to Azure CNI Overlay (`az aks update --network-plugin azure \
                  --network-plugin-mode overlay`; ARM `networkProfile.networkPlugin: azure` \
                  with `networkPluginMode: overlay`; Terraform `network_plugin = \"azure\"` \
                  with `network_plugin_mode = \"overlay\"`).",
    references: &[
        Reference::Guide(
            "Update Azure CNI IPAM mode and data plane technology for AKS clusters",
            "https://learn.microsoft.com/azure/aks/upgrade-aks-ipam-and-dataplane",
        ),
        Reference::Guide(
            "Configure Azure CNI Overlay networking in AKS",
            "https://learn.microsoft.com/azure/aks/azure-cni-overlay",
        ),
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
    ],
    fix: crate::RuleFix {
        summary: Some("Migrate from kubenet to Azure CNI Overlay."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks update {cluster-args} --network-plugin azure --network-plugin-mode overlay",
        ],
        iac: &[
            crate::IacSetting::new(
                "networkProfile.networkPlugin",
                "\"azure\"",
                "network_profile.network_plugin",
                "\"azure\"",
            ),
            crate::IacSetting::new(
                "networkProfile.networkPluginMode",
                "\"overlay\"",
                "network_profile.network_plugin_mode",
                "\"overlay\"",
            ),
        ],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let kubenet = cluster
        .settings
        .get(PLUGIN)
        .as_str()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("kubenet"));
    if !kubenet {
        return;
    }
    let message = format!(
        "The cluster uses the kubenet network plugin, which supports only Calico for \
         network policy and is retired on 31 March 2028. The migration is one-way and \
         re-images every node pool."
    );
    out.report(Violation::at(attr_pos(cluster, PLUGIN), message));
}
