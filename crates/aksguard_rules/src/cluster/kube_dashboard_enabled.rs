use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks, clusters, node_flag, pos_of, report};
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
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "addonProfiles.kubeDashboard.enabled";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        if cluster.settings.get(PATH).node().and_then(node_flag) != Some(true) {
            continue;
        }
        let message = format!(
            "addonProfiles.kubeDashboard.enabled is true: the deprecated Kubernetes dashboard \
             runs in the cluster with a privileged service account. Fix: `{}`; ARM \
             `addonProfiles.kubeDashboard.enabled: false`; use the Azure portal's Kubernetes \
             resource view instead.",
            az_aks(cluster, "disable-addons", "--addons kube-dashboard"),
        );
        report(out, cluster, pos_of(cluster, PATH), message);
    }
}
