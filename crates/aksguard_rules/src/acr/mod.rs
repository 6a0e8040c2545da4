//! ACR: the cluster's container registry (RULES.md "ACR"), over the normalised Azure
//! resources of a scan (`Inventory::azure().registries`), whatever format they came from.
//! (The source folder is `acr/` because `registry.rs` is the rule registry; fixtures live in
//! `fixtures/registry/`, the family's folder.)

use aksguard_model::Pos;
use aksguard_model::azure::{ContainerRegistry, Lookup};

use crate::meta::Rule;

mod admin_user_enabled;
mod anonymous_pull_enabled;
mod no_image_signature_policy;
mod no_untagged_retention_policy;
mod registry_sku_without_private_link;
mod unrestricted_public_registry;

pub(crate) const RULES: &[&Rule] = &[
    &admin_user_enabled::RULE,
    &anonymous_pull_enabled::RULE,
    &unrestricted_public_registry::RULE,
    &no_image_signature_policy::RULE,
    &no_untagged_retention_policy::RULE,
    &registry_sku_without_private_link::RULE,
];

/// Where to report a setting: its line, else the deepest present ancestor, else the
/// resource's first line.
fn pos_of(registry: &ContainerRegistry, path: &str) -> Pos {
    registry.settings.pos_of(path, registry.pos)
}

/// A boolean setting: `Some(value)` when known, `Some(default)` when absent, `None` when
/// unknown or not a boolean (string spellings `"true"`/`"false"` count).
fn flag(registry: &ContainerRegistry, path: &str, default: bool) -> Option<bool> {
    crate::cluster::helpers::settings_flag(&registry.settings, path, default)
}

/// The registry's SKU name (`Basic`, `Standard`, `Premium`) when known.
fn sku(registry: &ContainerRegistry) -> Option<&str> {
    registry.settings.get("sku.name").as_str().map(str::trim)
}

fn is_premium(registry: &ContainerRegistry) -> Option<bool> {
    sku(registry).map(|s| s.eq_ignore_ascii_case("premium"))
}

/// `Some(true)` when a policy's `status` is `enabled`, `Some(false)` when it is something
/// else or absent (disabled by default), `None` when unknown.
fn policy_enabled(registry: &ContainerRegistry, policy: &str) -> Option<bool> {
    match registry.settings.get(&format!("policies.{policy}.status")) {
        Lookup::Known(node) => Some(node.as_str()?.trim().eq_ignore_ascii_case("enabled")),
        Lookup::Absent => Some(false),
        Lookup::Unknown(_) => None,
    }
}
