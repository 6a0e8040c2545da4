//! The stored state: every declared object with the fields the API server adds (`uid`,
//! `resourceVersion`, `creationTimestamp`, `generation`, `managedFields`, `status`, the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation), plus the objects the
//! controllers make (a Deployment's ReplicaSet and its Pods, a CronJob's Job and its Pod,
//! each with a controller `ownerReference`). Objects are serialised once, here, so that a list
//! request only concatenates bytes.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::catalog::{Catalog, Resource};
use crate::cluster::{Declared, object_mut};

/// The group whose reports clients may apply.
pub const POLICY_REPORT_GROUP: &str = "wgpolicyk8s.io";

/// When every stored object was created.
pub const CREATED: &str = "2026-01-01T00:00:00Z";
/// The most Pods made for one controller, whatever its `replicas`.
pub const MAX_OWNED_PODS: u64 = 3;

/// One stored object, serialised.
#[derive(Debug)]
pub struct Item {
    pub namespace: String,
    pub name: String,
    /// The object's JSON without `apiVersion` and `kind` for built-in kinds (a list item as
    /// the real server writes it), complete for custom resources.
    pub json: String,
}

/// The objects of one resource, in the order etcd keeps them (namespace, then name).
#[derive(Debug, Default)]
pub struct Bucket {
    pub items: Vec<Item>,
}

impl Bucket {
    /// The index range of one namespace's items (all items for `None`).
    pub fn range(&self, namespace: Option<&str>) -> std::ops::Range<usize> {
        match namespace {
            None => 0..self.items.len(),
            Some(ns) => {
                let start = self.items.partition_point(|i| i.namespace.as_str() < ns);
                let end = self.items.partition_point(|i| i.namespace.as_str() <= ns);
                start..end
            }
        }
    }
}

/// Everything the server serves.
#[derive(Debug)]
pub struct Store {
    pub catalog: Catalog,
    /// By (group, version, plural).
    pub buckets: HashMap<(String, String, String), Bucket>,
    /// The resourceVersion of the whole store (the newest object's).
    pub resource_version: u64,
    /// Owned objects made, per kind.
    pub owned: BTreeMap<String, usize>,
}

/// Options of [`Store::build`].
#[derive(Clone, Copy, Debug)]
pub struct StoreOptions {
    /// Make the controllers' objects (ReplicaSets, Jobs, Pods).
    pub owned_objects: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            owned_objects: true,
        }
    }
}

