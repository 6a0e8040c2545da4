//! One listed item, made into what a manifest of the same object would be: the server's own
//! fields dropped, its apiVersion and kind set from the list, and its name in findings.

use serde_json::{Map, Value};

/// The annotation `kubectl apply` keeps a copy of the whole object in: judging it would judge
/// the object twice (and an old version of it).
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drops what the server adds and a manifest does not hold (`metadata.managedFields`,
/// `status`, the last-applied annotation), and sets `apiVersion` and `kind`, which items of a
/// list lack. Items that are not JSON objects are left alone (the loader reports them).
pub fn clean_item(item: &mut Value, api_version: &str, kind: &str) {
    let Value::Object(fields) = item else {
        return;
    };
    fields.remove("status");
    if let Some(Value::Object(metadata)) = fields.get_mut("metadata") {
        metadata.remove("managedFields");
        let now_empty = match metadata.get_mut("annotations") {
            Some(Value::Object(annotations)) => {
                annotations.remove(LAST_APPLIED);
                annotations.is_empty()
            }
            _ => false,
        };
        if now_empty {
            metadata.remove("annotations");
        }
    }
    // apiVersion and kind first, where a manifest has them.
    let rest = std::mem::take(fields);
    let mut ordered = Map::with_capacity(rest.len() + 2);
    ordered.insert("apiVersion".to_owned(), Value::from(api_version));
    ordered.insert("kind".to_owned(), Value::from(kind));
    for (key, value) in rest {
        if key != "apiVersion" && key != "kind" {
            ordered.insert(key, value);
        }
    }
    *fields = ordered;
}

/// A string field of the item's metadata.
pub fn metadata_str<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get("metadata")?.get(key)?.as_str()
}

/// Where findings on the object point: `cluster://<context>/<namespace>/<Kind>/<name>`, or
/// `cluster://<context>/<Kind>/<name>` for cluster-scoped objects.
pub fn label(context: &str, namespace: Option<&str>, kind: &str, name: &str) -> String {
    match namespace {
        Some(namespace) if !namespace.is_empty() => {
            format!("cluster://{context}/{namespace}/{kind}/{name}")
        }
        _ => format!("cluster://{context}/{kind}/{name}"),
    }
}

/// The uid of the item's controller (the owner reference with `controller: true`).
pub fn controller_uid(item: &Value) -> Option<&str> {
    item.get("metadata")?
        .get("ownerReferences")?
        .as_array()?
        .iter()
        .find(|owner| owner.get("controller").and_then(Value::as_bool) == Some(true))?
        .get("uid")?
        .as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_go_and_the_list_names_the_kind() {
        let mut item = json!({
            "metadata": {
                "name": "web",
                "namespace": "shop",
                "uid": "u-1",
                "managedFields": [{"manager": "kubectl"}],
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"spec\":{}}",
                    "team": "a"
                }
            },
            "spec": {"replicas": 2},
            "status": {"readyReplicas": 2}
        });
        clean_item(&mut item, "apps/v1", "Deployment");
        assert_eq!(
            item,
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "web",
                    "namespace": "shop",
                    "uid": "u-1",
                    "annotations": {"team": "a"}
                },
                "spec": {"replicas": 2}
            })
        );
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);
    }

    #[test]
    fn annotations_left_empty_are_dropped_and_odd_items_are_kept() {
        let mut item = json!({"metadata": {"name": "a", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{}"}}});
        clean_item(&mut item, "v1", "ConfigMap");
        assert_eq!(item["metadata"], json!({"name": "a"}));
        let mut odd = json!(["not", "an", "object"]);
        clean_item(&mut odd, "v1", "ConfigMap");
        assert_eq!(odd, json!(["not", "an", "object"]));
        // A kind the item carries itself is replaced by the list's.
        let mut item = json!({"kind": "Other", "apiVersion": "x/v9", "metadata": {}});
        clean_item(&mut item, "v1", "Pod");
        assert_eq!(
            item,
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {}})
        );
    }

    #[test]
    fn labels_name_context_namespace_kind_and_name() {
        assert_eq!(
            label("aks-prod", Some("shop"), "Deployment", "web"),
            "cluster://aks-prod/shop/Deployment/web"
        );
        assert_eq!(
            label("in-cluster", None, "ClusterRole", "admin"),
            "cluster://in-cluster/ClusterRole/admin"
        );
        assert_eq!(
            label("c", Some(""), "Namespace", "shop"),
            "cluster://c/Namespace/shop"
        );
    }

    #[test]
    fn the_controller_is_the_owner_marked_controller() {
        let item = json!({"metadata": {"ownerReferences": [
            {"kind": "Node", "uid": "n-1"},
            {"kind": "ReplicaSet", "uid": "rs-1", "controller": true}
        ]}});
        assert_eq!(controller_uid(&item), Some("rs-1"));
        let not_controlled = json!({"metadata": {"ownerReferences": [
            {"kind": "ReplicaSet", "uid": "rs-1", "controller": false}
        ]}});
        assert_eq!(controller_uid(&not_controlled), None);
        assert_eq!(controller_uid(&json!({"metadata": {}})), None);
    }
}
