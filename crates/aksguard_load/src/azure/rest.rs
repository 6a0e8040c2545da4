//! One resource as `az` prints it (properties flattened to the top level, az key spelling) or
//! as Resource Manager returns it (`properties.…`).

use std::sync::Arc;

use aksguard_model::azure::{
    AzureFormat, AzureResources, ContainerRegistry, DefenderPricing, Holds, ManagedCluster,
    NodePool, RoleAssignment, Settings,
};
use aksguard_model::{Node, Source, Value};

use super::type_is;

const CLUSTER: &str = "Microsoft.ContainerService/managedClusters";
const REGISTRY: &str = "Microsoft.ContainerRegistry/registries";
const PRICING: &str = "Microsoft.Security/pricings";
const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";

fn text(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::as_str).map(str::to_owned)
}

/// The resource group named in an ARM resource ID.
pub(crate) fn resource_group_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case("resourceGroups") {
            return parts.next().map(str::to_owned);
        }
    }
    None
}

/// The properties tree in one shape: REST `properties` with the top-level `sku` and
/// `identity` copied in; `az` output is already flat.
fn settings_of(resource: &Node) -> (Settings, AzureFormat) {
    match resource.get("properties").filter(|p| p.is_map()) {
        Some(properties) => {
            let mut entries = properties.entries().to_vec();
            for key in ["sku", "identity"] {
                if let Some(entry) = resource.entry(key) {
                    entries.push(entry.clone());
                }
            }
            let root = Node {
                pos: properties.pos,
                value: Value::Map(entries),
            };
            (Settings::new(root), AzureFormat::ArmRest)
        }
        None => (Settings::new(resource.clone()), AzureFormat::AzCli),
    }
}

fn looks_like_az_cluster(node: &Node) -> bool {
    node.get("properties").is_none()
        && node.get("agentPoolProfiles").is_some_and(Node::is_seq)
        && node.get("kubernetesVersion").is_some()
}

pub(crate) fn push_resource(node: &Node, source: &Arc<Source>, out: &mut AzureResources) {
    if !node.is_map() {
        return;
    }
    if type_is(node, CLUSTER) || looks_like_az_cluster(node) {
        out.clusters.push(cluster(node, source));
    } else if type_is(node, REGISTRY) {
        let (settings, format) = settings_of(node);
        out.registries.push(ContainerRegistry {
            name: text(node, "name").unwrap_or_else(|| "<unnamed>".into()),
            pos: node.pos,
            source: source.clone(),
            format,
            settings,
        });
    } else if type_is(node, PRICING) {
        let (settings, _) = settings_of(node);
        out.pricings.push(DefenderPricing {
            plan: text(node, "name").unwrap_or_default(),
            pos: node.pos,
            source: source.clone(),
            tier: settings.get("pricingTier").as_str().map(str::to_owned),
        });
    } else if type_is(node, ROLE_ASSIGNMENT) {
        // `az role assignment list` (flat, with `roleDefinitionName`) or a REST body.
        let (settings, _) = settings_of(node);
        let field = |key: &str| settings.get(key).as_str().map(str::to_owned);
        out.role_assignments.push(RoleAssignment {
            pos: node.pos,
            source: source.clone(),
            role: field("roleDefinitionName").or_else(|| field("roleDefinitionId")),
            principal: field("principalId"),
            scope: field("scope"),
        });
    }
}

/// One agent pool as Resource Manager lists it (`…/managedClusters/<c>/agentPools`:
/// `{"id", "name", "properties": {…}}`), in the shape of an `agentPoolProfiles` entry (the
/// properties with the pool's `name`), so the rules read it as they read a cluster body's
/// pools. `None` when the resource is not an object.
pub fn node_pool_from_rest(resource: &Node, source: &Arc<Source>) -> Option<NodePool> {
    if !resource.is_map() {
        return None;
    }
    let mut entries = resource
        .get("properties")
        .filter(|p| p.is_map())
        .map(|p| p.entries().to_vec())
        .unwrap_or_default();
    if let Some(name) = resource.entry("name") {
        entries.retain(|e| e.key != "name");
        entries.insert(0, name.clone());
    }
    let pool = Node {
        pos: resource.pos,
        value: Value::Map(entries),
    };
    Some(NodePool {
        name: text(resource, "name").unwrap_or_else(|| "<unnamed>".into()),
        pos: resource.pos,
        source: source.clone(),
        settings: Settings::new(pool),
    })
}

