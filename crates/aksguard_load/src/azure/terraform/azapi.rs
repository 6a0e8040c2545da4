//! azapi resources (`azapi_resource`, `azapi_update_resource`): the body is the ARM REST
//! shape written in HCL, so it maps to the model without a table: `body.properties` is the
//! settings tree, with `sku` and `identity` (the body's, or the resource's `identity` block)
//! copied in as for REST bodies.
//!
//! The body arrives as an [`Obj`] in REST shape (see `hcl.rs`): objects are blocks, lists of
//! objects are [`Obj::lists`], everything else is an attribute (Unknown ones with the
//! reason). The Azure Verified Module front end builds the same shape from a module call's
//! inputs and hands it to [`push_rest`], so both forms judge alike.
//!
//! Resource types read: managed clusters and their `agentPools` / `maintenanceConfigurations`
//! children, `Microsoft.Insights/diagnosticSettings` (joined by `parent_id`),
//! `Microsoft.ContainerRegistry/registries`, `Microsoft.Authorization/roleAssignments` and
//! `Microsoft.Security/pricings`. An `azapi_update_resource` of a managed cluster patches a
//! cluster (azurerm or azapi) of its module: its body is written over the cluster's settings,
//! the patch winning; one whose cluster is not read with it is a notice, not a cluster.

use std::collections::BTreeMap;

use aksguard_model::azure::{
    AzureFormat, AzureResources, ContainerRegistry, DefenderPricing, DiagnosticSetting, Holds,
    ManagedCluster, NodePool, Ref, RoleAssignment, Settings,
};
use aksguard_model::{Entry, Node, Pos, Value};

use super::{Attr, Obj, Resource, Val};

pub(crate) const RESOURCE: &str = "azapi_resource";
pub(crate) const UPDATE: &str = "azapi_update_resource";

const CLUSTER: &str = "microsoft.containerservice/managedclusters";
const AGENT_POOL: &str = "microsoft.containerservice/managedclusters/agentpools";
const MAINTENANCE: &str = "microsoft.containerservice/managedclusters/maintenanceconfigurations";
const DIAGNOSTICS: &str = "microsoft.insights/diagnosticsettings";
const REGISTRY: &str = "microsoft.containerregistry/registries";
const ROLE_ASSIGNMENT: &str = "microsoft.authorization/roleassignments";
const PRICING: &str = "microsoft.security/pricings";

pub(crate) fn is_azapi(kind: &str) -> bool {
    kind == RESOURCE || kind == UPDATE
}

/// The resource type of `Type@api-version`, lower-cased.
fn type_name(written: &str) -> String {
    written
        .split('@')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub(crate) fn is_cluster_type(written: &str) -> bool {
    type_name(written) == CLUSTER
}

/// What an azapi resource is, by its `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RestKind {
    Cluster,
    Pool,
    Maintenance,
    Diagnostic,
    Registry,
    RoleAssignment,
    Pricing,
}

/// The kind of an azapi resource; `None` for other types and unresolvable ones.
pub(crate) fn rest_kind(resource: &Resource) -> Option<RestKind> {
    if !is_azapi(&resource.kind) {
        return None;
    }
    let written = resource.body.attr("type")?.val.as_str()?;
    Some(match type_name(written).as_str() {
        CLUSTER => RestKind::Cluster,
        AGENT_POOL => RestKind::Pool,
        MAINTENANCE => RestKind::Maintenance,
        DIAGNOSTICS => RestKind::Diagnostic,
        REGISTRY => RestKind::Registry,
        ROLE_ASSIGNMENT => RestKind::RoleAssignment,
        PRICING => RestKind::Pricing,
        _ => return None,
    })
}

