//! Answering a who-can question from the RBAC graph.
//!
//! Scope: [`Scope::ClusterWide`] counts only cluster-wide grants (ClusterRoleBindings);
//! [`Scope::Namespace`] adds the RoleBindings of that namespace and those that set no
//! namespace (they land wherever they are applied); [`Scope::AllNamespaces`] adds every
//! RoleBinding. RoleBindings never grant cluster-scoped resources. Bindings whose role is not
//! in the inventory (other than the built-in cluster-admin, and the built-in discovery roles
//! for anything but self-reviews) cannot be judged and are answered separately.

use std::collections::BTreeSet;

use super::Target;
use crate::inventory::{Inventory, UNSPECIFIED_NAMESPACE};
use crate::rbac::{Binding, RbacGraph, Role, RoleKind, Subject};

/// Which RoleBindings count besides the ClusterRoleBindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// ClusterRoleBindings only.
    ClusterWide,
    /// Plus the RoleBindings of this namespace and those that set none.
    Namespace(String),
    /// Plus every RoleBinding.
    AllNamespaces,
}

/// What is asked, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub target: Target,
    pub scope: Scope,
}

/// One subject allowed, and how.
#[derive(Clone, Debug)]
pub struct Access<'a> {
    pub subject: &'a Subject,
    pub binding: &'a Binding,
    /// The bound role; `None` for the built-in cluster-admin, which need not be scanned.
    pub role: Option<&'a Role>,
    /// `resourceNames`, sorted, when every granting rule is restricted to named objects;
    /// empty when the access covers every object of the resource.
    pub resource_names: Vec<String>,
    /// The file the binding came from.
    pub path: &'a str,
}

/// A binding in scope whose role is not in the inventory, so what it grants is unknown.
#[derive(Clone, Debug)]
pub struct UnknownBinding<'a> {
    pub binding: &'a Binding,
    /// The file the binding came from.
    pub path: &'a str,
}

/// The answer: who is allowed (cluster-wide grants first, then by namespace, subject and
/// binding), and which bindings in scope cannot be judged.
#[derive(Clone, Debug, Default)]
pub struct Answer<'a> {
    pub grants: Vec<Access<'a>>,
    pub unknown: Vec<UnknownBinding<'a>>,
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

