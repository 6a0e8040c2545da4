//! The world of the corpus's REST bodies (`aks/rest-api-examples`): its 13 `2025-07-01`
//! PUT bodies and two GET responses become the managed clusters Resource Manager would
//! answer (with `id`, `name` and `type`, as ARM adds them), with agent pools made from their
//! `agentPoolProfiles`, plus diagnostic settings, maintenance configurations, Defender
//! pricings, role assignments and registries written here. [`Examples::files`] holds the
//! same resources as the files a user would scan (`az`/REST JSON), for the equivalence
//! tests.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::ArmWorld;

pub const SUBSCRIPTION_A: &str = "00000000-0000-0000-0000-0000000000a1";
pub const SUBSCRIPTION_B: &str = "00000000-0000-0000-0000-0000000000b2";
pub const GROUP_A: &str = "rg-examples";
pub const GROUP_B: &str = "rg-responses";
/// The cluster with a kubelet identity, diagnostic settings and a maintenance configuration.
pub const MAIN_CLUSTER: &str = "aks-create-update";
/// The cluster whose only diagnostic setting sends no audit log.
pub const GUARD_ONLY_CLUSTER: &str = "aks-create-premium";
pub const KUBELET_OBJECT_ID: &str = "11111111-2222-3333-4444-555555555555";
pub const PULL_REGISTRY: &str = "acrexamplespull";
pub const PUSH_REGISTRY: &str = "acrexamplespush";

const ACR_PULL: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const ACR_PUSH: &str = "8311e382-0749-4cb8-b61a-304f252e45ec";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";

pub struct Examples {
    pub world: ArmWorld,
    /// (file name, JSON text): the same resources as files.
    pub files: Vec<(String, String)>,
    /// Cluster names, in the order read from the corpus.
    pub clusters: Vec<String>,
    /// Clusters with no diagnostic setting / no maintenance configuration.
    pub without_diagnostics: Vec<String>,
    pub without_maintenance: Vec<String>,
}

