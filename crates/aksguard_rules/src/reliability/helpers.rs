//! Shared by the REL rules: namespaces, replica counts, autoscaler and PodDisruptionBudget
//! lookups, pod-template labels.

use aksguard_model::selector::{Operator, Requirement};
use aksguard_model::{Inventory, LabelSelector, Node, Object, PodSpecView, UNSPECIFIED_NAMESPACE};

/// The inventory's namespace key of an object ([`UNSPECIFIED_NAMESPACE`] when it sets none).
pub(crate) fn namespace_of(object: &Object) -> &str {
    object.namespace.as_deref().unwrap_or(UNSPECIFIED_NAMESPACE)
}

/// Where an object's references are looked up, for messages: `namespace shop`, or `the
/// scanned files` for an object without a namespace.
pub(crate) fn namespace_display(namespace: &str) -> String {
    if namespace == UNSPECIFIED_NAMESPACE {
        "the scanned files".into()
    } else {
        format!("namespace {namespace}")
    }
}

/// Whether an object in `namespace` can refer to `object` by name or selector: objects of its
/// own namespace and those without one (they may be applied into it); for an object without a
/// namespace, every object (it may be applied into any namespace).
pub(crate) fn in_reach(namespace: &str, object: &Object) -> bool {
    namespace == UNSPECIFIED_NAMESPACE
        || matches!(object.namespace.as_deref(), None | Some(""))
        || object.namespace.as_deref() == Some(namespace)
}

/// Objects of `kind` within reach of `namespace` (see [`in_reach`]): those of the namespace
/// first, then those without one. Through the inventory's kind index, so a lookup costs what
/// it finds, not the size of the namespace.
pub(crate) fn of_kind_in_reach<'a>(
    inventory: &'a Inventory,
    namespace: &'a str,
    kind: &'a str,
) -> Box<dyn Iterator<Item = &'a Object> + 'a> {
    if namespace == UNSPECIFIED_NAMESPACE {
        Box::new(inventory.of_kind(kind))
    } else {
        Box::new(
            inventory
                .of_kind_in(kind, namespace)
                .chain(inventory.of_kind_in(kind, UNSPECIFIED_NAMESPACE)),
        )
    }
}

/// Objects named `name` within reach of `namespace` (see [`in_reach`]), those of the
/// namespace first.
pub(crate) fn named_in_reach<'a>(
    inventory: &'a Inventory,
    namespace: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a Object> + 'a {
    let own = move |o: &&Object| o.namespace.as_deref() == Some(namespace);
    let found = inventory
        .named(name)
        .filter(move |o| in_reach(namespace, o));
    found
        .clone()
        .filter(own)
        .chain(found.filter(move |o| !own(o)))
}

/// Objects of `kind` named `name` within reach of `namespace` (see [`in_reach`]).
pub(crate) fn find_in_reach<'a>(
    inventory: &'a Inventory,
    namespace: &'a str,
    kind: &str,
    name: &'a str,
) -> Option<&'a Object> {
    named_in_reach(inventory, namespace, name).find(|o| o.kind == kind)
}

/// Every object with pods within reach of `namespace` (see [`workload_pod_labels`]).
fn workloads_in_reach<'a>(
    inventory: &'a Inventory,
    namespace: &'a str,
) -> impl Iterator<Item = &'a Object> + 'a {
    let built_in = WORKLOAD_KINDS
        .iter()
        .flat_map(move |kind| of_kind_in_reach(inventory, namespace, kind));
    let custom = inventory
        .workloads()
        .map(|(object, _)| object)
        .filter(move |o| !WORKLOAD_KINDS.contains(&o.kind.as_str()) && in_reach(namespace, o));
    built_in.chain(custom)
}

/// `spec.replicas` of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replicas {
    /// Absent or null: the API server defaults it to 1.
    Unset,
    Count(i64),
    /// Present but not an integer (a quoted or templated value): unknown, never guessed.
    Unknown,
}

