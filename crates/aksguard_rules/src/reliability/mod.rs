//! REL: reliability that AKS upgrades and rolling updates depend on (RULES.md "REL").

use crate::meta::Rule;

mod dangling_selector_or_target;
mod duplicate_or_dangling_env_var;
mod helpers;
mod mismatched_selector;
mod missing_pod_disruption_budget;
mod naked_pod;
mod removed_api_version;
mod removed_apis;
mod single_replica_without_autoscaler;

pub(crate) const RULES: &[&Rule] = &[
    &removed_api_version::RULE,
    &naked_pod::RULE,
    &single_replica_without_autoscaler::RULE,
    &missing_pod_disruption_budget::RULE,
    &mismatched_selector::RULE,
    &dangling_selector_or_target::RULE,
    &duplicate_or_dangling_env_var::RULE,
];