/// Gives `azapi_update_resource`s that write `type = azapi_resource.<x>.type` the type of
/// `<x>` (the Azure Verified Module patches its cluster so), and remembers `<x>` as the
/// resource they patch.
pub(crate) fn resolve_type_references(resources: &mut [Resource]) {
    let types: Vec<(String, String, Val)> = resources
        .iter()
        .filter(|r| r.kind == RESOURCE)
        .filter_map(|r| {
            let val = r.body.attr("type")?.val.clone();
            Some((r.module.clone(), r.reference(), val))
        })
        .collect();
    for resource in resources.iter_mut().filter(|r| is_azapi(&r.kind)) {
        let Some(attr) = resource
            .body
            .attrs
            .iter_mut()
            .rev()
            .find(|(k, _)| k == "type")
            .map(|(_, a)| a)
        else {
            continue;
        };
        if !matches!(attr.val, Val::Unknown(_)) {
            continue;
        }
        let Some(target) = attr
            .text
            .as_deref()
            .and_then(|t| t.strip_suffix(".type"))
            .filter(|t| t.starts_with("azapi_resource."))
        else {
            continue;
        };
        if let Some((_, _, val)) = types
            .iter()
            .find(|(m, r, _)| *m == resource.module && r == target)
        {
            attr.val = val.clone();
            if resource.cluster_ref.is_none() {
                resource.cluster_ref = Some(target.to_owned());
            }
        }
    }
}

/// A managed-cluster `azapi_update_resource`.
pub(crate) fn is_cluster_patch(resource: &Resource) -> bool {
    resource.kind == UPDATE && rest_kind(resource) == Some(RestKind::Cluster)
}

/// `update` patches `cluster` (azurerm or azapi, same module instance): by a reference in
/// `resource_id` / `parent_id` / `type`, or for an azapi cluster by equal `name` and
/// `parent_id` (resolved, or written the same way).
pub(crate) fn patches(update: &Resource, cluster: &Resource) -> bool {
    update.module == cluster.module
        && update.caller == cluster.caller
        && (update.cluster_ref.as_deref() == Some(cluster.reference().as_str())
            || (cluster.kind == RESOURCE
                && same_written(update, cluster, "name")
                && same_written(update, cluster, "parent_id")))
}

/// The notice for a patch whose cluster is not among those read with it.
pub(crate) fn unmatched_patch(update: &Resource) -> String {
    format!(
        "{}:{}: {} patches a managed cluster that is not read with it; the patch is not judged",
        update.source.path,
        update.body.pos.line,
        update.address()
    )
}

/// The attribute resolves to the same value in both, or is written the same way.
fn same_written(a: &Resource, b: &Resource, name: &str) -> bool {
    match (a.body.attr(name), b.body.attr(name)) {
        (Some(x), Some(y)) => match (x.val.as_str(), y.val.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => x.text.is_some() && x.text == y.text,
        },
        _ => false,
    }
}

/// Writes a patch over a cluster's settings, as Resource Manager applies a PUT of the
/// patched body: objects merge, other values (lists included) replace, the patch winning.
/// A patch that may not exist (its `count`/`for_each` is unresolvable) makes what it sets
/// Unknown; a patch body that cannot be resolved may change anything: every setting is
/// Unknown. Node pools are read from the cluster as written (a patch of
/// `agentPoolProfiles` is not applied to them).
pub(crate) fn patch_cluster(cluster: &mut ManagedCluster, update: &Resource) {
    let patch = settings(update, &["sku", "identity"]);
    let address = update.address();
    let target = &mut cluster.settings;
    if let Some(reason) = patch.unknown.get("") {
        target
            .unknown
            .insert(String::new(), format!("patched by {address}: {reason}"));
        return;
    }
    if update.conditional {
        let mut paths = Vec::new();
        leaf_paths(&patch.root, "", &mut paths);
        paths.extend(patch.unknown.keys().cloned());
        for path in paths {
            target.unknown.insert(
                path,
                format!("{address} may patch it (its count or for_each is not resolvable)"),
            );
        }
        return;
    }
    merge_node(&mut target.root, &patch.root, "", &mut target.unknown);
    for (path, reason) in patch.unknown {
        target.unknown.insert(path, reason);
    }
}

fn join_path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn leaf_paths(node: &Node, prefix: &str, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => {
            for entry in entries {
                leaf_paths(&entry.value, &join_path(prefix, &entry.key), out);
            }
        }
        _ if !prefix.is_empty() => out.push(prefix.to_owned()),
        _ => {}
    }
}

