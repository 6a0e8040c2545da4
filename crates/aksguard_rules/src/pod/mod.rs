//! POD: pod and container security (RULES.md "POD").

use crate::meta::Rule;

mod all_capabilities_not_dropped;
mod apparmor_unconfined;
mod automounted_service_account_token;
mod capability_added_beyond_net_bind_service;
mod default_namespace;
pub(crate) mod helpers;
mod host_aliases_set;
mod host_ipc_shared;
mod host_network_shared;
mod host_path_volume;
mod host_pid_shared;
mod host_port;
mod insecure_capability_added;
mod low_uid_or_gid;
mod missing_health_probes;
mod missing_resource_requirements;
mod net_raw_not_dropped;
mod no_rolling_update_strategy;
mod non_restricted_volume_type;
mod privilege_escalation_allowed;
mod privileged_container;
mod privileged_or_ssh_port;
mod root_group;
mod run_as_root_allowed;
mod runs_as_container_administrator;
mod seccomp_unconfined;
mod shared_process_namespace;
mod unmasked_proc_mount;
mod unsafe_selinux_options;
mod unsafe_sysctl;
mod windows_host_process;
mod writable_root_filesystem;

/// The value sets the Pod Security rules compare against, written once here and read by
/// translations of the rules into other policy languages (`aksguard_vap`).
pub use insecure_capability_added::BASELINE as BASELINE_CAPABILITIES;
pub use non_restricted_volume_type::RESTRICTED_VOLUME_TYPES;
pub use unsafe_selinux_options::ALLOWED_TYPES as SELINUX_TYPES;
pub use unsafe_sysctl::SAFE_SYSCTLS;

pub(crate) const RULES: &[&Rule] = &[
    &privileged_container::RULE,
    &privilege_escalation_allowed::RULE,
    &host_network_shared::RULE,
    &host_pid_shared::RULE,
    &host_ipc_shared::RULE,
    &run_as_root_allowed::RULE,
    &writable_root_filesystem::RULE,
    &net_raw_not_dropped::RULE,
    &insecure_capability_added::RULE,
    &unmasked_proc_mount::RULE,
    &seccomp_unconfined::RULE,
    &apparmor_unconfined::RULE,
    &host_path_volume::RULE,
    &host_port::RULE,
    &missing_resource_requirements::RULE,
    &automounted_service_account_token::RULE,
    &unsafe_sysctl::RULE,
    &unsafe_selinux_options::RULE,
    &windows_host_process::RULE,
    &no_rolling_update_strategy::RULE,
    &default_namespace::RULE,
    &root_group::RULE,
    &shared_process_namespace::RULE,
    &missing_health_probes::RULE,
    &low_uid_or_gid::RULE,
    &capability_added_beyond_net_bind_service::RULE,
    &all_capabilities_not_dropped::RULE,
    &non_restricted_volume_type::RULE,
    &privileged_or_ssh_port::RULE,
    &host_aliases_set::RULE,
    &runs_as_container_administrator::RULE,
];
