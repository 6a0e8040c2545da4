//! The RBAC graph: subjects → bindings → roles → rules, namespaced and cluster-wide,
//! with aggregated ClusterRoles (`aggregationRule`) resolved where their parts are present.

use crate::node::{Node, Pos};
use crate::object::Object;
use crate::selector::LabelSelector;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// One entry of a role's `rules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
    /// Where the rule is written (the `rules[i]` item).
    pub pos: Pos,
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

impl PolicyRule {
    fn parse(node: &Node) -> PolicyRule {
        PolicyRule {
            api_groups: strings(node.get("apiGroups")),
            resources: strings(node.get("resources")),
            verbs: strings(node.get("verbs")),
            resource_names: strings(node.get("resourceNames")),
            non_resource_urls: strings(node.get("nonResourceURLs")),
            pos: node.pos,
        }
    }

    pub fn allows_verb(&self, verb: &str) -> bool {
        self.verbs
            .iter()
            .any(|v| v == "*" || v.eq_ignore_ascii_case(verb))
    }

    pub fn allows_group(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| g == "*" || g == group)
    }

    /// `resource` may name a subresource (`pods/exec`). `*` covers every resource and
    /// subresource; `pods/*` covers every subresource of pods; `*/scale` a subresource of all.
    pub fn allows_resource(&self, resource: &str) -> bool {
        let (base, sub) = match resource.split_once('/') {
            Some((base, sub)) => (base, Some(sub)),
            None => (resource, None),
        };
        self.resources.iter().any(|r| {
            if r == "*" || r == resource {
                return true;
            }
            match (r.split_once('/'), sub) {
                (Some((rb, "*")), Some(_)) => rb == base,
                (Some(("*", rs)), Some(s)) => rs == s,
                _ => false,
            }
        })
    }

    /// Whether this rule grants `verb` on `group`/`resource` (any resource name).
    pub fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        self.allows_verb(verb) && self.allows_group(group) && self.allows_resource(resource)
    }
}

#[derive(Clone, Debug)]
pub struct Role {
    /// Index of the Role/ClusterRole object in the inventory.
    pub object: usize,
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
    pub rules: Vec<PolicyRule>,
    /// `aggregationRule.clusterRoleSelectors` of an aggregated ClusterRole.
    pub aggregation: Vec<LabelSelector>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub pos: Pos,
}

impl Subject {
    /// `ServiceAccount shop/web`, `User alice`, `Group system:masters`.
    pub fn display(&self) -> String {
        match (&self.kind[..], &self.namespace) {
            ("ServiceAccount", Some(ns)) => format!("ServiceAccount {ns}/{}", self.name),
            _ => format!("{} {}", self.kind, self.name),
        }
    }

    /// Kubernetes control-plane identities (`system:kube-*`, `system:node*`, service
    /// accounts of `kube-system`), which platform bindings legitimately grant broad rights.
    pub fn is_system_component(&self) -> bool {
        let name = self.name.as_str();
        let system_name = name.starts_with("system:kube-")
            || name.starts_with("system:node")
            || name == "system:masters"
            || name.starts_with("system:serviceaccount:kube-system:")
            || name.starts_with("system:controller:")
            || name == "system:monitoring";
        let kube_system_sa =
            self.kind == "ServiceAccount" && self.namespace.as_deref() == Some("kube-system");
        system_name || kube_system_sa
    }
}

#[derive(Clone, Debug)]
pub struct Binding {
    /// Index of the RoleBinding/ClusterRoleBinding object in the inventory.
    pub object: usize,
    /// True for ClusterRoleBinding (grants in every namespace).
    pub cluster_wide: bool,
    pub namespace: Option<String>,
    pub name: String,
    pub role_kind: RoleKind,
    pub role_name: String,
    pub role_ref_pos: Pos,
    pub subjects: Vec<Subject>,
}

impl Binding {
    pub fn kind(&self) -> &'static str {
        if self.cluster_wide {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
    }

    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) if !self.cluster_wide => format!("{} {ns}/{}", self.kind(), self.name),
            _ => format!("{} {}", self.kind(), self.name),
        }
    }
}

/// Who is granted a permission, and through what.
#[derive(Clone, Debug)]
pub struct Grant<'a> {
    pub subject: &'a Subject,
    pub binding: &'a Binding,
    pub role: Option<&'a Role>,
}

#[derive(Clone, Debug, Default)]
pub struct RbacGraph {
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
}

