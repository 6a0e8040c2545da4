//! Shared by the AKS and ACR rules: reading settings (the one boolean-flag helper), where to
//! report them, and the exact `az` commands of fixes whose words depend on what the rule
//! found, with the cluster's resource group and name filled in (fixed commands are templates
//! in the rule's `RuleFix`, filled by `crate::azure_fix`).
//! Several rules use this file: append, do not rewrite.

use aksguard_model::azure::{Lookup, ManagedCluster, Settings};
use aksguard_model::{Inventory, Node, Pos};

/// Every managed cluster of the scan.
pub(crate) fn clusters(inventory: &Inventory) -> &[ManagedCluster] {
    &inventory.azure().clusters
}

/// Where to report a setting of the cluster: its line, else the deepest present ancestor,
/// else the resource's first line.
pub(crate) fn pos_of(cluster: &ManagedCluster, path: &str) -> Pos {
    cluster.settings.pos_of(path, cluster.pos)
}

/// A value usable on a command line: `None` for placeholders and unresolved expressions
/// (`<unnamed>`, ARM `[parameters('x')]`, Terraform `${var.x}` / `var.x`).
fn literal(value: &str) -> Option<&str> {
    let value = value.trim();
    let unresolved = value.is_empty()
        || value.starts_with('<')
        || value.starts_with('[')
        || value.contains("${")
        || value.starts_with("var.")
        || value.starts_with("local.");
    (!unresolved).then_some(value)
}

/// Quotes a value for a POSIX shell when it holds anything beyond `[A-Za-z0-9._-]`.
fn shell_word(value: &str) -> String {
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// `--resource-group <rg> --name <cluster>`, with placeholders where unknown.
pub(crate) fn cluster_args(cluster: &ManagedCluster) -> String {
    let group = cluster
        .resource_group
        .as_deref()
        .and_then(literal)
        .map_or_else(|| "<resource-group>".to_owned(), shell_word);
    let name = literal(&cluster.name).map_or_else(|| "<cluster>".to_owned(), shell_word);
    format!("--resource-group {group} --name {name}")
}

/// `az aks <subcommand> --resource-group <rg> --name <cluster> <flags>`.
pub(crate) fn az_aks(cluster: &ManagedCluster, subcommand: &str, flags: &str) -> String {
    format!("az aks {subcommand} {} {flags}", cluster_args(cluster))
}

/// `az aks update --resource-group <rg> --name <cluster> <flags>`.
pub(crate) fn az_aks_update(cluster: &ManagedCluster, flags: &str) -> String {
    az_aks(cluster, "update", flags)
}

/// The cluster's resource group and name as command-line words, placeholders where unknown.
pub(crate) fn cluster_words(cluster: &ManagedCluster) -> (String, String) {
    group_and_name(cluster)
}

/// `value` as a command-line word, or `placeholder` when it is unresolved.
pub(crate) fn shell_word_or(value: &str, placeholder: &str) -> String {
    literal(value).map_or_else(|| placeholder.to_owned(), shell_word)
}

fn group_and_name(cluster: &ManagedCluster) -> (String, String) {
    let group = cluster
        .resource_group
        .as_deref()
        .and_then(literal)
        .map_or_else(|| "<resource-group>".to_owned(), shell_word);
    let name = literal(&cluster.name).map_or_else(|| "<cluster>".to_owned(), shell_word);
    (group, name)
}

/// `az aks nodepool <subcommand> --resource-group <rg> --cluster-name <cluster> --name <pool>
/// <flags>` (`<pool>` placeholder when the pool's name is unresolved).
pub(crate) fn az_aks_nodepool(
    cluster: &ManagedCluster,
    subcommand: &str,
    pool: &str,
    flags: &str,
) -> String {
    let (group, name) = group_and_name(cluster);
    let pool = literal(pool).map_or_else(|| "<pool>".to_owned(), shell_word);
    let command = format!(
        "az aks nodepool {subcommand} --resource-group {group} --cluster-name {name} --name {pool}"
    );
    if flags.is_empty() {
        command
    } else {
        format!("{command} {flags}")
    }
}

/// The tri-state of a boolean setting: `Some(value)` when known (a string `"true"`/`"false"`,
/// as REST add-on `config` values are, counts too), `Some(default)` when absent, `None` when
/// unknown or not a boolean.
pub(crate) fn flag(cluster: &ManagedCluster, path: &str, default: bool) -> Option<bool> {
    settings_flag(&cluster.settings, path, default)
}

/// [`flag`] of any settings tree: a cluster's, a node pool's, a registry's.
pub(crate) fn settings_flag(settings: &Settings, path: &str, default: bool) -> Option<bool> {
    match settings.get(path) {
        Lookup::Known(node) => node_flag(node),
        Lookup::Unknown(_) => None,
        Lookup::Absent => Some(default),
    }
}

/// Whether the cluster is private (`apiServerAccessProfile.enablePrivateCluster`, default
/// false); `None` when unknown.
pub(crate) fn private_cluster(cluster: &ManagedCluster) -> Option<bool> {
    flag(
        cluster,
        "apiServerAccessProfile.enablePrivateCluster",
        false,
    )
}

/// A boolean node, accepting the string spellings `"true"`/`"false"` (any case).
pub(crate) fn node_flag(node: &Node) -> Option<bool> {
    node.as_bool().or_else(|| {
        let text = node.as_str()?.trim();
        if text.eq_ignore_ascii_case("true") {
            Some(true)
        } else if text.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    })
}

/// Where to report a setting of a node pool: its line, else the pool's first line.
pub(crate) fn pool_pos_of(pool: &aksguard_model::azure::NodePool, path: &str) -> Pos {
    pool.settings.pos_of(path, pool.pos)
}

/// Where to report a cluster setting: the attribute's own line when it is known, else its
/// immediate parent object when that is written (a Terraform block such as
/// `network_profile`, a REST `networkProfile`), else the resource's first line. Only the
/// immediate parent counts: higher ancestors may be synthetic (Terraform add-on blocks are
/// gathered under one `addonProfiles`), so they would point at an unrelated line.
pub(crate) fn attr_pos(cluster: &ManagedCluster, path: &str) -> Pos {
    if let Lookup::Known(node) = cluster.settings.get(path) {
        return node.pos;
    }
    match path.rsplit_once('.') {
        Some((parent, _)) => match cluster.settings.get(parent) {
            Lookup::Known(node) if node.is_map() => node.pos,
            _ => cluster.pos,
        },
        None => cluster.pos,
    }
}