fn merge_node(base: &mut Node, patch: &Node, prefix: &str, unknown: &mut BTreeMap<String, String>) {
    let Value::Map(patch_entries) = &patch.value else {
        return;
    };
    if !base.is_map() {
        base.value = Value::Map(Vec::new());
    }
    let Value::Map(entries) = &mut base.value else {
        return;
    };
    for entry in patch_entries {
        let path = join_path(prefix, &entry.key);
        let existing = entries
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(&entry.key));
        match existing {
            Some(existing) if existing.value.is_map() && entry.value.is_map() => {
                merge_node(&mut existing.value, &entry.value, &path, unknown);
            }
            Some(existing) => {
                *existing = entry.clone();
                forget_unknown(unknown, &path);
            }
            None => {
                entries.push(entry.clone());
                forget_unknown(unknown, &path);
            }
        }
    }
}

/// A known value written at `path` replaces what was unknown there (and under it).
fn forget_unknown(unknown: &mut BTreeMap<String, String>, path: &str) {
    let lower = path.to_ascii_lowercase();
    unknown.retain(|p, _| {
        let p = p.to_ascii_lowercase();
        !(p == lower || p.starts_with(&format!("{lower}.")) || p.starts_with(&format!("{lower}[")))
    });
}

// ---------------------------------------------------------------------------------------
// REST tree.

/// A REST object as a positioned node; unknown members go to `unknown` under `prefix`.
pub(crate) fn rest_node(obj: &Obj, prefix: &str, unknown: &mut BTreeMap<String, String>) -> Node {
    let path = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut put = |key: &str, key_pos: Pos, value: Node| {
        entries.retain(|e| e.key != key);
        entries.push(Entry {
            key: key.into(),
            key_pos,
            value,
        });
    };
    for (key, attr) in &obj.attrs {
        if let Some(reason) = attr.val.unknown_reason() {
            unknown.insert(path(key), reason.to_owned());
            continue;
        }
        if let Some(node) = positioned(attr) {
            put(key, attr.pos, node);
        }
    }
    for (key, block) in &obj.blocks {
        let node = rest_node(block, &path(key), unknown);
        put(key, block.pos, node);
    }
    for name in &obj.dynamic {
        unknown.insert(path(name), format!("`dynamic \"{name}\"` block"));
    }
    for (key, items) in &obj.lists {
        let nodes: Vec<Node> = items
            .iter()
            .enumerate()
            .map(|(i, item)| rest_node(item, &format!("{}[{i}]", path(key)), unknown))
            .collect();
        let pos = items.first().map_or(obj.pos, |i| i.pos);
        put(
            key,
            pos,
            Node {
                pos,
                value: Value::Seq(nodes),
            },
        );
    }
    Node {
        pos: obj.pos,
        value: Value::Map(entries),
    }
}

/// An attribute's value as a node, list items at their own lines.
fn positioned(attr: &Attr) -> Option<Node> {
    let mut node = attr.val.to_node(attr.pos)?;
    if let Value::Seq(items) = &mut node.value
        && items.len() == attr.items.len()
    {
        for (item, pos) in items.iter_mut().zip(&attr.items) {
            item.pos = *pos;
        }
    }
    Some(node)
}

