use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS030",
    slug: "kube-dashboard-enabled",
    title: "Kubernetes dashboard add-on is enabled",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "The cluster's `addonProfiles.kubeDashboard.enabled` (key matched \
             case-insensitively): reported when it is true.",
    rationale: "The Kubernetes dashboard add-on runs a web UI inside the cluster with a \
                service account that can read (and in old setups change) cluster resources, \
                including Secrets; exposed dashboards have been a common way into clusters. \
                The add-on is deprecated and unsupported for Kubernetes 1.19 and later; the \
                Azure portal's Kubernetes resource view replaces it.",
    remediation: "Disable the add-on with `az aks disable-addons --addons kube-dashboard`, \
                  ARM `addonProfiles.kubeDashboard.enabled: false` (Terraform azurerm v2 \
                  `addon_profile { kube_dashboard { enabled = false } }`; later versions \
                  cannot enable it), and use the Azure portal resource view instead.",
    references: &[
        Reference::Guide(
            "Access Kubernetes resources from the Azure portal",
            "https://learn.microsoft.com/azure/aks/kubernetes-portal",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_8")),
    ],
    fix: crate::RuleFix {
        summary: Some("Disable the Kubernetes dashboard add-on."),
        safety: aksguard_model::FixSafety::Safe,
        commands: &["az aks disable-addons {cluster-args} --addons kube-dashboard"],
        iac: &[crate::IacSetting::arm(
            "addonProfiles.kubeDashboard.enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "addonProfiles.kubeDashboard.enabled";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if cluster.settings.get(PATH).node().and_then(node_flag) != Some(true) {
        return;
    }
    let message = format!(
        "addonProfiles.kubeDashboard.enabled is true: the deprecated Kubernetes dashboard \
         runs in the cluster with a privileged service account."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
