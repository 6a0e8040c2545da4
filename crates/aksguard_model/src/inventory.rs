//! All objects of one scan, indexed for rules that look across objects (namespaces today;
//! the RBAC graph, NetworkPolicy selection and Service targets build on it).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

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
    duplicates: Vec<Duplicate>,
}

/// One object defined more than once in the scan (same API group, kind, namespace and name,
/// in different places: a copy vendored in two repositories, a base and an overlay scanned
/// raw). Each definition is checked on its own; ServiceAccount lookups judge every
/// definition and report what holds for any of them, other lookups by name take the first in
/// path order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// `path:line` of each definition, in path order.
    pub locations: Vec<String>,
}

impl Duplicate {
    /// A scan note naming every definition.
    pub fn note(&self) -> String {
        let object = match &self.namespace {
            Some(namespace) => format!("{}/{}", namespace, self.name),
            None => self.name.clone(),
        };
        // Only ServiceAccount lookups weigh every definition today (POD016, IDN rules); other
        // lookups by name (a binding's role, a namespace's manifest) take the first.
        let lookups = if self.kind == "ServiceAccount" {
            "rules that look it up report what holds for any of them"
        } else {
            "rules that look it up by name use the first in path order"
        };
        format!(
            "{} `{object}` is defined {} times ({}): each definition is checked on its own, and \
             {lookups}",
            self.kind,
            self.locations.len(),
            self.locations.join(", ")
        )
    }
}

impl Inventory {
    /// Indexes `objects`, which are first put in path order (then position in the file):
    /// inputs arrive in command-line order, and no verdict or location may depend on it.
    pub fn new(mut objects: Vec<Object>) -> Self {
        objects.sort_by(source_order);
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
        inventory.duplicates = inventory.find_duplicates();
        inventory
    }

    /// Objects defined more than once. Objects without a namespace count only for kinds that
    /// are cluster-scoped (two namespace-less ServiceAccounts may be applied to different
    /// namespaces).
    fn find_duplicates(&self) -> Vec<Duplicate> {
        let mut found = Vec::new();
        let mut names: Vec<(&String, &Vec<usize>)> =
            self.by_name.iter().filter(|(_, at)| at.len() > 1).collect();
        names.sort();
        for (name, indexes) in names {
            let mut groups: BTreeMap<(&str, &str, Option<&str>), Vec<&Object>> = BTreeMap::new();
            for &index in indexes {
                let object = &self.objects[index];
                if object.namespace.is_none() && !kind_is_cluster_scoped(&object.kind) {
                    continue;
                }
                let group = object.api_version.rsplit_once('/').map_or("", |(g, _)| g);
                groups
                    .entry((group, object.kind.as_str(), object.namespace.as_deref()))
                    .or_default()
                    .push(object);
            }
            for ((_, kind, namespace), objects) in groups {
                if objects.len() < 2 {
                    continue;
                }
                found.push(Duplicate {
                    kind: kind.to_owned(),
                    namespace: namespace.map(str::to_owned),
                    name: name.clone(),
                    locations: objects
                        .iter()
                        .map(|o| format!("{}:{}", o.source.path, o.root.pos.line))
                        .collect(),
                });
            }
        }
        found
    }

    /// Objects defined more than once in the scan (see [`Duplicate`]).
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
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

    /// A ServiceAccount by namespace and name: the first definition in path order. Enough to
    /// know it exists; a verdict on its content must weigh every definition
    /// ([`Inventory::service_accounts`]).
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&Object> {
        self.named(name)
            .find(|o| is_service_account_in(o, namespace))
    }

