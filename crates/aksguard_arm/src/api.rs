//! What aksguard reads from Azure Resource Manager: each resource type with the api-version
//! it is read at (pinned, so a scan does not change when Azure adds a version) and the
//! permission action a 403 names.
//!
//! The versions are the current generally available ones for each provider (2026-12), except
//! diagnostic settings, whose newest version is the `2021-05-01-preview` every Azure SDK
//! and `az monitor diagnostic-settings` use (the provider has published no GA version of
//! the settings API with category groups). Every action is part of the built-in Reader role.

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
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Subscriptions,
        Kind::ManagedClusters,
        Kind::AgentPools,
        Kind::MaintenanceConfigurations,
        Kind::DiagnosticSettings,
        Kind::Pricings,
        Kind::RoleAssignments,
        Kind::Registries,
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
        }
    }

    /// The kind as the rules name it (`aksguard_model` Azure kinds: `ManagedCluster`,
    /// `DiagnosticSetting`, …); `None` for what the rules never miss: subscriptions, and
    /// agent pools (judged from the cluster body's `agentPoolProfiles` when their list
    /// cannot be read).
    pub fn rule_kind(self) -> Option<&'static str> {
        match self {
            Kind::Subscriptions | Kind::AgentPools => None,
            Kind::ManagedClusters => Some("ManagedCluster"),
            Kind::MaintenanceConfigurations => Some("MaintenanceConfiguration"),
            Kind::DiagnosticSettings => Some("DiagnosticSetting"),
            Kind::Pricings => Some("DefenderPricing"),
            Kind::RoleAssignments => Some("RoleAssignment"),
            Kind::Registries => Some("ContainerRegistry"),
        }
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
}
