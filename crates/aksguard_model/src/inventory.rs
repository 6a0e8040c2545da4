//! All objects of one scan, indexed for rules that look across objects (namespaces today;
//! the RBAC graph, NetworkPolicy selection and Service targets build on it).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::azure::AzureResources;
use crate::node::Node;
use crate::object::Object;
use crate::pod_spec::PodSpecView;
use crate::rbac::RbacGraph;

/// The namespace key of objects that set no `metadata.namespace` ("unspecified": they land in
/// whatever namespace they are applied to, together).
pub const UNSPECIFIED_NAMESPACE: &str = "";

#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: HashMap<String, Vec<usize>>,
    by_namespace: BTreeMap<String, Vec<usize>>,
    /// kind → namespace key → objects: lookups inside one namespace stay proportional to
    /// what they look for, not to the namespace's size.
    by_kind_namespace: HashMap<String, HashMap<String, Vec<usize>>>,
    /// metadata.name → objects of any kind and namespace.
    by_name: HashMap<String, Vec<usize>>,
    /// `spec.scaleTargetRef.name` → the autoscalers (HPA, KEDA ScaledObject) naming it.
    by_scale_target: HashMap<String, Vec<usize>>,
    declared_namespaces: BTreeSet<String>,
    workloads: Vec<usize>,
    /// Workloads whose pods run on Windows nodes (Linux-only rules skip them).
    windows_workloads: usize,
    rbac: RbacGraph,
    azure: AzureResources,
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
            let namespace = object.namespace.clone().unwrap_or_default();
            inventory
                .by_kind_namespace
                .entry(object.kind.clone())
                .or_default()
                .entry(namespace.clone())
                .or_default()
                .push(index);
            inventory
                .by_namespace
                .entry(namespace)
                .or_default()
                .push(index);
            if let Some(name) = &object.name {
                inventory
                    .by_name
                    .entry(name.clone())
                    .or_default()
                    .push(index);
            }
            if let Some(target) = object
                .root
                .at("spec.scaleTargetRef.name")
                .and_then(Node::as_str)
            {
                inventory
                    .by_scale_target
                    .entry(target.to_owned())
                    .or_default()
                    .push(index);
            }
            if let Some(pod) = PodSpecView::of(object) {
                inventory.workloads.push(index);
                inventory.windows_workloads += usize::from(pod.is_windows());
            }
            if object.kind == "Namespace"
                && let Some(name) = &object.name
            {
                inventory.declared_namespaces.insert(name.clone());
            }
        }
        inventory.rbac = RbacGraph::build(&inventory.objects);
        inventory
    }

    /// Adds the Azure resources (AKS clusters, registries, …) of the same scan.
    pub fn with_azure(mut self, azure: AzureResources) -> Self {
        self.azure = azure;
        self
    }

    /// AKS clusters, container registries and related Azure resources of the scan.
    pub fn azure(&self) -> &AzureResources {
        &self.azure
    }

    /// Kubernetes objects plus Azure clusters and registries: what a scan scanned.
    pub fn scanned_items(&self) -> usize {
        self.objects.len() + self.azure.clusters.len() + self.azure.registries.len()
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

    /// True when the scan found neither Kubernetes objects nor Azure resources.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.azure.is_empty()
    }

    /// How many objects of one kind the scan holds.
    pub fn count_of_kind(&self, kind: &str) -> usize {
        self.by_kind.get(kind).map_or(0, Vec::len)
    }

    /// How many objects have a pod template, and how many of those run on Windows.
    pub fn workload_counts(&self) -> (usize, usize) {
        (self.workloads.len(), self.windows_workloads)
    }

    /// Objects of one kind (`Deployment`), in load order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexes(self.by_kind.get(kind))
    }

    /// Objects in `namespace`, in load order; [`UNSPECIFIED_NAMESPACE`] gives those that set
    /// no namespace.
    pub fn in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexes(self.by_namespace.get(namespace))
    }

    /// Every namespace declared by a Namespace object or referenced by an object's metadata
    /// (not the unspecified one).
    pub fn namespaces(&self) -> BTreeSet<&str> {
        self.declared_namespaces
            .iter()
            .chain(self.by_namespace.keys())
            .map(String::as_str)
            .filter(|ns| *ns != UNSPECIFIED_NAMESPACE)
            .collect()
    }

    /// The Namespace object named `name`, if it is in the scan.
    pub fn namespace_object(&self, name: &str) -> Option<&Object> {
        self.named(name).find(|o| o.kind == "Namespace")
    }

    /// Objects with a pod template (every workload kind and pod-embedding CRDs).
    pub fn workloads(&self) -> impl Iterator<Item = (&Object, PodSpecView<'_>)> + '_ {
        self.workloads.iter().filter_map(|&index| {
            let object = &self.objects[index];
            PodSpecView::of(object).map(|pod| (object, pod))
        })
    }

    /// Workloads in one namespace ([`UNSPECIFIED_NAMESPACE`] for none).
    pub fn workloads_in<'a>(
        &'a self,
        namespace: &'a str,
    ) -> impl Iterator<Item = (&'a Object, PodSpecView<'a>)> + 'a {
        // Through the namespace index: rules call this once per namespace, so scanning every
        // workload here would make them quadratic.
        self.in_namespace(namespace)
            .filter_map(|object| PodSpecView::of(object).map(|pod| (object, pod)))
    }

    /// A ServiceAccount by namespace and name.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&Object> {
        self.named(name).find(|o| {
            o.kind == "ServiceAccount" && o.namespace.as_deref().unwrap_or_default() == namespace
        })
    }

    /// Objects of `kind` in `namespace` ([`UNSPECIFIED_NAMESPACE`] for none), in load order.
    pub fn of_kind_in<'a>(
        &'a self,
        kind: &str,
        namespace: &str,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.indexes(
            self.by_kind_namespace
                .get(kind)
                .and_then(|namespaces| namespaces.get(namespace)),
        )
    }

    /// Objects of any kind and namespace whose `metadata.name` (or `generateName`) is `name`,
    /// in load order.
    pub fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Object> + Clone + 'a {
        self.indexes(self.by_name.get(name))
    }

    /// Objects whose `spec.scaleTargetRef.name` is `name` (HorizontalPodAutoscalers, KEDA
    /// ScaledObjects and the like; the caller checks kinds and namespaces), in load order.
    pub fn scaling(&self, name: &str) -> impl Iterator<Item = &Object> + Clone + '_ {
        self.indexes(self.by_scale_target.get(name))
    }

    /// The RBAC graph over every Role, ClusterRole and binding in the scan.
    pub fn rbac(&self) -> &RbacGraph {
        &self.rbac
    }

    /// The labels of a workload's pods (pod template `metadata.labels`).
    pub fn pod_labels<'a>(pod: &PodSpecView<'a>) -> Option<&'a Node> {
        pod.metadata?.get("labels")
    }

    pub fn is_declared_namespace(&self, name: &str) -> bool {
        self.declared_namespaces.contains(name)
    }

    fn indexes<'a>(
        &'a self,
        indexes: Option<&'a Vec<usize>>,
    ) -> impl Iterator<Item = &'a Object> + Clone + 'a {
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
