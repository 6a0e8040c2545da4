//! One CEL translation per exportable rule, keyed by rule ID. Each translation says what
//! the rule *allows*, reading the same value sets as the rule (`pod_value_sets`); the tests
//! evaluate it against the rule's own fixtures and require the same verdict on every
//! object.

use aksguard_rules::pod_value_sets::{
    BASELINE_CAPABILITIES, RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SELINUX_TYPES,
};

use crate::manifest::{MATCHED_KINDS, MatchedKind, SERVICE_KINDS};

use crate::cel::{
    ANNOTATIONS, CAPABILITY, CONTAINERS, EMPTY_CAPABILITY, INIT_AND_REGULAR_CONTAINERS,
    capabilities, capability_names, effective, path_is, path_or, string_list,
};

/// What a translation judges: the pod spec once, each container of it, or the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `body` reads `spec` (the pod spec) and, if `needs_metadata`, `meta`.
    Pod,
    /// `body` reads `c` (one container: init, regular or ephemeral), `spec` and `meta`;
    /// every container must pass.
    Container,
    /// `body` reads `object` itself (a workload's own fields, such as its update strategy).
    Object,
}

/// The CEL form of one rule.
#[derive(Clone, Debug)]
pub struct Translation {
    pub id: &'static str,
    pub scope: Scope,
    /// True when the allowed condition reads the pod template's metadata (`meta`).
    pub needs_metadata: bool,
    /// The condition under which the pod (or container, or object) passes.
    pub body: String,
    /// The kinds the rule's policy matches.
    pub kinds: &'static [MatchedKind],
}

/// A rule that is not exported, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotExportable {
    pub id: &'static str,
    pub reason: &'static str,
}

fn pod(id: &'static str, body: String) -> Translation {
    Translation {
        id,
        scope: Scope::Pod,
        needs_metadata: false,
        body,
        kinds: MATCHED_KINDS,
    }
}

fn container(id: &'static str, body: String) -> Translation {
    Translation {
        id,
        scope: Scope::Container,
        needs_metadata: false,
        body,
        kinds: MATCHED_KINDS,
    }
}

fn object(id: &'static str, body: String) -> Translation {
    Translation {
        id,
        scope: Scope::Object,
        needs_metadata: false,
        body,
        kinds: MATCHED_KINDS,
    }
}

/// A rule on core v1 Services, judged on the object.
fn service(id: &'static str, body: &str) -> Translation {
    Translation {
        kinds: SERVICE_KINDS,
        ..object(id, body.to_owned())
    }
}

fn with_metadata(mut translation: Translation) -> Translation {
    translation.needs_metadata = true;
    translation
}

/// `privileged: true` on the container.
fn privileged() -> String {
    path_is("c", "securityContext.privileged", "true")
}

/// Whether `root.securityContext.seLinuxOptions` is acceptable: a `type` from the allowed
/// set (or unset/empty), no `user`, no `role`.
fn selinux_ok(root: &str) -> String {
    let set = |field: &str| format!("(has(o.{field}) && !(o.{field} in [null, '']))");
    format!(
        "[{}].all(o, !({} && !(o.type in {})) && !{} && !{})",
        path_or(root, "securityContext.seLinuxOptions", "{}"),
        set("type"),
        string_list(SELINUX_TYPES.iter().copied()),
        set("user"),
        set("role"),
    )
}

/// Whether `root.resources.<section>.<name>` holds a quantity that is not blank and not zero
/// (`0`, `0m`, `0.0`, `0Mi`), as POD015 reads it.
fn quantity_set(root: &str, section: &str, name: &str) -> String {
    format!(
        "[string({})].all(q, q.trim() != '' && !q.trim().matches('^[0.+-]*0[0.+-]*[A-Za-z]*$'))",
        path_or(root, &format!("resources.{section}.{name}"), "''")
    )
}

