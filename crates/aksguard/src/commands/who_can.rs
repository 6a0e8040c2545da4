//! `aksguard who-can VERB RESOURCE [PATH…] [-n NS | -A]`: which users, groups and
//! ServiceAccounts the scanned RBAC objects let do VERB on RESOURCE, and through which binding
//! and role (like kubectl-who-can, but over manifests).
//!
//! Scope: without `-n`, only cluster-wide grants (ClusterRoleBindings) count; `-n NS` adds the
//! RoleBindings of NS and those that set no namespace (they land wherever they are applied);
//! `-A` adds every RoleBinding. RoleBindings never grant cluster-scoped resources. Bindings
//! whose role is not in the scan (other than the built-in cluster-admin, and the built-in
//! discovery roles for anything but self-reviews) cannot be judged and are listed separately. Exit 0 when it answered (even with no subject), 2 on load errors or
//! when no object was found.

use std::collections::BTreeSet;
use std::io::Write;

use aksguard_load::{Limits, LoadOptions, load_inputs};
use aksguard_model::resource_scope::builtin_is_cluster_scoped;
use aksguard_model::{
    Binding, Inventory, LoadError, RbacGraph, Role, RoleKind, Subject, UNSPECIFIED_NAMESPACE,
};
use serde_json::{Value, json};

use crate::cli::{WhoCanArgs, WhoCanFormat};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

/// What is asked: a verb on a (sub)resource of an API group.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    verb: String,
    group: String,
    /// `pods` or `pods/exec`.
    resource: String,
}