/// The settings of a REST resource: `body.properties`, plus the listed top-level body keys
/// (`sku`, `identity`). A body or `properties` that cannot be resolved makes every setting
/// Unknown.
fn settings(resource: &Resource, extra: &[&str]) -> Settings {
    // IDs that references name, where known (`vnetSubnetID = azapi_resource.subnet.id`).
    let obj = &super::symbols::with_rest_ids(resource, &resource.body);
    let mut unknown = BTreeMap::new();
    let Some(body) = obj.block("body") else {
        let mut settings = Settings::new(Node {
            pos: obj.pos,
            value: Value::Map(Vec::new()),
        });
        let reason = match obj.attr("body").map(|a| &a.val) {
            Some(Val::Unknown(reason)) => format!("azapi body: {reason}"),
            Some(Val::Null) | None => return settings,
            Some(_) => "azapi body is not an object".to_owned(),
        };
        settings.unknown.insert(String::new(), reason);
        return settings;
    };
    let mut root = match body.block("properties") {
        Some(properties) => rest_node(properties, "", &mut unknown),
        None => {
            if let Some(reason) = body.attr("properties").and_then(|a| a.val.unknown_reason()) {
                unknown.insert(String::new(), format!("azapi body properties: {reason}"));
            }
            Node {
                pos: body.pos,
                value: Value::Map(Vec::new()),
            }
        }
    };
    for key in extra {
        let node = match (body.block(key), body.attr(key)) {
            (Some(block), _) => Some((block.pos, rest_node(block, key, &mut unknown))),
            (None, Some(attr)) => match attr.val.unknown_reason() {
                Some(reason) => {
                    unknown.insert((*key).to_owned(), reason.to_owned());
                    None
                }
                None => positioned(attr).map(|n| (attr.pos, n)),
            },
            _ => None,
        };
        let node = node.or_else(|| {
            // The resource's `identity { type, identity_ids }` block.
            (*key == "identity")
                .then(|| obj.block("identity"))
                .flatten()
                .map(|block| (block.pos, identity_block(block, &mut unknown)))
        });
        if obj.is_dynamic(key) && *key == "identity" {
            unknown.insert("identity".into(), "`dynamic \"identity\"` block".into());
        }
        if let (Some((pos, node)), Value::Map(entries)) = (node, &mut root.value) {
            entries.retain(|e| e.key != *key);
            entries.push(Entry {
                key: (*key).into(),
                key_pos: pos,
                value: node,
            });
        }
    }
    let mut settings = Settings::new(root);
    settings.unknown = unknown;
    settings
}

/// azapi's `identity { type = "…", identity_ids = [...] }` in REST shape:
/// `{type, userAssignedIdentities: {<id>: {}}}`.
fn identity_block(block: &Obj, unknown: &mut BTreeMap<String, String>) -> Node {
    let mut entries = Vec::new();
    if let Some(attr) = block.attr("type") {
        match attr.val.unknown_reason() {
            Some(reason) => {
                unknown.insert("identity.type".into(), reason.to_owned());
            }
            None => {
                if let Some(node) = positioned(attr) {
                    entries.push(Entry {
                        key: "type".into(),
                        key_pos: attr.pos,
                        value: node,
                    });
                }
            }
        }
    }
    if let Some(attr) = block.attr("identity_ids") {
        match &attr.val {
            Val::List(ids) => {
                let ids: Vec<Entry> = ids
                    .iter()
                    .filter_map(Val::as_str)
                    .map(|id| Entry {
                        key: id.into(),
                        key_pos: attr.pos,
                        value: Node {
                            pos: attr.pos,
                            value: Value::Map(Vec::new()),
                        },
                    })
                    .collect();
                entries.push(Entry {
                    key: "userAssignedIdentities".into(),
                    key_pos: attr.pos,
                    value: Node {
                        pos: attr.pos,
                        value: Value::Map(ids),
                    },
                });
            }
            Val::Unknown(reason) => {
                unknown.insert("identity.userAssignedIdentities".into(), reason.clone());
            }
            _ => {}
        }
    }
    Node {
        pos: block.pos,
        value: Value::Map(entries),
    }
}

fn known_str(obj: &Obj, name: &str) -> Option<String> {
    obj.attr(name)
        .and_then(|a| a.val.as_str())
        .map(str::to_owned)
}

fn display_name(resource: &Resource) -> String {
    known_str(&resource.body, "name").unwrap_or_else(|| resource.placeholder())
}

/// A resolved value, else the expression as written.
fn written(obj: &Obj, name: &str) -> Option<String> {
    obj.attr(name)
        .and_then(|a| match (a.val.as_str(), &a.text) {
            (Some(value), _) => Some(value.to_owned()),
            (None, Some(text)) => Some(text.clone()),
            _ => None,
        })
}

// ---------------------------------------------------------------------------------------
// Model.

