//! One resource as `az` prints it (properties flattened to the top level, az key spelling),
//! as Resource Manager returns it (`properties.…`), or a managed cluster's bare PUT request
//! body.
//!
//! **Bare PUT bodies** (`az rest --method put --body @cluster.json`, the request bodies of
//! the REST API's `ManagedClustersCreate_*` examples) carry no `type`, `id` or `name`: the
//! request URL does. Such a document is a managed cluster when, by content alone:
//! - it has no `type` and has `location` (every PUT of a tracked resource must) and a
//!   `properties` object;
//! - `properties.agentPoolProfiles` is an array of objects: among current Azure resource
//!   types only managed clusters have it beside the keys below;
//! - `properties` sets `dnsPrefix`, `fqdnSubdomain` or `kubernetesVersion` (a create body
//!   needs `dnsPrefix` or `fqdnSubdomain`);
//! - `properties` has none of the keys of the other services that also have
//!   `agentPoolProfiles`: legacy Azure Container Service (`masterProfile`,
//!   `orchestratorProfile`), OpenShift managed clusters (`masterPoolProfile`,
//!   `openShiftVersion`) and AKS hybrid provisioned clusters (`controlPlane`,
//!   `cloudProviderProfile`).
//!
//! A registry, agent-pool or any other body fails the second test. As the body holds no
//! name, the cluster is named after its file: the file name without its last extension
//! (`ManagedClustersCreate_Premium.request.json` → `ManagedClustersCreate_Premium.request`;
//! `<stdin>` for standard input); a `name` in the body, if any, wins. The body is read as a
//! REST body (format `arm-rest`), cluster settings only.

use std::sync::Arc;

use aksguard_model::azure::{
    AzureFormat, AzureResources, ContainerRegistry, DefenderPricing, Holds, ManagedCluster,
    NodePool, Ref, RoleAssignment, Settings,
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

/// Keys of `properties` that mark another service's cluster with `agentPoolProfiles`.
const NOT_MANAGED_CLUSTER: [&str; 6] = [
    "masterProfile",
    "orchestratorProfile",
    "masterPoolProfile",
    "openShiftVersion",
    "controlPlane",
    "cloudProviderProfile",
];

/// A managed cluster's bare PUT request body (see the module documentation).
fn looks_like_put_body(node: &Node) -> bool {
    if node.get("type").is_some() || node.get("location").is_none() {
        return false;
    }
    let Some(properties) = node.get("properties").filter(|p| p.is_map()) else {
        return false;
    };
    let has = |key: &str| {
        properties
            .entries()
            .iter()
            .any(|e| e.key.eq_ignore_ascii_case(key))
    };
    let pools = properties
        .entries()
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case("agentPoolProfiles"))
        .map(|e| &e.value);
    pools.is_some_and(|p| p.is_seq() && p.items().iter().all(Node::is_map))
        && ["dnsPrefix", "fqdnSubdomain", "kubernetesVersion"]
            .iter()
            .any(|k| has(k))
        && !NOT_MANAGED_CLUSTER.iter().any(|k| has(k))
}

