//! Which reviews are judged, and in which mode. Precedence, first that applies:
//!
//! 1. DELETE and CONNECT: allowed, not judged (there is no new object to judge);
//! 2. an exempt namespace, user or group (`[webhook]` `exempt-*`): allowed, not judged;
//! 3. the mode the URL names: `/validate/{mode}` (the ValidatingWebhookConfiguration has one
//!    entry per value of the namespace label `aksguard.io/mode`, each with its path; the API
//!    server allows no query string there) or `?mode=` for direct callers;
//! 4. the first `[[webhook.namespace]]` whose `name` matches the namespace;
//! 5. the default: `--mode`, else `[webhook] mode`, else `warn`.

use aksguard_config::{WebhookConfig, WebhookMode};

use crate::review::Request;

/// The mode when neither the flag nor the file sets one.
pub const DEFAULT_MODE: WebhookMode = WebhookMode::Warn;

/// How the mode of a review was chosen (for logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeFrom {
    Query,
    Namespace,
    Default,
}

impl ModeFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            ModeFrom::Query => "query",
            ModeFrom::Namespace => "namespace",
            ModeFrom::Default => "default",
        }
    }
}

/// Why a review is allowed without judgement, if it is.
pub fn not_judged(config: &WebhookConfig, request: &Request<'_>) -> Option<String> {
    match request.operation.as_str() {
        "DELETE" | "CONNECT" => return Some(format!("{} is never judged", request.operation)),
        _ => {}
    }
    if let Some(namespace) = request.namespace.as_deref().filter(|ns| !ns.is_empty())
        && config
            .exempt_namespaces
            .iter()
            .any(|p| p.matches(namespace))
    {
        return Some(format!("namespace {namespace} is exempt"));
    }
    let user = &request.user_info.username;
    if !user.is_empty() && config.exempt_users.iter().any(|p| p.matches(user)) {
        return Some(format!("user {user} is exempt"));
    }
    for group in &request.user_info.groups {
        if config.exempt_groups.iter().any(|p| p.matches(group)) {
            return Some(format!("group {group} is exempt"));
        }
    }
    None
}

/// The mode of a judged review (steps 3–5 of the module documentation).
pub fn mode(
    query: Option<WebhookMode>,
    config: &WebhookConfig,
    default: WebhookMode,
    namespace: Option<&str>,
) -> (WebhookMode, ModeFrom) {
    if let Some(mode) = query {
        return (mode, ModeFrom::Query);
    }
    if let Some(mode) = namespace.and_then(|ns| config.namespace_mode(ns)) {
        return (mode, ModeFrom::Namespace);
    }
    (default, ModeFrom::Default)
}

/// The `{mode}` of `/validate/{mode}`: enforce, warn or audit; anything else is an error (a
/// typo in the webhook configuration must not pass as the default).
pub fn path_mode(segment: &str) -> Result<WebhookMode, String> {
    WebhookMode::parse(segment).ok_or_else(|| {
        let shown: String = segment.chars().take(32).collect();
        format!("unknown mode `{shown}` in the path /validate/{{mode}} (enforce, warn, audit)")
    })
}

/// `?mode=…` of a request's query string: `Ok(None)` when absent, an error for any other
/// value than enforce, warn or audit (a typo in the webhook configuration must not pass as
/// the default).
pub fn query_mode(query: Option<&str>) -> Result<Option<WebhookMode>, String> {
    let mut found = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "mode" {
            continue;
        }
        let mode = WebhookMode::parse(value).ok_or_else(|| {
            let value: String = value.chars().take(32).collect();
            format!("unknown mode `{value}` in the query (enforce, warn, audit)")
        })?;
        if found.is_some_and(|m| m != mode) {
            return Err("the query gives `mode` twice with different values".into());
        }
        found = Some(mode);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use aksguard_config::{Config, parse_date};

    use super::*;
    use crate::review::parse;

    fn config() -> WebhookConfig {
        let text = r#"
[webhook]
mode = "audit"
exempt-namespaces = ["kube-*"]
exempt-users = ["system:serviceaccount:flux-system:*"]
exempt-groups = ["system:serviceaccounts:kube-system"]
[[webhook.namespace]]
name = "prod-*"
mode = "enforce"
"#;
        Config::parse(text, "aksguard.toml", parse_date("2026-01-01").unwrap())
            .unwrap()
            .webhook
    }

    fn review(operation: &str, namespace: &str, user: &str, groups: &[&str]) -> String {
        serde_json::json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "u", "operation": operation, "namespace": namespace,
                "userInfo": {"username": user, "groups": groups}}})
        .to_string()
    }

    #[test]
    fn exemptions_and_operations() {
        let config = config();
        let cases = [
            (
                review("DELETE", "prod-a", "alice", &[]),
                Some("DELETE is never judged"),
            ),
            (
                review("CONNECT", "prod-a", "alice", &[]),
                Some("CONNECT is never judged"),
            ),
            (
                review("CREATE", "kube-system", "alice", &[]),
                Some("namespace kube-system is exempt"),
            ),
            (
                review(
                    "CREATE",
                    "prod-a",
                    "system:serviceaccount:flux-system:kustomize",
                    &[],
                ),
                Some("user system:serviceaccount:flux-system:kustomize is exempt"),
            ),
            (
                review(
                    "UPDATE",
                    "prod-a",
                    "x",
                    &["system:authenticated", "system:serviceaccounts:kube-system"],
                ),
                Some("group system:serviceaccounts:kube-system is exempt"),
            ),
            (review("CREATE", "prod-a", "alice", &["dev"]), None),
            (review("UPDATE", "default", "alice", &[]), None),
        ];
        for (body, expected) in cases {
            let request = parse(body.as_bytes()).unwrap();
            assert_eq!(not_judged(&config, &request).as_deref(), expected, "{body}");
        }
    }

    #[test]
    fn precedence_query_then_namespace_then_default() {
        let config = config();
        let warn = WebhookMode::Warn;
        assert_eq!(
            mode(Some(WebhookMode::Audit), &config, warn, Some("prod-a")),
            (WebhookMode::Audit, ModeFrom::Query)
        );
        assert_eq!(
            mode(None, &config, warn, Some("prod-a")),
            (WebhookMode::Enforce, ModeFrom::Namespace)
        );
        assert_eq!(
            mode(None, &config, warn, Some("dev")),
            (warn, ModeFrom::Default)
        );
        assert_eq!(mode(None, &config, warn, None), (warn, ModeFrom::Default));
    }

    #[test]
    fn path_modes() {
        assert_eq!(path_mode("enforce"), Ok(WebhookMode::Enforce));
        assert_eq!(path_mode("audit"), Ok(WebhookMode::Audit));
        assert!(path_mode("off").unwrap_err().contains("unknown mode `off`"));
    }

    #[test]
    fn query_modes() {
        assert_eq!(query_mode(None), Ok(None));
        assert_eq!(query_mode(Some("timeout=3s")), Ok(None));
        assert_eq!(
            query_mode(Some("mode=enforce")),
            Ok(Some(WebhookMode::Enforce))
        );
        assert_eq!(
            query_mode(Some("a=b&mode=audit")),
            Ok(Some(WebhookMode::Audit))
        );
        assert!(
            query_mode(Some("mode=Enforce"))
                .unwrap_err()
                .contains("unknown mode `Enforce`")
        );
        assert!(query_mode(Some("mode=")).is_err());
        assert!(query_mode(Some("mode=warn&mode=audit")).is_err());
    }
}
