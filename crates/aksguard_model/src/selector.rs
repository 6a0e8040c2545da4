//! Kubernetes label selectors: `matchLabels` + `matchExpressions` (NetworkPolicy, PDB,
//! aggregated ClusterRoles, namespaceSelector) and plain equality maps (Service selectors).

use crate::node::Node;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// A parsed selector. An empty selector selects everything (Kubernetes semantics for
/// `podSelector: {}`); see [`LabelSelector::selects_all`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// Parses a `LabelSelector` mapping. `None` when it is malformed (the API server would
    /// reject it), so callers can decide not to guess.
    pub fn parse(node: &Node) -> Option<LabelSelector> {
        if node.is_null() {
            return Some(LabelSelector::default());
        }
        if !node.is_map() {
            return None;
        }
        let mut requirements = Self::equality_requirements(node.get("matchLabels"))?;
        for expression in node
            .get("matchExpressions")
            .map(Node::items)
            .unwrap_or_default()
        {
            let key = expression.get("key")?.as_str()?.to_owned();
            let operator = match expression.get("operator")?.as_str()? {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                _ => return None,
            };
            let values = expression
                .get("values")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            requirements.push(Requirement {
                key,
                operator,
                values,
            });
        }
        Some(LabelSelector { requirements })
    }

    /// A Service-style selector: a plain `key: value` map.
    pub fn from_equality_map(node: &Node) -> Option<LabelSelector> {
        Some(LabelSelector {
            requirements: Self::equality_requirements(Some(node))?,
        })
    }

    fn equality_requirements(node: Option<&Node>) -> Option<Vec<Requirement>> {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return Some(Vec::new());
        };
        if !node.is_map() {
            return None;
        }
        node.entries()
            .iter()
            .map(|entry| {
                Some(Requirement {
                    key: entry.key.to_string(),
                    operator: Operator::In,
                    values: vec![entry.value.as_str()?.to_owned()],
                })
            })
            .collect()
    }

    pub fn selects_all(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether a label map (`metadata.labels`; `None` = no labels) satisfies every requirement.
    pub fn matches(&self, labels: Option<&Node>) -> bool {
        let value = |key: &str| labels.and_then(|l| l.get(key)).and_then(Node::as_str);
        self.requirements.iter().all(|r| match r.operator {
            Operator::In => value(&r.key).is_some_and(|v| r.values.iter().any(|x| x == v)),
            Operator::NotIn => value(&r.key).is_none_or(|v| !r.values.iter().any(|x| x == v)),
            Operator::Exists => value(&r.key).is_some(),
            Operator::DoesNotExist => value(&r.key).is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Entry, Pos, Value};

    fn map(pairs: &[(&str, Node)]) -> Node {
        Node {
            pos: Pos::default(),
            value: Value::Map(
                pairs
                    .iter()
                    .map(|(k, v)| Entry {
                        key: (*k).into(),
                        key_pos: Pos::default(),
                        value: v.clone(),
                    })
                    .collect(),
            ),
        }
    }
    fn s(text: &str) -> Node {
        Node::scalar(text, false, Pos::default())
    }
    fn seq(items: Vec<Node>) -> Node {
        Node {
            pos: Pos::default(),
            value: Value::Seq(items),
        }
    }

    #[test]
    fn match_labels_and_expressions() {
        let selector = LabelSelector::parse(&map(&[
            ("matchLabels", map(&[("app", s("web"))])),
            (
                "matchExpressions",
                seq(vec![
                    map(&[
                        ("key", s("tier")),
                        ("operator", s("In")),
                        ("values", seq(vec![s("a"), s("b")])),
                    ]),
                    map(&[("key", s("legacy")), ("operator", s("DoesNotExist"))]),
                ]),
            ),
        ]))
        .unwrap();
        assert!(selector.matches(Some(&map(&[("app", s("web")), ("tier", s("b"))]))));
        assert!(!selector.matches(Some(&map(&[("app", s("web")), ("tier", s("c"))]))));
        assert!(!selector.matches(Some(&map(&[
            ("app", s("web")),
            ("tier", s("a")),
            ("legacy", s("x"))
        ]))));
        assert!(!selector.matches(None));
    }

    #[test]
    fn empty_selects_all_and_malformed_is_none() {
        let empty = LabelSelector::parse(&map(&[])).unwrap();
        assert!(empty.selects_all() && empty.matches(None));
        let bad = map(&[(
            "matchExpressions",
            seq(vec![map(&[("key", s("a")), ("operator", s("Near"))])]),
        )]);
        assert!(LabelSelector::parse(&bad).is_none());
    }
}
