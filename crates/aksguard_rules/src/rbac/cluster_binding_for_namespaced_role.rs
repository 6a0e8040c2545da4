use aksguard_model::resource_scope::is_cluster_scoped;
use aksguard_model::{Inventory, Object, PolicyRule, RoleKind, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Rule};
use crate::rbac::helpers::{is_kubernetes_default, join_words, role_display};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC009",
    slug: "cluster-binding-for-namespaced-role",
    title: "ClusterRoleBinding grants a role that covers only namespaced resources",
    family: Family::Rbac,
    severity: Severity::Low,
    checks: "Every ClusterRoleBinding whose ClusterRole is in the scan (aggregated parts \
             resolved) and has at least one rule, where every rule names only resources \
             known to be namespaced: built-in namespaced resources (pods, secrets, \
             deployments, roles, …, and their subresources) and custom resources whose \
             CustomResourceDefinition in the scan says `scope: Namespaced`. A `*` resource, \
             a cluster-scoped or unknown resource (a CRD not in the scan), or any \
             `nonResourceURLs` rule means the ClusterRoleBinding may be needed, and it does \
             not fire. Reported at `roleRef`. Not reported: bindings with no subjects, \
             bindings whose subjects are all Kubernetes/AKS system components, and \
             Kubernetes' own default bindings (`kubernetes.io/bootstrapping: \
             rbac-defaults`). Controllers that really watch every namespace need the \
             ClusterRoleBinding: the finding asks to confirm that.",
    rationale: "A ClusterRoleBinding grants the role in every namespace, including kube-system \
                and namespaces created later. When the role only covers namespaced \
                resources, RoleBindings in the namespaces the subject works in give the same \
                access there and nothing elsewhere, which is the namespace-scoped \
                least privilege AKS guidance recommends for teams and applications.",
    remediation: "Replace the ClusterRoleBinding with RoleBindings (to the same ClusterRole) in \
                  the namespaces the subject needs; keep it only for controllers that must \
                  act in every namespace.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// How many resources the message names.
const MAX_NAMED_RESOURCES: usize = 6;

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let graph = inventory.rbac();
    let objects = inventory.objects();
    for binding in graph.bindings.iter().filter(|b| b.cluster_wide) {
        let object = &objects[binding.object];
        if binding.role_kind != RoleKind::ClusterRole
            || binding.subjects.iter().all(|s| s.is_system_component())
            || is_kubernetes_default(object)
        {
            continue;
        }
        let Some(role) = graph.role_of(binding) else {
            continue;
        };
        let rules = graph.rules_of(role, objects);
        if rules.is_empty() || !rules.iter().all(|r| only_namespaced(objects, r)) {
            continue;
        }
        let mut resources: Vec<String> = Vec::new();
        for resource in rules.iter().flat_map(|r| &r.resources) {
            let named = format!("`{resource}`");
            if !resources.contains(&named) {
                resources.push(named);
            }
        }
        let more = resources.len().saturating_sub(MAX_NAMED_RESOURCES);
        resources.truncate(MAX_NAMED_RESOURCES);
        if more > 0 {
            resources.push(format!("{more} more"));
        }
        out.report(
            Violation::at(
                binding.role_ref_pos,
                format!(
                    "{} grants {} in every namespace, but its rules only cover namespaced \
                     resources ({}); unless the subject must act in every namespace, \
                     RoleBindings in the namespaces it needs would do",
                    binding.display(),
                    role_display(role),
                    join_words(&resources)
                ),
            )
            .on(object),
        );
    }
}

fn only_namespaced(objects: &[Object], rule: &PolicyRule) -> bool {
    let groups: Vec<&str> = if rule.api_groups.is_empty() {
        vec![""]
    } else {
        rule.api_groups.iter().map(String::as_str).collect()
    };
    rule.non_resource_urls.is_empty()
        && !rule.resources.is_empty()
        && rule.resources.iter().all(|resource| {
            groups
                .iter()
                .all(|group| is_cluster_scoped(objects, group, resource) == Some(false))
        })
}