/// A managed cluster from an azapi (or AVM) resource, without its separate children.
pub(crate) fn cluster(resource: &Resource, format: AzureFormat) -> ManagedCluster {
    let settings = settings(resource, &["sku", "identity"]);
    let node_pools = settings
        .root
        .get("agentPoolProfiles")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, pool)| pool.is_map())
        .map(|(i, pool)| {
            let pool_settings = settings.part(&format!("agentPoolProfiles[{i}]"), pool.clone());
            NodePool {
                name: pool
                    .get("name")
                    .and_then(Node::as_str)
                    .map_or_else(|| format!("<agentPoolProfiles[{i}]>"), str::to_owned),
                pos: pool.pos,
                source: resource.source.clone(),
                settings: pool_settings,
            }
        })
        .collect();
    ManagedCluster {
        name: display_name(resource),
        id: None,
        // The parent of a cluster is its resource group.
        resource_group: known_str(&resource.body, "parent_id")
            .and_then(|id| crate::azure::rest::resource_group_of(&id)),
        location: known_str(&resource.body, "location"),
        pos: resource.body.pos,
        source: resource.source.clone(),
        format,
        settings,
        node_pools,
        diagnostic_settings: Vec::new(),
        maintenance_configurations: Vec::new(),
        refs: cluster_refs(resource),
        holds: Holds::EVERYTHING,
    }
}

/// The cluster's symbol, resource group and the references its body makes to node subnets
/// (`agentPoolProfiles[].vnetSubnetID`), the AGIC gateway and the monitoring workspace.
fn cluster_refs(resource: &Resource) -> aksguard_model::azure::ClusterRefs {
    let names = &resource.names;
    let properties = resource
        .body
        .block("body")
        .and_then(|b| b.block("properties"));
    let at = |obj: &Obj, path: &[&str]| -> Option<Ref> {
        let (last, blocks) = path.split_last()?;
        let mut obj = obj;
        for name in blocks {
            obj = obj.block(name)?;
        }
        obj.attr(last)
            .filter(|a| !matches!(a.val, Val::Null))
            .map(|attr| names.resolve(resource, attr))
    };
    let subnets = properties
        .and_then(|p| p.lists.iter().find(|(k, _)| k == "agentPoolProfiles"))
        .map(|(_, pools)| {
            pools
                .iter()
                .enumerate()
                .filter_map(|(i, pool)| {
                    let name = pool
                        .attr("name")
                        .and_then(|a| a.val.as_str())
                        .map_or_else(|| format!("<agentPoolProfiles[{i}]>"), str::to_owned);
                    Some((name, at(pool, &["vnetSubnetID"])?))
                })
                .collect()
        })
        .unwrap_or_default();
    let addon = |name: &str, key: &str| {
        properties.and_then(|p| at(p, &["addonProfiles", name, "config", key]))
    };
    let parent = resource.body.attr("parent_id");
    aksguard_model::azure::ClusterRefs {
        symbols: names.key(resource).symbols,
        resource_group: parent.map(|attr| names.resolve(resource, attr)),
        subnets,
        application_gateway: addon("ingressApplicationGateway", "applicationGatewayId"),
        kubelet_identity: None,
        log_analytics_workspace: addon("omsagent", "logAnalyticsWorkspaceResourceID"),
    }
}

/// Joins an azapi child (agent pool, maintenance configuration, diagnostic setting) to its
/// cluster.
pub(crate) fn push_child(child: &Resource, cluster: &mut ManagedCluster) {
    match rest_kind(child) {
        Some(RestKind::Pool) => {
            let mut settings = settings(child, &[]);
            if let (Some(name), Value::Map(entries)) =
                (known_str(&child.body, "name"), &mut settings.root.value)
                && !entries.iter().any(|e| e.key == "name")
            {
                entries.insert(
                    0,
                    Entry {
                        key: "name".into(),
                        key_pos: child.body.pos,
                        value: Node::scalar(name, false, child.body.pos),
                    },
                );
            }
            cluster.node_pools.push(NodePool {
                name: display_name(child),
                pos: child.body.pos,
                source: child.source.clone(),
                settings,
            });
        }
        Some(RestKind::Maintenance) => cluster.maintenance_configurations.push(display_name(child)),
        Some(RestKind::Diagnostic) => cluster.diagnostic_settings.push(diagnostic(child)),
        _ => {}
    }
}