/// POD015: a CPU request, a memory request and a memory limit, each from the container or
/// the pod-level `resources`; a limit stands in for a missing request.
fn resources_complete() -> String {
    let request = |name: &str| {
        format!(
            "({} || {} || {} || {})",
            quantity_set("c", "requests", name),
            quantity_set("c", "limits", name),
            quantity_set("spec", "requests", name),
            quantity_set("spec", "limits", name)
        )
    };
    let limit = |name: &str| {
        format!(
            "({} || {})",
            quantity_set("c", "limits", name),
            quantity_set("spec", "limits", name)
        )
    };
    format!(
        "{INIT_AND_REGULAR_CONTAINERS}.all(c, {} && {} && {})",
        request("cpu"),
        request("memory"),
        limit("memory")
    )
}

/// Every translation: the POD family in ID order, then the other families.
pub fn translations() -> Vec<Translation> {
    let seccomp_type = |root: &str| {
        let profile = "securityContext.seccompProfile";
        format!(
            "({} && {root}.{profile}.type in ['RuntimeDefault', 'Localhost', 'Unconfined'])",
            crate::cel::has_path(root, &format!("{profile}.type"))
        )
    };
    let legacy_seccomp = "(v in ['unconfined', 'runtime/default', 'docker/default'] || \
                          v.startsWith('localhost/'))";
    let container_name = "(has(c.name) ? c.name : '<unnamed>')";
    vec![
        container("POD001", format!("!{}", privileged())),
        // Escalation is allowed unless `allowPrivilegeEscalation: false`, and always when the
        // container is privileged or adds SYS_ADMIN (or ALL).
        container(
            "POD002",
            format!(
                "!{} && !{}.exists(x, {CAPABILITY} in {}) && {}",
                privileged(),
                capabilities("add"),
                capability_names(&["SYS_ADMIN", "ALL"]),
                path_is("c", "securityContext.allowPrivilegeEscalation", "false"),
            ),
        ),
        pod(
            "POD003",
            format!("!{}", path_is("spec", "hostNetwork", "true")),
        ),
        pod("POD004", format!("!{}", path_is("spec", "hostPID", "true"))),
        pod("POD005", format!("!{}", path_is("spec", "hostIPC", "true"))),
        // UID 0 always fails (even with runAsNonRoot); otherwise runAsNonRoot: true or a UID
        // above 0, each from the container, else the pod.
        container(
            "POD006",
            format!(
                "[{}].all(u, [{}].all(nonRoot, u != 0 && (nonRoot == true || \
                 (u != null && u > 0))))",
                effective("runAsUser"),
                effective("runAsNonRoot"),
            ),
        ),
        container(
            "POD007",
            path_is("c", "securityContext.readOnlyRootFilesystem", "true"),
        ),
        container(
            "POD008",
            format!(
                "{}.exists(x, {CAPABILITY} in {})",
                capabilities("drop"),
                capability_names(&["ALL", "NET_RAW"])
            ),
        ),
        // Items that are blank or only `CAP_` are ignored, as the rule ignores them.
        container(
            "POD009",
            format!(
                "{}.all(x, {EMPTY_CAPABILITY} || {CAPABILITY} in {})",
                capabilities("add"),
                capability_names(BASELINE_CAPABILITIES)
            ),
        ),
        container(
            "POD010",
            format!(
                "{} in [null, 'Default']",
                path_or("c", "securityContext.procMount", "null")
            ),
        ),
        // A valid profile type on the container, else on the pod, decides; without one the
        // legacy annotations do (the container's, else the pod's), and without those it fails.
        with_metadata(container(
            "POD011",
            format!(
                "[{c} ? c.securityContext.seccompProfile.type : {s} ? \
                 spec.securityContext.seccompProfile.type : ''].all(t, t != '' ? \
                 t != 'Unconfined' : [{ANNOTATIONS}].all(a, \
                 [('container.seccomp.security.alpha.kubernetes.io/' + {container_name}) in a \
                 && [a['container.seccomp.security.alpha.kubernetes.io/' + {container_name}]]\
                 .all(v, {legacy_seccomp}) ? \
                 a['container.seccomp.security.alpha.kubernetes.io/' + {container_name}] : \
                 'seccomp.security.alpha.kubernetes.io/pod' in a && \
                 [a['seccomp.security.alpha.kubernetes.io/pod']].all(v, {legacy_seccomp}) ? \
                 a['seccomp.security.alpha.kubernetes.io/pod'] : ''].all(v, v != '' && \
                 v != 'unconfined')))",
                c = seccomp_type("c"),
                s = seccomp_type("spec"),
            ),
        )),
        // The effective profile (the container's whole `appArmorProfile`, else the pod's),
        // then, separately, the legacy per-container annotation.
        with_metadata(container(
            "POD012",
            format!(
                "[{}].all(p, !(p != null && has(p.type) && p.type == 'Unconfined')) && \
                 [{ANNOTATIONS}].all(a, !(('container.apparmor.security.beta.kubernetes.io/' + \
                 {container_name}) in a && \
                 a['container.apparmor.security.beta.kubernetes.io/' + {container_name}] == \
                 'unconfined'))",
                effective("appArmorProfile"),
            ),
        )),
        pod(
            "POD013",
            format!(
                "{}.all(v, !(has(v.hostPath) && v.hostPath != null))",
                path_or("spec", "volumes", "[]")
            ),
        ),
        container(
            "POD014",
            format!(
                "{}.all(p, !has(p.hostPort) || p.hostPort in [null, 0])",
                path_or("c", "ports", "[]")
            ),
        ),
        pod("POD015", resources_complete()),
        // The kubelet reads `net/ipv4/x` as `net.ipv4.x`: a name is safe in either spelling.
        pod(
            "POD017",
            format!(
                "{}.all(s, !has(s.name) || s.name in [null, ''] || s.name.trim() in {} || \
                 s.name.trim() in {})",
                path_or("spec", "securityContext.sysctls", "[]"),
                string_list(SAFE_SYSCTLS.iter().copied()),
                string_list(
                    SAFE_SYSCTLS
                        .iter()
                        .map(|name| name.replace('.', "/"))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                ),
            ),
        ),
        pod(
            "POD018",
            format!(
                "{} && {CONTAINERS}.all(c, {})",
                selinux_ok("spec"),
                selinux_ok("c")
            ),
        ),
        pod(
            "POD019",
            format!(
                "!{} && {CONTAINERS}.all(c, !{})",
                path_is("spec", "securityContext.windowsOptions.hostProcess", "true"),
                path_is("c", "securityContext.windowsOptions.hostProcess", "true"),
            ),
        ),
        object(
            "POD020",
            format!(
                "object.kind == 'Deployment' ? !{} : object.kind in ['DaemonSet', 'StatefulSet'] \
                 ? !{} : true",
                path_is("object", "spec.strategy.type", "'Recreate'"),
                path_is("object", "spec.updateStrategy.type", "'OnDelete'"),
            ),
        ),
        // Per container the effective runAsGroup; per pod fsGroup and supplementalGroups.
        pod(
            "POD022",
            format!(
                "{CONTAINERS}.all(c, {} != 0) && {} != 0 && {}.all(g, g != 0)",
                effective("runAsGroup"),
                path_or("spec", "securityContext.fsGroup", "null"),
                path_or("spec", "securityContext.supplementalGroups", "[]"),
            ),
        ),
        pod(
            "POD023",
            format!("!{}", path_is("spec", "shareProcessNamespace", "true")),
        ),
        container(
            "POD025",
            format!(
                "[{}, {}].all(id, id == null || id < 1 || id > 9999)",
                effective("runAsUser"),
                effective("runAsGroup"),
            ),
        ),
        container(
            "POD026",
            format!(
                "{}.all(x, {EMPTY_CAPABILITY} || {CAPABILITY} in {})",
                capabilities("add"),
                capability_names(&["NET_BIND_SERVICE"])
            ),
        ),
        container(
            "POD027",
            format!(
                "{}.exists(x, {CAPABILITY} in {})",
                capabilities("drop"),
                capability_names(&["ALL"])
            ),
        ),
        pod(
            "POD028",
            format!(
                "{}.all(v, v.all(k, k == 'name' || v[k] == null || k in {}))",
                path_or("spec", "volumes", "[]"),
                string_list(RESTRICTED_VOLUME_TYPES.iter().copied())
            ),
        ),
        // A port from 1 to 1023 (22 included) or one named `ssh` in any case.
        container(
            "POD029",
            format!(
                "{}.all(p, !({} >= 1 && {} <= 1023) && \
                 !({}.trim().lowerAscii() == 'ssh'))",
                path_or("c", "ports", "[]"),
                path_or("p", "containerPort", "0"),
                path_or("p", "containerPort", "0"),
                path_or("p", "name", "''"),
            ),
        ),
        pod(
            "POD030",
            format!("size({}) == 0", path_or("spec", "hostAliases", "[]")),
        ),
        container(
            "POD031",
            format!(
                "{}.trim().lowerAscii() != 'containeradministrator'",
                path_or(
                    "c",
                    "securityContext.windowsOptions.runAsUserName",
                    &path_or("spec", "securityContext.windowsOptions.runAsUserName", "''")
                ),
            ),
        ),
        // A Pod with no owner is not recreated; Helm hook pods and static pods' mirrors are
        // exempt by annotation.
        object(
            "REL002",
            "object.kind != 'Pod' || (has(object.metadata.ownerReferences) && \
             object.metadata.ownerReferences != null && \
             size(object.metadata.ownerReferences) > 0) || (has(object.metadata.annotations) \
             && object.metadata.annotations != null && \
             ('helm.sh/hook' in object.metadata.annotations || \
             'kubernetes.io/config.mirror' in object.metadata.annotations))"
                .to_owned(),
        ),
        service(
            "NET007",
            "!(has(object.spec) && has(object.spec.type) && object.spec.type == 'NodePort')",
        ),
        // Addresses are the list's non-null items.
        service(
            "NET011",
            "!(has(object.spec) && has(object.spec.externalIPs) && \
             object.spec.externalIPs != null && object.spec.externalIPs.exists(a, a != null))",
        ),
        // The API server's choice: serviceAccountName, else the deprecated serviceAccount,
        // else `default`; empty names count as unset.
        pod(
            "IDN003",
            "[(has(spec.serviceAccountName) && !(spec.serviceAccountName in [null, ''])) ? \
             spec.serviceAccountName : (has(spec.serviceAccount) && \
             !(spec.serviceAccount in [null, ''])) ? spec.serviceAccount : 'default']\
             .all(account, account != 'default')"
                .to_owned(),
        ),
        container(
            "SEC001",
            format!(
                "{}.all(e, !(has(e.valueFrom) && e.valueFrom != null && has(e.valueFrom.secretKeyRef) && \
                 e.valueFrom.secretKeyRef != null)) && \
                 {}.all(s, !(has(s.secretRef) && s.secretRef != null))",
                path_or("c", "env", "[]"),
                path_or("c", "envFrom", "[]"),
            ),
        ),
    ]
}

/// The CEL translation of `id`, if it has one.
pub fn translation(id: &str) -> Option<Translation> {
    translations().into_iter().find(|t| t.id == id)
}

/// Expands a translation's body over the containers when it judges each container.
pub(crate) fn allowed_in_pod(translation: &Translation) -> String {
    match translation.scope {
        Scope::Pod | Scope::Object => translation.body.clone(),
        Scope::Container => format!("{CONTAINERS}.all(c, {})", translation.body),
    }
}