/// The world of the REST bodies under `dir` (`…/aks/rest-api-examples`), served with
/// `token`. `Err` when the bodies cannot be read.
pub fn examples(dir: &Path, token: &str) -> Result<Examples, String> {
    let mut bodies: Vec<(String, &str, &str, Value)> = Vec::new();
    for (sub_dir, subscription, group) in [
        ("2025-07-01", SUBSCRIPTION_A, GROUP_A),
        ("", SUBSCRIPTION_B, GROUP_B),
    ] {
        let mut paths: Vec<_> = std::fs::read_dir(dir.join(sub_dir))
            .map_err(|e| format!("{}: {e}", dir.join(sub_dir).display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let body: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let stem = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('.').next())
                .unwrap_or_default();
            bodies.push((cluster_name(stem), subscription, group, body));
        }
    }
    let mut resources = Vec::new();
    let mut files = Vec::new();
    let mut clusters = Vec::new();
    let mut without_diagnostics = Vec::new();
    let mut without_maintenance = Vec::new();
    let mut main_id = String::new();
    let mut guard_only_id = String::new();
    for (name, subscription, group, body) in bodies {
        let id = format!(
            "/subscriptions/{subscription}/resourceGroups/{group}/providers/\
             Microsoft.ContainerService/managedClusters/{name}"
        );
        let mut cluster = Map::new();
        cluster.insert("id".into(), json!(id));
        cluster.insert("name".into(), json!(name));
        cluster.insert(
            "type".into(),
            json!("Microsoft.ContainerService/ManagedClusters"),
        );
        for (key, value) in body.as_object().cloned().unwrap_or_default() {
            if !matches!(key.as_str(), "id" | "name" | "type") {
                cluster.insert(key, value);
            }
        }
        if name == MAIN_CLUSTER {
            // A cluster with a managed identity reports its kubelet identity.
            cluster["properties"]["identityProfile"] = json!({"kubeletidentity": {
                "resourceId": format!("/subscriptions/{subscription}/resourceGroups/MC_{group}_{name}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool"),
                "clientId": "99999999-8888-7777-6666-555555555555",
                "objectId": KUBELET_OBJECT_ID}});
            main_id = id.clone();
        }
        if name == GUARD_ONLY_CLUSTER {
            guard_only_id = id.clone();
        }
        for pool in cluster["properties"]["agentPoolProfiles"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let mut properties = pool.as_object().cloned().unwrap_or_default();
            let pool_name = properties
                .remove("name")
                .and_then(|n| n.as_str().map(str::to_owned))
                .unwrap_or_else(|| "nodepool".into());
            resources.push(json!({
                "id": format!("{id}/agentPools/{pool_name}"),
                "name": pool_name,
                "type": "Microsoft.ContainerService/managedClusters/agentPools",
                "properties": properties,
            }));
        }
        let cluster = Value::Object(cluster);
        files.push((format!("cluster-{name}.json"), pretty(&cluster)));
        resources.push(cluster);
        if name != MAIN_CLUSTER {
            without_maintenance.push(name.clone());
            if name != GUARD_ONLY_CLUSTER {
                without_diagnostics.push(name.clone());
            }
        }
        clusters.push(name);
    }
    if main_id.is_empty() || guard_only_id.is_empty() {
        return Err(format!(
            "{}: the bodies for {MAIN_CLUSTER} and {GUARD_ONLY_CLUSTER} are missing",
            dir.display()
        ));
    }
    let diagnostic = |cluster: &str, name: &str, logs: Value| {
        json!({
            "id": format!("{cluster}/providers/Microsoft.Insights/diagnosticSettings/{name}"),
            "name": name,
            "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {
                "workspaceId": format!("/subscriptions/{SUBSCRIPTION_A}/resourceGroups/{GROUP_A}/providers/Microsoft.OperationalInsights/workspaces/logs"),
                "logs": logs,
                "metrics": [{"category": "AllMetrics", "enabled": true}],
            }
        })
    };
    let audited = diagnostic(
        &main_id,
        "aks-audit",
        json!([{"category": "kube-audit-admin", "enabled": true},
               {"category": "guard", "enabled": true},
               {"category": "kube-apiserver", "enabled": false}]),
    );
    let guard_only = diagnostic(
        &guard_only_id,
        "guard-only",
        json!([{"category": "guard", "enabled": true},
               {"category": "kube-audit", "enabled": false}]),
    );
    files.push((
        format!("diagnostic-settings-{MAIN_CLUSTER}.json"),
        pretty(&json!({"value": [audited.clone()]})),
    ));
    files.push((
        format!("diagnostic-settings-{GUARD_ONLY_CLUSTER}.json"),
        pretty(&json!({"value": [guard_only.clone()]})),
    ));
    resources.push(audited);
    resources.push(guard_only);
    let maintenance = json!({
        "id": format!("{main_id}/maintenanceConfigurations/aksManagedAutoUpgradeSchedule"),
        "name": "aksManagedAutoUpgradeSchedule",
        "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        "properties": {"maintenanceWindow": {
            "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
            "durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00"}}
    });
    files.push((
        format!("maintenance-configurations-{MAIN_CLUSTER}.json"),
        pretty(&json!([maintenance.clone()])),
    ));
    resources.push(maintenance);
    let mut pricings = Vec::new();
    for subscription in [SUBSCRIPTION_A, SUBSCRIPTION_B] {
        for (plan, tier) in [("Containers", "Free"), ("VirtualMachines", "Standard")] {
            pricings.push(json!({
                "id": format!("/subscriptions/{subscription}/providers/Microsoft.Security/pricings/{plan}"),
                "name": plan,
                "type": "Microsoft.Security/pricings",
                "properties": {"pricingTier": tier},
            }));
        }
    }
    files.push(("pricings.json".into(), pretty(&json!(pricings))));
    resources.extend(pricings);
    let registry_id = |name: &str| {
        format!(
            "/subscriptions/{SUBSCRIPTION_A}/resourceGroups/{GROUP_A}/providers/\
             Microsoft.ContainerRegistry/registries/{name}"
        )
    };
    let registries = [
        json!({
            "id": registry_id(PULL_REGISTRY), "name": PULL_REGISTRY,
            "type": "Microsoft.ContainerRegistry/registries", "location": "westeurope",
            "sku": {"name": "Standard", "tier": "Standard"},
            "properties": {"loginServer": format!("{PULL_REGISTRY}.azurecr.io"),
                "adminUserEnabled": true, "publicNetworkAccess": "Enabled",
                "anonymousPullEnabled": false,
                "policies": {"retentionPolicy": {"days": 7, "status": "disabled"}}}
        }),
        json!({
            "id": registry_id(PUSH_REGISTRY), "name": PUSH_REGISTRY,
            "type": "Microsoft.ContainerRegistry/registries", "location": "westeurope",
            "sku": {"name": "Premium", "tier": "Premium"},
            "properties": {"loginServer": format!("{PUSH_REGISTRY}.azurecr.io"),
                "adminUserEnabled": false, "publicNetworkAccess": "Disabled",
                "anonymousPullEnabled": false,
                "networkRuleSet": {"defaultAction": "Deny"},
                "policies": {"retentionPolicy": {"days": 7, "status": "enabled"}}}
        }),
    ];
    for registry in &registries {
        let name = registry["name"].as_str().unwrap_or_default();
        files.push((format!("registry-{name}.json"), pretty(registry)));
    }
    resources.extend(registries);
    let assignment = |n: u32, scope: &str, principal: &str, role: &str| {
        json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-{n:012}"),
            "name": format!("00000000-0000-0000-0000-{n:012}"),
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "scope": scope,
                "principalId": principal,
                "principalType": "ServicePrincipal",
                "roleDefinitionId": format!("/subscriptions/{SUBSCRIPTION_A}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            }
        })
    };
    let assignments = vec![
        assignment(1, &registry_id(PULL_REGISTRY), KUBELET_OBJECT_ID, ACR_PULL),
        assignment(2, &registry_id(PUSH_REGISTRY), KUBELET_OBJECT_ID, ACR_PUSH),
        assignment(
            3,
            &main_id,
            "aaaaaaaa-0000-0000-0000-000000000003",
            CLUSTER_ADMIN,
        ),
        assignment(
            4,
            &format!("/subscriptions/{SUBSCRIPTION_A}"),
            "aaaaaaaa-0000-0000-0000-000000000004",
            READER,
        ),
        // Someone else's role on a registry the kubelet identity does not use.
        assignment(
            5,
            &registry_id("acrunrelated"),
            "aaaaaaaa-0000-0000-0000-000000000005",
            ACR_PUSH,
        ),
    ];
    // As a user would export them: the kubelet identity's and those on the cluster and its
    // registries (`az role assignment list --assignee …`, `--scope …`).
    files.push((
        "role-assignments.json".into(),
        pretty(&json!(assignments[..4].to_vec())),
    ));
    resources.extend(assignments);
    Ok(Examples {
        world: ArmWorld {
            subscriptions: vec![SUBSCRIPTION_A.into(), SUBSCRIPTION_B.into()],
            resources,
            token: token.into(),
            page_size: 2,
            faults: Vec::new(),
        },
        files,
        clusters,
        without_diagnostics,
        without_maintenance,
    })
}

