//! A cluster's child resources from `az` list output in files of their own:
//! `az monitor diagnostic-settings list --resource <cluster id>` (an array of diagnostic
//! settings, or the older `{"value": [...]}` shape) and `az aks maintenanceconfiguration list`
//! (an array of maintenance configurations). `az aks show` never includes either, so these
//! let a scan of `az` JSON judge the rules about them (AKS016, AKS035).
//!
//! Recognised by content: a `type` of `Microsoft.Insights/diagnosticSettings` or
//! `Microsoft.ContainerService/managedClusters/maintenanceConfigurations`, or an `id` with
//! that resource path. The cluster is the prefix of the child's `id`; children are joined to
//! clusters by [`join_listed`] once every input is loaded (the lists and `az aks show` are
//! separate files), by resource ID, case-insensitively (Azure IDs are). A child whose
//! cluster is not in the scan is reported in a note, never silently dropped.

use std::sync::Arc;

use aksguard_model::azure::{AzureResources, ChildResource, DiagnosticSetting, ListedChild};
use aksguard_model::{Node, Source};

use super::type_is;

const DIAGNOSTIC_TYPE: &str = "Microsoft.Insights/diagnosticSettings";
const DIAGNOSTIC_PATH: &str = "/providers/microsoft.insights/diagnosticsettings/";
const MAINTENANCE_TYPE: &str =
    "Microsoft.ContainerService/managedClusters/maintenanceConfigurations";
const MAINTENANCE_PATH: &str = "/maintenanceconfigurations/";
const AGENT_POOL_TYPE: &str = "Microsoft.ContainerService/managedClusters/agentPools";
const AGENT_POOL_PATH: &str = "/agentpools/";

/// The `{"value": [...]}` envelope older `az monitor diagnostic-settings list` prints.
pub(crate) fn value_envelope(root: &Node) -> Option<&[Node]> {
    let value = root.get("value").filter(|v| v.is_seq())?;
    (root.entries().len() == 1).then(|| value.items())
}

/// Pushes `node` when it is a listed diagnostic setting or maintenance configuration;
/// false when it is neither.
pub(crate) fn push_child(node: &Node, source: &Arc<Source>, out: &mut AzureResources) -> bool {
    let Some(id) = node.get("id").and_then(Node::as_str) else {
        return false;
    };
    let lower = id.to_ascii_lowercase();
    let child = if type_is(node, DIAGNOSTIC_TYPE) || lower.contains(DIAGNOSTIC_PATH) {
        lower.find(DIAGNOSTIC_PATH).map(|at| {
            (
                &id[..at],
                ChildResource::DiagnosticSetting(diagnostic(node, id, source)),
            )
        })
    } else if type_is(node, AGENT_POOL_TYPE) || lower.contains(AGENT_POOL_PATH) {
        // `az aks nodepool list` (flat) or a REST agent pool (`properties`).
        lower.find(AGENT_POOL_PATH).and_then(|at| {
            let pool = if node.get("properties").is_some_and(Node::is_map) {
                super::rest::node_pool_from_rest(node, source)?
            } else {
                aksguard_model::azure::NodePool {
                    name: name_of(node, id),
                    pos: node.pos,
                    source: source.clone(),
                    settings: aksguard_model::azure::Settings::new(node.clone()),
                }
            };
            Some((&id[..at], ChildResource::NodePool(pool)))
        })
    } else if type_is(node, MAINTENANCE_TYPE) || lower.contains(MAINTENANCE_PATH) {
        lower.find(MAINTENANCE_PATH).map(|at| {
            (
                &id[..at],
                ChildResource::MaintenanceConfiguration(name_of(node, id)),
            )
        })
    } else {
        None
    };
    let Some((cluster_id, child)) = child else {
        return false;
    };
    out.listed.push(ListedChild {
        cluster_id: cluster_id.to_owned(),
        pos: node.pos,
        source: source.clone(),
        child,
    });
    true
}

fn name_of(node: &Node, id: &str) -> String {
    node.get("name")
        .and_then(Node::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| id.rsplit('/').next().unwrap_or(id).to_owned())
}

