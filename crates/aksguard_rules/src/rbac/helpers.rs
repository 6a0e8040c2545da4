//! Shared RBAC reasoning: which roles to inspect, who they are granted to (directly or through
//! aggregated ClusterRoles), and how findings on a role are worded and graded.

use aksguard_model::{
    Binding, Inventory, Object, PolicyRule, RbacGraph, Role, RoleKind, Severity, Subject,
};

use crate::checker::{Checker, Violation};

/// The label Kubernetes puts on the default roles and bindings it creates and reconciles at
/// every API server start (`cluster-admin`, `admin`, `edit`, `view`, `system:*`).
const BOOTSTRAP_LABEL: &str = "kubernetes.io/bootstrapping";

/// Labels by which a ClusterRole aggregates into the built-in `admin`, `edit` and `view`
/// roles (which are not in the scan, so the graph cannot follow them).
const BUILTIN_AGGREGATION_LABELS: &[(&str, &str)] = &[
    ("rbac.authorization.k8s.io/aggregate-to-admin", "admin"),
    ("rbac.authorization.k8s.io/aggregate-to-edit", "edit"),
    ("rbac.authorization.k8s.io/aggregate-to-view", "view"),
];

/// How many subjects a message names before summarising the rest.
const MAX_NAMED_SUBJECTS: usize = 6;

/// One subject granted a role, through a binding, possibly via an aggregated ClusterRole.
pub(crate) struct RoleGrant<'a> {
    pub subject: &'a Subject,
    pub binding: &'a Binding,
    /// The aggregated ClusterRole that picks up this role's rules and is the one bound.
    pub via: Option<&'a Role>,
}

/// A Role or ClusterRole with everything the role rules need to know about who holds it.
pub(crate) struct RoleContext<'a> {
    pub role: &'a Role,
    pub object: &'a Object,
    pub grants: Vec<RoleGrant<'a>>,
    /// Built-in ClusterRoles (`admin`, `edit`, `view`) this role aggregates into by label.
    pub builtin_aggregation: Vec<&'static str>,
}

impl<'a> RoleContext<'a> {
    fn new(graph: &'a RbacGraph, role: &'a Role, objects: &'a [Object]) -> Self {
        let object = &objects[role.object];
        let mut grants: Vec<RoleGrant<'a>> = graph
            .subjects_of(role)
            .into_iter()
            .map(|(subject, binding)| RoleGrant {
                subject,
                binding,
                via: None,
            })
            .collect();
        for aggregator in graph.aggregators_of(role, objects) {
            grants.extend(
                graph
                    .subjects_of(aggregator)
                    .into_iter()
                    .map(|(subject, binding)| RoleGrant {
                        subject,
                        binding,
                        via: Some(aggregator),
                    }),
            );
        }
        let builtin_aggregation = if role.kind == RoleKind::ClusterRole {
            BUILTIN_AGGREGATION_LABELS
                .iter()
                .filter(|(label, _)| object.label(label) == Some("true"))
                .map(|(_, name)| *name)
                .collect()
        } else {
            Vec::new()
        };
        RoleContext {
            role,
            object,
            grants,
            builtin_aggregation,
        }
    }

    /// `Role shop/ci` or `ClusterRole ci`.
    pub fn display(&self) -> String {
        role_display(self.role)
    }

    /// Granted in every namespace: some ClusterRoleBinding binds it (or an aggregated
    /// ClusterRole including it) to at least one subject.
    pub fn cluster_wide(&self) -> bool {
        self.grants.iter().any(|g| g.binding.cluster_wide)
    }

