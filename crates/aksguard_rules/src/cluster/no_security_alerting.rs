use aksguard_model::azure::refs::subscription_id;
use aksguard_model::azure::{
    AlertRule, AzureResources, Lookup, ManagedCluster, ResourceKey, kinds,
};
use aksguard_model::{Inventory, Severity};

use crate::azure_fix::{AzureTarget, with_commands};
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{cluster_args, clusters};
use crate::cluster::role_assignments::shell_word;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const WORKSPACE: &str = "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID";

pub(crate) static RULE: Rule = Rule {
    id: "AKS048",
    slug: "no-alerting-for-cluster",
    title: "No alert rule watches the cluster and Defender has no security contact",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Only with `--complete` or a live ARM scan (absence must be conclusive): fires \
             for a managed cluster when no enabled alert rule of the scan \
             (`Microsoft.Insights/scheduledQueryRules`, `metricAlerts`, `activityLogAlerts`, \
             their azurerm resources, `az monitor scheduled-query list` / `metrics alert list`) \
             has the cluster or its Container Insights Log Analytics workspace \
             (`addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID`) among its \
             scopes, AND no Defender for Cloud security contact \
             (`Microsoft.Security/securityContacts`, `azurerm_security_center_contact`) names \
             anyone to notify. Alert rules scoped to the resource group or subscription do not \
             count (they watch something else unless their condition says so, which is not \
             read). An alert rule or contact whose scopes or recipients are unresolvable leaves \
             the cluster not judged, as does a live scan that could not read alert rules or \
             security contacts.",
    rationale: "Defender for Containers and Container Insights detect attacks and failures, \
                but a detection nobody is told about waits in a portal blade. Without an \
                alert rule on the cluster or its workspace and without a security contact, \
                a compromised node or a crash-looping control-plane component goes unnoticed \
                until it is an outage or a breach.",
    remediation: "Create alert rules on the cluster (recommended metric alerts, or log alerts \
                  on its workspace) and a Defender for Cloud security contact with alert \
                  notifications on.",
    references: &[
        guides::MONITOR_AKS,
        Reference::Guide(
            "Recommended alert rules for Kubernetes clusters",
            "https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-metric-alerts",
        ),
        Reference::Guide(
            "Configure email notifications for alerts and attack paths (Defender for Cloud)",
            "https://learn.microsoft.com/azure/defender-for-cloud/configure-email-notifications",
        ),
    ],
    fix: crate::RuleFix {
        commands: &[
            "az monitor metrics alert create --name <cluster>-node-cpu --resource-group {group} --scopes <cluster-id> --condition \"avg node_cpu_usage_percentage > 90\"",
        ],
        summary: Some(
            "Add alert rules scoped to the cluster and a Defender for Cloud security contact.",
        ),
        safety: aksguard_model::FixSafety::Manual,
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Whether the alert rule watches the cluster or its workspace: `Some(true/false)`, `None`
/// when its scopes are unresolvable.
fn watches(
    rule: &AlertRule,
    cluster: &ManagedCluster,
    workspace: Option<&ResourceKey>,
) -> Option<bool> {
    if rule.enabled == Some(false) {
        return Some(false);
    }
    let scopes = rule.scopes.as_ref()?;
    let key = cluster.key();
    Some(
        scopes
            .iter()
            .any(|scope| scope.names(&key) || workspace.is_some_and(|w| scope.names(w))),
    )
}

/// How alert rules can name the cluster's workspace: the ID its settings give, and the
/// reference its source names it by (a Terraform `azurerm_log_analytics_workspace.w.id`
/// symbol).
fn workspace_key(cluster: &ManagedCluster) -> Result<Option<ResourceKey>, ()> {
    let mut key = ResourceKey::default();
    match cluster.settings.get(WORKSPACE) {
        Lookup::Known(node) => match node.as_str().map(str::trim) {
            Some(id) if id.starts_with('/') => key.id = Some(id.to_owned()),
            _ if cluster.refs.log_analytics_workspace.is_some() => {}
            _ => return Err(()),
        },
        Lookup::Unknown(_) if cluster.refs.log_analytics_workspace.is_none() => return Err(()),
        Lookup::Unknown(_) | Lookup::Absent => {}
    }
    if let Some(reference) = &cluster.refs.log_analytics_workspace {
        match reference.key.as_deref() {
            Some(id) if id.starts_with('/') => key.id = key.id.or_else(|| Some(id.to_owned())),
            Some(symbol) => key.symbols.push(symbol.to_owned()),
            None => return Err(()),
        }
    }
    Ok((key.id.is_some() || !key.symbols.is_empty()).then_some(key))
}

fn security_contact_state(azure: &AzureResources) -> Option<bool> {
    let mut unknown = false;
    for contact in &azure.security_contacts {
        match contact.notifies {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    (!unknown).then_some(false)
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    if !out.settings().complete {
        // Not judged without --complete: the coverage says so from the rule's needs.
        return;
    }
    let readable = out
        .settings()
        .complete_for(&[kinds::ALERT_RULE, kinds::SECURITY_CONTACT]);
    let contact = security_contact_state(azure);
    for cluster in clusters(inventory) {
        if !readable {
            out.undecided("the live scan could not read alert rules or security contacts");
            continue;
        }
        if contact == Some(true) {
            continue;
        }
        let (workspace, workspace_unknown) = match workspace_key(cluster) {
            Ok(key) => (key, false),
            Err(()) => (None, true),
        };
        let mut unknown = contact.is_none() || workspace_unknown;
        let mut watched = false;
        for rule in &azure.alert_rules {
            match watches(rule, cluster, workspace.as_ref()) {
                Some(true) => watched = true,
                Some(false) => {}
                None => unknown = true,
            }
        }
        if watched {
            continue;
        }
        if unknown {
            out.undecided(
                "an alert rule's scopes or a security contact's recipients are unresolvable",
            );
            continue;
        }
        let scope = match cluster.id.as_deref() {
            Some(id) if !id.contains('{') => shell_word(id),
            _ => format!(
                "\"$(az aks show {} --query id -o tsv)\"",
                cluster_args(cluster)
            ),
        };
        let group = cluster
            .resource_group
            .as_deref()
            .map_or_else(|| "<resource-group>".to_owned(), shell_word);
        let subscription = cluster
            .id
            .as_deref()
            .and_then(subscription_id)
            .filter(|s| !s.contains('{'))
            .unwrap_or_else(|| "/subscriptions/<subscription-id>".to_owned());
        let message = format!(
            "No alert rule has the cluster or its Log Analytics workspace in its scopes ({} \
             alert rule(s) in the scan), and no Defender for Cloud security contact names anyone \
             to notify ({} contact(s)): detections on this cluster reach no one.",
            azure.alert_rules.len(),
            azure.security_contacts.len(),
        );
        let alert = format!(
            "az monitor metrics alert create --name {}-node-cpu --resource-group {group} \
             --scopes {scope} --condition \"avg node_cpu_usage_percentage > 90\"",
            shell_word(&cluster.name),
        );
        let contact = format!(
            "az rest --method put --url \
             https://management.azure.com{subscription}/providers/Microsoft.Security/securityContacts/default?api-version=2023-12-01-preview \
             --body '{{\"properties\":{{\"emails\":\"<security-team@example.com>\",\"isEnabled\":true,\
             \"notificationsSources\":[{{\"sourceType\":\"Alert\",\"minimalSeverity\":\"Medium\"}}]}}}}'"
        );
        out.report_on(
            &RULE,
            &AzureTarget::Cluster(cluster),
            Violation::at(cluster.pos, message).with_fix(with_commands(&RULE, [alert, contact])),
        );
    }
}

#[cfg(test)]
mod tests {
    use aksguard_model::azure::Ref;

    use super::*;
    use crate::cluster::role_assignments::testing::{symbol, terraform_cluster};

    #[test]
    fn the_workspace_is_named_by_its_id_or_the_sources_reference() {
        let mut cluster = terraform_cluster();
        assert_eq!(workspace_key(&cluster), Ok(None));
        cluster.refs.log_analytics_workspace =
            Some(symbol("azurerm_log_analytics_workspace.logs", "id"));
        let key = workspace_key(&cluster).unwrap().unwrap();
        assert!(symbol("azurerm_log_analytics_workspace.logs", "id").names(&key));
        assert!(!symbol("azurerm_log_analytics_workspace.other", "id").names(&key));
        cluster.refs.log_analytics_workspace = Some(Ref::opaque("var.workspace_id"));
        assert_eq!(workspace_key(&cluster), Err(()));
    }
}
