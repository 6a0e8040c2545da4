//! `Status` bodies exactly as kube-apiserver writes them for failures.

use serde_json::{Value, json};

/// A failure Status with its HTTP code, reason, message and details.
pub fn failure(code: u16, reason: &str, message: &str, details: Option<Value>) -> Value {
    let mut status = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if let Some(details) = details {
        status["details"] = details;
    }
    status
}

/// 401: the bearer token is not valid (wrong or expired).
pub fn unauthorized() -> Value {
    failure(401, "Unauthorized", "Unauthorized", None)
}

/// 403 in RBAC's words: `deployments.apps is forbidden: User "x" cannot list resource
/// "deployments" in API group "apps" at the cluster scope`.
pub fn forbidden(
    user: &str,
    verb: &str,
    plural: &str,
    group: &str,
    namespace: Option<&str>,
) -> Value {
    let qualified = if group.is_empty() {
        plural.to_owned()
    } else {
        format!("{plural}.{group}")
    };
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_owned(),
    };
    failure(
        403,
        "Forbidden",
        &format!(
            "{qualified} is forbidden: User \"{user}\" cannot {verb} resource \"{plural}\" in API group \"{group}\" {scope}"
        ),
        Some(json!({"group": group, "kind": plural})),
    )
}

/// 404 for a path that names no served resource.
pub fn not_found_path() -> Value {
    failure(
        404,
        "NotFound",
        "the server could not find the requested resource",
        Some(json!({})),
    )
}

/// 404 for a missing object: `pods "web" not found`.
pub fn not_found_object(qualified: &str, plural: &str, group: &str, name: &str) -> Value {
    failure(
        404,
        "NotFound",
        &format!("{qualified} \"{name}\" not found"),
        Some(json!({"name": name, "group": group, "kind": plural})),
    )
}

/// 410 for a continue token that is too old.
pub fn expired() -> Value {
    failure(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can \
         start a new list without the continue parameter, or use the continue token in this \
         response to retrieve the remainder of the results. Continuing with the provided token \
         results in an inconsistent list - objects that were created, modified, or deleted between \
         the time the first chunk was returned and now may show up in the list.",
        None,
    )
}

/// 429 with the seconds to wait (also sent as `Retry-After`).
pub fn too_many_requests(retry_after_seconds: u32) -> Value {
    failure(
        429,
        "TooManyRequests",
        "Too many requests, please try again later.",
        Some(json!({"retryAfterSeconds": retry_after_seconds})),
    )
}

/// 400 for a request the server cannot read.
pub fn bad_request(message: &str) -> Value {
    failure(400, "BadRequest", message, None)
}

/// 405 for a verb the resource does not support here.
pub fn method_not_supported(message: &str) -> Value {
    failure(405, "MethodNotAllowed", message, None)
}