impl RbacGraph {
    pub fn build(objects: &[Object]) -> RbacGraph {
        let mut graph = RbacGraph::default();
        for (index, object) in objects.iter().enumerate() {
            if !object.api_version.starts_with("rbac.authorization.k8s.io/") {
                continue;
            }
            let Some(name) = object.name.clone() else {
                continue;
            };
            match object.kind.as_str() {
                "Role" | "ClusterRole" => graph.roles.push(Role {
                    object: index,
                    kind: if object.kind == "Role" {
                        RoleKind::Role
                    } else {
                        RoleKind::ClusterRole
                    },
                    namespace: object.namespace.clone(),
                    name,
                    rules: object
                        .root
                        .get("rules")
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .map(PolicyRule::parse)
                        .collect(),
                    aggregation: object
                        .root
                        .at("aggregationRule.clusterRoleSelectors")
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(LabelSelector::parse)
                        .collect(),
                }),
                "RoleBinding" | "ClusterRoleBinding" => {
                    let Some(role_ref) = object.root.get("roleRef") else {
                        continue;
                    };
                    let role_kind = match role_ref.get("kind").and_then(Node::as_str) {
                        Some("Role") => RoleKind::Role,
                        Some("ClusterRole") => RoleKind::ClusterRole,
                        _ => continue,
                    };
                    let Some(role_name) = role_ref.get("name").and_then(Node::as_str) else {
                        continue;
                    };
                    let cluster_wide = object.kind == "ClusterRoleBinding";
                    graph.bindings.push(Binding {
                        object: index,
                        cluster_wide,
                        namespace: object.namespace.clone(),
                        name,
                        role_kind,
                        role_name: role_name.to_owned(),
                        role_ref_pos: object.locate("roleRef"),
                        subjects: parse_subjects(
                            object.root.get("subjects"),
                            object.namespace.as_deref(),
                        ),
                    });
                }
                _ => {}
            }
        }
        graph
    }

    /// The role a binding refers to, if it is in the inventory.
    pub fn role_of(&self, binding: &Binding) -> Option<&Role> {
        self.roles.iter().find(|role| {
            role.kind == binding.role_kind
                && role.name == binding.role_name
                && (role.kind == RoleKind::ClusterRole || role.namespace == binding.namespace)
        })
    }

    /// Bindings that grant this role.
    pub fn bindings_of<'a>(&'a self, role: &'a Role) -> impl Iterator<Item = &'a Binding> + 'a {
        self.bindings.iter().filter(move |b| {
            b.role_kind == role.kind
                && b.role_name == role.name
                && (role.kind == RoleKind::ClusterRole || b.namespace == role.namespace)
        })
    }

    /// Every subject bound to this role, with the binding that grants it.
    pub fn subjects_of<'a>(&'a self, role: &'a Role) -> Vec<(&'a Subject, &'a Binding)> {
        self.bindings_of(role)
            .flat_map(|b| b.subjects.iter().map(move |s| (s, b)))
            .collect()
    }

    /// The role's own rules plus, for an aggregated ClusterRole, the rules of every
    /// ClusterRole in the inventory whose labels its selectors match (transitively).
    pub fn rules_of<'a>(&'a self, role: &'a Role, objects: &[Object]) -> Vec<&'a PolicyRule> {
        let mut visited = vec![role.object];
        let mut pending = vec![role];
        let mut rules = Vec::new();
        while let Some(current) = pending.pop() {
            rules.extend(current.rules.iter());
            for selector in &current.aggregation {
                for candidate in self
                    .roles
                    .iter()
                    .filter(|r| r.kind == RoleKind::ClusterRole)
                {
                    if visited.contains(&candidate.object) {
                        continue;
                    }
                    let labels = objects[candidate.object]
                        .metadata()
                        .and_then(|m| m.get("labels"));
                    if !selector.selects_all() && selector.matches(labels) {
                        visited.push(candidate.object);
                        pending.push(candidate);
                    }
                }
            }
        }
        rules
    }

    /// Subjects that may `verb` `group`/`resource` in `namespace` (`None`: cluster-wide
    /// only, i.e. through ClusterRoleBindings), like kubectl-who-can. See
    /// [`RbacGraph::binding_applies`] for which bindings count.
    pub fn who_can<'a>(
        &'a self,
        objects: &[Object],
        verb: &str,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
    ) -> Vec<Grant<'a>> {
        let mut grants = Vec::new();
        for binding in &self.bindings {
            if !self.binding_applies(binding, objects, group, resource, namespace) {
                continue;
            }
            let role = self.role_of(binding);
            let allowed = match role {
                Some(role) => self
                    .rules_of(role, objects)
                    .iter()
                    .any(|rule| rule.allows(verb, group, resource)),
                // cluster-admin is built in and need not be in the inventory.
                None => {
                    binding.role_kind == RoleKind::ClusterRole
                        && binding.role_name == "cluster-admin"
                }
            };
            if allowed {
                grants.extend(binding.subjects.iter().map(|subject| Grant {
                    subject,
                    binding,
                    role,
                }));
            }
        }
        grants
    }
}

