//! Which requests a policy's `matchConstraints` (and a binding's `matchResources`) select:
//! resource rules by group/version/resource, operation and scope, excluded rules, and the
//! namespace and object label selectors.
//!
//! Offline there is no discovery, so an object's resource comes from its kind: a built-in
//! table of the Kubernetes kinds ([`KINDS`]) and otherwise the API server's default plural
//! of the lower-cased kind (`Widget` → `widgets`, `Policy` → `policies`, `Ingress` →
//! `ingresses`), which is what CRDs use unless they declare another plural.

use aksguard_model::resource_scope::builtin_is_cluster_scoped;
use aksguard_model::selector::{LabelSelector, Operator};
use serde_json::Value as Json;

use super::spec::{MatchPolicy, MatchResources, ResourceRule};

/// Built-in kinds whose resource name is not the default plural (or worth stating).
const KINDS: &[(&str, &str)] = &[
    ("Endpoints", "endpoints"),
    ("NetworkPolicy", "networkpolicies"),
    ("PodSecurityPolicy", "podsecuritypolicies"),
    ("Ingress", "ingresses"),
    ("IngressClass", "ingressclasses"),
    ("PriorityClass", "priorityclasses"),
    ("StorageClass", "storageclasses"),
    ("RuntimeClass", "runtimeclasses"),
    ("DeviceClass", "deviceclasses"),
    ("VolumeAttributesClass", "volumeattributesclasses"),
    ("ValidatingAdmissionPolicy", "validatingadmissionpolicies"),
    ("MutatingAdmissionPolicy", "mutatingadmissionpolicies"),
    ("PodDisruptionBudget", "poddisruptionbudgets"),
    ("ComponentStatus", "componentstatuses"),
    ("CSIStorageCapacity", "csistoragecapacities"),
    ("HorizontalPodAutoscaler", "horizontalpodautoscalers"),
    ("ResourceQuota", "resourcequotas"),
];

