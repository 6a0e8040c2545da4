//! Which resources the server serves: the built-in kinds of a current cluster (group, version,
//! plural, scope, verbs, as `kubectl api-resources` shows them) and the custom resources found
//! among the loaded objects, each with the CustomResourceDefinition a cluster would hold for it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// One served resource (a plural under one group/version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// "" for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    /// Built-in kinds: list items carry no `apiVersion`/`kind` (the real server omits them for
    /// typed lists); custom resources keep them.
    pub builtin: bool,
}

impl Resource {
    /// `apiVersion` of its objects: `v1` or `group/version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The name kubectl and RBAC messages use: `pods`, `deployments.apps`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The entry of an APIResourceList.
    pub fn discovery_entry(&self) -> Value {
        let mut entry = json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"],
        });
        if !self.short_names.is_empty() {
            entry["shortNames"] = json!(self.short_names);
        }
        entry
    }
}

/// (group, version, kind, plural, namespaced, short names) of one built-in resource.
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
);

/// The built-in resources served.
const BUILTIN: &[Builtin] = &[
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"]),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"]),
    ("", "v1", "LimitRange", "limitranges", true, &["limits"]),
    ("", "v1", "Namespace", "namespaces", false, &["ns"]),
    ("", "v1", "Node", "nodes", false, &["no"]),
    (
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        &["pv"],
    ),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
    ),
    ("", "v1", "Pod", "pods", true, &["po"]),
    ("", "v1", "PodTemplate", "podtemplates", true, &[]),
    (
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
        &["rc"],
    ),
    (
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        &["quota"],
    ),
    ("", "v1", "Secret", "secrets", true, &[]),
    ("", "v1", "Service", "services", true, &["svc"]),
    ("", "v1", "ServiceAccount", "serviceaccounts", true, &["sa"]),
    (
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        false,
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        false,
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
        &[],
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
    ),
    (
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
        &[],
    ),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"]),
    ("apps", "v1", "Deployment", "deployments", true, &["deploy"]),
    ("apps", "v1", "ReplicaSet", "replicasets", true, &["rs"]),
    ("apps", "v1", "StatefulSet", "statefulsets", true, &["sts"]),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
    ),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"]),
    ("batch", "v1", "Job", "jobs", true, &[]),
    (
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        true,
        &[],
    ),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
    ),
    (
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        false,
        &[],
    ),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &["netpol"],
    ),
    (
        "node.k8s.io",
        "v1",
        "RuntimeClass",
        "runtimeclasses",
        false,
        &[],
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        &["pdb"],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        &[],
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
        &["pc"],
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
        &["sc"],
    ),
];

/// Whether `group` belongs to Kubernetes itself (its objects must be in a served version).
pub fn is_builtin_group(group: &str) -> bool {
    group.is_empty()
        || !group.contains('.')
        || group.ends_with(".k8s.io")
        || group == "apiextensions.k8s.io"
}

/// Splits `apiVersion` into (group, version).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// The lower-case plural Kubernetes tooling derives from a kind (`Rollout` → `rollouts`,
/// `Policy` → `policies`, `Ingress` → `ingresses`).
pub fn plural_of(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if lower.ends_with('s')
        || lower.ends_with("x")
        || lower.ends_with("ch")
        || lower.ends_with("sh")
    {
        return format!("{lower}es");
    }
    format!("{lower}s")
}

/// All served resources, by (group, version) and then plural.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    resources: BTreeMap<(String, String), BTreeMap<String, Resource>>,
}

impl Catalog {
    /// The built-in resources only.
    pub fn builtin() -> Catalog {
        let mut catalog = Catalog::default();
        for &(group, version, kind, plural, namespaced, short) in BUILTIN {
            catalog.insert(Resource {
                group: group.to_owned(),
                version: version.to_owned(),
                kind: kind.to_owned(),
                plural: plural.to_owned(),
                singular: kind.to_ascii_lowercase(),
                namespaced,
                short_names: short.iter().map(|s| (*s).to_owned()).collect(),
                builtin: true,
            });
        }
        catalog
    }

    pub fn insert(&mut self, resource: Resource) {
        self.resources
            .entry((resource.group.clone(), resource.version.clone()))
            .or_default()
            .insert(resource.plural.clone(), resource);
    }

    /// The resource of a kind in a group/version.
    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<&Resource> {
        self.resources
            .get(&(group.to_owned(), version.to_owned()))?
            .values()
            .find(|r| r.kind == kind)
    }

    /// Whether the group is served at all, in any version.
    pub fn has_group(&self, group: &str) -> bool {
        self.resources.keys().any(|(g, _)| g == group)
    }

    pub fn by_plural(&self, group: &str, version: &str, plural: &str) -> Option<&Resource> {
        self.resources
            .get(&(group.to_owned(), version.to_owned()))?
            .get(plural)
    }

    /// The resources of one group/version, if it is served.
    pub fn group_version(
        &self,
        group: &str,
        version: &str,
    ) -> Option<impl Iterator<Item = &Resource>> {
        self.resources
            .get(&(group.to_owned(), version.to_owned()))
            .map(|m| m.values())
    }

    /// The served named groups with their versions, in name order (the core group excluded).
    pub fn groups(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (group, version) in self.resources.keys() {
            if !group.is_empty() {
                groups.entry(group).or_default().push(version);
            }
        }
        groups
    }

    pub fn all(&self) -> impl Iterator<Item = &Resource> {
        self.resources.values().flat_map(|m| m.values())
    }
}

/// The CustomResourceDefinition a cluster holds for a custom resource: a schema that keeps
/// any field and, when its objects embed a pod template (`pod_template`), declares
/// `spec.template.spec.containers` as real CRDs of such kinds (Argo Rollouts…) do.
pub fn crd_for(resource: &Resource, pod_template: bool) -> Value {
    let mut schema = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    if pod_template {
        let containers = json!({"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}});
        schema["properties"] = json!({"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
            "template": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
                "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
                    "containers": containers.clone(), "initContainers": containers}}}}}}});
    }
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{}", resource.plural, resource.group)},
        "spec": {
            "group": resource.group,
            "names": {
                "kind": resource.kind,
                "listKind": format!("{}List", resource.kind),
                "plural": resource.plural,
                "singular": resource.singular,
            },
            "scope": if resource.namespaced { "Namespaced" } else { "Cluster" },
            "versions": [{
                "name": resource.version,
                "served": true,
                "storage": true,
                "schema": {"openAPIV3Schema": schema},
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_kubernetes_conventions() {
        assert_eq!(plural_of("Rollout"), "rollouts");
        assert_eq!(plural_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(plural_of("Ingress"), "ingresses");
        assert_eq!(plural_of("Gateway"), "gateways");
    }

    #[test]
    fn builtin_kinds_are_found_by_kind_and_plural() {
        let catalog = Catalog::builtin();
        let deploy = catalog.by_kind("apps", "v1", "Deployment").unwrap();
        assert_eq!(deploy.qualified(), "deployments.apps");
        assert!(catalog.by_plural("", "v1", "pods").unwrap().namespaced);
        assert!(
            catalog
                .by_kind("extensions", "v1beta1", "Deployment")
                .is_none()
        );
        assert!(is_builtin_group("apps") && is_builtin_group("networking.k8s.io"));
        assert!(!is_builtin_group("argoproj.io"));
    }
}
