use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{attr_pos, az_aks, clusters, fix, flag, report};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

const OMSAGENT: &str = "addonProfiles.omsagent.enabled";
const CONTAINER_INSIGHTS: &str = "azureMonitorProfile.containerInsights.enabled";
const METRICS: &str = "azureMonitorProfile.metrics.enabled";

pub(crate) static RULE: Rule = Rule {
    id: "AKS015",
    slug: "container-insights-disabled",
    title: "Container Insights (Azure Monitor container logs) not enabled",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster: passes when Container Insights is on through either \
             `addonProfiles.omsagent.enabled` (the monitoring add-on; Terraform `oms_agent` \
             block) or `azureMonitorProfile.containerInsights.enabled` known true. Fires when \
             both are known false or absent (off by default). Managed Prometheus \
             (`azureMonitorProfile.metrics.enabled`) alone does not pass: it collects metrics, \
             not container logs and Kubernetes events; the message says when it is on. If \
             either setting is unresolvable, it never fires. Reported at \
             `addonProfiles.omsagent.enabled`, else at its enclosing object when that is \
             written, else at the cluster's first line.",
    rationale: "Without Container Insights, container stdout/stderr, Kubernetes events and \
                node and pod inventory never leave the cluster: an incident can't be \
                investigated after pods are deleted, and there is nothing to alert on when a \
                workload misbehaves.",
    remediation: "Enable the monitoring add-on with a Log Analytics workspace (`az aks \
                  enable-addons --addons monitoring --workspace-resource-id <workspace-id>`; \
                  ARM `addonProfiles.omsagent.enabled: true` with \
                  `config.logAnalyticsWorkspaceResourceID`; Terraform `oms_agent { \
                  log_analytics_workspace_id = ... }`).",
    references: &[
        Reference::Guide(
            "Enable monitoring for Kubernetes clusters (Container Insights)",
            "https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable",
        ),
        guides::MONITOR_AKS,
        Reference::Peer(same(Checkov, "CKV_AZURE_4")),
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        let oms = flag(cluster, OMSAGENT, false);
        let insights = flag(cluster, CONTAINER_INSIGHTS, false);
        if oms != Some(false) || insights != Some(false) {
            continue;
        }
        let prometheus = if flag(cluster, METRICS, false) == Some(true) {
            " Managed Prometheus metrics are on, but they carry no container logs or events."
        } else {
            ""
        };
        let message = format!(
            "Container Insights is not enabled (neither the `omsagent` monitoring add-on nor \
             `azureMonitorProfile.containerInsights`): container logs and Kubernetes events \
             are not collected.{prometheus}{}",
            fix(
                &az_aks(
                    cluster,
                    "enable-addons",
                    "--addons monitoring --workspace-resource-id <workspace-id>"
                ),
                "`addonProfiles.omsagent.enabled: true` with \
                 `config.logAnalyticsWorkspaceResourceID`",
                "an `oms_agent { log_analytics_workspace_id = <workspace-id> }` block"
            )
        );
        report(out, cluster, attr_pos(cluster, OMSAGENT), message);
    }
}