    /// Every definition of a ServiceAccount in the scan, in path order (more than one when
    /// it is duplicated, see [`Inventory::duplicates`]).
    pub fn service_accounts<'a>(
        &'a self,
        namespace: &'a str,
        name: &str,
    ) -> impl Iterator<Item = &'a Object> + Clone + 'a {
        self.named(name)
            .filter(move |o| is_service_account_in(o, namespace))
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

fn is_service_account_in(object: &Object, namespace: &str) -> bool {
    object.kind == "ServiceAccount" && object.namespace.as_deref().unwrap_or_default() == namespace
}

/// Path, then position in the file (documents of one stream keep their order).
fn source_order(a: &Object, b: &Object) -> std::cmp::Ordering {
    let path = if Arc::ptr_eq(&a.source, &b.source) {
        std::cmp::Ordering::Equal
    } else {
        a.source.path.cmp(&b.source.path)
    };
    path.then_with(|| (a.root.pos.line, a.root.pos.col).cmp(&(b.root.pos.line, b.root.pos.col)))
}

/// Built-in cluster-scoped kinds (`ClusterRole` is `clusterroles`).
fn kind_is_cluster_scoped(kind: &str) -> bool {
    let lower = kind.to_ascii_lowercase();
    let resource = if lower.ends_with('s') {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    };
    crate::resource_scope::builtin_is_cluster_scoped(&resource) == Some(true)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::node::{Entry, Node, Pos, Value};
    use crate::object::Source;

    fn object(kind: &str, name: &str, namespace: Option<&str>) -> Object {
        object_at("t", 1, kind, name, namespace)
    }

    fn object_at(path: &str, line: u32, kind: &str, name: &str, namespace: Option<&str>) -> Object {
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
        let mut root = root;
        root.pos = Pos::new(line, 1);
        Object::from_node(root, Arc::new(Source { path: path.into() }), None).unwrap()
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

    fn with_automount(mut object: Object, value: bool) -> Object {
        if let Value::Map(entries) = &mut object.root.value {
            entries.push(Entry {
                key: "automountServiceAccountToken".into(),
                key_pos: Pos::new(9, 1),
                value: Node::scalar(if value { "true" } else { "false" }, false, Pos::new(9, 1)),
            });
        }
        object
    }

    #[test]
    fn duplicates_are_found_in_path_order_whatever_the_input_order() {
        let adapter = |path: &str, line: u32| {
            object_at(
                path,
                line,
                "ServiceAccount",
                "prometheus-adapter",
                Some("monitoring"),
            )
        };
        let one = || {
            vec![
                with_automount(adapter("b/kube-prometheus.yaml", 12), false),
                adapter("a/vllm/prometheus-adapter.yaml", 146),
                // Namespace-less namespaced objects may land in different namespaces.
                object_at("a/x.yaml", 1, "ServiceAccount", "app", None),
                object_at("b/x.yaml", 1, "ServiceAccount", "app", None),
                // Cluster-scoped kinds need no namespace to collide.
                object_at("a/x.yaml", 5, "ClusterRole", "reader", None),
                object_at("b/x.yaml", 5, "ClusterRole", "reader", None),
                // Same name, other kind: no duplicate.
                object_at(
                    "b/x.yaml",
                    9,
                    "Deployment",
                    "prometheus-adapter",
                    Some("monitoring"),
                ),
            ]
        };
        let forward = Inventory::new(one());
        let backward = Inventory::new(one().into_iter().rev().collect());
        assert_eq!(forward.duplicates(), backward.duplicates());
        let notes: Vec<String> = forward.duplicates().iter().map(Duplicate::note).collect();
        assert_eq!(notes.len(), 2, "{notes:#?}");
        assert!(notes[0].starts_with("ServiceAccount `monitoring/prometheus-adapter` is defined 2 times (a/vllm/prometheus-adapter.yaml:146, b/kube-prometheus.yaml:12)"), "{notes:#?}");
        assert!(
            notes[1]
                .starts_with("ClusterRole `reader` is defined 2 times (a/x.yaml:5, b/x.yaml:5)"),
            "{notes:#?}"
        );

        // Every definition is returned, in path order, whatever the input order; the single
        // lookup is the first of them.
        for inventory in [&forward, &backward] {
            let paths: Vec<&str> = inventory
                .service_accounts("monitoring", "prometheus-adapter")
                .map(|o| &*o.source.path)
                .collect();
            assert_eq!(
                paths,
                ["a/vllm/prometheus-adapter.yaml", "b/kube-prometheus.yaml"]
            );
            let first = inventory
                .service_account("monitoring", "prometheus-adapter")
                .unwrap();
            assert_eq!(&*first.source.path, "a/vllm/prometheus-adapter.yaml");
            let order: Vec<(&str, u32)> = inventory
                .objects()
                .iter()
                .map(|o| (&*o.source.path, o.root.pos.line))
                .collect();
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(order, sorted);
        }
    }
}
