//! All objects of one scan, indexed for rules that look across objects (namespaces today;
//! the RBAC graph, NetworkPolicy selection and Service targets build on it).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::object::Object;

#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
    by_namespace: BTreeMap<String, Vec<usize>>,
    declared_namespaces: BTreeSet<String>,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let mut inventory = Inventory {
            objects,
            ..Inventory::default()
        };
        for (index, object) in inventory.objects.iter().enumerate() {
            inventory
                .by_kind
                .entry(object.kind.clone())
                .or_default()
                .push(index);
            if let Some(namespace) = &object.namespace {
                inventory
                    .by_namespace
                    .entry(namespace.clone())
                    .or_default()
                    .push(index);
            }
            if object.kind == "Namespace"
                && let Some(name) = &object.name
            {
                inventory.declared_namespaces.insert(name.clone());
            }
        }
        inventory
    }

    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub fn into_objects(self) -> Vec<Object> {
        self.objects
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Objects of one kind (`Deployment`), in load order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexes(self.by_kind.get(kind))
    }

    /// Objects that name `namespace` in their metadata, in load order.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexes(self.by_namespace.get(namespace))
    }

    /// Every namespace declared by a Namespace object or referenced by an object's metadata.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        self.declared_namespaces
            .iter()
            .chain(self.by_namespace.keys())
            .map(String::as_str)
            .collect()
    }

    pub fn is_declared_namespace(&self, name: &str) -> bool {
        self.declared_namespaces.contains(name)
    }

    fn indexes<'a>(
        &'a self,
        indexes: Option<&'a Vec<usize>>,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        indexes
            .into_iter()
            .flatten()
            .map(move |&index| &self.objects[index])
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::node::{Entry, Node, Pos, Value};
    use crate::object::Source;

    fn object(kind: &str, name: &str, namespace: Option<&str>) -> Object {
        let scalar = |text: &str| Node::scalar(text, true, Pos::new(1, 1));
        let entry = |key: &str, value: Node| Entry {
            key: key.into(),
            key_pos: Pos::new(1, 1),
            value,
        };
        let mut metadata = vec![entry("name", scalar(name))];
        if let Some(ns) = namespace {
            metadata.push(entry("namespace", scalar(ns)));
        }
        let root = Node {
            pos: Pos::new(1, 1),
            value: Value::Map(vec![
                entry("apiVersion", scalar("v1")),
                entry("kind", scalar(kind)),
                entry(
                    "metadata",
                    Node {
                        pos: Pos::new(1, 1),
                        value: Value::Map(metadata),
                    },
                ),
            ]),
        };
        Object::from_node(root, Arc::new(Source { path: "t".into() }), None).unwrap()
    }

    #[test]
    fn indexes_by_kind_and_namespace() {
        let inventory = Inventory::new(vec![
            object("Namespace", "shop", None),
            object("Pod", "a", Some("shop")),
            object("Pod", "b", Some("billing")),
        ]);
        assert_eq!(inventory.of_kind("Pod").count(), 2);
        assert_eq!(inventory.in_namespace("shop").count(), 1);
        assert_eq!(
            inventory.namespaces().into_iter().collect::<Vec<_>>(),
            vec!["billing", "shop"]
        );
        assert!(inventory.is_declared_namespace("shop"));
        assert!(!inventory.is_declared_namespace("billing"));
    }
}
