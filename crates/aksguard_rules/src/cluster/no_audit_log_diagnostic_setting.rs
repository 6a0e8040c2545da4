use aksguard_model::{Inventory, Severity};

use crate::azure_fix::{AzureTarget, with_commands};
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
             `azurerm_monitor_diagnostic_setting` with its `target_resource_id`, `az monitor \
             diagnostic-settings list --resource <cluster id>` output joined by resource ID). \
             Passes when one enables `kube-audit` or `kube-audit-admin`, or the category group \
             `audit` or `allLogs` (which include them); `guard` (Entra ID authentication) is \
             recommended in the fix but not required. With settings but none auditing, fires \
             at the first setting; when some setting's categories are unresolvable the cluster \
             is not judged. With no setting in the scan, fires at the cluster's first line, \
             saying none is in the scanned files; with `--complete` the absence is stated as \
             fact. A cluster read from `az aks show`/`az aks list` JSON or a REST body alone is \
             not judged (diagnostic settings are separate resources those never hold): the \
             scan lists the rule as not judged, unless the settings list of that cluster is \
             scanned too or `--complete` says the scan holds them all.",
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
    fix: crate::RuleFix {
        commands: &[
            "az monitor diagnostic-settings create --name aks-audit --resource <cluster-id> --logs '[{\"category\":\"kube-audit-admin\",\"enabled\":true},{\"category\":\"guard\",\"enabled\":true}]' --workspace <workspace-id>",
        ],
        summary: Some(
            "Add a diagnostic setting that sends the kube-audit-admin and guard logs to a \
             workspace.",
        ),
        safety: aksguard_model::FixSafety::Manual,
        iac: &[crate::IacSetting::new(
            "Microsoft.Insights/diagnosticSettings.logs[category=kube-audit-admin].enabled",
            "true",
            "azurerm_monitor_diagnostic_setting.enabled_log.category",
            "\"kube-audit-admin\"",
        )],
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Why a cluster from `az` JSON alone is not judged.
const NOT_IN_SOURCE: &str = "`az aks show`/`az aks list` JSON and REST cluster bodies never \
                             hold diagnostic settings (separate resources): scan the \
                             cluster's `az monitor diagnostic-settings list --resource \
                             <cluster id>` output too, or pass --complete if the scan holds \
                             them all";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let complete = out.settings().complete_for(&["DiagnosticSetting"]);
    for cluster in clusters(inventory) {
        if !cluster.holds.diagnostic_settings && !complete {
            out.undecided(NOT_IN_SOURCE);
            continue;
        }
        let settings = &cluster.diagnostic_settings;
        if settings.iter().any(|setting| {
            setting.categories.as_ref().is_some_and(|categories| {
                categories
                    .iter()
                    .any(|c| AUDIT.contains(&c.trim().to_ascii_lowercase().as_str()))
            })
        }) {
            continue;
        }
        if settings.iter().any(|setting| setting.categories.is_none()) {
            out.undecided(
                "the log categories of the cluster's diagnostic settings are unresolvable",
            );
            continue;
        }
        let command = format!(
            "az monitor diagnostic-settings create --name aks-audit --resource \"$(az aks show \
             {} --query id -o tsv)\" --logs '[{{\"category\":\"kube-audit-admin\",\
             \"enabled\":true}},{{\"category\":\"guard\",\"enabled\":true}}]' --workspace \
             <workspace-id>",
            cluster_args(cluster)
        );
        let violation = match settings.first() {
            Some(first) => {
                let names: Vec<&str> = settings.iter().map(|s| s.name.as_str()).collect();
                Violation::at(
                    first.pos,
                    format!(
                        "No diagnostic setting of the cluster ({}) sends the API server audit \
                         log (`kube-audit` or `kube-audit-admin`): API access is not recorded.",
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
                         (`kube-audit` or `kube-audit-admin`)."
                    ),
                )
                .on_azure("ManagedCluster", &cluster.name, &cluster.source)
            }
        };
        let fix = with_commands(&RULE, [command]);
        out.report_on(
            &RULE,
            &AzureTarget::Cluster(cluster),
            violation.with_fix(fix),
        );
    }
}
