//! CEL building blocks shared by the rule translations: how an expression reaches the pod
//! spec of every matched kind, its containers, its template metadata, and the small
//! field tests the rules repeat (a boolean set to `true`, a capability name).
//!
//! Kubernetes validates an object against its schema before validating admission runs, so
//! a policy only ever sees well-typed objects; the guards here (`has(...)` before each
//! step) only keep an absent optional field from becoming an evaluation error, which the
//! exported `failurePolicy: Fail` would turn into a denial.
//!
//! No `spec.variables`: kube-cel 0.8's `VapEvaluator` does not bind them (its context holds
//! `object`, `oldObject`, `request`, `params` and `namespaceObject` only), so an expression
//! using them could not be tested. A value is named instead with a one-element list,
//! `[value].all(name, body)`, which costs one iteration.

/// Binds `spec` to the pod spec of the admitted object (Pod, a workload's template, a
/// CronJob's job template) and evaluates `body`; an object without one passes, as the
/// Rust rules skip it.
pub(crate) fn with_pod_spec(body: &str) -> String {
    format!(
        "(object.kind == 'Pod' ? (has(object.spec) ? [object.spec] : []) : \
         object.kind == 'CronJob' ? (has(object.spec) && has(object.spec.jobTemplate) && \
         has(object.spec.jobTemplate.spec) && has(object.spec.jobTemplate.spec.template) && \
         has(object.spec.jobTemplate.spec.template.spec) ? \
         [object.spec.jobTemplate.spec.template.spec] : []) : \
         (has(object.spec) && has(object.spec.template) && has(object.spec.template.spec) ? \
         [object.spec.template.spec] : [])).all(spec, {body})"
    )
}

/// Binds `meta` to the pod template's metadata (the Pod's own for a Pod), `{}` when absent.
pub(crate) fn with_pod_metadata(body: &str) -> String {
    format!(
        "[object.kind == 'Pod' ? (has(object.metadata) ? object.metadata : {{}}) : \
         object.kind == 'CronJob' ? (has(object.spec.jobTemplate.spec.template.metadata) ? \
         object.spec.jobTemplate.spec.template.metadata : {{}}) : \
         (has(object.spec.template.metadata) ? object.spec.template.metadata : {{}})]\
         .all(meta, {body})"
    )
}

/// The pod template's annotations (`{}` when none); use inside [`with_pod_metadata`].
pub(crate) const ANNOTATIONS: &str =
    "(has(meta.annotations) && meta.annotations != null ? meta.annotations : {})";

/// Every container of `spec`: init, regular and ephemeral.
pub(crate) const CONTAINERS: &str = "((has(spec.initContainers) && spec.initContainers != null ? \
     spec.initContainers : []) + (has(spec.containers) && spec.containers != null ? \
     spec.containers : []) + (has(spec.ephemeralContainers) && spec.ephemeralContainers != \
     null ? spec.ephemeralContainers : []))";

/// The init and regular containers of `spec` (ephemeral containers cannot set resources).
pub(crate) const INIT_AND_REGULAR_CONTAINERS: &str = "((has(spec.initContainers) && \
     spec.initContainers != null ? spec.initContainers : []) + (has(spec.containers) && \
     spec.containers != null ? spec.containers : []))";

/// True for a Windows pod (`spec.os.name`, else the `kubernetes.io/os` or
/// `beta.kubernetes.io/os` node selector), which Linux-only rules skip.
pub(crate) const IS_WINDOWS: &str = "(has(spec.os) && spec.os != null && has(spec.os.name) && \
     spec.os.name != null ? spec.os.name == 'windows' : has(spec.nodeSelector) && \
     spec.nodeSelector != null && ('kubernetes.io/os' in spec.nodeSelector && \
     spec.nodeSelector['kubernetes.io/os'] != null ? \
     spec.nodeSelector['kubernetes.io/os'] == 'windows' : \
     'beta.kubernetes.io/os' in spec.nodeSelector && \
     spec.nodeSelector['beta.kubernetes.io/os'] == 'windows'))";

/// `has(root.a) && has(root.a.b) && ...` for a dotted `path` below `root`: whether every
/// step exists.
pub(crate) fn has_path(root: &str, path: &str) -> String {
    let mut prefix = root.to_owned();
    path.split('.')
        .map(|step| {
            prefix = format!("{prefix}.{step}");
            format!("has({prefix})")
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// Whether `root.path` exists and equals the CEL literal `value` (`true`, `'Default'`).
pub(crate) fn path_is(root: &str, path: &str, value: &str) -> String {
    format!("({} && {root}.{path} == {value})", has_path(root, path))
}

/// The value at `root.path`, or `fallback` when a step is absent or the value is null.
pub(crate) fn path_or(root: &str, path: &str, fallback: &str) -> String {
    format!(
        "({} && {root}.{path} != null ? {root}.{path} : {fallback})",
        has_path(root, path)
    )
}

/// The effective value of a security-context field that exists on both levels: the
/// container's when set (not null), else the pod's, else null.
pub(crate) fn effective(field: &str) -> String {
    let own = format!("securityContext.{field}");
    path_or("c", &own, &path_or("spec", &own, "null"))
}

/// The container's `securityContext.capabilities.<list>` (`add` or `drop`), `[]` when absent.
pub(crate) fn capabilities(list: &str) -> String {
    path_or("c", &format!("securityContext.capabilities.{list}"), "[]")
}

/// A CEL list literal of strings.
pub(crate) fn string_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Capability names as the runtime reads them, with and without `CAP_`: the Rust rules
/// compare trimmed, upper-cased names with the prefix stripped, so a name is in `names`
/// exactly when its trimmed upper-case form is in this list.
pub(crate) fn capability_names(names: &[&str]) -> String {
    let mut all: Vec<String> = Vec::new();
    for name in names {
        all.push(format!("'{name}'"));
        all.push(format!("'CAP_{name}'"));
    }
    format!("[{}]", all.join(", "))
}

/// A capability item normalised for comparison with [`capability_names`] (`x` bound to the
/// item).
pub(crate) const CAPABILITY: &str = "x.trim().upperAscii()";

/// Capability items the Rust rules ignore: empty once trimmed, or only the `CAP_` prefix.
pub(crate) const EMPTY_CAPABILITY: &str = "x.trim().upperAscii() in ['', 'CAP_']";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_guarded_step_by_step() {
        assert_eq!(
            has_path("c", "securityContext.privileged"),
            "has(c.securityContext) && has(c.securityContext.privileged)"
        );
        assert_eq!(
            path_is("spec", "hostPID", "true"),
            "(has(spec.hostPID) && spec.hostPID == true)"
        );
    }

    #[test]
    fn capability_lists_carry_both_spellings() {
        assert_eq!(capability_names(&["ALL"]), "['ALL', 'CAP_ALL']");
    }
}
