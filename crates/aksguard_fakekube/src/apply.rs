//! Server-side apply of PolicyReports and ClusterPolicyReports (`PATCH` with
//! `application/apply-patch+yaml` and a `fieldManager`): the object is created or replaced
//! and kept, with the server's fields, for later lists (with equality label selectors), gets
//! and deletes.

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::catalog::Resource;
use crate::server::{Shared, json_response, query_param, status_response};
use crate::status;
use crate::store::{Bucket, CREATED, Item, POLICY_REPORT_GROUP};

const APPLY: &str = "application/apply-patch+yaml";

/// The applied objects of `resource`, as a bucket in etcd order, if it is an appliable kind.
pub(crate) fn bucket(shared: &Shared, resource: &Resource) -> Option<Bucket> {
    if resource.group != POLICY_REPORT_GROUP {
        return None;
    }
    let qualified = resource.qualified();
    let applied = shared.applied.lock().expect("lock");
    let items = applied
        .iter()
        .filter(|((r, _, _), _)| *r == qualified)
        .map(|((_, namespace, name), json)| Item {
            namespace: namespace.clone(),
            name: name.clone(),
            json: json.clone(),
        })
        .collect();
    Some(Bucket { items })
}

fn bad(message: String) -> Response {
    status_response(&status::bad_request(&message))
}

pub(crate) fn apply(
    shared: &Shared,
    resource: &Resource,
    namespace: Option<&str>,
    name: &str,
    query: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    if resource.group != POLICY_REPORT_GROUP {
        return status_response(&status::method_not_supported(&format!(
            "aksguard-fakekube accepts PATCH only on {POLICY_REPORT_GROUP} reports, not {}",
            resource.qualified()
        )));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some(APPLY) {
        return status_response(&status::failure(
            415,
            "UnsupportedMediaType",
            &format!(
                "the body of the request was in an unknown format - accepted media types include: {APPLY}"
            ),
            None,
        ));
    }
    let Some(manager) = query_param(query, "fieldManager").filter(|m| !m.is_empty()) else {
        return bad("PATCH /apply: fieldManager is required for apply requests".into());
    };
    if resource.namespaced != namespace.is_some() || name.is_empty() {
        return status_response(&status::not_found_path());
    }
    let text = String::from_utf8_lossy(body);
    let mut object = match yaml_serde::Deserializer::from_str(&text)
        .next()
        .map(Value::deserialize)
    {
        Some(Ok(value)) if value.is_object() => value,
        Some(Err(e)) => return bad(format!("error decoding YAML: {e}")),
        _ => return bad("the apply body is not an object".into()),
    };
    if object.get("apiVersion").and_then(Value::as_str) != Some(resource.api_version().as_str())
        || object.get("kind").and_then(Value::as_str) != Some(resource.kind.as_str())
    {
        return bad(format!(
            "the apply body must be a {} of apiVersion {}",
            resource.kind,
            resource.api_version()
        ));
    }
    let body_name = object.pointer("/metadata/name").and_then(Value::as_str);
    if body_name != Some(name) {
        return bad(format!(
            "the name of the object ({body_name:?}) does not match the name on the URL ({name})"
        ));
    }
    let body_namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str);
    if body_namespace.is_some_and(|ns| Some(ns) != namespace) {
        return bad(
            "the namespace of the provided object does not match the namespace sent on the request"
                .into(),
        );
    }
    let key = (
        resource.qualified(),
        namespace.unwrap_or("").to_owned(),
        name.to_owned(),
    );
    let mut applied = shared.applied.lock().expect("lock");
    let created = !applied.contains_key(&key);
    let version = shared
        .next_version
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let uid = applied
        .get(&key)
        .and_then(|json| serde_json::from_str::<Value>(json).ok())
        .and_then(|old| old.pointer("/metadata/uid").cloned())
        .unwrap_or_else(|| json!(format!("00000000-0000-4000-8000-{version:012x}")));
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(ns) = namespace {
            metadata.insert("namespace".into(), json!(ns));
        }
        metadata.insert("uid".into(), uid);
        metadata.insert("resourceVersion".into(), json!(version.to_string()));
        metadata.insert("creationTimestamp".into(), json!(CREATED));
        metadata.insert("generation".into(), json!(1));
        metadata.insert(
            "managedFields".into(),
            json!([{"manager": manager, "operation": "Apply", "apiVersion": resource.api_version(),
                    "time": CREATED, "fieldsType": "FieldsV1", "fieldsV1": {}}]),
        );
    }
    applied.insert(
        key,
        serde_json::to_string(&object).expect("a JSON value serialises"),
    );
    json_response(if created { 201 } else { 200 }, &object)
}

/// `DELETE` of an applied report: 200 with the object as it was (a custom resource without
/// finalizers is gone at once), 404 when there is none.
pub(crate) fn delete(
    shared: &Shared,
    resource: &Resource,
    namespace: Option<&str>,
    name: &str,
) -> Response {
    if resource.group != POLICY_REPORT_GROUP {
        return status_response(&status::method_not_supported(&format!(
            "aksguard-fakekube accepts DELETE only on {POLICY_REPORT_GROUP} reports, not {}",
            resource.qualified()
        )));
    }
    let key = (
        resource.qualified(),
        namespace.unwrap_or("").to_owned(),
        name.to_owned(),
    );
    let removed = shared.applied.lock().expect("lock").remove(&key);
    match removed.and_then(|json| serde_json::from_str::<Value>(&json).ok()) {
        Some(object) => json_response(200, &object),
        None => status_response(&status::not_found_object(
            &resource.qualified(),
            &resource.plural,
            &resource.group,
            name,
        )),
    }
}

/// The items of `bucket` whose labels match `selector`: comma-separated `key=value`,
/// `key==value` and `key!=value` requirements (the set-based forms are refused, not ignored).
pub(crate) fn select(bucket: Bucket, selector: &str) -> Result<Bucket, String> {
    let mut requirements = Vec::new();
    for requirement in selector.split(',') {
        let (key, value, equal) = if let Some((k, v)) = requirement.split_once("!=") {
            (k, v, false)
        } else if let Some((k, v)) = requirement
            .split_once("==")
            .or_else(|| requirement.split_once('='))
        {
            (k, v, true)
        } else {
            return Err(format!(
                "labelSelector {selector:?}: only key=value, key==value and key!=value are \
                 implemented by aksguard-fakekube"
            ));
        };
        requirements.push((key.trim().to_owned(), value.trim().to_owned(), equal));
    }
    let items = bucket
        .items
        .into_iter()
        .filter(|item| {
            let object = serde_json::from_str::<Value>(&item.json).unwrap_or(Value::Null);
            requirements.iter().all(|(key, value, equal)| {
                let label = object
                    .pointer("/metadata/labels")
                    .and_then(|labels| labels.get(key.as_str()))
                    .and_then(Value::as_str);
                (label == Some(value.as_str())) == *equal
            })
        })
        .collect();
    Ok(Bucket { items })
}
