//! Shared helpers for POD rules.

use aksguard_model::{ContainerView, Node};

/// True when a node is explicitly the boolean `true`.
pub(crate) fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_bool) == Some(true)
}

/// A capability name as the container runtime reads it: trimmed, upper case, without the
/// `CAP_` prefix (`cap_sys_admin` and `SYS_ADMIN` both give `SYS_ADMIN`).
pub(crate) fn normalize_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_owned(),
        None => upper,
    }
}

/// The items of a container's `securityContext.capabilities.<list>` (`add` or `drop`), each
/// with its normalised name ([`normalize_capability`]). Non-scalar and empty items, and a
/// list that is not a sequence, count as absent.
pub(crate) fn capabilities<'a>(
    container: &ContainerView<'a>,
    list: &str,
) -> Vec<(&'a Node, String)> {
    container
        .security("capabilities")
        .and_then(|caps| caps.get(list))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| Some((item, normalize_capability(item.as_str()?))))
        .filter(|(_, name)| !name.is_empty())
        .collect()
}

/// Where the effective value of a security-context field comes from, for messages:
/// `securityContext.<key>` when the container sets it, else the pod-level path
/// (`spec.template.spec.securityContext.<key>`).
pub(crate) fn effective_path(container: &ContainerView<'_>, key: &str) -> String {
    if container.security(key).is_some_and(|n| !n.is_null()) {
        format!("securityContext.{key}")
    } else {
        container.pod.path(&format!("securityContext.{key}"))
    }
}
