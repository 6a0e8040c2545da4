//! What aksguard reads from Azure Resource Manager: each resource type with the api-version
//! it is read at (pinned, so a scan does not change when Azure adds a version) and the
//! permission action a 403 names.
//!
//! The versions are the current generally available ones for each provider (2026-12), except
//! diagnostic settings, whose newest version is the `2021-05-01-preview` every Azure SDK
//! and `az monitor diagnostic-settings` use (the provider has published no GA version of
//! the settings API with category groups). Every action is part of the built-in Reader role.
//!
//! The cluster's surroundings (checked against Microsoft's REST reference on 2026-12-06):
//! user-assigned identities and their federated credentials at `2023-01-31` (the stable
//! Microsoft.ManagedIdentity version the reference's list operations use); subnets, NSGs,
//! route tables, Application Gateways and WAF policies at `2024-05-01` (one
//! Microsoft.Network version for all, GA); policy assignments at `2023-04-01` (GA, with
//! `$filter=atScope()`); scheduled query rules at `2021-08-01`, metric alerts at
//! `2018-03-01` and activity log alerts at `2020-10-01` (the GA versions of each
//! Microsoft.Insights alert API); Defender security contacts at `2023-12-01-preview`: the
//! provider has published no GA version of `securityContacts` (its versions are
//! `2017-08-01-preview`, `2020-01-01-preview` and this one, whose `emails`,
//! `notificationsByRole` and `isEnabled` the reader understands).

use aksguard_model::azure::kinds;

/// The Resource Manager endpoint of the public cloud.
pub const PUBLIC_ENDPOINT: &str = "https://management.azure.com";

/// `GET /subscriptions` (Microsoft.Resources): the subscriptions a credential sees.
pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
/// Microsoft.ContainerService: managed clusters, their agent pools and maintenance
/// configurations. The corpus's REST bodies (`rest-api-examples/2025-07-01`) are of this
/// version.
pub const CONTAINER_SERVICE_API: &str = "2025-07-01";
/// Microsoft.Insights diagnostic settings of a resource.
pub const DIAGNOSTIC_SETTINGS_API: &str = "2021-05-01-preview";
/// Microsoft.Security pricings: Defender for Cloud plans of a subscription.
pub const PRICINGS_API: &str = "2024-01-01";
/// Microsoft.Authorization role assignments.
pub const ROLE_ASSIGNMENTS_API: &str = "2022-04-01";
/// Microsoft.ContainerRegistry registries. A newer GA version (2025-04-01) exists; every
/// property the ACR rules read (`adminUserEnabled`, `publicNetworkAccess`,
/// `anonymousPullEnabled`, `networkRuleSet`, `policies`, `sku`) is in this one, which
/// sovereign clouds, slower to receive new versions, serve too.
pub const REGISTRIES_API: &str = "2023-07-01";
/// Microsoft.ManagedIdentity: user-assigned identities and their federated credentials.
pub const MANAGED_IDENTITY_API: &str = "2023-01-31";
/// Microsoft.Network: subnets, NSGs, route tables, Application Gateways, WAF policies.
pub const NETWORK_API: &str = "2024-05-01";
/// Microsoft.Authorization policy assignments.
pub const POLICY_ASSIGNMENTS_API: &str = "2023-04-01";
/// Microsoft.Insights log search (scheduled query) alert rules.
pub const SCHEDULED_QUERY_RULES_API: &str = "2021-08-01";
/// Microsoft.Insights metric alert rules.
pub const METRIC_ALERTS_API: &str = "2018-03-01";
/// Microsoft.Insights activity log alert rules.
pub const ACTIVITY_LOG_ALERTS_API: &str = "2020-10-01";
/// Microsoft.Security security contacts (no GA version exists; see the module docs).
pub const SECURITY_CONTACTS_API: &str = "2023-12-01-preview";

/// One kind of resource read through Resource Manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Subscriptions,
    ManagedClusters,
    AgentPools,
    MaintenanceConfigurations,
    DiagnosticSettings,
    Pricings,
    RoleAssignments,
    Registries,
    UserAssignedIdentities,
    FederatedCredentials,
    Subnets,
    NetworkSecurityGroups,
    RouteTables,
    ApplicationGateways,
    WafPolicies,
    PolicyAssignments,
    ScheduledQueryRules,
    MetricAlerts,
    ActivityLogAlerts,
    SecurityContacts,
}

