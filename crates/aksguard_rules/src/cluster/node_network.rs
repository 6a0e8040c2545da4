//! What the rules about the network around a cluster share: which subnets its node pools sit
//! in (NET014, AKS025, AKS047), and `az` command arguments taken from a resource ID.

use aksguard_model::azure::refs::{UNKNOWN_SEGMENT, id_parts};
use aksguard_model::azure::{Lookup, ManagedCluster, Ref, ResourceMeta};

/// One subnet the cluster's node pools sit in, with the pools that use it.
#[derive(Clone, Debug)]
pub(crate) struct NodeSubnet {
    pub subnet: Ref,
    pub pools: Vec<String>,
}

/// The node subnets of a cluster, as its pools name them (`agentPoolProfiles[].vnetSubnetID`,
/// ARM `agentPools`, Terraform `vnet_subnet_id`), one entry per distinct subnet.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeSubnets {
    pub known: Vec<NodeSubnet>,
    /// Pools whose subnet is written but unresolvable (an expression the loader could not
    /// follow): what they sit in is Unknown.
    pub unknown_pools: Vec<String>,
}

/// The subnets the cluster's node pools name: as the source names them where it gives a
/// reference of its own (Terraform `vnet_subnet_id = azurerm_subnet.nodes.id`, kept in
/// [`ClusterRefs::subnets`](aksguard_model::azure::ClusterRefs)), else the pool's ID string.
pub(crate) fn node_subnets(cluster: &ManagedCluster) -> NodeSubnets {
    let mut subnets = NodeSubnets::default();
    let by_reference = |pool: &str| {
        cluster
            .refs
            .subnets
            .iter()
            .find(|(name, _)| name == pool)
            .map(|(_, reference)| reference)
    };
    for pool in &cluster.node_pools {
        if let Some(reference) = by_reference(&pool.name) {
            match reference.key {
                Some(_) => add(&mut subnets.known, reference.clone(), &pool.name),
                None => subnets.unknown_pools.push(pool.name.clone()),
            }
            continue;
        }
        let reference = match pool.settings.get("vnetSubnetID") {
            Lookup::Known(node) => match node.as_str().map(str::trim) {
                Some(id) if id.starts_with('/') => Ref::literal(id),
                Some("") | None => continue,
                // Not an ID (a placeholder a loader kept as text): what it names is unknown.
                Some(_) => {
                    subnets.unknown_pools.push(pool.name.clone());
                    continue;
                }
            },
            Lookup::Unknown(_) => {
                subnets.unknown_pools.push(pool.name.clone());
                continue;
            }
            Lookup::Absent => continue,
        };
        add(&mut subnets.known, reference, &pool.name);
    }
    // Pools the source names a subnet for but that are not among the cluster's pools.
    for (pool, reference) in &cluster.refs.subnets {
        if cluster.node_pools.iter().all(|p| &p.name != pool) && reference.key.is_some() {
            add(&mut subnets.known, reference.clone(), pool);
        }
    }
    subnets
}

fn add(known: &mut Vec<NodeSubnet>, reference: Ref, pool: &str) {
    match known.iter_mut().find(|s| s.subnet.same_target(&reference)) {
        Some(found) => {
            if !found.pools.iter().any(|p| p == pool) {
                found.pools.push(pool.to_owned());
            }
        }
        None => known.push(NodeSubnet {
            subnet: reference,
            pools: vec![pool.to_owned()],
        }),
    }
}

/// `` `a`, `b` `` for messages.
pub(crate) fn quoted_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The resource group of a resource, from its ID, as a command-line word; `<resource-group>`
/// when the ID is not known or leaves it open.
pub(crate) fn resource_group_of(meta: &ResourceMeta) -> String {
    meta.key
        .id
        .as_deref()
        .and_then(id_parts)
        .and_then(|parts| parts.resource_group)
        .filter(|group| *group != UNKNOWN_SEGMENT && plain_word(group))
        .map_or_else(|| "<resource-group>".to_owned(), str::to_owned)
}

/// A resource's name as a command-line word; `<placeholder>` when it is not a plain name (a
/// Terraform address standing in for an unresolved name, an expression).
pub(crate) fn name_word(name: &str, placeholder: &str) -> String {
    let name = name.trim();
    if !name.is_empty() && plain_word(name) {
        name.to_owned()
    } else {
        format!("<{placeholder}>")
    }
}

/// A name that can be pasted into a shell unquoted (letters, digits, `.`, `_`, `-`) and is
/// not a Terraform address standing in for an unresolved name.
fn plain_word(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !text.starts_with("azurerm_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_model::azure::ResourceKey;

    #[test]
    fn resource_groups_come_from_ids_and_fall_back_to_placeholders() {
        let meta = |id: Option<&str>| ResourceMeta {
            name: "nsg".into(),
            key: ResourceKey {
                id: id.map(str::to_owned),
                symbols: Vec::new(),
            },
            pos: aksguard_model::Pos::new(1, 1),
            source: std::sync::Arc::new(aksguard_model::Source { path: "x".into() }),
            format: aksguard_model::azure::AzureFormat::AzCli,
        };
        let nsg = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg";
        assert_eq!(resource_group_of(&meta(Some(nsg))), "rg-net");
        assert_eq!(
            resource_group_of(&meta(Some(&nsg.replace("rg-net", UNKNOWN_SEGMENT)))),
            "<resource-group>"
        );
        assert_eq!(resource_group_of(&meta(None)), "<resource-group>");
        assert_eq!(name_word("nodes-nsg", "nsg"), "nodes-nsg");
        assert_eq!(
            name_word("azurerm_network_security_group.x", "nsg"),
            "<nsg>"
        );
        assert_eq!(name_word("a b", "nsg"), "<nsg>");
    }
}