/// API groups of built-in resources outside the core group, so `deployments` means
/// `deployments.apps`.
const GROUPS: &[(&str, &str)] = &[
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("clusterroles", "rbac.authorization.k8s.io"),
    ("controllerrevisions", "apps"),
    ("cronjobs", "batch"),
    ("csidrivers", "storage.k8s.io"),
    ("csinodes", "storage.k8s.io"),
    ("customresourcedefinitions", "apiextensions.k8s.io"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    ("daemonsets", "apps"),
    ("deployments", "apps"),
    ("endpointslices", "discovery.k8s.io"),
    ("horizontalpodautoscalers", "autoscaling"),
    ("ingressclasses", "networking.k8s.io"),
    ("ingresses", "networking.k8s.io"),
    ("jobs", "batch"),
    ("leases", "coordination.k8s.io"),
    ("localsubjectaccessreviews", "authorization.k8s.io"),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("networkpolicies", "networking.k8s.io"),
    ("poddisruptionbudgets", "policy"),
    ("priorityclasses", "scheduling.k8s.io"),
    ("replicasets", "apps"),
    ("rolebindings", "rbac.authorization.k8s.io"),
    ("roles", "rbac.authorization.k8s.io"),
    ("runtimeclasses", "node.k8s.io"),
    ("selfsubjectaccessreviews", "authorization.k8s.io"),
    ("signers", "certificates.k8s.io"),
    ("statefulsets", "apps"),
    ("storageclasses", "storage.k8s.io"),
    ("subjectaccessreviews", "authorization.k8s.io"),
    ("tokenreviews", "authentication.k8s.io"),
    (
        "validatingadmissionpolicies",
        "admissionregistration.k8s.io",
    ),
    (
        "validatingadmissionpolicybindings",
        "admissionregistration.k8s.io",
    ),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("volumeattachments", "storage.k8s.io"),
];

/// kubectl short names and irregular singulars.
const ALIASES: &[(&str, &str)] = &[
    ("cj", "cronjobs"),
    ("cm", "configmaps"),
    ("crd", "customresourcedefinitions"),
    ("csr", "certificatesigningrequests"),
    ("deploy", "deployments"),
    ("ds", "daemonsets"),
    ("ep", "endpoints"),
    ("hpa", "horizontalpodautoscalers"),
    ("ing", "ingresses"),
    ("ingress", "ingresses"),
    ("netpol", "networkpolicies"),
    ("networkpolicy", "networkpolicies"),
    ("no", "nodes"),
    ("ns", "namespaces"),
    ("pdb", "poddisruptionbudgets"),
    ("po", "pods"),
    ("pv", "persistentvolumes"),
    ("pvc", "persistentvolumeclaims"),
    ("rc", "replicationcontrollers"),
    ("rs", "replicasets"),
    ("sa", "serviceaccounts"),
    ("sts", "statefulsets"),
    ("svc", "services"),
];

impl Target {
    /// `pods`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`, `deploy`, `secret`;
    /// `api_group` overrides the group.
    fn parse(verb: &str, resource: &str, api_group: Option<&str>) -> Result<Target, String> {
        let verb = verb.trim().to_ascii_lowercase();
        if verb.is_empty() || verb.contains(char::is_whitespace) {
            return Err(format!("`{verb}` is not a verb"));
        }
        let text = resource.trim().to_ascii_lowercase();
        let (head, sub) = match text.split_once('/') {
            Some((head, sub)) => (head, Some(sub)),
            None => (text.as_str(), None),
        };
        if head.is_empty() || sub.is_some_and(str::is_empty) {
            return Err(format!(
                "`{resource}` is not a resource (e.g. pods, pods/exec)"
            ));
        }
        let (name, written_group) = match head.split_once('.') {
            Some((name, group)) => (name, Some(group)),
            None => (head, None),
        };
        let name = canonical_name(name);
        let group = match (api_group, written_group) {
            (Some(group), _) => group.to_owned(),
            (None, Some(group)) => group.to_owned(),
            (None, None) => GROUPS
                .iter()
                .find(|(r, _)| *r == name)
                .map_or(String::new(), |(_, g)| (*g).to_owned()),
        };
        let resource = match sub {
            Some(sub) => format!("{name}/{sub}"),
            None => name,
        };
        Ok(Target {
            verb,
            group,
            resource,
        })
    }

    fn display_group(&self) -> &str {
        if self.group.is_empty() {
            "core"
        } else {
            &self.group
        }
    }
}

/// Expands short names and singulars of built-in resources (`deploy`, `secret`).
fn canonical_name(name: &str) -> String {
    if let Some((_, full)) = ALIASES.iter().find(|(short, _)| *short == name) {
        return (*full).to_owned();
    }
    let known =
        |n: &str| builtin_is_cluster_scoped(n).is_some() || GROUPS.iter().any(|(r, _)| *r == n);
    let plural = format!("{name}s");
    if !known(name) && known(&plural) {
        plural
    } else {
        name.to_owned()
    }
}

/// Built-in ClusterRoles that grant no resource access beyond reviewing one's own
/// permissions (`system:basic-user`) and non-resource discovery URLs, so a binding to them
/// is not "unknown" for other questions.
const DISCOVERY_ROLES: &[&str] = &[
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
];

const SELF_REVIEWS: &[&str] = &[
    "selfsubjectaccessreviews",
    "selfsubjectreviews",
    "selfsubjectrulesreviews",
];

/// Which RoleBindings count besides the ClusterRoleBindings.
enum Scope {
    ClusterWide,
    Namespace(String),
    AllNamespaces,
}

/// One subject allowed, and how.
struct Row<'a> {
    subject: &'a Subject,
    binding: &'a Binding,
    role: Option<&'a Role>,
    /// `resourceNames` when every granting rule is restricted to named objects.
    only_names: Vec<String>,
}

/// A binding in scope whose role is not in the scan, so what it grants is unknown.
struct Unknown<'a> {
    binding: &'a Binding,
}

