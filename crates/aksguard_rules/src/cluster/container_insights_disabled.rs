use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
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
    fix: crate::RuleFix {
        summary: Some("Enable Container Insights with a Log Analytics workspace."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &[
            "az aks enable-addons {cluster-args} --addons monitoring --workspace-resource-id <workspace-id>",
        ],
        iac: &[crate::IacSetting::new(
            "addonProfiles.omsagent.enabled",
            "true",
            "oms_agent.log_analytics_workspace_id",
            "\"<workspace-id>\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let oms = flag(cluster, OMSAGENT, false);
    let insights = flag(cluster, CONTAINER_INSIGHTS, false);
    if oms != Some(false) || insights != Some(false) {
        return;
    }
    let prometheus = if flag(cluster, METRICS, false) == Some(true) {
        " Managed Prometheus metrics are on, but they carry no container logs or events."
    } else {
        ""
    };
    let message = format!(
        "Container Insights is not enabled (neither the `omsagent` monitoring add-on nor \
         `azureMonitorProfile.containerInsights`): container logs and Kubernetes events \
         are not collected.{prometheus}"
    );
    out.report(Violation::at(attr_pos(cluster, OMSAGENT), message));
}