pub(crate) fn replicas(object: &Object) -> Replicas {
    match object.root.at("spec.replicas") {
        None => Replicas::Unset,
        Some(node) if node.is_null() => Replicas::Unset,
        Some(node) => node.as_i64().map_or(Replicas::Unknown, Replicas::Count),
    }
}

/// A HorizontalPodAutoscaler, or a KEDA ScaledObject (which creates one), in `object`'s
/// namespace whose `spec.scaleTargetRef` names `object` by kind and name. The target's
/// apiVersion is not compared (`extensions/v1beta1` and `apps/v1` name the same object).
pub(crate) fn autoscaler_of<'a>(
    inventory: &'a Inventory,
    object: &'a Object,
) -> Option<&'a Object> {
    let name = object.name.as_deref()?;
    let namespace = namespace_of(object);
    let found = inventory
        .scaling(name)
        .filter(|candidate| in_reach(namespace, candidate));
    let own = |o: &&Object| o.namespace.as_deref() == Some(namespace);
    let mut ordered = found.clone().filter(own).chain(found.filter(|o| !own(o)));
    ordered.find(|candidate| {
        let default_kind = match candidate.kind.as_str() {
            "HorizontalPodAutoscaler" => None,
            "ScaledObject" if candidate.api_version.starts_with("keda.sh/") => Some("Deployment"),
            _ => return false,
        };
        let Some(target) = candidate.root.at("spec.scaleTargetRef") else {
            return false;
        };
        let text = |key: &str| target.get(key).and_then(Node::as_str);
        text("kind").or(default_kind) == Some(object.kind.as_str()) && text("name") == Some(name)
    })
}

/// The fewest replicas an autoscaler keeps: HPA `minReplicas` (default 1), ScaledObject
/// `minReplicaCount` (default 0).
pub(crate) fn autoscaler_min_replicas(autoscaler: &Object) -> i64 {
    let (field, default) = if autoscaler.kind == "ScaledObject" {
        ("spec.minReplicaCount", 0)
    } else {
        ("spec.minReplicas", 1)
    };
    autoscaler
        .root
        .at(field)
        .and_then(Node::as_i64)
        .unwrap_or(default)
}

/// The labels a workload gives its pods: the pod template's (the Pod's own for a Pod).
pub(crate) fn pod_template_labels(object: &Object) -> Option<&Node> {
    let path = match object.kind.as_str() {
        "Pod" => "metadata.labels",
        "CronJob" => "spec.jobTemplate.spec.template.metadata.labels",
        _ => "spec.template.metadata.labels",
    };
    object.root.at(path).filter(|labels| !labels.is_null())
}

/// The built-in kinds that run pods.
const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// The pod labels of a workload: `Some(labels)` (`Some(None)` when it has none) for the
/// built-in workload kinds, even with an incomplete pod spec, and for custom resources that
/// embed a pod template; `None` for objects that run no pods.
fn workload_pod_labels(object: &Object) -> Option<Option<&Node>> {
    if WORKLOAD_KINDS.contains(&object.kind.as_str()) {
        return Some(pod_template_labels(object));
    }
    PodSpecView::of(object).map(|pod| Inventory::pod_labels(&pod))
}

/// `app=web, tier=frontend`, or `none` for messages.
pub(crate) fn format_labels(labels: Option<&Node>) -> String {
    let pairs: Vec<String> = labels
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|e| format!("{}={}", e.key, e.value.as_str().unwrap_or("")))
        .collect();
    if pairs.is_empty() {
        "none".into()
    } else {
        pairs.join(", ")
    }
}

/// Which pods a PodDisruptionBudget covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PdbSelection {
    /// No selector (absent or null), or an empty one in policy/v1beta1: no pods.
    Nothing,
    /// A selector; in policy/v1 an empty one selects every pod of the namespace.
    Selector(LabelSelector),
    /// Malformed: the API server rejects the PodDisruptionBudget; callers do not guess.
    Malformed,
}