/// Who the inventory's RBAC objects let do what `question` asks, and through what.
pub fn answer<'a>(inventory: &'a Inventory, question: &Question) -> Answer<'a> {
    let graph = inventory.rbac();
    let objects = inventory.objects();
    let (verb, group, resource) = (
        question.target.verb(),
        question.target.group(),
        question.target.resource(),
    );
    let path_of = |binding: &Binding| -> &'a str {
        objects.get(binding.object).map_or("", |o| &*o.source.path)
    };
    let mut grants = graph.who_can(objects, verb, group, resource, None);
    let mut in_scope: Vec<&Binding> = graph
        .bindings
        .iter()
        .filter(|b| graph.binding_applies(b, objects, group, resource, None))
        .collect();
    for ns in namespaces(graph, &question.scope) {
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
    let mut grants: Vec<Access<'a>> = grants
        .into_iter()
        .map(|grant| Access {
            subject: grant.subject,
            binding: grant.binding,
            role: grant.role,
            resource_names: grant
                .role
                .map(|role| only_names(inventory, role, &question.target))
                .unwrap_or_default(),
            path: path_of(grant.binding),
        })
        .collect();
    grants.sort_by_key(|access| {
        (
            !access.binding.cluster_wide,
            access.binding.namespace.clone(),
            access.subject.display(),
            access.binding.display(),
        )
    });
    let self_review = SELF_REVIEWS.contains(&resource);
    let unknown = in_scope
        .into_iter()
        .filter(|b| graph.role_of(b).is_none() && !known_builtin(b, self_review))
        .filter(|b| !b.subjects.is_empty())
        .map(|binding| UnknownBinding {
            binding,
            path: path_of(binding),
        })
        .collect();
    Answer { grants, unknown }
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

/// The `resourceNames` the role's granting rules are limited to, sorted; empty when any
/// granting rule covers every object.
fn only_names(inventory: &Inventory, role: &Role, target: &Target) -> Vec<String> {
    let rules = inventory.rbac().rules_granting(
        role,
        inventory.objects(),
        target.verb(),
        target.group(),
        target.resource(),
    );
    if rules.is_empty() || rules.iter().any(|r| r.resource_names.is_empty()) {
        return Vec::new();
    }
    rules
        .iter()
        .flat_map(|r| r.resource_names.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Whether the binding's role, absent from the inventory, is a built-in whose grants are
/// known: cluster-admin (everything), or a discovery role (nothing but self-reviews).
fn known_builtin(binding: &Binding, self_review: bool) -> bool {
    let builtin = |names: &[&str]| {
        binding.role_kind == RoleKind::ClusterRole && names.contains(&binding.role_name.as_str())
    };
    builtin(&["cluster-admin"]) || (builtin(DISCOVERY_ROLES) && !self_review)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::test_support::objects;

    fn cluster_role(name: &str, rules: Value) -> Value {
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name}, "rules": rules,
        })
    }

    fn binding(kind: &str, name: &str, ns: Option<&str>, role: (&str, &str), user: &str) -> Value {
        let mut metadata = json!({"name": name});
        if let Some(ns) = ns {
            metadata["namespace"] = ns.into();
        }
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": metadata,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role.0, "name": role.1},
            "subjects": [{"kind": "User", "name": user}],
        })
    }

    /// A reader ClusterRole bound cluster-wide, in `shop`, in `other` and without a
    /// namespace; cluster-admin (built in) bound cluster-wide; `edit` (not scanned) in `shop`.
    fn inventory() -> Inventory {
        Inventory::new(objects(
            "rbac.yaml",
            &[
                cluster_role(
                    "reader",
                    json!([{"apiGroups": [""], "resources": ["nodes", "pods"], "verbs": ["get"]}]),
                ),
                binding(
                    "ClusterRoleBinding",
                    "all",
                    None,
                    ("ClusterRole", "reader"),
                    "everyone",
                ),
                binding(
                    "RoleBinding",
                    "shop",
                    Some("shop"),
                    ("ClusterRole", "reader"),
                    "shopper",
                ),
                binding(
                    "RoleBinding",
                    "other",
                    Some("other"),
                    ("ClusterRole", "reader"),
                    "outsider",
                ),
                binding(
                    "RoleBinding",
                    "floating",
                    None,
                    ("ClusterRole", "reader"),
                    "floater",
                ),
                binding(
                    "ClusterRoleBinding",
                    "admins",
                    None,
                    ("ClusterRole", "cluster-admin"),
                    "root",
                ),
                binding(
                    "RoleBinding",
                    "editors",
                    Some("shop"),
                    ("ClusterRole", "edit"),
                    "editor",
                ),
            ],
        ))
    }

    fn ask<'a>(inventory: &'a Inventory, verb: &str, resource: &str, scope: Scope) -> Answer<'a> {
        let target = Target::parse(verb, resource, None).unwrap();
        answer(inventory, &Question { target, scope })
    }

    fn subjects(answer: &Answer<'_>) -> Vec<String> {
        answer
            .grants
            .iter()
            .map(|a| a.subject.name.clone())
            .collect()
    }

    fn unknown(answer: &Answer<'_>) -> Vec<String> {
        answer
            .unknown
            .iter()
            .map(|u| u.binding.name.clone())
            .collect()
    }

    #[test]
    fn cluster_wide_counts_only_cluster_role_bindings() {
        let inventory = inventory();
        let answer = ask(&inventory, "get", "pods", Scope::ClusterWide);
        assert_eq!(subjects(&answer), ["everyone", "root"]);
        assert!(unknown(&answer).is_empty(), "edit is bound in a namespace");
        let admin = &answer.grants[1];
        assert!(admin.role.is_none(), "cluster-admin is built in");
        assert_eq!(admin.path, "rbac.yaml");
    }

    #[test]
    fn a_namespace_adds_its_role_bindings_and_those_without_a_namespace() {
        let inventory = inventory();
        let answer = ask(&inventory, "get", "pods", Scope::Namespace("shop".into()));
        // Cluster-wide first, then by namespace ("" for the unspecified one sorts first), then
        // by subject.
        assert_eq!(
            subjects(&answer),
            ["everyone", "root", "floater", "shopper"]
        );
        assert_eq!(unknown(&answer), ["editors"]);
        assert_eq!(answer.unknown[0].path, "rbac.yaml");
    }

    #[test]
    fn all_namespaces_adds_every_role_binding() {
        let inventory = inventory();
        let answer = ask(&inventory, "get", "pods", Scope::AllNamespaces);
        assert_eq!(
            subjects(&answer),
            ["everyone", "root", "floater", "outsider", "shopper"]
        );
    }

    #[test]
    fn role_bindings_never_grant_cluster_scoped_resources() {
        let inventory = inventory();
        let answer = ask(&inventory, "get", "nodes", Scope::AllNamespaces);
        assert_eq!(subjects(&answer), ["everyone", "root"]);
        assert!(unknown(&answer).is_empty());
    }

    #[test]
    fn discovery_roles_are_unknown_only_for_self_reviews() {
        let inventory = Inventory::new(objects(
            "rbac.yaml",
            &[
                binding(
                    "ClusterRoleBinding",
                    "basic",
                    None,
                    ("ClusterRole", "system:basic-user"),
                    "anyone",
                ),
                binding(
                    "ClusterRoleBinding",
                    "view",
                    None,
                    ("ClusterRole", "view"),
                    "viewer",
                ),
            ],
        ));
        let pods = ask(&inventory, "get", "pods", Scope::ClusterWide);
        assert_eq!(unknown(&pods), ["view"]);
        let review = ask(
            &inventory,
            "create",
            "selfsubjectaccessreviews",
            Scope::ClusterWide,
        );
        assert_eq!(unknown(&review), ["basic", "view"]);
    }

    #[test]
    fn resource_names_only_when_every_granting_rule_is_restricted() {
        let role = |rules: Value| {
            Inventory::new(objects(
                "rbac.yaml",
                &[
                    cluster_role("secrets", rules),
                    binding(
                        "ClusterRoleBinding",
                        "b",
                        None,
                        ("ClusterRole", "secrets"),
                        "u",
                    ),
                ],
            ))
        };
        let named = role(json!([
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["b", "a"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"], "verbs": ["get"]},
        ]));
        let answer = ask(&named, "get", "secrets", Scope::ClusterWide);
        assert_eq!(answer.grants[0].resource_names, ["a", "b"]);
        let open = role(json!([
            {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]},
        ]));
        let answer = ask(&open, "get", "secrets", Scope::ClusterWide);
        assert!(answer.grants[0].resource_names.is_empty());
    }

    #[test]
    fn bindings_without_subjects_are_not_unknown() {
        let mut empty = binding("RoleBinding", "nobody", Some("shop"), ("Role", "gone"), "x");
        empty["subjects"] = json!([]);
        let inventory = Inventory::new(objects("rbac.yaml", &[empty]));
        let answer = ask(&inventory, "get", "pods", Scope::AllNamespaces);
        assert!(answer.grants.is_empty());
        assert!(answer.unknown.is_empty());
    }
}