fn fnv(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A stable UUID-shaped uid for an object key.
fn uid_of(key: &str) -> String {
    let a = fnv(key);
    let b = fnv(&format!("{key}#uid"));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Lower-case alphanumeric suffix of `len` characters, as the name generator makes.
fn suffix(seed: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash = fnv(seed);
    (0..len)
        .map(|_| {
            let c = ALPHABET[(hash % ALPHABET.len() as u64) as usize] as char;
            hash /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// `f:` paths of the fields set, as a FieldsV1 set.
fn fields_v1(value: &Value, depth: usize) -> Value {
    match value {
        Value::Object(map) if depth < 8 => {
            let mut out = serde_json::Map::new();
            for (key, child) in map {
                out.insert(format!("f:{key}"), fields_v1(child, depth + 1));
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

fn status_of(kind: &str, object: &Value) -> Option<Value> {
    let replicas = object
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    Some(match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => json!({
            "observedGeneration": 1,
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "updatedReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                            "lastTransitionTime": CREATED, "lastUpdateTime": CREATED}],
        }),
        "DaemonSet" => json!({"currentNumberScheduled": 3, "desiredNumberScheduled": 3,
                              "numberReady": 3, "numberMisscheduled": 0, "observedGeneration": 1}),
        "Job" => json!({"succeeded": 1, "startTime": CREATED, "completionTime": CREATED,
                        "conditions": [{"type": "Complete", "status": "True"}]}),
        "CronJob" => json!({"lastScheduleTime": CREATED}),
        "Service" => json!({"loadBalancer": {}}),
        "Namespace" => json!({"phase": "Active"}),
        "PersistentVolumeClaim" => json!({"phase": "Bound"}),
        "Pod" => {
            let statuses: Vec<Value> = object
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            let name = c.get("name").cloned().unwrap_or(json!(""));
                            let image = c.get("image").cloned().unwrap_or(json!(""));
                            json!({"name": name, "image": image, "ready": true, "restartCount": 0,
                                   "started": true, "state": {"running": {"startedAt": CREATED}},
                                   "imageID": "", "containerID": "containerd://0"})
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({"phase": "Running", "hostIP": "10.224.0.4", "podIP": "10.244.1.7",
                   "startTime": CREATED, "qosClass": "BestEffort",
                   "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": CREATED}],
                   "containerStatuses": statuses})
        }
        _ => return None,
    })
}

/// A builder that numbers resourceVersions.
struct Builder {
    next_version: u64,
    stored: Vec<(Resource, Value)>,
    owned: BTreeMap<String, usize>,
}

impl Builder {
    fn version(&mut self) -> String {
        self.next_version += 1;
        self.next_version.to_string()
    }

    /// Adds the server's fields to a declared object and keeps it.
    fn store(&mut self, resource: &Resource, declared: Value, applied: bool) -> Value {
        let key = format!(
            "{}/{}/{}/{}",
            resource.qualified(),
            declared
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(""),
            declared
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or(""),
            self.next_version
        );
        let last_applied = applied.then(|| {
            let mut text = serde_json::to_string(&declared).expect("a JSON value serialises");
            text.push('\n');
            text
        });
        let fields = fields_v1(&declared, 0);
        let mut object = declared;
        if let Some(status) = status_of(&resource.kind, &object) {
            object
                .as_object_mut()
                .expect("an object")
                .insert("status".into(), status);
        }
        let version = self.version();
        let metadata = object_mut(&mut object, "metadata");
        metadata.insert("uid".into(), json!(uid_of(&key)));
        metadata.insert("resourceVersion".into(), json!(version));
        metadata.insert("creationTimestamp".into(), json!(CREATED));
        metadata.insert("generation".into(), json!(1));
        if let Some(text) = last_applied {
            let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
            if let Some(annotations) = annotations.as_object_mut() {
                annotations
                    .entry("kubectl.kubernetes.io/last-applied-configuration")
                    .or_insert(json!(text));
            }
        }
        metadata.insert(
            "managedFields".into(),
            json!([{
                "manager": if applied { "kubectl-client-side-apply" } else { "kube-controller-manager" },
                "operation": "Update",
                "apiVersion": resource.api_version(),
                "time": CREATED,
                "fieldsType": "FieldsV1",
                "fieldsV1": fields,
            }]),
        );
        self.stored.push((resource.clone(), object.clone()));
        object
    }

    fn owner_reference(owner: &Value) -> Value {
        json!({
            "apiVersion": owner.get("apiVersion").cloned().unwrap_or(json!("")),
            "kind": owner.get("kind").cloned().unwrap_or(json!("")),
            "name": owner.pointer("/metadata/name").cloned().unwrap_or(json!("")),
            "uid": owner.pointer("/metadata/uid").cloned().unwrap_or(json!("")),
            "controller": true,
            "blockOwnerDeletion": true,
        })
    }

    /// Pods of a pod template owned by `owner`.
    fn pods(
        &mut self,
        catalog: &Catalog,
        owner: &Value,
        template: &Value,
        count: u64,
        extra_labels: &Value,
    ) {
        let pod_resource = catalog
            .by_kind("", "v1", "Pod")
            .expect("pods are served")
            .clone();
        let owner_name = owner
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let namespace = owner
            .pointer("/metadata/namespace")
            .cloned()
            .unwrap_or(json!("default"));
        for i in 0..count.min(MAX_OWNED_PODS) {
            let mut labels = template
                .pointer("/metadata/labels")
                .cloned()
                .unwrap_or(json!({}));
            if let (Some(labels), Some(extra)) = (labels.as_object_mut(), extra_labels.as_object())
            {
                labels.extend(extra.clone());
            }
            let mut spec = template.get("spec").cloned().unwrap_or(json!({}));
            if let Some(spec) = spec.as_object_mut() {
                spec.insert(
                    "nodeName".into(),
                    json!(format!("aks-nodepool1-0000{}-vmss00000{i}", i % 3)),
                );
            }
            let mut metadata = template.get("metadata").cloned().unwrap_or(json!({}));
            if let Some(metadata) = metadata.as_object_mut() {
                metadata.insert(
                    "name".into(),
                    json!(format!(
                        "{owner_name}-{}",
                        suffix(&format!("{owner_name}{i}"), 5)
                    )),
                );
                metadata.insert("generateName".into(), json!(format!("{owner_name}-")));
                metadata.insert("namespace".into(), namespace.clone());
                metadata.insert("labels".into(), labels);
                metadata.insert(
                    "ownerReferences".into(),
                    json!([Self::owner_reference(owner)]),
                );
            }
            let pod =
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec});
            self.store(&pod_resource, pod, false);
            *self.owned.entry("Pod".into()).or_insert(0) += 1;
        }
    }

    /// A controller's object (ReplicaSet, Job) owned by `owner`.
    fn owned(
        &mut self,
        resource: &Resource,
        owner: &Value,
        name: String,
        spec: Value,
        labels: Value,
    ) -> Value {
        let kind = resource.kind.as_str();
        let object = json!({
            "apiVersion": resource.api_version(),
            "kind": kind,
            "metadata": {
                "name": name,
                "namespace": owner.pointer("/metadata/namespace").cloned().unwrap_or(json!("default")),
                "labels": labels,
                "ownerReferences": [Self::owner_reference(owner)],
            },
            "spec": spec,
        });
        *self.owned.entry(kind.into()).or_insert(0) += 1;
        self.store(resource, object, false)
    }

    fn controllers(&mut self, catalog: &Catalog, owner: &Value) {
        let kind = owner.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = owner
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match kind {
            "Deployment" => {
                let Some(template) = owner.pointer("/spec/template").cloned() else {
                    return;
                };
                let hash = suffix(&format!("{name}/template"), 10);
                let replicas = owner
                    .pointer("/spec/replicas")
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                let mut labels = template
                    .pointer("/metadata/labels")
                    .cloned()
                    .unwrap_or(json!({}));
                if let Some(map) = labels.as_object_mut() {
                    map.insert("pod-template-hash".into(), json!(hash));
                }
                let mut spec = json!({"replicas": replicas, "template": template.clone()});
                if let Some(selector) = owner.pointer("/spec/selector") {
                    spec["selector"] = selector.clone();
                }
                let rs = self.owned(
                    &served(catalog, "apps", "ReplicaSet"),
                    owner,
                    format!("{name}-{hash}"),
                    spec,
                    labels,
                );
                self.pods(
                    catalog,
                    &rs,
                    &template,
                    replicas,
                    &json!({"pod-template-hash": hash}),
                );
            }
            "CronJob" => {
                let Some(job_spec) = owner.pointer("/spec/jobTemplate/spec").cloned() else {
                    return;
                };
                let template = job_spec.get("template").cloned().unwrap_or(json!({}));
                let job = self.owned(
                    &served(catalog, "batch", "Job"),
                    owner,
                    format!("{name}-29000000"),
                    job_spec,
                    json!({}),
                );
                let uid = job.pointer("/metadata/uid").cloned().unwrap_or(json!(""));
                self.pods(
                    catalog,
                    &job,
                    &template,
                    1,
                    &json!({"batch.kubernetes.io/controller-uid": uid}),
                );
            }
            _ => {}
        }
    }
}

impl Store {
    /// The stored state of a declared cluster.
    pub fn build(declared: &Declared, options: StoreOptions) -> Store {
        let catalog = declared.catalog.clone();
        let mut builder = Builder {
            next_version: 1000,
            stored: Vec::with_capacity(declared.objects.len()),
            owned: BTreeMap::new(),
        };
        for object in &declared.objects {
            let Some(resource) = resource_of(&catalog, object) else {
                continue;
            };
            let stored = builder.store(&resource, object.clone(), true);
            if options.owned_objects {
                builder.controllers(&catalog, &stored);
            }
        }
        let resource_version = builder.next_version;
        let mut buckets: HashMap<(String, String, String), Bucket> = HashMap::new();
        for (resource, mut object) in builder.stored {
            let namespace = object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let name = object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if resource.builtin {
                if let Some(map) = object.as_object_mut() {
                    map.remove("apiVersion");
                    map.remove("kind");
                }
                let json = serde_json::to_string(&object).expect("a JSON value serialises");
                buckets
                    .entry((
                        resource.group.clone(),
                        resource.version.clone(),
                        resource.plural.clone(),
                    ))
                    .or_default()
                    .items
                    .push(Item {
                        namespace,
                        name,
                        json,
                    });
                continue;
            }
            // A custom resource is served at every version its CRD serves, as the API server
            // converts it (here: the same fields under another apiVersion).
            let versions: Vec<Resource> = catalog
                .all()
                .filter(|r| r.group == resource.group && r.kind == resource.kind)
                .cloned()
                .collect();
            for served in versions {
                object["apiVersion"] = Value::from(served.api_version());
                let json = serde_json::to_string(&object).expect("a JSON value serialises");
                buckets
                    .entry((
                        served.group.clone(),
                        served.version.clone(),
                        served.plural.clone(),
                    ))
                    .or_default()
                    .items
                    .push(Item {
                        namespace: namespace.clone(),
                        name: name.clone(),
                        json,
                    });
            }
        }
        for bucket in buckets.values_mut() {
            bucket
                .items
                .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        }
        Store {
            catalog,
            buckets,
            resource_version,
            owned: builder.owned,
        }
    }

    /// Serves `wgpolicyk8s.io/v1alpha2` PolicyReport and ClusterPolicyReport (with their CRDs),
    /// the kinds a client may write by server-side apply.
    pub fn add_policy_report_kinds(&mut self) {
        let crds = (
            "apiextensions.k8s.io".to_owned(),
            "v1".to_owned(),
            "customresourcedefinitions".to_owned(),
        );
        for (kind, namespaced) in [("PolicyReport", true), ("ClusterPolicyReport", false)] {
            let resource = Resource {
                group: POLICY_REPORT_GROUP.to_owned(),
                version: "v1alpha2".to_owned(),
                kind: kind.to_owned(),
                plural: crate::catalog::plural_of(kind),
                singular: kind.to_ascii_lowercase(),
                namespaced,
                short_names: Vec::new(),
                builtin: false,
            };
            let crd = crate::catalog::crd_for(&resource, false);
            let name = format!("{}.{}", resource.plural, resource.group);
            self.catalog.insert(resource);
            let bucket = self.buckets.entry(crds.clone()).or_default();
            if bucket.items.iter().all(|i| i.name != name) {
                bucket.items.push(Item {
                    namespace: String::new(),
                    name,
                    json: serde_json::to_string(&crd).expect("a JSON value serialises"),
                });
                bucket.items.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
    }

    /// Number of stored objects.
    pub fn len(&self) -> usize {
        self.buckets.values().map(|b| b.items.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A built-in v1 resource the catalog always holds.
fn served(catalog: &Catalog, group: &str, kind: &str) -> Resource {
    catalog
        .by_kind(group, "v1", kind)
        .expect("a built-in resource")
        .clone()
}

fn resource_of(catalog: &Catalog, object: &Value) -> Option<Resource> {
    let (group, version) = crate::catalog::split_api_version(object.get("apiVersion")?.as_str()?);
    catalog
        .by_kind(group, version, object.get("kind")?.as_str()?)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;

    #[test]
    fn deployments_get_a_replicaset_and_pods_owned_by_their_controller() {
        let mut cluster = Cluster::new();
        cluster.add_yaml(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: nginx}]}\n",
            "t",
        );
        let store = Store::build(&cluster.finish(), StoreOptions::default());
        assert_eq!(store.owned["ReplicaSet"], 1);
        assert_eq!(store.owned["Pod"], 2);
        let pods = &store.buckets[&(String::new(), "v1".into(), "pods".into())];
        let pod: Value = serde_json::from_str(&pods.items[0].json).unwrap();
        assert!(
            pod.get("kind").is_none(),
            "list items of built-in kinds carry no kind"
        );
        assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
        assert_eq!(pod["metadata"]["ownerReferences"][0]["controller"], true);
        let deploys = &store.buckets[&("apps".into(), "v1".into(), "deployments".into())];
        let deploy: Value = serde_json::from_str(&deploys.items[0].json).unwrap();
        assert!(
            deploy["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
                .is_string()
        );
        assert_eq!(deploy["status"]["readyReplicas"], 2);
        assert!(deploy["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"].is_object());
    }
}