fn parse_subjects(node: Option<&Node>, binding_namespace: Option<&str>) -> Vec<Subject> {
    node.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            let kind = s.get("kind")?.as_str()?.to_owned();
            let name = s.get("name")?.as_str()?.to_owned();
            let namespace = s
                .get("namespace")
                .and_then(Node::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    (kind == "ServiceAccount")
                        .then(|| binding_namespace.map(str::to_owned))
                        .flatten()
                });
            Some(Subject {
                kind,
                name,
                namespace,
                pos: s.pos,
            })
        })
        .collect()
}

/// ClusterRoles Kubernetes creates in every cluster (`cluster-admin`, `admin`, `edit`, `view`
/// and the `system:` ones), so a binding may refer to them without them being in the scan.
pub fn is_builtin_cluster_role(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit" | "view") || name.starts_with("system:")
}

impl RbacGraph {
    /// The aggregated ClusterRoles in the inventory that pick up `role`'s rules: those with an
    /// `aggregationRule` selector matching its labels, transitively (an aggregated role can
    /// itself be a part). Empty for a Role.
    pub fn aggregators_of<'a>(&'a self, role: &Role, objects: &[Object]) -> Vec<&'a Role> {
        let mut found: Vec<&Role> = Vec::new();
        if role.kind != RoleKind::ClusterRole {
            return found;
        }
        let mut visited = vec![role.object];
        let mut pending = vec![role.object];
        while let Some(part) = pending.pop() {
            let labels = objects
                .get(part)
                .and_then(Object::metadata)
                .and_then(|m| m.get("labels"));
            for candidate in self
                .roles
                .iter()
                .filter(|r| r.kind == RoleKind::ClusterRole && !r.aggregation.is_empty())
            {
                if visited.contains(&candidate.object) {
                    continue;
                }
                if candidate
                    .aggregation
                    .iter()
                    .any(|s| !s.selects_all() && s.matches(labels))
                {
                    visited.push(candidate.object);
                    pending.push(candidate.object);
                    found.push(candidate);
                }
            }
        }
        found
    }

    /// Whether `binding` can grant access to `group`/`resource` in `namespace` (`None`:
    /// cluster-wide only). A ClusterRoleBinding applies everywhere, unless its `roleRef`
    /// names a Role (invalid; it grants nothing). A RoleBinding applies only in its own
    /// namespace ([`crate::UNSPECIFIED_NAMESPACE`] matches RoleBindings that set none) and
    /// never to cluster-scoped resources (`nodes`, `namespaces`, …).
    pub fn binding_applies(
        &self,
        binding: &Binding,
        objects: &[Object],
        group: &str,
        resource: &str,
        namespace: Option<&str>,
    ) -> bool {
        if binding.cluster_wide {
            return binding.role_kind == RoleKind::ClusterRole;
        }
        let own = binding
            .namespace
            .as_deref()
            .unwrap_or(crate::inventory::UNSPECIFIED_NAMESPACE);
        namespace == Some(own)
            && crate::resource_scope::is_cluster_scoped(objects, group, resource) != Some(true)
    }

    /// The rules of `role` (aggregated parts included) that grant `verb` on `group`/`resource`.
    pub fn rules_granting<'a>(
        &'a self,
        role: &'a Role,
        objects: &[Object],
        verb: &str,
        group: &str,
        resource: &str,
    ) -> Vec<&'a PolicyRule> {
        self.rules_of(role, objects)
            .into_iter()
            .filter(|rule| rule.allows(verb, group, resource))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        PolicyRule {
            api_groups: v(groups),
            resources: v(resources),
            verbs: v(verbs),
            resource_names: vec![],
            non_resource_urls: vec![],
            pos: Pos::default(),
        }
    }

    #[test]
    fn wildcards_and_subresources() {
        assert!(rule(&["*"], &["*"], &["*"]).allows("create", "apps", "deployments"));
        assert!(rule(&[""], &["pods/*"], &["create"]).allows("create", "", "pods/exec"));
        assert!(!rule(&[""], &["pods"], &["create"]).allows("create", "", "pods/exec"));
        assert!(rule(&[""], &["pods/exec"], &["create"]).allows("create", "", "pods/exec"));
        assert!(!rule(&["apps"], &["pods"], &["get"]).allows("get", "", "pods"));
    }

    fn objects(values: &[serde_json::Value]) -> Vec<Object> {
        crate::test_support::objects("t", values)
    }

    fn cluster_role(
        name: &str,
        labels: serde_json::Value,
        rules: serde_json::Value,
    ) -> serde_json::Value {
        serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": labels}, "rules": rules,
        })
    }

    fn binding(
        kind: &str,
        name: &str,
        ns: Option<&str>,
        role: (&str, &str),
        user: &str,
    ) -> serde_json::Value {
        let mut metadata = serde_json::json!({"name": name});
        if let Some(ns) = ns {
            metadata["namespace"] = ns.into();
        }
        serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": metadata,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role.0, "name": role.1},
            "subjects": [{"kind": "User", "name": user}],
        })
    }

    fn who(
        objects: &[Object],
        verb: &str,
        group: &str,
        resource: &str,
        ns: Option<&str>,
    ) -> Vec<String> {
        let graph = RbacGraph::build(objects);
        let mut names: Vec<String> = graph
            .who_can(objects, verb, group, resource, ns)
            .iter()
            .map(|g| g.subject.name.clone())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn who_can_respects_binding_scope() {
        let objects = objects(&[
            cluster_role(
                "reader",
                serde_json::json!({}),
                serde_json::json!([
                    {"apiGroups": [""], "resources": ["nodes", "pods"], "verbs": ["get"]},
                ]),
            ),
            binding(
                "ClusterRoleBinding",
                "all",
                None,
                ("ClusterRole", "reader"),
                "cluster-user",
            ),
            binding(
                "RoleBinding",
                "shop",
                Some("shop"),
                ("ClusterRole", "reader"),
                "shop-user",
            ),
            binding(
                "RoleBinding",
                "other",
                Some("other"),
                ("ClusterRole", "reader"),
                "other-user",
            ),
            binding(
                "ClusterRoleBinding",
                "admins",
                None,
                ("ClusterRole", "cluster-admin"),
                "root",
            ),
        ]);
        assert_eq!(
            who(&objects, "get", "", "pods", None),
            ["cluster-user", "root"]
        );
        assert_eq!(
            who(&objects, "get", "", "pods", Some("shop")),
            ["cluster-user", "root", "shop-user"]
        );
        // A RoleBinding grants nothing on a cluster-scoped resource, even through a ClusterRole.
        assert_eq!(
            who(&objects, "get", "", "nodes", Some("shop")),
            ["cluster-user", "root"]
        );
        assert_eq!(who(&objects, "get", "", "pods/log", Some("shop")), ["root"]);
    }

    #[test]
    fn who_can_in_the_unspecified_namespace() {
        let objects = objects(&[
            serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "r"},
                "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
            }),
            binding("RoleBinding", "b", None, ("Role", "r"), "anywhere"),
        ]);
        assert_eq!(who(&objects, "get", "", "pods", Some("")), ["anywhere"]);
        assert!(who(&objects, "get", "", "pods", Some("shop")).is_empty());
        assert!(who(&objects, "get", "", "pods", None).is_empty());
    }

    #[test]
    fn who_can_ignores_cluster_role_bindings_to_roles() {
        let objects = objects(&[
            serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "r"},
                "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
            }),
            binding("ClusterRoleBinding", "bad", None, ("Role", "r"), "nobody"),
        ]);
        assert!(who(&objects, "get", "", "pods", None).is_empty());
    }

    #[test]
    fn aggregated_parts_and_their_aggregators() {
        let objects = objects(&[
            serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "monitoring"},
                "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "monitoring"}}]},
                "rules": [],
            }),
            cluster_role(
                "part",
                serde_json::json!({"agg": "monitoring"}),
                serde_json::json!([
                    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]},
                ]),
            ),
            cluster_role(
                "unrelated",
                serde_json::json!({"agg": "other"}),
                serde_json::json!([
                    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]},
                ]),
            ),
            binding(
                "ClusterRoleBinding",
                "mon",
                None,
                ("ClusterRole", "monitoring"),
                "prometheus",
            ),
        ]);
        assert_eq!(who(&objects, "list", "", "secrets", None), ["prometheus"]);
        let graph = RbacGraph::build(&objects);
        let part = graph.roles.iter().find(|r| r.name == "part").unwrap();
        let aggregators: Vec<&str> = graph
            .aggregators_of(part, &objects)
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(aggregators, ["monitoring"]);
        let unrelated = graph.roles.iter().find(|r| r.name == "unrelated").unwrap();
        assert!(graph.aggregators_of(unrelated, &objects).is_empty());
        let monitoring = graph.roles.iter().find(|r| r.name == "monitoring").unwrap();
        assert_eq!(
            graph
                .rules_granting(monitoring, &objects, "list", "", "secrets")
                .len(),
            1
        );
    }

    #[test]
    fn builtin_cluster_roles() {
        assert!(is_builtin_cluster_role("edit"));
        assert!(is_builtin_cluster_role("system:discovery"));
        assert!(!is_builtin_cluster_role("editor"));
    }
}
