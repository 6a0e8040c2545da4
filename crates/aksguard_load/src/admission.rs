//! One object as the Kubernetes API server sends it to an admission webhook: compact JSON.
//!
//! The YAML parser reads JSON too, but at a cost that dominates judging one object (about
//! half of the webhook's CPU per review went to it). serde_json reads the same text into the
//! same node tree several times faster. The API server's JSON has no lines worth pointing
//! at, so every node is placed at line 1, column 1. Whatever this reader declines (text that
//! is not JSON, a non-integer number whose text serde_json does not keep, more nesting or
//! nodes than the limits allow) goes through the YAML loader instead, so the tree, and what
//! the rules conclude, is never different: only faster.

use aksguard_model::{CompactString, Entry, LoadError, Node, Object, Pos, Value};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::k8s;
use crate::limits::Limits;

/// Where every node of an admission object is.
const AT: Pos = Pos::new(1, 1);

/// The objects of one admission object's JSON (one, or the items of a `List`), named `label`
/// in findings and errors.
pub fn load_admission_object(
    label: &str,
    json: &str,
    limits: &Limits,
) -> (Vec<Object>, Vec<LoadError>) {
    match read_tree(json, limits) {
        Some(root) if k8s::is_kubernetes_document(&root) => {
            let mut objects = Vec::new();
            k8s::push_objects(root, &crate::source(label), &None, &mut objects);
            (objects, Vec::new())
        }
        // Not an object, or declined: the YAML loader reads it and says what is wrong.
        _ => crate::load_text(label, json, limits),
    }
}

/// The JSON text as a node tree, or `None` when this reader declines it.
pub(crate) fn read_tree(json: &str, limits: &Limits) -> Option<Node> {
    let mut budget = Budget {
        nodes_left: limits.max_nodes_per_document,
        max_depth: limits.max_depth,
    };
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let root = NodeSeed {
        budget: &mut budget,
        depth: 0,
    }
    .deserialize(&mut deserializer)
    .ok()?;
    deserializer.end().ok()?;
    Some(root)
}

struct Budget {
    nodes_left: usize,
    max_depth: usize,
}

struct NodeSeed<'b> {
    budget: &'b mut Budget,
    depth: usize,
}

impl NodeSeed<'_> {
    fn count<E: de::Error>(&mut self) -> Result<(), E> {
        self.budget.nodes_left = self
            .budget
            .nodes_left
            .checked_sub(1)
            .ok_or_else(|| E::custom("too many nodes"))?;
        Ok(())
    }

    fn scalar<E: de::Error>(mut self, text: &str, plain: bool) -> Result<Node, E> {
        self.count()?;
        Ok(Node::scalar(text, plain, AT))
    }

    fn child(&mut self) -> NodeSeed<'_> {
        NodeSeed {
            budget: self.budget,
            depth: self.depth + 1,
        }
    }

    fn open<E: de::Error>(&mut self) -> Result<(), E> {
        self.count()?;
        if self.depth >= self.budget.max_depth {
            return Err(E::custom("nesting too deep"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    // JSON's literals and integers are plain scalars, as the YAML parser reads them.
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        self.scalar(if v { "true" } else { "false" }, true)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        self.scalar("null", true)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        self.scalar(&v.to_string(), true)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        self.scalar(&v.to_string(), true)
    }

    /// serde_json hands over the value, not its text (`1.50`, `1e3`): declined, so the YAML
    /// parser keeps the text as written.
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Err(E::custom("non-integer number"))
    }

    // JSON strings are quoted scalars: always strings, never resolved.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        self.scalar(v, false)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Node, A::Error> {
        self.open()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(self.child())? {
            items.push(item);
        }
        Ok(Node {
            pos: AT,
            value: Value::Seq(items),
        })
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Node, A::Error> {
        self.open()?;
        let mut entries = Vec::new();
        // Keys in order, a repeated key kept twice: as the YAML path builds them.
        while let Some(key) = map.next_key::<KeyText>()? {
            let value = map.next_value_seed(self.child())?;
            entries.push(Entry {
                key: key.0,
                key_pos: AT,
                value,
            });
        }
        Ok(Node {
            pos: AT,
            value: Value::Map(entries),
        })
    }
}

/// A mapping key, borrowed from the text when it has no escapes.
struct KeyText(CompactString);

impl<'de> de::Deserialize<'de> for KeyText {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(CompactString::new(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(json: &str) -> Option<Node> {
        read_tree(json, &Limits::default())
    }

    #[test]
    fn reads_json_as_the_yaml_parser_does_but_at_line_one() {
        let json = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a\"b","labels":{"n":"1"}},
            "spec":{"hostNetwork":true,"priority":-3,"x":null,"containers":[{"name":"c"}]}}"#;
        let fast = tree(json).expect("JSON");
        let (yaml, errors) = crate::load_text("p.json", json, &Limits::default());
        assert!(errors.is_empty());
        let from_yaml = &yaml[0].root;
        assert_eq!(strip_positions(fast), strip_positions(from_yaml.clone()));
    }

    #[test]
    fn declines_what_it_cannot_keep_exactly() {
        assert!(tree(r#"{"a": 1.50}"#).is_none(), "non-integer numbers");
        assert!(tree("kind: Pod").is_none(), "YAML");
        assert!(tree(r#"{"a": 1} trailing"#).is_none());
        let deep = "[".repeat(300) + &"]".repeat(300);
        assert!(tree(&deep).is_none(), "deeper than the limit");
        let limits = Limits {
            max_nodes_per_document: 3,
            ..Limits::default()
        };
        assert!(
            read_tree(r#"[1, 2, 3]"#, &limits).is_none(),
            "too many nodes"
        );
        assert!(read_tree(r#"[1, 2]"#, &limits).is_some());
    }

    #[test]
    fn declined_text_is_loaded_by_the_yaml_loader() {
        let json = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"x":1.5}}"#;
        let (objects, errors) = load_admission_object("review", json, &Limits::default());
        assert_eq!((objects.len(), errors.len()), (1, 0));
        let (objects, errors) = load_admission_object("review", "{not json", &Limits::default());
        assert_eq!(objects.len(), 0);
        assert_eq!(errors.len(), 1);
    }

    fn strip_positions(mut node: Node) -> Node {
        node.pos = AT;
        node.value = match node.value {
            Value::Seq(items) => Value::Seq(items.into_iter().map(strip_positions).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|e| Entry {
                        key: e.key,
                        key_pos: AT,
                        value: strip_positions(e.value),
                    })
                    .collect(),
            ),
            scalar => scalar,
        };
        node
    }
}
