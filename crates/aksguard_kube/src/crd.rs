//! Custom resources that embed a pod template (Argo Rollouts, Knative and the like), found from
//! their CustomResourceDefinition's schema: the model judges a custom resource's containers
//! when `spec.template.spec` holds a container field (`aksguard_model::PodSpecView`), so a
//! CRD is listed when its schema declares one there.

use serde_json::Value;

use crate::resources::Phase;

/// A resource to list, built in or found from a CRD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListTarget {
    pub group: String,
    pub version: String,
    pub resource: String,
    pub kind: String,
    pub namespaced: bool,
    pub phase: Phase,
}

impl ListTarget {
    pub fn from_table(resource: &crate::resources::Resource) -> ListTarget {
        ListTarget {
            group: resource.group.to_owned(),
            version: resource.version.to_owned(),
            resource: resource.resource.to_owned(),
            kind: resource.kind.to_owned(),
            namespaced: resource.namespaced,
            phase: resource.phase,
        }
    }

    /// `deployments.apps`, `pods`.
    pub fn qualified_name(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    /// The apiVersion of the listed objects.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The list's URL path, in one namespace or across all of them.
    pub fn list_path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(namespace) if self.namespaced => {
                format!("{base}/namespaces/{namespace}/{}", self.resource)
            }
            _ => format!("{base}/{}", self.resource),
        }
    }
}

/// The pod-spec fields that hold containers (as `PodSpecView` recognises them).
const CONTAINER_FIELDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// The resource a CustomResourceDefinition (its JSON, as listed) defines when its objects embed
/// a pod template: the served version whose schema has `spec.template.spec.<containers>`,
/// the storage version first.
pub fn pod_template_resource(crd: &Value) -> Option<ListTarget> {
    defined_resource(crd, |spec, version| {
        version
            .get("schema")
            .and_then(|s| s.get("openAPIV3Schema"))
            // apiextensions.k8s.io/v1beta1 CRDs had one schema for all versions.
            .or_else(|| spec.get("validation")?.get("openAPIV3Schema"))
            .is_some_and(declares_pod_template)
    })
}

/// The resource a CustomResourceDefinition defines when its objects have a `scale`
/// subresource: what a HorizontalPodAutoscaler or a KEDA ScaledObject may target (a
/// LeaderWorkerSet). Rules look such targets up by kind and name, so they are listed too,
/// or every autoscaler of one would seem to target nothing.
pub fn scalable_resource(crd: &Value) -> Option<ListTarget> {
    defined_resource(crd, |spec, version| {
        version
            .get("subresources")
            .or_else(|| spec.get("subresources"))
            .and_then(|s| s.get("scale"))
            .is_some()
    })
}

/// The resource a CRD defines, at its first served version (the storage version first: the
/// one the server holds objects in) for which `wanted(spec, version)` holds.
fn defined_resource(crd: &Value, wanted: impl Fn(&Value, &Value) -> bool) -> Option<ListTarget> {
    let spec = crd.get("spec")?;
    let names = spec.get("names")?;
    let mut versions: Vec<&Value> = spec
        .get("versions")?
        .as_array()?
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool) != Some(false))
        .collect();
    versions.sort_by_key(|v| v.get("storage").and_then(Value::as_bool) != Some(true));
    let version = versions.into_iter().find(|version| wanted(spec, version))?;
    Some(ListTarget {
        group: spec.get("group")?.as_str()?.to_owned(),
        version: version.get("name")?.as_str()?.to_owned(),
        resource: names.get("plural")?.as_str()?.to_owned(),
        kind: names.get("kind")?.as_str()?.to_owned(),
        namespaced: spec.get("scope").and_then(Value::as_str) != Some("Cluster"),
        phase: Phase::Controllers,
    })
}

