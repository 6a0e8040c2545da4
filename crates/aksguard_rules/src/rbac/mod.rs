//! RBAC: Kubernetes role-based access (RULES.md "RBAC"). Rules about what a role allows
//! (RBAC002–006, 010, 012) report on the Role/ClusterRole at the offending `rules[]` item and
//! list who is bound to it; rules about who is bound (RBAC001, 007, 008, 009, 011) report on
//! the binding at the subject or `roleRef`.

use crate::meta::Rule;

mod admission_control_write_access;
mod all_users_bound;
mod cluster_admin_granted;
mod cluster_binding_for_namespaced_role;
mod dangling_binding_reference;
mod default_service_account_bound;
mod escalation_prone_write_access;
mod escalation_verbs_allowed;
mod helpers;
mod node_proxy_access;
mod secret_read_access;
mod wildcard_in_role;
mod workload_creation_allowed;

pub(crate) const RULES: &[&Rule] = &[
    &cluster_admin_granted::RULE,
    &wildcard_in_role::RULE,
    &secret_read_access::RULE,
    &escalation_verbs_allowed::RULE,
    &workload_creation_allowed::RULE,
    &node_proxy_access::RULE,
    &all_users_bound::RULE,
    &default_service_account_bound::RULE,
    &cluster_binding_for_namespaced_role::RULE,
    &admission_control_write_access::RULE,
    &dangling_binding_reference::RULE,
    &escalation_prone_write_access::RULE,
];