fn cluster(node: &Node, source: &Arc<Source>) -> ManagedCluster {
    let (settings, format) = settings_of(node);
    let node_pools = settings
        .get("agentPoolProfiles")
        .node()
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|pool| pool.is_map())
        .map(|pool| NodePool {
            name: text(pool, "name").unwrap_or_else(|| "<unnamed>".into()),
            pos: pool.pos,
            source: source.clone(),
            settings: Settings::new(pool.clone()),
        })
        .collect();
    let resource_group = text(node, "resourceGroup")
        .or_else(|| text(node, "id").and_then(|id| resource_group_of(&id)));
    ManagedCluster {
        name: text(node, "name").unwrap_or_else(|| "<unnamed>".into()),
        id: text(node, "id"),
        resource_group,
        location: text(node, "location"),
        pos: node.pos,
        source: source.clone(),
        format,
        settings,
        node_pools,
        diagnostic_settings: Vec::new(),
        maintenance_configurations: Vec::new(),
        holds: Holds::CLUSTER_ONLY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::yaml::parse_documents;

    fn load(text: &str) -> AzureResources {
        let root = parse_documents(text, 1, &Limits::default())
            .unwrap()
            .remove(0)
            .unwrap();
        let source = Arc::new(Source {
            path: "c.json".into(),
        });
        super::super::from_document(&root, &source).unwrap()
    }

    #[test]
    fn az_show_and_rest_shapes_answer_the_same_lookups() {
        let az = load(
            r#"{"name": "c1", "resourceGroup": "rg", "kubernetesVersion": "1.30",
            "enableRbac": true, "agentPoolProfiles": [{"name": "sys", "enableNodePublicIp": true}],
            "sku": {"tier": "Free"}}"#,
        );
        let rest = load(
            r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1",
            "name": "c1", "type": "Microsoft.ContainerService/ManagedClusters", "sku": {"tier": "Free"},
            "properties": {"kubernetesVersion": "1.30", "enableRBAC": true,
            "agentPoolProfiles": [{"name": "sys", "enableNodePublicIP": true}]}}"#,
        );
        for resources in [az, rest] {
            let cluster = &resources.clusters[0];
            assert_eq!(cluster.name, "c1");
            assert_eq!(cluster.resource_group.as_deref(), Some("rg"));
            assert_eq!(cluster.settings.get("enableRBAC").as_bool(), Some(true));
            assert_eq!(cluster.settings.get("sku.tier").as_str(), Some("Free"));
            assert_eq!(
                cluster.node_pools[0]
                    .settings
                    .get("enableNodePublicIP")
                    .as_bool(),
                Some(true)
            );
        }
    }

    #[test]
    fn a_document_of_role_assignments_alone_is_kept() {
        let azure = load(
            r#"[{"id": "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"scope": "/subscriptions/s", "principalId": "p",
            "roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r"}}]"#,
        );
        assert_eq!(azure.role_assignments.len(), 1);
        assert_eq!(azure.role_assignments[0].principal.as_deref(), Some("p"));
    }

    #[test]
    fn a_listed_agent_pool_reads_as_an_agent_pool_profile() {
        let root = parse_documents(
            r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/sys",
            "name": "sys", "type": "Microsoft.ContainerService/managedClusters/agentPools",
            "properties": {"name": "ignored", "enableNodePublicIP": true, "mode": "System"}}"#,
            1,
            &Limits::default(),
        )
        .unwrap()
        .remove(0)
        .unwrap();
        let source = Arc::new(Source {
            path: "azure://p".into(),
        });
        let pool = node_pool_from_rest(&root, &source).unwrap();
        assert_eq!(pool.name, "sys");
        assert_eq!(pool.settings.get("name").as_str(), Some("sys"));
        assert_eq!(
            pool.settings.get("enableNodePublicIP").as_bool(),
            Some(true)
        );
        assert_eq!(pool.settings.get("mode").as_str(), Some("System"));
        assert!(node_pool_from_rest(&Node::scalar("x", true, root.pos), &source).is_none());
    }
}