impl Kind {
    pub const ALL: [Kind; 20] = [
        Kind::Subscriptions,
        Kind::ManagedClusters,
        Kind::AgentPools,
        Kind::MaintenanceConfigurations,
        Kind::DiagnosticSettings,
        Kind::Pricings,
        Kind::RoleAssignments,
        Kind::Registries,
        Kind::UserAssignedIdentities,
        Kind::FederatedCredentials,
        Kind::Subnets,
        Kind::NetworkSecurityGroups,
        Kind::RouteTables,
        Kind::ApplicationGateways,
        Kind::WafPolicies,
        Kind::PolicyAssignments,
        Kind::ScheduledQueryRules,
        Kind::MetricAlerts,
        Kind::ActivityLogAlerts,
        Kind::SecurityContacts,
    ];

    /// The resource type as Resource Manager names it.
    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::Subscriptions => "Microsoft.Resources/subscriptions",
            Kind::ManagedClusters => "Microsoft.ContainerService/managedClusters",
            Kind::AgentPools => "Microsoft.ContainerService/managedClusters/agentPools",
            Kind::MaintenanceConfigurations => {
                "Microsoft.ContainerService/managedClusters/maintenanceConfigurations"
            }
            Kind::DiagnosticSettings => "Microsoft.Insights/diagnosticSettings",
            Kind::Pricings => "Microsoft.Security/pricings",
            Kind::RoleAssignments => "Microsoft.Authorization/roleAssignments",
            Kind::Registries => "Microsoft.ContainerRegistry/registries",
            Kind::UserAssignedIdentities => "Microsoft.ManagedIdentity/userAssignedIdentities",
            Kind::FederatedCredentials => {
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
            }
            Kind::Subnets => "Microsoft.Network/virtualNetworks/subnets",
            Kind::NetworkSecurityGroups => "Microsoft.Network/networkSecurityGroups",
            Kind::RouteTables => "Microsoft.Network/routeTables",
            Kind::ApplicationGateways => "Microsoft.Network/applicationGateways",
            Kind::WafPolicies => {
                "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
            }
            Kind::PolicyAssignments => "Microsoft.Authorization/policyAssignments",
            Kind::ScheduledQueryRules => "Microsoft.Insights/scheduledQueryRules",
            Kind::MetricAlerts => "Microsoft.Insights/metricAlerts",
            Kind::ActivityLogAlerts => "Microsoft.Insights/activityLogAlerts",
            Kind::SecurityContacts => "Microsoft.Security/securityContacts",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Subscriptions => SUBSCRIPTIONS_API,
            Kind::ManagedClusters | Kind::AgentPools | Kind::MaintenanceConfigurations => {
                CONTAINER_SERVICE_API
            }
            Kind::DiagnosticSettings => DIAGNOSTIC_SETTINGS_API,
            Kind::Pricings => PRICINGS_API,
            Kind::RoleAssignments => ROLE_ASSIGNMENTS_API,
            Kind::Registries => REGISTRIES_API,
            Kind::UserAssignedIdentities | Kind::FederatedCredentials => MANAGED_IDENTITY_API,
            Kind::Subnets
            | Kind::NetworkSecurityGroups
            | Kind::RouteTables
            | Kind::ApplicationGateways
            | Kind::WafPolicies => NETWORK_API,
            Kind::PolicyAssignments => POLICY_ASSIGNMENTS_API,
            Kind::ScheduledQueryRules => SCHEDULED_QUERY_RULES_API,
            Kind::MetricAlerts => METRIC_ALERTS_API,
            Kind::ActivityLogAlerts => ACTIVITY_LOG_ALERTS_API,
            Kind::SecurityContacts => SECURITY_CONTACTS_API,
        }
    }

    /// The kind as the rules name it (`aksguard_model` Azure kinds: `ManagedCluster`,
    /// `DiagnosticSetting`, …); `None` for what the rules never miss: subscriptions, and
    /// agent pools (judged from the cluster body's `agentPoolProfiles` when their list
    /// cannot be read).
    pub fn rule_kind(self) -> Option<&'static str> {
        Some(match self {
            Kind::Subscriptions | Kind::AgentPools => return None,
            Kind::ManagedClusters => kinds::MANAGED_CLUSTER,
            Kind::MaintenanceConfigurations => "MaintenanceConfiguration",
            Kind::DiagnosticSettings => "DiagnosticSetting",
            Kind::Pricings => kinds::DEFENDER_PRICING,
            Kind::RoleAssignments => kinds::ROLE_ASSIGNMENT,
            Kind::Registries => "ContainerRegistry",
            Kind::UserAssignedIdentities => kinds::MANAGED_IDENTITY,
            Kind::FederatedCredentials => kinds::FEDERATED_CREDENTIAL,
            Kind::Subnets => kinds::SUBNET,
            Kind::NetworkSecurityGroups => kinds::NSG,
            Kind::RouteTables => kinds::ROUTE_TABLE,
            Kind::ApplicationGateways => kinds::APPLICATION_GATEWAY,
            Kind::WafPolicies => kinds::WAF_POLICY,
            Kind::PolicyAssignments => kinds::POLICY_ASSIGNMENT,
            Kind::ScheduledQueryRules | Kind::MetricAlerts | Kind::ActivityLogAlerts => {
                kinds::ALERT_RULE
            }
            Kind::SecurityContacts => kinds::SECURITY_CONTACT,
        })
    }

    /// The permission action reading this kind needs.
    pub fn read_action(self) -> String {
        format!("{}/read", self.resource_type())
    }

    /// What a scan loses when this kind cannot be read, for the error entry.
    pub fn consequence(self) -> &'static str {
        match self {
            Kind::Subscriptions => "no subscription could be chosen",
            Kind::ManagedClusters => "the clusters of this scope are not in the scan",
            Kind::AgentPools => {
                "the node pools are judged as the cluster body lists them \
                 (`agentPoolProfiles`)"
            }
            Kind::MaintenanceConfigurations => {
                "rules about planned maintenance are not conclusive for this cluster"
            }
            Kind::DiagnosticSettings => {
                "rules about the cluster's audit log are not conclusive for this cluster"
            }
            Kind::Pricings => "the Defender for Containers plan of this subscription is not judged",
            Kind::RoleAssignments => {
                "role assignments of this scope (and the registries the kubelet identity \
                 pulls from, when the scope is the subscription) are not judged"
            }
            Kind::Registries => "this registry's settings are not judged",
            Kind::UserAssignedIdentities => {
                "workload identities of this subscription and their Azure roles are not judged"
            }
            Kind::FederatedCredentials => {
                "which ServiceAccounts this identity's federated credentials trust is not known"
            }
            Kind::Subnets => {
                "this node subnet's NSG and route table are not known (rules about them are \
                 not conclusive)"
            }
            Kind::NetworkSecurityGroups => "this node subnet NSG's rules are not judged",
            Kind::RouteTables => {
                "whether this node subnet's egress goes through a firewall is not conclusive"
            }
            Kind::ApplicationGateways | Kind::WafPolicies => {
                "the WAF of this cluster's Application Gateway is not judged"
            }
            Kind::PolicyAssignments => {
                "which Azure Policy initiatives apply to this cluster is not known (rules \
                 about their absence are not conclusive)"
            }
            Kind::ScheduledQueryRules | Kind::MetricAlerts | Kind::ActivityLogAlerts => {
                "whether an alert rule watches the clusters of this subscription is not \
                 conclusive"
            }
            Kind::SecurityContacts => {
                "whether Defender notifies anyone for this subscription is not conclusive"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_dated_api_version_and_a_read_action() {
        for kind in Kind::ALL {
            let version = kind.api_version();
            assert!(
                version.len() >= 10 && version.as_bytes()[4] == b'-',
                "{kind:?}: {version}"
            );
            assert!(kind.read_action().ends_with("/read"));
            assert!(kind.read_action().starts_with("Microsoft."));
        }
        assert_eq!(
            Kind::DiagnosticSettings.read_action(),
            "Microsoft.Insights/diagnosticSettings/read"
        );
    }

    #[test]
    fn surrounding_kinds_name_the_rule_kinds_and_each_alert_api_the_alert_kind() {
        let named: Vec<Option<&str>> = [
            Kind::UserAssignedIdentities,
            Kind::FederatedCredentials,
            Kind::Subnets,
            Kind::NetworkSecurityGroups,
            Kind::RouteTables,
            Kind::ApplicationGateways,
            Kind::WafPolicies,
            Kind::PolicyAssignments,
            Kind::SecurityContacts,
        ]
        .iter()
        .map(|k| k.rule_kind())
        .collect();
        assert_eq!(
            named,
            [
                kinds::MANAGED_IDENTITY,
                kinds::FEDERATED_CREDENTIAL,
                kinds::SUBNET,
                kinds::NSG,
                kinds::ROUTE_TABLE,
                kinds::APPLICATION_GATEWAY,
                kinds::WAF_POLICY,
                kinds::POLICY_ASSIGNMENT,
                kinds::SECURITY_CONTACT,
            ]
            .map(Some)
        );
        for alerts in [
            Kind::ScheduledQueryRules,
            Kind::MetricAlerts,
            Kind::ActivityLogAlerts,
        ] {
            assert_eq!(alerts.rule_kind(), Some(kinds::ALERT_RULE));
        }
    }
}
