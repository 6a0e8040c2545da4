//! Gatekeeper's `data.inventory` for referential templates, built from the scan's objects
//! (the objects the built-in rules see): `data.inventory.namespace[ns][apiVersion][kind][name]`
//! for namespaced objects and `data.inventory.cluster[apiVersion][kind][name]` for
//! cluster-scoped ones. A namespaced object without `metadata.namespace` is filed under
//! `default`, where `kubectl apply` would put it.

use std::collections::BTreeMap;

use regorus::Value;
use serde_json::Value as Json;

use crate::evaluate::ScanContext;

/// The key the built inventory is cached under in a [`ScanContext`].
pub const KEY: &str = "gatekeeper.inventory";

type Tree = BTreeMap<String, BTreeMap<String, BTreeMap<String, Json>>>;

/// `{"inventory": {"namespace": …, "cluster": …}}` for `Engine::add_data`.
pub fn build(context: &ScanContext) -> Value {
    let mut namespaced: BTreeMap<String, Tree> = BTreeMap::new();
    let mut cluster: Tree = BTreeMap::new();
    for object in context.objects() {
        let text = |pointer: &str| object.pointer(pointer).and_then(Json::as_str);
        let (Some(api_version), Some(kind)) = (text("/apiVersion"), text("/kind")) else {
            continue;
        };
        let name = text("/metadata/name").unwrap_or("");
        let tree = match text("/metadata/namespace").filter(|n| !n.is_empty()) {
            Some(namespace) => namespaced.entry(namespace.to_owned()).or_default(),
            None if is_cluster_scoped(kind) => &mut cluster,
            None => namespaced.entry("default".to_owned()).or_default(),
        };
        tree.entry(api_version.to_owned())
            .or_default()
            .entry(kind.to_owned())
            .or_default()
            .insert(name.to_owned(), (**object).clone());
    }
    let inventory = serde_json::json!({
        "inventory": {"namespace": namespaced, "cluster": cluster}
    });
    Value::from(inventory)
}

/// Kinds that are cluster-scoped (built-in ones by their resource name; a custom kind is
/// taken as namespaced).
pub fn is_cluster_scoped(kind: &str) -> bool {
    let lower = kind.to_ascii_lowercase();
    let plural = if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else if lower.ends_with('s') {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    };
    aksguard_model::resource_scope::builtin_is_cluster_scoped(&plural) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn objects_are_filed_the_way_gatekeeper_files_them() {
        let context = ScanContext::new(vec![
            Arc::new(
                serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "a", "namespace": "shop"}}),
            ),
            Arc::new(
                serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
            ),
            Arc::new(
                serde_json::json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}),
            ),
        ]);
        let data = build(&context);
        let inv = &data[&Value::from("inventory")];
        let ingress = &inv[&Value::from("namespace")][&Value::from("shop")]
            [&Value::from("networking.k8s.io/v1")][&Value::from("Ingress")][&Value::from("a")];
        assert_ne!(*ingress, Value::Undefined);
        let ns = &inv[&Value::from("cluster")][&Value::from("v1")][&Value::from("Namespace")]
            [&Value::from("shop")];
        assert_ne!(*ns, Value::Undefined);
        let svc = &inv[&Value::from("namespace")][&Value::from("default")][&Value::from("v1")]
            [&Value::from("Service")][&Value::from("s")];
        assert_ne!(*svc, Value::Undefined);
        assert!(is_cluster_scoped("StorageClass") && is_cluster_scoped("ClusterRole"));
        assert!(!is_cluster_scoped("Ingress") && !is_cluster_scoped("Pod"));
    }
}