/// A diagnostic setting: enabled `logs[].category` / `categoryGroup`, lower-cased; `None`
/// when any is unresolvable.
fn diagnostic(resource: &Resource) -> DiagnosticSetting {
    let settings = settings(resource, &[]);
    let logs_unknown = settings
        .unknown
        .keys()
        .any(|p| p.is_empty() || p == "logs" || p.starts_with("logs["));
    let categories = if logs_unknown {
        None
    } else {
        let mut out = Some(Vec::new());
        for log in settings
            .root
            .get("logs")
            .map(Node::items)
            .unwrap_or_default()
        {
            let enabled = log.get("enabled").and_then(Node::as_bool).unwrap_or(true);
            let category = log
                .get("category")
                .or_else(|| log.get("categoryGroup"))
                .and_then(Node::as_str);
            match (enabled, category) {
                (false, _) => {}
                (true, Some(category)) => {
                    if let Some(list) = out.as_mut() {
                        list.push(category.to_ascii_lowercase());
                    }
                }
                (true, None) => out = None,
            }
        }
        out
    };
    DiagnosticSetting {
        name: display_name(resource),
        pos: resource.body.pos,
        source: resource.source.clone(),
        categories,
    }
}

/// Registries, Defender pricings and role assignments.
pub(crate) fn push_other(resource: &Resource, format: AzureFormat, out: &mut AzureResources) {
    let obj = &resource.body;
    if let Some(written) = obj.attr("type").and_then(|a| a.val.as_str())
        && super::surroundings_rest::push(resource, &type_name(written), format, out)
    {
        return;
    }
    match rest_kind(resource) {
        Some(RestKind::Registry) => out.registries.push(ContainerRegistry {
            name: display_name(resource),
            pos: obj.pos,
            source: resource.source.clone(),
            format,
            settings: settings(resource, &["sku", "identity"]),
        }),
        Some(RestKind::Pricing) => {
            let Some(plan) = known_str(obj, "name") else {
                return;
            };
            let settings = settings(resource, &[]);
            out.pricings.push(DefenderPricing {
                plan,
                pos: obj.pos,
                source: resource.source.clone(),
                tier: settings.get("pricingTier").as_str().map(str::to_owned),
                extensions: super::surroundings_rest::pricing_extensions(resource),
            });
        }
        Some(RestKind::RoleAssignment) => {
            let properties = obj.block("body").and_then(|b| b.block("properties"));
            out.role_assignments.push(RoleAssignment {
                pos: obj.pos,
                source: resource.source.clone(),
                id: None,
                role: properties.and_then(|p| written(p, "roleDefinitionId")),
                principal: properties
                    .and_then(|p| p.attr("principalId"))
                    .map(|attr| resource.names.resolve(resource, attr)),
                principal_name: None,
                principal_type: properties.and_then(|p| known_str(p, "principalType")),
                scope: obj
                    .attr("parent_id")
                    .map(|attr| resource.names.resolve(resource, attr)),
            });
        }
        _ => {}
    }
}

/// REST-shaped resources (azapi resources, or what the Azure Verified Module front end makes
/// of a module call) → the model, children joined to their clusters by reference. The one
/// entry point for front ends that build REST bodies: `resources` are one module's, each
/// with `kind` [`RESOURCE`] (or [`UPDATE`]) and a `body` block in REST shape.
pub(crate) fn push_rest(
    mut resources: Vec<Resource>,
    format: AzureFormat,
    out: &mut AzureResources,
) -> Vec<String> {
    resolve_type_references(&mut resources);
    let (updates, resources): (Vec<Resource>, Vec<Resource>) =
        resources.into_iter().partition(is_cluster_patch);
    let (clusters, rest): (Vec<Resource>, Vec<Resource>) = resources
        .into_iter()
        .partition(|r| r.kind == RESOURCE && rest_kind(r) == Some(RestKind::Cluster));
    let (children, others): (Vec<Resource>, Vec<Resource>) =
        rest.into_iter().partition(super::map::is_cluster_child);
    for other in &others {
        push_other(other, format, out);
    }
    for resource in &clusters {
        let mut model = cluster(resource, format);
        for child in children.iter().filter(|c| super::map::joins(c, resource)) {
            push_child(child, &mut model);
        }
        for update in updates.iter().filter(|u| patches(u, resource)) {
            patch_cluster(&mut model, update);
        }
        out.clusters.push(model);
    }
    updates
        .iter()
        .filter(|u| !clusters.iter().any(|c| patches(u, c)))
        .map(unmatched_patch)
        .collect()
}
