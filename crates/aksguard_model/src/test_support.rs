//! Building model objects from `serde_json::json!` literals in unit tests, so a test states
//! the manifest it means instead of hand-building nodes.

use std::sync::Arc;

use crate::node::{Entry, Node, Pos, Value};
use crate::object::{Object, Source};

/// The JSON value as a node tree (every node at line 1, column 1).
pub(crate) fn node(value: &serde_json::Value) -> Node {
    let pos = Pos::new(1, 1);
    let value = match value {
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(key, value)| Entry {
                    key: key.into(),
                    key_pos: pos,
                    value: node(value),
                })
                .collect(),
        ),
        serde_json::Value::Array(items) => Value::Seq(items.iter().map(node).collect()),
        serde_json::Value::String(text) => Value::Scalar {
            text: text.into(),
            plain: false,
        },
        other => Value::Scalar {
            text: other.to_string().into(),
            plain: true,
        },
    };
    Node { pos, value }
}

/// The manifests as objects read from the file `path`.
pub(crate) fn objects(path: &str, manifests: &[serde_json::Value]) -> Vec<Object> {
    let source = Arc::new(Source { path: path.into() });
    manifests
        .iter()
        .map(|m| Object::from_node(node(m), source.clone(), None).expect("a Kubernetes object"))
        .collect()
}
