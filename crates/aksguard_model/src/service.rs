//! How traffic finds pods: the pods a Service's selector picks and the Services an Ingress
//! routes to. REL006, the exposure judgement of IMG005 and the attack-path graph all read
//! these, so they read them one way.

use crate::node::Node;
use crate::object::Object;
use crate::selector::LabelSelector;

/// A Service's `spec.selector` node and its parsed form. `None` when the Service selects no
/// pods by itself: no selector or an empty one (its endpoints are then managed by hand), or
/// a malformed one (a value that is not a string: the API server rejects it, so no guess).
pub fn service_selector(service: &Object) -> Option<(&Node, LabelSelector)> {
    let node = service
        .root
        .at("spec.selector")
        .filter(|n| !n.entries().is_empty())?;
    Some((node, LabelSelector::from_equality_map(node)?))
}

/// Whether `service` selects pods labelled `pod_labels` (`None`: the pods have no labels).
/// Namespaces are the caller's: a Service selects pods of its own namespace only, and how an
/// object without `metadata.namespace` is placed differs between callers.
pub fn service_selects(service: &Object, pod_labels: Option<&Node>) -> bool {
    service_selector(service).is_some_and(|(_, selector)| selector.matches(pod_labels))
}

/// The nodes naming the Services an Ingress routes to: the default backend
/// (`defaultBackend`, v1beta1 `backend`) first, then every `rules[].http.paths[].backend`;
/// networking.k8s.io/v1 `service.name` or v1beta1 `serviceName`. Resource backends name no
/// Service and are left out. A name may repeat, and a node may hold no string (callers keep
/// its position to report it).
pub fn ingress_backend_services(ingress: &Object) -> Vec<&Node> {
    let Some(spec) = ingress.root.get("spec") else {
        return Vec::new();
    };
    let mut backends: Vec<&Node> = ["defaultBackend", "backend"]
        .iter()
        .filter_map(|key| spec.get(key))
        .collect();
    for rule in spec.get("rules").map(Node::items).unwrap_or_default() {
        for path in rule.at("http.paths").map(Node::items).unwrap_or_default() {
            backends.extend(path.get("backend"));
        }
    }
    backends
        .into_iter()
        .filter_map(|backend| {
            backend
                .at("service.name")
                .or_else(|| backend.get("serviceName"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::{node, objects};

    fn service(selector: serde_json::Value) -> Object {
        objects(
            "t",
            &[json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"selector": selector},
            })],
        )
        .remove(0)
    }

    #[test]
    fn a_selector_picks_pods_carrying_all_its_labels() {
        let web = service(json!({"app": "web", "tier": "front"}));
        let pods = node(&json!({"app": "web", "tier": "front", "pod-template-hash": "abc"}));
        assert!(service_selects(&web, Some(&pods)));
        let other = node(&json!({"app": "web", "tier": "back"}));
        assert!(!service_selects(&web, Some(&other)));
        let partial = node(&json!({"app": "web"}));
        assert!(!service_selects(&web, Some(&partial)));
    }

    #[test]
    fn pods_without_labels_are_not_selected() {
        let web = service(json!({"app": "web"}));
        assert!(!service_selects(&web, None));
        assert!(!service_selects(&web, Some(&node(&json!({})))));
    }

    #[test]
    fn an_empty_missing_or_malformed_selector_selects_nothing() {
        for selector in [
            json!({}),
            json!(null),
            json!("app=web"),
            json!({"app": {"nested": "web"}}),
        ] {
            let service = service(selector.clone());
            assert!(service_selector(&service).is_none(), "{selector}");
            let pods = node(&json!({"app": "web"}));
            assert!(!service_selects(&service, Some(&pods)), "{selector}");
            assert!(!service_selects(&service, None), "{selector}");
        }
        let no_spec = objects(
            "t",
            &[json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}})],
        )
        .remove(0);
        assert!(service_selector(&no_spec).is_none());
    }

    #[test]
    fn the_selector_node_is_the_one_in_the_manifest() {
        let web = service(json!({"app": "web"}));
        let (node, selector) = service_selector(&web).expect("a selector");
        assert_eq!(node.get("app").and_then(Node::as_str), Some("web"));
        assert_eq!(selector.requirements.len(), 1);
    }

    #[test]
    fn ingress_backends_in_order_with_both_api_versions() {
        let ingress = objects(
            "t",
            &[json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": {"name": "in"},
                "spec": {
                    "defaultBackend": {"service": {"name": "fallback"}},
                    "backend": {"serviceName": "legacy"},
                    "rules": [
                        {"http": {"paths": [
                            {"backend": {"service": {"name": "api"}}},
                            {"backend": {"resource": {"kind": "Bucket", "name": "b"}}},
                            {"backend": {"serviceName": "api"}},
                        ]}},
                        {"host": "no-http.example"},
                    ],
                },
            })],
        )
        .remove(0);
        let names: Vec<Option<&str>> = ingress_backend_services(&ingress)
            .into_iter()
            .map(Node::as_str)
            .collect();
        assert_eq!(
            names,
            [Some("fallback"), Some("legacy"), Some("api"), Some("api")]
        );
    }

    #[test]
    fn an_ingress_without_spec_routes_nowhere() {
        let ingress = objects(
            "t",
            &[json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "in"}})],
        )
        .remove(0);
        assert!(ingress_backend_services(&ingress).is_empty());
    }
}