    /// Granted cluster-wide to someone other than a Kubernetes/AKS system component (which
    /// the platform binds on purpose): the condition for raising severity.
    pub fn cluster_wide_to_non_system(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.binding.cluster_wide && !g.subject.is_system_component())
    }

    /// Whether the role is granted in `namespace`: a Role of that namespace that is bound, or
    /// a ClusterRole bound cluster-wide or by a RoleBinding there.
    pub fn granted_in(&self, namespace: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.binding.cluster_wide || g.binding.namespace.as_deref() == Some(namespace))
    }

    /// Whether rules about cluster-scoped resources (nodes, CRDs, PersistentVolumes, …) can
    /// take effect: only through a ClusterRole (bound by a ClusterRoleBinding).
    pub fn can_grant_cluster_scoped(&self) -> bool {
        self.role.kind == RoleKind::ClusterRole
    }

    /// "bound to ServiceAccount shop/ci, Group devs via RoleBinding shop/ci-deploy; …", or
    /// "not bound by any binding in the scan"; then whether that is cluster-wide, and
    /// aggregation into the built-in roles.
    pub fn subjects_text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.grants.is_empty() {
            parts.push("not bound by any binding in the scan".into());
        } else {
            // Subjects grouped by the binding (and aggregated role) that grants them.
            let mut groups: Vec<(String, Vec<String>)> = Vec::new();
            for grant in self.grants.iter().take(MAX_NAMED_SUBJECTS) {
                let via = grant
                    .via
                    .map(|r| format!(" (through aggregated ClusterRole {})", r.name))
                    .unwrap_or_default();
                let through = format!("{}{via}", grant.binding.display());
                let subject = grant.subject.display();
                match groups.iter_mut().find(|(t, _)| *t == through) {
                    Some((_, subjects)) if subjects.contains(&subject) => {}
                    Some((_, subjects)) => subjects.push(subject),
                    None => groups.push((through, vec![subject])),
                }
            }
            let named: Vec<String> = groups
                .into_iter()
                .map(|(through, subjects)| format!("{} via {through}", subjects.join(", ")))
                .collect();
            let more = self.grants.len().saturating_sub(MAX_NAMED_SUBJECTS);
            let tail = if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            };
            parts.push(format!("bound to {}{tail}", named.join("; ")));
            if self.cluster_wide() {
                parts.push("granted cluster-wide".into());
            }
        }
        if !self.builtin_aggregation.is_empty() {
            parts.push(format!(
                "aggregated by label into the built-in ClusterRole {} (granted to whoever \
                 holds it)",
                self.builtin_aggregation.join(", ")
            ));
        }
        parts.join("; ")
    }
}

/// `Role shop/ci` or `ClusterRole ci` (`(unspecified)` for a Role without a namespace).
pub(crate) fn role_display(role: &Role) -> String {
    match role.kind {
        RoleKind::Role => format!(
            "Role {}/{}",
            role.namespace.as_deref().unwrap_or("(unspecified)"),
            role.name
        ),
        RoleKind::ClusterRole => format!("ClusterRole {}", role.name),
    }
}

/// What a role rule found in one `rules[]` item: its message (without the subjects, which
/// the driver appends) and severity before the cluster-wide raise.
pub(crate) struct ItemFinding {
    pub message: String,
    pub severity: Severity,
}

/// Whether the object is one of Kubernetes' own default RBAC objects.
pub(crate) fn is_kubernetes_default(object: &Object) -> bool {
    object.label(BOOTSTRAP_LABEL) == Some("rbac-defaults")
}