/// Enabled log categories and category groups, lower-cased; `None` when an entry's `enabled`
/// or category is not a plain value (never guessed).
fn diagnostic(node: &Node, id: &str, source: &Arc<Source>) -> DiagnosticSetting {
    let mut categories = Some(Vec::new());
    // `az` prints the properties flat; a REST body nests them.
    let properties = node
        .get("properties")
        .filter(|p| p.is_map())
        .unwrap_or(node);
    let logs = properties.get("logs");
    if logs.is_some_and(|l| !l.is_seq() && !l.is_null()) {
        categories = None;
    }
    for log in logs.map_or(&[][..], Node::items) {
        let enabled = log.get("enabled").and_then(Node::as_bool);
        let category = ["category", "categoryGroup"]
            .iter()
            .find_map(|key| log.get(key).and_then(Node::as_str));
        match (enabled, category) {
            (Some(false), _) => {}
            (Some(true), Some(category)) => {
                if let Some(list) = categories.as_mut() {
                    list.push(category.to_ascii_lowercase());
                }
            }
            _ => categories = None,
        }
    }
    DiagnosticSetting {
        name: name_of(node, id),
        pos: node.pos,
        source: source.clone(),
        categories,
    }
}

/// Joins every listed child to the clusters whose resource ID it names (a cluster without an
/// ID matches by resource group and name), and marks that those clusters' sources now hold
/// that kind of child. Returns a note for each list whose cluster is not in the scan.
pub fn join_listed(azure: &mut AzureResources) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    // (list file, cluster ID, first line, what it lists)
    let mut unjoined: Vec<(Arc<Source>, String, usize, &str)> = Vec::new();
    for listed in std::mem::take(&mut azure.listed) {
        let mut joined = false;
        for cluster in azure
            .clusters
            .iter_mut()
            .filter(|c| names_cluster(c, &listed.cluster_id))
        {
            joined = true;
            match &listed.child {
                ChildResource::DiagnosticSetting(setting) => {
                    cluster.diagnostic_settings.push(setting.clone());
                    cluster.holds.diagnostic_settings = true;
                }
                ChildResource::MaintenanceConfiguration(name) => {
                    cluster.maintenance_configurations.push(name.clone());
                    cluster.holds.maintenance_configurations = true;
                }
                ChildResource::NodePool(pool) => {
                    match cluster
                        .node_pools
                        .iter_mut()
                        .find(|p| p.name.eq_ignore_ascii_case(&pool.name))
                    {
                        Some(known) => *known = pool.clone(),
                        None => cluster.node_pools.push(pool.clone()),
                    }
                }
            }
        }
        if joined {
            continue;
        }
        let what = match listed.child {
            ChildResource::DiagnosticSetting(_) => "diagnostic settings",
            ChildResource::MaintenanceConfiguration(_) => "maintenance configurations",
            ChildResource::NodePool(_) => "node pools",
        };
        let seen = unjoined.iter().any(|(s, id, _, w)| {
            Arc::ptr_eq(s, &listed.source) && id == &listed.cluster_id && *w == what
        });
        if !seen {
            let line = listed.pos.line as usize;
            unjoined.push((listed.source.clone(), listed.cluster_id.clone(), line, what));
        }
    }
    for (source, cluster_id, line, what) in unjoined {
        notes.push(format!(
            "{}:{line}: lists {what} of cluster `{cluster_id}`, which is not in the scan; \
             they were not used (scan that cluster's `az aks show` output with them)",
            source.path
        ));
    }
    notes
}

