//! IDN: workload identity (RULES.md "IDN").

use aksguard_model::{Node, Object};

use crate::meta::Rule;

mod default_service_account;
mod deprecated_pod_identity;
mod half_configured_workload_identity;
mod missing_service_account;
mod workload_identity_privileged_role;

pub(crate) const RULES: &[&Rule] = &[
    &deprecated_pod_identity::RULE,
    &half_configured_workload_identity::RULE,
    &default_service_account::RULE,
    &missing_service_account::RULE,
    &workload_identity_privileged_role::RULE,
];

/// The pod label that makes the workload identity webhook mutate a pod.
pub(crate) const WI_USE_LABEL: &str = "azure.workload.identity/use";

/// The ServiceAccount annotation naming the Entra ID application or managed identity.
pub(crate) const WI_CLIENT_ID_ANNOTATION: &str = "azure.workload.identity/client-id";

/// A ServiceAccount's non-empty `azure.workload.identity/client-id` annotation.
pub(crate) fn client_id(account: &Object) -> Option<&str> {
    account
        .annotation(WI_CLIENT_ID_ANNOTATION)
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// A label of a labels mapping, ignoring null values.
pub(crate) fn label<'a>(labels: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    labels?.get(key).filter(|n| !n.is_null())
}