/// Whether an OpenAPI schema declares `spec.template.spec` with a container field.
fn declares_pod_template(schema: &Value) -> bool {
    let mut node = schema;
    for step in ["spec", "template", "spec"] {
        match node.get("properties").and_then(|p| p.get(step)) {
            Some(next) => node = next,
            None => return false,
        }
    }
    let Some(properties) = node.get("properties") else {
        return false;
    };
    CONTAINER_FIELDS
        .iter()
        .any(|field| properties.get(field).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(scope: &str, versions: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "rollouts.argoproj.io"},
            "spec": {
                "group": "argoproj.io",
                "names": {"kind": "Rollout", "plural": "rollouts"},
                "scope": scope,
                "versions": versions
            }
        })
    }

    fn schema_with(spec_properties: Value) -> Value {
        json!({"openAPIV3Schema": {"type": "object", "properties": {"spec": {"properties": {
            "template": {"properties": {"spec": {"properties": spec_properties}}}}}}}})
    }

    #[test]
    fn a_crd_whose_schema_has_template_containers_is_listed() {
        let definition = crd(
            "Namespaced",
            json!([
                {"name": "v1alpha0", "served": false, "storage": false,
                 "schema": schema_with(json!({"containers": {"type": "array"}}))},
                {"name": "v1beta1", "served": true, "storage": false,
                 "schema": schema_with(json!({"containers": {"type": "array"}}))},
                {"name": "v1alpha1", "served": true, "storage": true,
                 "schema": schema_with(json!({"initContainers": {"type": "array"}}))}
            ]),
        );
        let target = pod_template_resource(&definition).expect("a pod template");
        assert_eq!(target.version, "v1alpha1", "the storage version first");
        assert_eq!(target.qualified_name(), "rollouts.argoproj.io");
        assert_eq!(target.api_version(), "argoproj.io/v1alpha1");
        assert!(target.namespaced);
        assert_eq!(target.phase, Phase::Controllers);
        assert_eq!(
            target.list_path(Some("shop")),
            "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts"
        );
    }

    #[test]
    fn template_spec_without_containers_is_not_a_pod_template() {
        // Argo CD's ApplicationSet and KubeVirt's VirtualMachine have `spec.template.spec`
        // that is no pod spec.
        let application_set = crd(
            "Namespaced",
            json!([{"name": "v1alpha1", "served": true, "storage": true,
                    "schema": schema_with(json!({"project": {"type": "string"}}))}]),
        );
        assert_eq!(pod_template_resource(&application_set), None);
        let no_schema = crd(
            "Cluster",
            json!([{"name": "v1", "served": true, "storage": true}]),
        );
        assert_eq!(pod_template_resource(&no_schema), None);
        assert_eq!(pod_template_resource(&json!({"spec": 3})), None);
    }

    #[test]
    fn cluster_scoped_pod_template_crds_are_listed_cluster_wide() {
        let definition = crd(
            "Cluster",
            json!([{"name": "v1", "served": true, "storage": true,
                    "schema": schema_with(json!({"containers": {}}))}]),
        );
        let target = pod_template_resource(&definition).unwrap();
        assert!(!target.namespaced);
        assert_eq!(
            target.list_path(Some("shop")),
            "/apis/argoproj.io/v1/rollouts"
        );
    }

    #[test]
    fn a_crd_with_a_scale_subresource_is_an_autoscaler_target() {
        let mut definition = crd(
            "Namespaced",
            json!([
                {"name": "v1beta1", "served": true, "storage": false},
                {"name": "v1", "served": true, "storage": true,
                 "subresources": {"status": {}, "scale": {
                     "specReplicasPath": ".spec.replicas",
                     "statusReplicasPath": ".status.replicas"}}}
            ]),
        );
        definition["spec"]["names"] =
            json!({"kind": "LeaderWorkerSet", "plural": "leaderworkersets"});
        let target = scalable_resource(&definition).expect("scalable");
        assert_eq!(target.kind, "LeaderWorkerSet");
        assert_eq!(target.version, "v1");
        assert_eq!(pod_template_resource(&definition), None);
        let without_scale = crd(
            "Namespaced",
            json!([{"name": "v1", "served": true, "storage": true,
                    "subresources": {"status": {}}}]),
        );
        assert_eq!(scalable_resource(&without_scale), None);
    }

    #[test]
    fn core_paths() {
        let pods = ListTarget::from_table(crate::resources::resource_of_kind("Pod").unwrap());
        assert_eq!(pods.list_path(None), "/api/v1/pods");
        assert_eq!(pods.list_path(Some("a")), "/api/v1/namespaces/a/pods");
    }
}
