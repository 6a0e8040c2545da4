//! AKS: cluster configuration (RULES.md "AKS"), over the normalised Azure resources of a
//! scan (`Inventory::azure()`), whatever format they came from.

use crate::meta::Rule;

mod aks_versions;
mod azure_policy_addon_disabled;
mod azure_rbac_disabled;
mod basic_load_balancer_sku;
mod container_insights_disabled;
mod defender_plan_not_enabled;
mod defender_sensor_disabled;
mod entra_id_integration_disabled;
mod ephemeral_os_disk_not_used;
mod free_tier_cluster;
pub(crate) mod helpers;
mod http_application_routing_enabled;
mod image_cleaner_disabled;
mod image_integrity_disabled;
mod key_vault_csi_addon_disabled;
mod key_vault_secret_rotation_disabled;
mod kms_etcd_encryption_disabled;
mod kube_dashboard_enabled;
mod kubelet_identity_beyond_acr_pull;
mod kubenet_network_plugin;
mod kubernetes_rbac_disabled;
mod kubernetes_version_out_of_support;
mod local_accounts_enabled;
mod no_audit_log_diagnostic_setting;
mod no_auto_upgrade_channel;
mod no_encryption_at_host;
mod no_entra_admin_group;
mod no_network_policy_engine;
mod no_planned_maintenance_window;
mod no_security_alerting;
mod no_trusted_launch;
mod node_image_outdated;
pub(crate) mod node_network;
mod node_os_upgrades_disabled;
mod node_pool_public_ip;
mod node_pool_version_skew;
mod node_pool_without_availability_zones;
mod node_ssh_enabled;
mod os_disk_without_cmk;
mod pod_identity_enabled;
mod pod_security_policy_not_enforced;
mod private_cluster_public_fqdn;
mod private_cluster_without_private_dns;
mod privileged_azure_role_assignment;
mod public_api_server_unrestricted;
pub(crate) mod role_assignments;
mod run_command_enabled;
mod service_principal_identity;
mod system_identity_with_own_network;
mod system_pool_not_isolated;
mod unrestricted_egress;
mod workload_identity_disabled;

pub(crate) const RULES: &[&Rule] = &[
    &kubernetes_rbac_disabled::RULE,
    &entra_id_integration_disabled::RULE,
    &local_accounts_enabled::RULE,
    &azure_rbac_disabled::RULE,
    &public_api_server_unrestricted::RULE,
    &private_cluster_public_fqdn::RULE,
    &service_principal_identity::RULE,
    &no_network_policy_engine::RULE,
    &kubenet_network_plugin::RULE,
    &azure_policy_addon_disabled::RULE,
    &defender_sensor_disabled::RULE,
    &key_vault_csi_addon_disabled::RULE,
    &key_vault_secret_rotation_disabled::RULE,
    &kms_etcd_encryption_disabled::RULE,
    &container_insights_disabled::RULE,
    &no_audit_log_diagnostic_setting::RULE,
    &kubernetes_version_out_of_support::RULE,
    &no_auto_upgrade_channel::RULE,
    &node_os_upgrades_disabled::RULE,
    &node_pool_public_ip::RULE,
    &node_ssh_enabled::RULE,
    &workload_identity_disabled::RULE,
    &no_encryption_at_host::RULE,
    &no_trusted_launch::RULE,
    &unrestricted_egress::RULE,
    &image_cleaner_disabled::RULE,
    &os_disk_without_cmk::RULE,
    &pod_identity_enabled::RULE,
    &http_application_routing_enabled::RULE,
    &kube_dashboard_enabled::RULE,
    &run_command_enabled::RULE,
    &no_entra_admin_group::RULE,
    &node_pool_version_skew::RULE,
    &basic_load_balancer_sku::RULE,
    &no_planned_maintenance_window::RULE,
    &free_tier_cluster::RULE,
    &node_pool_without_availability_zones::RULE,
    &system_pool_not_isolated::RULE,
    &image_integrity_disabled::RULE,
    &defender_plan_not_enabled::RULE,
    &ephemeral_os_disk_not_used::RULE,
    &kubelet_identity_beyond_acr_pull::RULE,
    &node_image_outdated::RULE,
    &private_cluster_without_private_dns::RULE,
    &system_identity_with_own_network::RULE,
    &privileged_azure_role_assignment::RULE,
    &pod_security_policy_not_enforced::RULE,
    &no_security_alerting::RULE,
];
