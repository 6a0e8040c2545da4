//! Where an assignment (role or policy) applies relative to one cluster: the cluster itself,
//! its resource group, its node resource group, its subscription, or none of them.
//!
//! A scope is a [`Ref`]: an ID (where [`UNKNOWN_SEGMENT`] matches any one segment, so ARM
//! `resourceGroup().id` — `/subscriptions/{unknown}/resourceGroups/{unknown}` — matches the
//! resource group of a cluster of the same template) or a symbol (the cluster's own symbols,
//! or the symbol its resource group is named by). A cluster whose resource group is not known
//! at all (no ID, no literal `resourceGroup`, no reference) is in the resource group of a scope
//! only when that scope's group is itself unknown (both come from the same deployment).

use super::refs::{Ref, UNKNOWN_SEGMENT, id_parts, ids_match, resource_group_id, subscription_id};
use super::{Lookup, ManagedCluster};

/// Where a scope applies relative to a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClusterScope {
    Cluster,
    ResourceGroup,
    /// The `MC_…` group AKS creates for the nodes (`nodeResourceGroup`).
    NodeResourceGroup,
    Subscription,
}

impl ClusterScope {
    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            ClusterScope::Cluster => "the cluster",
            ClusterScope::ResourceGroup => "the cluster's resource group",
            ClusterScope::NodeResourceGroup => "the cluster's node resource group",
            ClusterScope::Subscription => "the cluster's subscription",
        }
    }
}

/// A plain segment value: `None` for empty text and unresolved expressions.
fn segment(text: &str) -> Option<&str> {
    let text = text.trim();
    let plain = !text.is_empty()
        && !text.contains(['/', ' ', '$', '[', '(', '{', '\''])
        && !text.starts_with("var.")
        && !text.starts_with("local.");
    plain.then_some(text)
}

/// The cluster's subscription ID (`/subscriptions/<id>`), or one with an unknown segment.
fn cluster_subscription(cluster: &ManagedCluster) -> String {
    cluster
        .id
        .as_deref()
        .and_then(subscription_id)
        .unwrap_or_else(|| format!("/subscriptions/{UNKNOWN_SEGMENT}"))
}

/// The cluster's resource group name, when known.
fn cluster_group(cluster: &ManagedCluster) -> Option<String> {
    if let Some(group) = cluster
        .id
        .as_deref()
        .and_then(id_parts)
        .and_then(|p| p.resource_group)
    {
        return Some(group.to_owned());
    }
    cluster
        .resource_group
        .as_deref()
        .and_then(segment)
        .map(str::to_owned)
}

/// The name of the cluster's node resource group: `nodeResourceGroup` when set, else AKS's
/// default `MC_<group>_<cluster>_<location>` when all three are known.
pub fn node_resource_group(cluster: &ManagedCluster) -> Option<String> {
    match cluster.settings.get("nodeResourceGroup") {
        Lookup::Known(node) => node.as_str().and_then(segment).map(str::to_owned),
        Lookup::Unknown(_) => None,
        Lookup::Absent => {
            let group = cluster_group(cluster)?;
            let name = segment(&cluster.name)?;
            let location = segment(cluster.location.as_deref()?)?;
            Some(format!("MC_{group}_{name}_{location}"))
        }
    }
}

/// Whether the group ID `scope` names the group `group` (known name, or unknown) of the
/// cluster's subscription.
fn group_matches(scope: &str, subscription: &str, group: Option<&str>) -> bool {
    match group {
        Some(group) => ids_match(scope, &format!("{subscription}/resourceGroups/{group}")),
        None => {
            id_parts(scope).is_some_and(|p| p.resource_group == Some(UNKNOWN_SEGMENT))
                && ids_match(
                    scope,
                    &format!("{subscription}/resourceGroups/{UNKNOWN_SEGMENT}"),
                )
        }
    }
}

