//! Azure resources from JSON documents (detected by content, never by file name): `az aks
//! show`/`az aks list` output, ARM REST bodies, ARM deployment templates, and `az` list
//! output of a cluster's diagnostic settings, maintenance configurations and node pools, and
//! the cluster's Azure surroundings (identities, subnets, NSGs, route tables, gateways,
//! policy assignments, alert rules, security contacts: see `surroundings`).

mod arm_template;
// The AVM tables are called by the Bicep and Terraform front ends; until both are merged some
// of their items are only used by tests.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod avm;
pub(crate) mod bicep;
mod listed;
mod resource_types;
mod rest;
mod surroundings;
pub(crate) mod terraform;

pub use listed::join_listed;
pub use rest::node_pool_from_rest;

use std::sync::Arc;

use aksguard_model::azure::AzureResources;
use aksguard_model::{Node, Source};

pub(crate) fn type_is(node: &Node, resource_type: &str) -> bool {
    node.get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case(resource_type))
}

/// The Azure resources a parsed document describes, or `None` when it describes none.
pub fn from_document(root: &Node, source: &Arc<Source>) -> Option<AzureResources> {
    let mut out = AzureResources::default();
    if terraform::is_plan(root) {
        // `terraform show -json` plan or state.
        out = terraform::from_plan(root, source);
    } else if arm_template::is_template(root) {
        arm_template::push_template(root, source, &mut out);
    } else if root.is_seq() {
        // `az aks list`, `az acr list`, `az monitor diagnostic-settings list`: an array of
        // resources.
        for item in root.items() {
            if !listed::push_child(item, source, &mut out) {
                rest::push_resource(item, source, &mut out);
            }
        }
    } else if let Some(items) = listed::value_envelope(root) {
        // `{"value": [...]}`: older `az monitor diagnostic-settings list`, `az security
        // pricing list`, and Resource Manager list responses.
        for item in items {
            if !listed::push_child(item, source, &mut out) {
                rest::push_resource(item, source, &mut out);
            }
        }
    } else if !listed::push_child(root, source, &mut out) {
        rest::push_resource(root, source, &mut out);
    }
    (!out.is_empty()).then_some(out)
}
