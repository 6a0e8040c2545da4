//! Resource Manager type names of the cluster's surroundings, lower-cased, shared by every
//! reader (az JSON and REST bodies, ARM templates, azapi) so that they recognise the same
//! types. Compare with `eq_ignore_ascii_case` or against a lower-cased type.

pub(crate) const IDENTITY: &str = "microsoft.managedidentity/userassignedidentities";
pub(crate) const FEDERATED: &str =
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials";
pub(crate) const VNET: &str = "microsoft.network/virtualnetworks";
pub(crate) const SUBNET: &str = "microsoft.network/virtualnetworks/subnets";
pub(crate) const NSG: &str = "microsoft.network/networksecuritygroups";
pub(crate) const NSG_RULE: &str = "microsoft.network/networksecuritygroups/securityrules";
pub(crate) const ROUTE_TABLE: &str = "microsoft.network/routetables";
pub(crate) const ROUTE: &str = "microsoft.network/routetables/routes";
pub(crate) const APP_GATEWAY: &str = "microsoft.network/applicationgateways";
pub(crate) const WAF_POLICY: &str =
    "microsoft.network/applicationgatewaywebapplicationfirewallpolicies";
pub(crate) const POLICY_ASSIGNMENT: &str = "microsoft.authorization/policyassignments";
pub(crate) const SCHEDULED_QUERY: &str = "microsoft.insights/scheduledqueryrules";
pub(crate) const METRIC_ALERT: &str = "microsoft.insights/metricalerts";
pub(crate) const ACTIVITY_LOG_ALERT: &str = "microsoft.insights/activitylogalerts";
pub(crate) const SECURITY_CONTACT: &str = "microsoft.security/securitycontacts";
