//! Shared helpers for POD rules.

use aksguard_model::Node;

/// True when a node is explicitly the boolean `true`.
pub(crate) fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_bool) == Some(true)
}