/// Runs `inspect` on every `rules[]` item of every Role and ClusterRole of the scan, except
/// Kubernetes' own defaults, and reports what it finds on the role at the item. The bound
/// subjects are appended to the message and the severity is raised one step when a
/// ClusterRoleBinding grants the role to a subject that is not a system component
/// (`raise_when_cluster_wide`). For an aggregated ClusterRole, items
/// that merely repeat a part's rule (as the controller fills them in on a live cluster) are
/// skipped: the finding is on the part.
pub(crate) fn check_role_rules(
    inventory: &Inventory,
    out: &mut Checker<'_>,
    raise_when_cluster_wide: bool,
    inspect: impl Fn(&RoleContext<'_>, usize, &PolicyRule) -> Option<ItemFinding>,
) {
    let graph = inventory.rbac();
    let objects = inventory.objects();
    for role in &graph.roles {
        let context = RoleContext::new(graph, role, objects);
        if is_kubernetes_default(context.object) {
            continue;
        }
        let copied_from_parts: Vec<&PolicyRule> = if role.aggregation.is_empty() {
            Vec::new()
        } else {
            graph
                .rules_of(role, objects)
                .into_iter()
                .filter(|r| !role.rules.iter().any(|own| std::ptr::eq(own, *r)))
                .collect()
        };
        for (index, rule) in role.rules.iter().enumerate() {
            if copied_from_parts.iter().any(|part| same_grant(part, rule)) {
                continue;
            }
            let Some(found) = inspect(&context, index, rule) else {
                continue;
            };
            let severity = if raise_when_cluster_wide && context.cluster_wide_to_non_system() {
                found.severity.raised()
            } else {
                found.severity
            };
            let message = format!(
                "{} rules[{index}] {}; {}",
                context.display(),
                found.message,
                context.subjects_text()
            );
            out.report(
                Violation::at(rule.pos, message)
                    .with_severity(severity)
                    .on(context.object),
            );
        }
    }
}

fn same_grant(a: &PolicyRule, b: &PolicyRule) -> bool {
    a.api_groups == b.api_groups
        && a.resources == b.resources
        && a.verbs == b.verbs
        && a.resource_names == b.resource_names
        && a.non_resource_urls == b.non_resource_urls
}

/// The verbs among `candidates` that `rule` grants on `group`/`resource` (an explicit verb
/// or `*`).
pub(crate) fn granted_verbs<'v>(
    rule: &PolicyRule,
    candidates: &[&'v str],
    group: &str,
    resource: &str,
) -> Vec<&'v str> {
    if !rule.allows_group(group) || !rule.allows_resource(resource) {
        return Vec::new();
    }
    candidates
        .iter()
        .copied()
        .filter(|verb| rule.allows_verb(verb))
        .collect()
}

/// `a, b and c`.
pub(crate) fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Whether the rule restricts itself to named objects (`resourceNames`).
pub(crate) fn names_restriction(rule: &PolicyRule) -> Option<String> {
    (!rule.resource_names.is_empty()).then(|| {
        let names: Vec<String> = rule
            .resource_names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect();
        format!("only resourceNames {}", names.join(", "))
    })
}

/// How a message names the verbs a rule grants: `every verb (`*`)` when it uses the verb
/// wildcard, else the granted verbs.
pub(crate) fn verbs_text(rule: &PolicyRule, allowed: &[&str]) -> String {
    if rule.verbs.iter().any(|v| v == "*") {
        "every verb (`*`)".into()
    } else {
        allowed.join(", ")
    }
}

/// `cluster-wide` or `in namespace shop` (`(unspecified)` without a namespace).
pub(crate) fn binding_scope(binding: &Binding) -> String {
    if binding.cluster_wide {
        "cluster-wide".into()
    } else {
        format!(
            "in namespace {}",
            binding.namespace.as_deref().unwrap_or("(unspecified)")
        )
    }
}

/// The RBAC graph of one binding object (for rules that only need the object itself).
pub(crate) fn binding_of(object: &Object) -> Option<Binding> {
    if object.kind != "RoleBinding" && object.kind != "ClusterRoleBinding" {
        return None;
    }
    RbacGraph::build(std::slice::from_ref(object))
        .bindings
        .into_iter()
        .next()
}

/// `ClusterRole view` / `Role shop/reader` as a binding's `roleRef` names it.
pub(crate) fn role_ref_display(binding: &Binding) -> String {
    match binding.role_kind {
        RoleKind::ClusterRole => format!("ClusterRole `{}`", binding.role_name),
        RoleKind::Role => format!(
            "Role `{}/{}`",
            binding.namespace.as_deref().unwrap_or("(unspecified)"),
            binding.role_name
        ),
    }
}

/// Collects `(verbs, resource)` grants into `create on `a` and `b`` phrases, one per
/// distinct verbs text, in first-seen order.
#[derive(Default)]
pub(crate) struct Grants {
    entries: Vec<(String, Vec<String>)>,
}

impl Grants {
    pub fn add(&mut self, verbs: String, resource: String) {
        match self.entries.iter_mut().find(|(v, _)| *v == verbs) {
            Some((_, resources)) if resources.contains(&resource) => {}
            Some((_, resources)) => resources.push(resource),
            None => self.entries.push((verbs, vec![resource])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `create on `pods` and `jobs`; get on `pods/exec``.
    pub fn text(&self) -> String {
        let phrases: Vec<String> = self
            .entries
            .iter()
            .map(|(verbs, resources)| format!("{verbs} on {}", join_words(resources)))
            .collect();
        phrases.join("; ")
    }
}