/// The name of a cluster whose body names none: its file name without the last extension.
fn name_from_file(source: &Source) -> String {
    let path = std::path::Path::new(&*source.path);
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| "<unnamed>".into())
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
    } else if looks_like_put_body(node) {
        let mut body = cluster(node, source);
        if node.get("name").is_none() {
            body.name = name_from_file(source);
        }
        out.clusters.push(body);
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
            extensions: super::surroundings::pricing_extensions(node),
        });
    } else if type_is(node, ROLE_ASSIGNMENT) {
        // `az role assignment list` (flat, with `roleDefinitionName`) or a REST body.
        let (settings, _) = settings_of(node);
        let field = |key: &str| settings.get(key).as_str().map(str::to_owned);
        out.role_assignments.push(RoleAssignment {
            pos: node.pos,
            source: source.clone(),
            id: text(node, "id"),
            role: field("roleDefinitionName").or_else(|| field("roleDefinitionId")),
            principal: field("principalId").map(Ref::literal),
            principal_name: field("principalName"),
            principal_type: field("principalType"),
            scope: field("scope").map(Ref::literal),
        });
    } else {
        super::surroundings::push(node, source, out);
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
        refs: Default::default(),
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

    fn load_at(path: &str, text: &str) -> Option<AzureResources> {
        let root = parse_documents(text, 1, &Limits::default())
            .unwrap()
            .remove(0)
            .unwrap();
        let source = Arc::new(Source { path: path.into() });
        super::super::from_document(&root, &source)
    }

    const PUT_BODY: &str = r#"{"location": "westeurope", "sku": {"name": "Base", "tier": "Free"},
        "identity": {"type": "SystemAssigned"},
        "properties": {"dnsPrefix": "dns1", "kubernetesVersion": "",
        "agentPoolProfiles": [{"name": "nodepool1", "mode": "System", "enableNodePublicIP": true}],
        "enableRBAC": true}}"#;

    #[test]
    fn a_bare_put_body_is_a_cluster_named_after_its_file() {
        let azure = load_at(
            "examples/ManagedClustersCreate_Premium.request.json",
            PUT_BODY,
        )
        .unwrap();
        let cluster = &azure.clusters[0];
        assert_eq!(cluster.name, "ManagedClustersCreate_Premium.request");
        assert_eq!(cluster.format, AzureFormat::ArmRest);
        assert_eq!(cluster.holds, Holds::CLUSTER_ONLY);
        assert_eq!(cluster.location.as_deref(), Some("westeurope"));
        assert_eq!(cluster.settings.get("enableRBAC").as_bool(), Some(true));
        assert_eq!(cluster.settings.get("sku.tier").as_str(), Some("Free"));
        assert_eq!(
            cluster.settings.get("identity.type").as_str(),
            Some("SystemAssigned")
        );
        assert_eq!(cluster.node_pools[0].name, "nodepool1");
        assert_eq!(cluster.pos.line, 1);
        // Standard input has no file name; a `name` in the body wins over the file's.
        let stdin = load_at("<stdin>", PUT_BODY).unwrap();
        assert_eq!(stdin.clusters[0].name, "<stdin>");
        let named = PUT_BODY.replacen('{', r#"{"name": "aks-named", "#, 1);
        assert_eq!(
            load_at("x.json", &named).unwrap().clusters[0].name,
            "aks-named"
        );
        // `fqdnSubdomain` instead of `dnsPrefix` (private clusters) is a cluster too.
        let fqdn = PUT_BODY
            .replace("dnsPrefix", "fqdnSubdomain")
            .replace(r#""kubernetesVersion": "","#, "");
        assert_eq!(load_at("f.json", &fqdn).unwrap().clusters.len(), 1);
    }

    #[test]
    fn bodies_of_other_resources_are_not_clusters() {
        for (what, text) in [
            // A registry PUT body: no agent pools.
            (
                "registry body",
                r#"{"location": "westus", "sku": {"name": "Premium"}, "properties": {"adminUserEnabled": true}}"#,
            ),
            // An agent-pool PUT body: neither location nor agentPoolProfiles.
            (
                "agent pool body",
                r#"{"properties": {"count": 3, "vmSize": "Standard_D2s_v5", "orchestratorVersion": "1.30", "mode": "User"}}"#,
            ),
            // No location: not a PUT body of a tracked resource.
            (
                "no location",
                r#"{"properties": {"dnsPrefix": "d", "agentPoolProfiles": [{"name": "p"}]}}"#,
            ),
            // agentPoolProfiles that is not an array of objects.
            (
                "pools not objects",
                r#"{"location": "l", "properties": {"dnsPrefix": "d", "agentPoolProfiles": "[parameters('pools')]"}}"#,
            ),
            // Pools but none of the managed-cluster keys beside them.
            (
                "pools alone",
                r#"{"location": "l", "properties": {"agentPoolProfiles": [{"name": "p"}]}}"#,
            ),
            // Legacy Azure Container Service, OpenShift and AKS hybrid bodies.
            (
                "container service",
                r#"{"location": "l", "properties": {"orchestratorProfile": {"orchestratorType": "Kubernetes"},
                "masterProfile": {"dnsPrefix": "m"}, "agentPoolProfiles": [{"name": "a"}], "kubernetesVersion": "1.9"}}"#,
            ),
            (
                "openshift",
                r#"{"location": "l", "properties": {"openShiftVersion": "v3.11", "masterPoolProfile": {},
                "agentPoolProfiles": [{"name": "a"}], "fqdnSubdomain": "x"}}"#,
            ),
            (
                "hybrid",
                r#"{"location": "l", "extendedLocation": {"type": "CustomLocation"}, "properties": {
                "controlPlane": {"count": 1}, "kubernetesVersion": "1.28", "agentPoolProfiles": [{"name": "a"}]}}"#,
            ),
            // A typed resource of another kind keeps its own reading.
            (
                "typed other resource",
                r#"{"type": "Microsoft.Web/sites", "location": "l", "properties": {"dnsPrefix": "d", "agentPoolProfiles": [{}]}}"#,
            ),
        ] {
            let clusters = load_at("b.json", text).map_or(0, |a| a.clusters.len());
            assert_eq!(clusters, 0, "{what}");
        }
        // A registry REST body stays a registry.
        let registry = load_at(
            "r.json",
            r#"{"type": "Microsoft.ContainerRegistry/registries", "name": "acr1", "location": "l",
            "sku": {"name": "Basic"}, "properties": {"adminUserEnabled": true}}"#,
        )
        .unwrap();
        assert!(registry.clusters.is_empty());
        assert_eq!(registry.registries[0].name, "acr1");
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
        assert_eq!(
            azure.role_assignments[0]
                .principal
                .as_ref()
                .map(|r| r.written.as_str()),
            Some("p")
        );
    }

    #[test]
    fn az_role_assignment_list_fills_id_principal_and_scope() {
        let azure = load(
            r#"{"value": [{"condition": null, "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/a1",
            "name": "a1", "principalId": "11111111-0000-0000-0000-000000000001", "principalName": "ops@example.com",
            "principalType": "User", "resourceGroup": "rg",
            "roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "roleDefinitionName": "Owner", "scope": "/subscriptions/s/resourceGroups/rg",
            "type": "Microsoft.Authorization/roleAssignments"}]}"#,
        );
        let assignment = &azure.role_assignments[0];
        assert_eq!(
            assignment.id.as_deref(),
            Some(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/a1"
            )
        );
        assert_eq!(assignment.role.as_deref(), Some("Owner"));
        assert!(
            assignment
                .principal
                .as_ref()
                .is_some_and(|p| p.is("11111111-0000-0000-0000-000000000001"))
        );
        assert_eq!(
            assignment.principal_name.as_deref(),
            Some("ops@example.com")
        );
        assert_eq!(assignment.principal_type.as_deref(), Some("User"));
        assert_eq!(
            assignment.scope.as_ref().and_then(Ref::id),
            Some("/subscriptions/s/resourceGroups/rg")
        );
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
