//! POD: pod and container security (RULES.md "POD").

use crate::meta::Rule;

mod helpers;
mod privileged_container;
mod privilege_escalation_allowed;
mod host_network_shared;
mod host_pid_shared;
mod host_ipc_shared;
mod run_as_root_allowed;
mod writable_root_filesystem;
mod net_raw_not_dropped;
mod insecure_capability_added;
mod unmasked_proc_mount;
mod seccomp_unconfined;
mod apparmor_unconfined;
mod host_path_volume;
mod host_port;
mod missing_resource_requirements;
mod automounted_service_account_token;
mod unsafe_sysctl;
mod unsafe_selinux_options;
mod windows_host_process;
mod no_rolling_update_strategy;
mod default_namespace;
mod root_group;
mod shared_process_namespace;
mod missing_health_probes;
mod low_uid_or_gid;
mod capability_added_beyond_net_bind_service;
mod all_capabilities_not_dropped;
mod non_restricted_volume_type;
mod privileged_or_ssh_port;
mod host_aliases_set;
mod runs_as_container_administrator;

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
