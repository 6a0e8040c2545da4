//! One-line automatic fixes for workload rules: the field paths of a pod spec or a
//! container, and the [`Fix`]es that set, remove, add or take out one value there.
//! `aksguard_fix` spells them as edits of the file and verifies them.

use aksguard_model::{ContainerView, FieldPath, Fix, FixSafety, PatchOp, PodSpecView};
use serde_json::Value;

/// A path from the object's root: `dotted` (`spec.template.spec`) then `keys`.
pub(crate) fn object_path(dotted: &str, keys: &[&str]) -> FieldPath {
    dotted
        .split('.')
        .filter(|k| !k.is_empty())
        .chain(keys.iter().copied())
        .fold(FieldPath::default(), FieldPath::key)
}

/// `keys` under the pod spec (`spec.template.spec.<keys>`).
pub(crate) fn pod_path(pod: &PodSpecView<'_>, keys: &[&str]) -> FieldPath {
    object_path(pod.spec_path, keys)
}

/// `keys` under the container (`…containers[name=app].<keys>`): by name when the container
/// has a unique one, else by position.
pub(crate) fn container_path(container: &ContainerView<'_>, keys: &[&str]) -> FieldPath {
    let list = pod_path(&container.pod, &[container.kind.field()]);
    let name = container.get("name").and_then(aksguard_model::Node::as_str);
    let unique = name.is_some_and(|name| {
        container
            .pod
            .containers()
            .filter(|c| c.get("name").and_then(aksguard_model::Node::as_str) == Some(name))
            .count()
            == 1
    });
    let at = match name {
        Some(name) if unique => list.named(name),
        _ => list.index(u32::try_from(container.index).unwrap_or(u32::MAX)),
    };
    keys.iter().copied().fold(at, FieldPath::key)
}

/// `securityContext.<keys>` of a container.
pub(crate) fn security_path(container: &ContainerView<'_>, keys: &[&str]) -> FieldPath {
    let mut all = vec!["securityContext"];
    all.extend_from_slice(keys);
    container_path(container, &all)
}

/// Set `path` to `value`.
pub(crate) fn set(
    summary: &str,
    safety: FixSafety,
    path: FieldPath,
    value: impl Into<Value>,
) -> Fix {
    Fix::new(summary, safety).with_patch(PatchOp::Set {
        path,
        value: value.into(),
    })
}

/// Remove `path`.
pub(crate) fn remove(summary: &str, safety: FixSafety, path: FieldPath) -> Fix {
    Fix::new(summary, safety).with_patch(PatchOp::Remove { path })
}

/// Add `value` to the list at `path`.
pub(crate) fn add(
    summary: &str,
    safety: FixSafety,
    path: FieldPath,
    value: impl Into<Value>,
) -> Fix {
    Fix::new(summary, safety).with_patch(PatchOp::AddToList {
        path,
        value: value.into(),
    })
}

/// Take `value` out of the list at `path`.
pub(crate) fn take_out(
    summary: &str,
    safety: FixSafety,
    path: FieldPath,
    value: impl Into<Value>,
) -> Fix {
    Fix::new(summary, safety).with_patch(PatchOp::RemoveFromList {
        path,
        value: value.into(),
    })
}

/// Turn off a pod-spec boolean (`hostPID`, `hostNetwork`, …) by removing it.
pub(crate) fn remove_pod_flag(pod: &PodSpecView<'_>, key: &str) -> Fix {
    remove(
        &format!("Remove `{key}: true` from the pod spec."),
        FixSafety::Review,
        pod_path(pod, &[key]),
    )
}

/// Set a container `securityContext` field.
pub(crate) fn set_security(
    container: &ContainerView<'_>,
    key: &str,
    value: impl Into<Value>,
    safety: FixSafety,
) -> Fix {
    let value = value.into();
    set(
        &format!(
            "Set `securityContext.{key}: {value}` on container `{}`.",
            container.name()
        ),
        safety,
        security_path(container, &[key]),
        value,
    )
}

/// A fix only a person can make, for a finding of a rule whose other findings are fixed
/// automatically (the rule's own safety would otherwise say `safe` or `review`).
pub(crate) fn manual(summary: &str) -> Fix {
    Fix::new(summary, FixSafety::Manual)
}

/// `keys` under the pod template's metadata (`spec.template.metadata.<keys>`; a Pod's own
/// `metadata`).
pub(crate) fn pod_metadata_path(pod: &PodSpecView<'_>, keys: &[&str]) -> FieldPath {
    let spec = pod.spec_path.strip_suffix("spec").unwrap_or(pod.spec_path);
    object_path(&format!("{spec}metadata"), keys)
}
