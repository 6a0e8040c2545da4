//! Azure resources from JSON documents (detected by content, never by file name): `az aks
//! show`/`az aks list` output, ARM REST bodies, ARM deployment templates.

mod arm_template;
mod rest;
pub(crate) mod terraform;

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
        // `az aks list`, `az acr list`: an array of resources.
        for item in root.items() {
            rest::push_resource(item, source, &mut out);
        }
    } else {
        rest::push_resource(root, source, &mut out);
    }
    (!out.is_empty()).then_some(out)
}