pub fn run(args: &WhoCanArgs) -> u8 {
    let target = match Target::parse(&args.verb, &args.resource, args.api_group.as_deref()) {
        Ok(target) => target,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let scope = match (&args.namespace, args.all_namespaces) {
        (Some(ns), _) => Scope::Namespace(ns.clone()),
        (None, true) => Scope::AllNamespaces,
        (None, false) => Scope::ClusterWide,
    };
    let options = LoadOptions {
        limits: Limits::default(),
        render: !args.no_render,
        progress: None,
    };
    let loaded = load_inputs(&args.paths, &options, &mut std::io::stdin().lock());
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
    let inventory = Inventory::new(loaded.objects);
    let mut errors = loaded.errors;
    if inventory.is_empty() {
        errors.push(LoadError::new(
            args.paths.join(" "),
            None,
            "no Kubernetes objects found in the given inputs (nothing to answer from)",
        ));
    }
    for error in &errors {
        eprintln!("error: {error}");
    }
    if inventory.is_empty() {
        return EXIT_ERROR;
    }
    let (rows, unknown) = answer(&inventory, &target, &scope);
    let rendered = match args.format {
        WhoCanFormat::Table => render_table(&inventory, &target, &scope, &rows, &unknown),
        WhoCanFormat::Json => render_json(&inventory, &target, &scope, &rows, &unknown),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return EXIT_ERROR;
    }
    if errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

/// The namespaces whose RoleBindings count (as the graph's namespace keys).
fn namespaces(graph: &RbacGraph, scope: &Scope) -> Vec<String> {
    match scope {
        Scope::ClusterWide => Vec::new(),
        Scope::Namespace(ns) => vec![ns.clone(), UNSPECIFIED_NAMESPACE.to_owned()],
        Scope::AllNamespaces => graph
            .bindings
            .iter()
            .filter(|b| !b.cluster_wide)
            .map(|b| b.namespace.clone().unwrap_or_default())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    }
}

fn answer<'a>(
    inventory: &'a Inventory,
    target: &Target,
    scope: &Scope,
) -> (Vec<Row<'a>>, Vec<Unknown<'a>>) {
    let graph = inventory.rbac();
    let objects = inventory.objects();
    let Target {
        verb,
        group,
        resource,
    } = target;
    let mut grants = graph.who_can(objects, verb, group, resource, None);
    let mut in_scope: Vec<&Binding> = graph
        .bindings
        .iter()
        .filter(|b| graph.binding_applies(b, objects, group, resource, None))
        .collect();
    for ns in namespaces(graph, scope) {
        grants.extend(
            graph
                .who_can(objects, verb, group, resource, Some(&ns))
                .into_iter()
                .filter(|g| !g.binding.cluster_wide),
        );
        in_scope.extend(graph.bindings.iter().filter(|b| {
            !b.cluster_wide && graph.binding_applies(b, objects, group, resource, Some(&ns))
        }));
    }
    let mut rows: Vec<Row<'a>> = grants
        .into_iter()
        .map(|grant| {
            let only_names = grant
                .role
                .map(|role| {
                    let rules = graph.rules_granting(role, objects, verb, group, resource);
                    if !rules.is_empty() && rules.iter().all(|r| !r.resource_names.is_empty()) {
                        rules
                            .iter()
                            .flat_map(|r| r.resource_names.iter().cloned())
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect()
                    } else {
                        Vec::new()
                    }
                })
                .unwrap_or_default();
            Row {
                subject: grant.subject,
                binding: grant.binding,
                role: grant.role,
                only_names,
            }
        })
        .collect();
    rows.sort_by_key(|row| {
        (
            !row.binding.cluster_wide,
            row.binding.namespace.clone(),
            row.subject.display(),
            row.binding.display(),
        )
    });
    let self_review = SELF_REVIEWS.contains(&resource.as_str());
    let unknown = in_scope
        .into_iter()
        .filter(|b| {
            let builtin = |names: &[&str]| {
                b.role_kind == RoleKind::ClusterRole && names.contains(&b.role_name.as_str())
            };
            let known_builtin =
                builtin(&["cluster-admin"]) || (builtin(DISCOVERY_ROLES) && !self_review);
            graph.role_of(b).is_none() && !known_builtin && !b.subjects.is_empty()
        })
        .map(|binding| Unknown { binding })
        .collect();
    (rows, unknown)
}

fn scope_of(binding: &Binding) -> String {
    if binding.cluster_wide {
        "cluster-wide".into()
    } else {
        format!(
            "namespace {}",
            binding.namespace.as_deref().unwrap_or("(unspecified)")
        )
    }
}

fn role_text(row: &Row<'_>) -> String {
    let mut text = match row.role {
        Some(role) => match (&role.kind, &role.namespace) {
            (RoleKind::Role, Some(ns)) => format!("Role {ns}/{}", role.name),
            (RoleKind::Role, None) => format!("Role {}", role.name),
            (RoleKind::ClusterRole, _) => format!("ClusterRole {}", role.name),
        },
        None => format!("ClusterRole {} (built in)", row.binding.role_name),
    };
    if row.role.is_some_and(|r| !r.aggregation.is_empty()) {
        text.push_str(" (aggregated)");
    }
    if !row.only_names.is_empty() {
        text.push_str(&format!(
            " (only resourceNames {})",
            row.only_names.join(", ")
        ));
    }
    text
}

fn role_ref_text(binding: &Binding) -> String {
    format!("{} {}", binding.role_kind.as_str(), binding.role_name)
}

fn question(target: &Target, scope: &Scope) -> String {
    let where_ = match scope {
        Scope::ClusterWide => "cluster-wide (ClusterRoleBindings only; pass -n NAMESPACE or -A \
                               to include RoleBindings)"
            .to_owned(),
        Scope::Namespace(ns) => format!(
            "in namespace {ns} (ClusterRoleBindings, and RoleBindings in {ns} or without a \
             namespace)"
        ),
        Scope::AllNamespaces => {
            "in any namespace (ClusterRoleBindings and every RoleBinding)".to_owned()
        }
    };
    format!(
        "Who can {} {} ({} group) {where_}",
        target.verb,
        target.resource,
        target.display_group()
    )
}

fn render_table(
    inventory: &Inventory,
    target: &Target,
    scope: &Scope,
    rows: &[Row<'_>],
    unknown: &[Unknown<'_>],
) -> String {
    let mut out = format!("{}:\n\n", question(target, scope));
    if rows.is_empty() {
        out.push_str("No subject in the scanned files is granted this.\n");
    } else {
        let header = ["SUBJECT", "SCOPE", "BINDING", "ROLE", "WHERE"];
        let table: Vec<[String; 5]> = rows
            .iter()
            .map(|row| {
                [
                    row.subject.display(),
                    scope_of(row.binding),
                    row.binding.display(),
                    role_text(row),
                    location(inventory, row.binding, row.subject.pos.line),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for line in &table {
            for (width, cell) in widths.iter_mut().zip(line) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut push_line = |cells: &[&str]| {
            let mut line = String::new();
            for (i, cell) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        };
        push_line(&header);
        for line in &table {
            push_line(&line.each_ref().map(String::as_str));
        }
        let subjects: BTreeSet<String> = rows.iter().map(|r| r.subject.display()).collect();
        out.push_str(&format!(
            "\n{} subject{} through {} grant{}.\n",
            subjects.len(),
            plural(subjects.len()),
            rows.len(),
            plural(rows.len())
        ));
    }
    if !unknown.is_empty() {
        out.push_str(&format!(
            "\nUnknown: {} binding{} in scope refer{} to a role that is not in the scanned files, \
             so what {} grant{} cannot be told:\n",
            unknown.len(),
            plural(unknown.len()),
            if unknown.len() == 1 { "s" } else { "" },
            if unknown.len() == 1 { "it" } else { "they" },
            if unknown.len() == 1 { "s" } else { "" },
        ));
        for item in unknown {
            let subjects: Vec<String> =
                item.binding.subjects.iter().map(Subject::display).collect();
            out.push_str(&format!(
                "  {} -> {} ({}): {}\n",
                item.binding.display(),
                role_ref_text(item.binding),
                location(inventory, item.binding, item.binding.role_ref_pos.line),
                subjects.join(", ")
            ));
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn location(inventory: &Inventory, binding: &Binding, line: u32) -> String {
    let path = inventory
        .objects()
        .get(binding.object)
        .map_or("", |o| &*o.source.path);
    format!("{path}:{line}")
}

fn subject_json(subject: &Subject) -> Value {
    json!({"kind": subject.kind, "name": subject.name, "namespace": subject.namespace})
}

fn binding_json(inventory: &Inventory, binding: &Binding, line: u32) -> Value {
    let path = inventory
        .objects()
        .get(binding.object)
        .map_or("", |o| &*o.source.path);
    json!({
        "kind": binding.kind(),
        "name": binding.name,
        "namespace": binding.namespace,
        "path": path,
        "line": line,
    })
}

fn render_json(
    inventory: &Inventory,
    target: &Target,
    scope: &Scope,
    rows: &[Row<'_>],
    unknown: &[Unknown<'_>],
) -> String {
    let (scope_name, namespace) = match scope {
        Scope::ClusterWide => ("cluster-wide", None),
        Scope::Namespace(ns) => ("namespace", Some(ns.as_str())),
        Scope::AllNamespaces => ("all-namespaces", None),
    };
    let grants: Vec<Value> = rows
        .iter()
        .map(|row| {
            let role = match row.role {
                Some(role) => json!({
                    "kind": role.kind.as_str(),
                    "name": role.name,
                    "namespace": role.namespace,
                    "aggregated": !role.aggregation.is_empty(),
                    "in_scan": true,
                }),
                None => json!({
                    "kind": row.binding.role_kind.as_str(),
                    "name": row.binding.role_name,
                    "namespace": null,
                    "aggregated": false,
                    "in_scan": false,
                }),
            };
            json!({
                "subject": subject_json(row.subject),
                "scope": scope_of(row.binding),
                "binding": binding_json(inventory, row.binding, row.subject.pos.line),
                "role": role,
                "resource_names": row.only_names,
            })
        })
        .collect();
    let unknown: Vec<Value> = unknown
        .iter()
        .map(|item| {
            json!({
                "binding": binding_json(inventory, item.binding, item.binding.role_ref_pos.line),
                "role": {"kind": item.binding.role_kind.as_str(), "name": item.binding.role_name},
                "subjects": item.binding.subjects.iter().map(subject_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let report = json!({
        "verb": target.verb,
        "group": target.group,
        "resource": target.resource,
        "scope": scope_name,
        "namespace": namespace,
        "grants": grants,
        "unknown": unknown,
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(resource: &str, group: Option<&str>) -> (String, String) {
        let t = Target::parse("get", resource, group).unwrap();
        (t.group, t.resource)
    }

    #[test]
    fn resources_groups_and_short_names() {
        let pair = |g: &str, r: &str| (g.to_owned(), r.to_owned());
        assert_eq!(parse("pods", None), pair("", "pods"));
        assert_eq!(parse("pods/exec", None), pair("", "pods/exec"));
        assert_eq!(parse("deployments.apps", None), pair("apps", "deployments"));
        assert_eq!(
            parse("deployments.apps/scale", None),
            pair("apps", "deployments/scale")
        );
        assert_eq!(parse("deploy", None), pair("apps", "deployments"));
        assert_eq!(parse("secret", None), pair("", "secrets"));
        assert_eq!(parse("Secrets", None), pair("", "secrets"));
        assert_eq!(
            parse("certificates.cert-manager.io", None),
            pair("cert-manager.io", "certificates")
        );
        assert_eq!(
            parse("widgets", Some("contoso.com")),
            pair("contoso.com", "widgets")
        );
        assert_eq!(
            parse("deployments", Some("extensions")),
            pair("extensions", "deployments")
        );
        assert!(Target::parse("get", "/exec", None).is_err());
        assert!(Target::parse("get", "pods/", None).is_err());
        assert!(Target::parse("", "pods", None).is_err());
    }
}
