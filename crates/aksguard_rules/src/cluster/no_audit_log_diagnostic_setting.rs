use aksguard_model::{Inventory, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{cluster_args, clusters};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

/// Log categories and category groups that carry the API server audit log.
const AUDIT: &[&str] = &["kube-audit", "kube-audit-admin", "audit", "alllogs"];

pub(crate) static RULE: Rule = Rule {
    id: "AKS016",
    slug: "no-audit-log-diagnostic-setting",
    title: "No diagnostic setting sends the AKS API server audit log (kube-audit)",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster, over the diagnostic settings of the scan that target it \
             (ARM `Microsoft.Insights/diagnosticSettings` scoped to the cluster, Terraform \
             `azurerm_monitor_diagnostic_setting` with its `target_resource_id`). Passes when \
             one enables `kube-audit` or `kube-audit-admin`, or the category group `audit` or \
             `allLogs` (which include them); `guard` (Entra ID authentication) is recommended \
             in the fix but not required. A setting whose categories are unresolvable means \
             it never fires. With settings but none auditing, fires at the first setting. \
             With no setting in the scan, fires at the cluster's first line, saying none is \
             in the scanned files (diagnostic settings are separate resources, absent from \
             `az aks show` output); with `--complete` the absence is stated as fact.",
    rationale: "The AKS control plane is managed: its API server audit log exists only if a \
                diagnostic setting exports it. Without `kube-audit`/`kube-audit-admin` \
                there is no record of who read Secrets, created pods, changed RBAC or ran \
                `kubectl exec`, so an intrusion can be neither detected nor reconstructed.",
    remediation: "Create a diagnostic setting on the cluster sending `kube-audit-admin` (or \
                  `kube-audit`) and `guard` to a Log Analytics workspace or storage account \
                  (`az monitor diagnostic-settings create`; ARM \
                  `Microsoft.Insights/diagnosticSettings` with `logs[].category`; Terraform \
                  `azurerm_monitor_diagnostic_setting` with `enabled_log` blocks).",
    references: &[
        guides::MONITOR_AKS,
        Reference::Guide(
            "AKS control plane resource logs (Monitor AKS data reference)",
            "https://learn.microsoft.com/azure/aks/monitor-aks-reference",
        ),
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let complete = out.settings().complete;
    for cluster in clusters(inventory) {
        let settings = &cluster.diagnostic_settings;
        if settings.iter().any(|setting| match &setting.categories {
            None => true,
            Some(categories) => categories
                .iter()
                .any(|c| AUDIT.contains(&c.trim().to_ascii_lowercase().as_str())),
        }) {
            continue;
        }
        let command = format!(
            "az monitor diagnostic-settings create --name aks-audit --resource \"$(az aks show \
             {} --query id -o tsv)\" --logs '[{{\"category\":\"kube-audit-admin\",\
             \"enabled\":true}},{{\"category\":\"guard\",\"enabled\":true}}]' --workspace \
             <workspace-id>",
            cluster_args(cluster)
        );
        let code = "in ARM/Bicep add a `Microsoft.Insights/diagnosticSettings` resource scoped \
                    to the cluster with `logs` category `kube-audit-admin` and `guard`; in \
                    Terraform an `azurerm_monitor_diagnostic_setting` with `enabled_log { \
                    category = \"kube-audit-admin\" }` and `enabled_log { category = \"guard\" }`";
        let violation = match settings.first() {
            Some(first) => {
                let names: Vec<&str> = settings.iter().map(|s| s.name.as_str()).collect();
                Violation::at(
                    first.pos,
                    format!(
                        "No diagnostic setting of the cluster ({}) sends the API server audit \
                         log (`kube-audit` or `kube-audit-admin`): API access is not recorded. \
                         Fix: `{command}`; {code}.",
                        names.join(", ")
                    ),
                )
                .on_azure("ManagedCluster", &cluster.name, &first.source)
            }
            None => {
                let scope = if complete {
                    "The cluster has no diagnostic setting"
                } else {
                    "No diagnostic setting for the cluster is in the scanned files (one may \
                     exist outside them)"
                };
                Violation::at(
                    cluster.pos,
                    format!(
                        "{scope}, so nothing is known to send the API server audit log \
                         (`kube-audit` or `kube-audit-admin`). Fix: `{command}`; {code}."
                    ),
                )
                .on_azure("ManagedCluster", &cluster.name, &cluster.source)
            }
        };
        out.report(violation);
    }
}