/// Where `scope` applies relative to `cluster`, or `None` when it is none of its scopes (or
/// cannot be followed).
pub fn classify(scope: &Ref, cluster: &ManagedCluster) -> Option<ClusterScope> {
    let key = scope.key.as_deref()?;
    if scope.names(&cluster.key()) {
        return Some(ClusterScope::Cluster);
    }
    let group_ref = cluster.refs.resource_group.as_ref();
    if !key.starts_with('/') {
        // A symbol: the cluster's own symbols were compared above; its resource group's
        // symbol here.
        let same_group = group_ref
            .and_then(|g| g.key.as_deref())
            .is_some_and(|g| g.eq_ignore_ascii_case(key));
        return same_group.then_some(ClusterScope::ResourceGroup);
    }
    let parts = id_parts(key)?;
    if parts.provider_path.is_some() {
        return None;
    }
    let subscription = cluster_subscription(cluster);
    if parts.resource_group.is_some() {
        let by_ref = group_ref
            .and_then(Ref::id)
            .and_then(resource_group_id)
            .is_some_and(|g| ids_match(key, &g));
        if by_ref || group_matches(key, &subscription, cluster_group(cluster).as_deref()) {
            return Some(ClusterScope::ResourceGroup);
        }
        if let Some(nodes) = node_resource_group(cluster)
            && group_matches(key, &subscription, Some(&nodes))
        {
            return Some(ClusterScope::NodeResourceGroup);
        }
        return None;
    }
    parts
        .subscription
        .is_some()
        .then_some(())
        .filter(|()| ids_match(key, &subscription))
        .map(|()| ClusterScope::Subscription)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::azure::{AzureFormat, ClusterRefs, Holds, Settings};
    use crate::node::{Entry, Node, Pos, Value};
    use crate::object::Source;

    fn cluster(id: Option<&str>, group: Option<&str>, node_group: Option<&str>) -> ManagedCluster {
        let entries = node_group
            .map(|g| Entry {
                key: "nodeResourceGroup".into(),
                key_pos: Pos::new(1, 1),
                value: Node::scalar(g, false, Pos::new(1, 1)),
            })
            .into_iter()
            .collect();
        ManagedCluster {
            name: "aks1".into(),
            id: id.map(str::to_owned),
            resource_group: group.map(str::to_owned),
            location: Some("westeurope".into()),
            pos: Pos::new(1, 1),
            source: Arc::new(Source {
                path: "c.json".into(),
            }),
            format: AzureFormat::AzCli,
            settings: Settings::new(Node {
                pos: Pos::new(1, 1),
                value: Value::Map(entries),
            }),
            node_pools: Vec::new(),
            diagnostic_settings: Vec::new(),
            maintenance_configurations: Vec::new(),
            refs: ClusterRefs::default(),
            holds: Holds::CLUSTER_ONLY,
        }
    }

    const ID: &str = "/subscriptions/0000/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1";

    #[test]
    fn scopes_of_a_cluster_with_an_id() {
        let c = cluster(Some(ID), Some("rg1"), None);
        let of = |scope: &str| classify(&Ref::literal(scope), &c);
        assert_eq!(of(&ID.to_ascii_uppercase()), Some(ClusterScope::Cluster));
        assert_eq!(
            of("/subscriptions/0000/resourceGroups/RG1"),
            Some(ClusterScope::ResourceGroup)
        );
        assert_eq!(
            of("/subscriptions/0000/resourceGroups/MC_rg1_aks1_westeurope"),
            Some(ClusterScope::NodeResourceGroup)
        );
        assert_eq!(of("/subscriptions/0000"), Some(ClusterScope::Subscription));
        assert_eq!(of("/subscriptions/0000/"), Some(ClusterScope::Subscription));
        assert_eq!(of("/subscriptions/1111"), None);
        assert_eq!(of("/subscriptions/0000/resourceGroups/rg2"), None);
        assert_eq!(
            of(
                "/subscriptions/0000/resourceGroups/rg1/providers/Microsoft.ContainerRegistry/registries/acr"
            ),
            None
        );
        assert_eq!(
            of("/providers/Microsoft.Management/managementGroups/root"),
            None
        );
        assert_eq!(classify(&Ref::opaque("var.scope"), &c), None);
        // Unknown segments match.
        assert_eq!(
            of("/subscriptions/{unknown}/resourceGroups/rg1"),
            Some(ClusterScope::ResourceGroup)
        );
        assert_eq!(
            of("/subscriptions/{unknown}"),
            Some(ClusterScope::Subscription)
        );
    }

    #[test]
    fn node_resource_group_set_or_defaulted() {
        let c = cluster(Some(ID), None, Some("nodes-rg"));
        assert_eq!(node_resource_group(&c).as_deref(), Some("nodes-rg"));
        assert_eq!(
            classify(
                &Ref::literal("/subscriptions/0000/resourceGroups/nodes-rg"),
                &c
            ),
            Some(ClusterScope::NodeResourceGroup)
        );
        assert_eq!(
            classify(
                &Ref::literal("/subscriptions/0000/resourceGroups/MC_rg1_aks1_westeurope"),
                &c
            ),
            None
        );
        let mut no_location = cluster(None, Some("rg1"), None);
        no_location.location = None;
        assert_eq!(node_resource_group(&no_location), None);
    }

    #[test]
    fn template_clusters_match_by_symbol_or_unknown_segments() {
        let mut c = cluster(None, None, None);
        c.refs = ClusterRefs {
            symbols: vec!["tf:main.tf#azurerm_kubernetes_cluster.main".into()],
            resource_group: Some(Ref::resolved(
                "azurerm_resource_group.rg.name",
                "tf:main.tf#azurerm_resource_group.rg",
            )),
            ..ClusterRefs::default()
        };
        let symbol = |s: &str| classify(&Ref::resolved(s, s), &c);
        assert_eq!(
            symbol("tf:main.tf#azurerm_kubernetes_cluster.main"),
            Some(ClusterScope::Cluster)
        );
        assert_eq!(
            symbol("tf:main.tf#azurerm_resource_group.rg"),
            Some(ClusterScope::ResourceGroup)
        );
        assert_eq!(symbol("tf:main.tf#azurerm_resource_group.other"), None);
        // `resourceGroup().id` of the same template, and `subscription().id`.
        let of = |scope: &str| classify(&Ref::literal(scope), &c);
        assert_eq!(
            of("/subscriptions/{unknown}/resourceGroups/{unknown}"),
            Some(ClusterScope::ResourceGroup)
        );
        assert_eq!(
            of("/subscriptions/{unknown}"),
            Some(ClusterScope::Subscription)
        );
        // A named group is not known to be the cluster's.
        assert_eq!(of("/subscriptions/0000/resourceGroups/rg1"), None);
        // The cluster's ID built from its group and name.
        let named = cluster(None, Some("rg1"), None);
        assert_eq!(
            classify(
                &Ref::literal(
                    "/subscriptions/{unknown}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1"
                ),
                &named
            ),
            Some(ClusterScope::Cluster)
        );
        assert_eq!(
            classify(
                &Ref::literal("/subscriptions/5555/resourceGroups/rg1"),
                &named
            ),
            Some(ClusterScope::ResourceGroup)
        );
    }
}