pub(crate) fn pdb_selection(pdb: &Object) -> PdbSelection {
    let Some(node) = pdb.root.at("spec.selector").filter(|n| !n.is_null()) else {
        return PdbSelection::Nothing;
    };
    match LabelSelector::parse(node) {
        None => PdbSelection::Malformed,
        Some(selector) if selector.selects_all() && pdb.api_version == "policy/v1beta1" => {
            PdbSelection::Nothing
        }
        Some(selector) => PdbSelection::Selector(selector),
    }
}

/// Whether `selector` may select the pods of any workload (any object with a pod template,
/// bare Pods included) in `namespace` (see [`selects_workload`]), or names a custom resource
/// there (see [`names_custom_resource`]).
pub(crate) fn selects_any_workload(
    inventory: &Inventory,
    namespace: &str,
    selector: &LabelSelector,
) -> bool {
    workloads_in_reach(inventory, namespace)
        .filter_map(|object| Some((object, workload_pod_labels(object)?)))
        .any(|(object, labels)| selects_workload(selector, object, labels))
        || names_custom_resource(inventory, namespace, selector)
}

/// Labels a controller adds to the pods it creates, beyond the pod template's.
fn generated_label_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "Deployment" => &["pod-template-hash"],
        "StatefulSet" => &[
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
            "controller-revision-hash",
        ],
        "DaemonSet" => &["controller-revision-hash", "pod-template-generation"],
        "Job" | "CronJob" => &[
            "job-name",
            "batch.kubernetes.io/job-name",
            "controller-uid",
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-completion-index",
        ],
        _ => &[],
    }
}

/// Whether `selector` may select the pods of `workload`, whose pod-template labels are
/// `labels`. Requirements on labels its controller adds to every pod count as met, except
/// where the value is predictable: a StatefulSet's `statefulset.kubernetes.io/pod-name` must
/// be `<name>-<ordinal>`, a Job's `job-name` its name, a CronJob's `<name>-<suffix>`.
pub(crate) fn selects_workload(
    selector: &LabelSelector,
    workload: &Object,
    labels: Option<&Node>,
) -> bool {
    let generated = generated_label_keys(&workload.kind);
    let name = workload.name.as_deref().unwrap_or_default();
    let (own, added): (Vec<_>, Vec<_>) = selector
        .requirements
        .iter()
        .cloned()
        .partition(|r| !generated.contains(&r.key.as_str()));
    let predictable = |r: &Requirement| -> bool {
        if r.operator != Operator::In {
            return true;
        }
        let prefixed = |v: &String, digits: bool| {
            v.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|rest| {
                    !rest.is_empty() && (!digits || rest.bytes().all(|b| b.is_ascii_digit()))
                })
        };
        match (workload.kind.as_str(), r.key.as_str()) {
            ("StatefulSet", "statefulset.kubernetes.io/pod-name") => {
                r.values.iter().any(|v| prefixed(v, true))
            }
            ("Job", "job-name" | "batch.kubernetes.io/job-name") => {
                r.values.iter().any(|v| v == name)
            }
            ("CronJob", "job-name" | "batch.kubernetes.io/job-name") => {
                r.values.iter().any(|v| prefixed(v, false))
            }
            _ => true,
        }
    };
    added.iter().all(predictable) && LabelSelector { requirements: own }.matches(labels)
}

/// Whether an equality requirement of `selector` has as its value the name of a custom
/// resource (an object whose API group is neither core nor `*.k8s.io`) in `namespace`:
/// operators label the pods they create for a resource with its name (`prometheus: k8s`,
/// `cnpg.io/cluster: db`), and those pods are not in a file scan.
pub(crate) fn names_custom_resource(
    inventory: &Inventory,
    namespace: &str,
    selector: &LabelSelector,
) -> bool {
    let values: Vec<&str> = selector
        .requirements
        .iter()
        .filter(|r| r.operator == Operator::In)
        .flat_map(|r| r.values.iter().map(String::as_str))
        .collect();
    values
        .iter()
        .any(|value| named_in_reach(inventory, namespace, value).any(Object::is_custom_resource))
}