/// The resource an object of `kind` is served as.
pub fn resource_of(kind: &str) -> String {
    if let Some((_, resource)) = KINDS.iter().find(|(k, _)| *k == kind) {
        return (*resource).to_owned();
    }
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with('s')
        || lower.ends_with('x')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
    {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

/// Resources served under more than one group: with `matchPolicy: Equivalent` a rule for
/// one matches requests for the others (the API server converts them).
const EQUIVALENT_GROUPS: &[(&str, &[&str])] = &[
    ("deployments", &["apps", "extensions"]),
    ("daemonsets", &["apps", "extensions"]),
    ("replicasets", &["apps", "extensions"]),
    ("statefulsets", &["apps"]),
    ("ingresses", &["networking.k8s.io", "extensions"]),
    ("networkpolicies", &["networking.k8s.io", "extensions"]),
    ("podsecuritypolicies", &["policy", "extensions"]),
];

/// What a request is about, as the API server fills `request.kind` and `request.resource`.
#[derive(Clone, Debug)]
pub struct RequestTarget {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub resource: String,
    pub name: String,
    /// Empty for cluster-scoped objects.
    pub namespace: String,
    pub cluster_scoped: bool,
    pub operation: String,
}

impl RequestTarget {
    /// The target of a `operation` request for `object`.
    pub fn of(object: &Json, operation: &str) -> RequestTarget {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (String::new(), api_version.to_owned()),
        };
        let kind = object["kind"].as_str().unwrap_or_default().to_owned();
        let resource = resource_of(&kind);
        let declared_namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
        // Custom resources: namespaced when they declare a namespace, cluster-scoped
        // otherwise (offline there is no CRD to ask).
        let cluster_scoped =
            builtin_is_cluster_scoped(&resource).unwrap_or(declared_namespace.is_empty());
        // A namespaced object without a namespace is created in the client's default
        // namespace; offline that is `default`.
        let namespace = match (cluster_scoped, declared_namespace) {
            (true, _) => String::new(),
            (false, "") => "default".to_owned(),
            (false, ns) => ns.to_owned(),
        };
        RequestTarget {
            group,
            version,
            kind,
            resource,
            name: object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            namespace,
            cluster_scoped,
            operation: operation.to_owned(),
        }
    }

    /// What a real request (the webhook's) says over what the object does: its `name` (a
    /// generated name is empty) and, for a namespaced object, its `namespace`.
    pub fn with_request(mut self, name: Option<&str>, namespace: Option<&str>) -> Self {
        if let Some(name) = name {
            name.clone_into(&mut self.name);
        }
        if let Some(namespace) = namespace.filter(|ns| !ns.is_empty())
            && !self.cluster_scoped
        {
            namespace.clone_into(&mut self.namespace);
        }
        self
    }

    /// [`RequestTarget::request_json`] with the real requester and `dryRun` (the
    /// webhook's); without a requester, a scan's.
    pub fn request_json_with(&self, user_info: Option<&Json>, dry_run: bool) -> Json {
        let mut request = self.request_json();
        if let Some(user_info) = user_info {
            request["userInfo"] = user_info.clone();
        }
        request["dryRun"] = Json::Bool(dry_run);
        request
    }

    /// The `request` variable (an AdmissionRequest as the policy sees it).
    pub fn request_json(&self) -> Json {
        let kind =
            serde_json::json!({"group": self.group, "version": self.version, "kind": self.kind});
        let resource = serde_json::json!({"group": self.group, "version": self.version, "resource": self.resource});
        let options_kind = match self.operation.as_str() {
            "UPDATE" => "UpdateOptions",
            "DELETE" => "DeleteOptions",
            _ => "CreateOptions",
        };
        serde_json::json!({
            "kind": kind,
            "resource": resource,
            "requestKind": kind,
            "requestResource": resource,
            "name": self.name,
            "namespace": self.namespace,
            "operation": self.operation,
            "userInfo": {"username": "aksguard", "groups": ["system:authenticated"]},
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": options_kind},
        })
    }
}

fn listed(list: &[String], value: &str) -> bool {
    list.iter().any(|item| item == "*" || item == value)
}

fn rule_matches(rule: &ResourceRule, target: &RequestTarget, policy: MatchPolicy) -> bool {
    if !listed(&rule.operations, &target.operation) {
        return false;
    }
    let scope_ok = match rule.scope.as_str() {
        "Cluster" => target.cluster_scoped,
        "Namespaced" => !target.cluster_scoped,
        _ => true,
    };
    if !scope_ok {
        return false;
    }
    if !rule.resource_names.is_empty() && !rule.resource_names.contains(&target.name) {
        return false;
    }
    let resource_ok = rule.resources.iter().any(|r| {
        r == "*"
            || r == &target.resource
            || r.strip_suffix("/*")
                .is_some_and(|base| base == "*" || base == target.resource)
    });
    if !resource_ok {
        return false;
    }
    if listed(&rule.api_groups, &target.group) && listed(&rule.api_versions, &target.version) {
        return true;
    }
    // Equivalent: the same resource in a group and version the rule lists (the API
    // server converts the object to it before calling the policy).
    policy == MatchPolicy::Equivalent
        && {
            let groups: &[&str] = EQUIVALENT_GROUPS
                .iter()
                .find(|(r, _)| *r == target.resource)
                .map_or(&[], |(_, groups)| groups);
            let same_group = listed(&rule.api_groups, &target.group);
            same_group
                || (groups.contains(&target.group.as_str())
                    && groups.iter().any(|g| listed(&rule.api_groups, g)))
        }
        && !rule.api_versions.is_empty()
}

/// Whether a label map (a JSON object, or null) satisfies `selector`.
pub fn selector_matches(selector: &LabelSelector, labels: &Json) -> bool {
    let value = |key: &str| labels.get(key).and_then(Json::as_str);
    selector.requirements.iter().all(|r| match r.operator {
        Operator::In => value(&r.key).is_some_and(|v| r.values.iter().any(|x| x == v)),
        Operator::NotIn => value(&r.key).is_none_or(|v| !r.values.iter().any(|x| x == v)),
        Operator::Exists => value(&r.key).is_some(),
        Operator::DoesNotExist => value(&r.key).is_none(),
    })
}

/// The labels a namespace has: its object's when the scan has it, otherwise only the
/// `kubernetes.io/metadata.name` label the API server sets on every namespace.
pub fn namespace_labels(namespace: &str, namespace_object: Option<&Json>) -> Json {
    match namespace_object {
        Some(ns) => {
            let mut labels = ns["metadata"]["labels"].clone();
            if !labels.is_object() {
                labels = Json::Object(Default::default());
            }
            labels["kubernetes.io/metadata.name"] = Json::String(namespace.to_owned());
            labels
        }
        None => serde_json::json!({"kubernetes.io/metadata.name": namespace}),
    }
}

/// Whether `constraints` select this request.
pub fn matches(
    constraints: &MatchResources,
    target: &RequestTarget,
    object: &Json,
    namespace_object: Option<&Json>,
) -> bool {
    let namespace_ok = if target.kind == "Namespace" && target.group.is_empty() {
        let labels = namespace_labels(&target.name, Some(object));
        selector_matches(&constraints.namespace_selector, &labels)
    } else if target.cluster_scoped {
        true
    } else {
        selector_matches(
            &constraints.namespace_selector,
            &namespace_labels(&target.namespace, namespace_object),
        )
    };
    namespace_ok
        && selector_matches(&constraints.object_selector, &object["metadata"]["labels"])
        && constraints
            .resource_rules
            .iter()
            .any(|rule| rule_matches(rule, target, constraints.match_policy))
        && !constraints
            .exclude_resource_rules
            .iter()
            .any(|rule| rule_matches(rule, target, constraints.match_policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_resources_with_the_table_and_the_plural_rule() {
        assert_eq!(resource_of("Deployment"), "deployments");
        assert_eq!(resource_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_of("Ingress"), "ingresses");
        assert_eq!(resource_of("Endpoints"), "endpoints");
        assert_eq!(resource_of("Gateway"), "gateways");
        assert_eq!(resource_of("Proxy"), "proxies");
        assert_eq!(resource_of("Box"), "boxes");
    }

    #[test]
    fn namespaced_objects_without_a_namespace_land_in_default() {
        let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        let target = RequestTarget::of(&pod, "CREATE");
        assert_eq!(
            (target.namespace.as_str(), target.cluster_scoped),
            ("default", false)
        );
        let role = serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}});
        let target = RequestTarget::of(&role, "CREATE");
        assert_eq!(
            (target.namespace.as_str(), target.cluster_scoped),
            ("", true)
        );
        assert_eq!(
            target.request_json()["resource"]["resource"],
            "clusterroles"
        );
    }
}