fn names_cluster(cluster: &aksguard_model::azure::ManagedCluster, cluster_id: &str) -> bool {
    match &cluster.id {
        Some(id) => id.trim_end_matches('/').eq_ignore_ascii_case(cluster_id),
        None => {
            let name = cluster_id.rsplit('/').next().unwrap_or_default();
            let group = super::rest::resource_group_of(cluster_id);
            cluster.name.eq_ignore_ascii_case(name)
                && cluster.resource_group.is_some()
                && group.is_some_and(|g| {
                    cluster
                        .resource_group
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(&g))
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::yaml::parse_documents;

    fn load(path: &str, text: &str) -> AzureResources {
        let root = parse_documents(text, 1, &Limits::default())
            .unwrap()
            .remove(0)
            .unwrap();
        let source = Arc::new(Source { path: path.into() });
        super::super::from_document(&root, &source).unwrap_or_default()
    }

    const CLUSTER_ID: &str = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";

    #[test]
    fn lists_join_their_cluster_by_id_ignoring_case_and_others_become_notes() {
        let mut azure = load(
            "c.json",
            &format!(
                r#"{{"id": "{CLUSTER_ID}", "name": "c1", "resourceGroup": "rg",
                "kubernetesVersion": "1.31", "agentPoolProfiles": []}}"#
            ),
        );
        assert!(!azure.clusters[0].holds.diagnostic_settings);
        azure.extend(load(
            "d.json",
            &format!(
                r#"{{"value": [{{"id": "{}/providers/microsoft.insights/diagnosticSettings/a",
                "name": "a", "logs": [{{"category": "kube-audit", "enabled": true}},
                {{"categoryGroup": "allLogs", "enabled": false}}]}}]}}"#,
                CLUSTER_ID.to_ascii_lowercase()
            ),
        ));
        azure.extend(load(
            "m.json",
            r#"[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/other/maintenanceConfigurations/default",
            "name": "default", "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations"}]"#,
        ));
        let notes = join_listed(&mut azure);
        let cluster = &azure.clusters[0];
        assert!(cluster.holds.diagnostic_settings);
        assert!(!cluster.holds.maintenance_configurations);
        assert_eq!(cluster.diagnostic_settings.len(), 1);
        assert_eq!(cluster.diagnostic_settings[0].name, "a");
        assert_eq!(
            cluster.diagnostic_settings[0].categories,
            Some(vec!["kube-audit".to_owned()])
        );
        assert_eq!(&*cluster.diagnostic_settings[0].source.path, "d.json");
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("m.json:1: lists maintenance configurations of cluster"),
            "{}",
            notes[0]
        );
        assert!(azure.listed.is_empty());
    }

    #[test]
    fn az_aks_nodepool_list_replaces_the_pools_of_the_same_name_and_adds_the_others() {
        let mut azure = load(
            "c.json",
            &format!(
                r#"{{"id": "{CLUSTER_ID}", "name": "c1", "resourceGroup": "rg", "kubernetesVersion": "1.31",
                "agentPoolProfiles": [{{"name": "sys", "mode": "System"}}]}}"#
            ),
        );
        // `az aks nodepool list` prints the pools flat; a REST list nests `properties`.
        azure.extend(load(
            "pools.json",
            &format!(
                r#"[{{"id": "{CLUSTER_ID}/agentPools/SYS", "name": "SYS",
                "type": "Microsoft.ContainerService/managedClusters/agentPools", "mode": "System",
                "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202405.03.0",
                "vnetSubnetId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes"}},
                {{"id": "{CLUSTER_ID}/agentPools/user", "name": "user",
                "type": "Microsoft.ContainerService/managedClusters/agentPools",
                "properties": {{"mode": "User", "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202411.12.0"}}}}]"#
            ),
        ));
        azure.extend(load(
            "other.json",
            r#"[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/gone/agentPools/p",
            "name": "p", "mode": "User"}]"#,
        ));
        let notes = join_listed(&mut azure);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("lists node pools of cluster"),
            "{}",
            notes[0]
        );
        let pools = &azure.clusters[0].node_pools;
        let read: Vec<(&str, Option<&str>, &str)> = pools
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.settings.get("nodeImageVersion").as_str(),
                    &*p.source.path,
                )
            })
            .collect();
        assert_eq!(
            read,
            vec![
                (
                    "SYS",
                    Some("AKSUbuntu-2204gen2containerd-202405.03.0"),
                    "pools.json"
                ),
                (
                    "user",
                    Some("AKSUbuntu-2204gen2containerd-202411.12.0"),
                    "pools.json"
                ),
            ]
        );
        assert!(pools[0].settings.get("vnetSubnetID").as_str().is_some());
    }

    #[test]
    fn a_log_entry_without_a_plain_enabled_flag_makes_the_categories_unknown() {
        let azure = load(
            "d.json",
            &format!(
                r#"[{{"id": "{CLUSTER_ID}/providers/microsoft.insights/diagnosticSettings/a",
                "logs": [{{"category": "kube-audit", "enabled": "maybe"}}]}}]"#
            ),
        );
        match &azure.listed[0].child {
            ChildResource::DiagnosticSetting(setting) => assert_eq!(setting.categories, None),
            other => panic!("{other:?}"),
        }
    }
}