/// `aks-<what the example is>`: `ManagedClustersCreate_Update` → `aks-create-update`,
/// `ManagedClustersGet` → `aks-get`.
fn cluster_name(stem: &str) -> String {
    let what = stem.strip_prefix("ManagedClusters").unwrap_or(stem);
    let mut name = String::from("aks");
    let mut previous_lower = false;
    for c in what.chars() {
        if c == '_' || (c.is_ascii_uppercase() && previous_lower) {
            if !name.ends_with('-') {
                name.push('-');
            }
        } else if !c.is_ascii_alphanumeric() {
            continue;
        }
        if c != '_' {
            if name == "aks" {
                name.push('-');
            }
            name.push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    name.truncate(63);
    name.trim_end_matches('-').to_owned()
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_follow_the_example_names() {
        assert_eq!(
            cluster_name("ManagedClustersCreate_Update"),
            "aks-create-update"
        );
        assert_eq!(cluster_name("ManagedClustersGet"), "aks-get");
        assert_eq!(
            cluster_name("ManagedClustersCreate_UpdateWithEnableAzureRBAC"),
            "aks-create-update-with-enable-azure-rbac"
        );
        assert_eq!(
            cluster_name("ManagedClustersCreate_Premium"),
            "aks-create-premium"
        );
    }
}
