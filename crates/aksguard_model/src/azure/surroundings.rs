//! The cluster's Azure surroundings: identities and their federated credentials, subnets,
//! network security groups, route tables, Application Gateways and WAF policies, policy
//! assignments, alert rules and Defender security contacts (RULES.md, "Azure surroundings of
//! the cluster").
//!
//! Every loader (az JSON, REST bodies, ARM/Bicep templates, Terraform azurerm and azapi, the
//! live ARM scan) normalises into these typed shapes. A scalar that the source does not
//! resolve is `None` (Unknown: no rule fires on it); where a rule must tell "absent" from
//! "unknown" the field is a [`Link`] or carries an explicit `unknown` reason. References
//! between resources are [`Ref`]s joined by [`ResourceKey`] (see [`super::refs`]).
//!
//! Children that a source may declare apart from their parent (Terraform
//! `azurerm_network_security_rule`, `azurerm_route`, `azurerm_subnet_*_association`; ARM
//! `networkSecurityGroups/securityRules`, `routeTables/routes`) are collected in
//! [`Detached`] and joined once every input is loaded by [`AzureResources::join_surroundings`].

use std::sync::Arc;

use super::refs::{Ref, ResourceKey};
use super::{AzureFormat, AzureResources};
use crate::node::Pos;
use crate::object::Source;

/// Where a resource was found and how others name it: shared by every surrounding resource.
#[derive(Clone, Debug)]
pub struct ResourceMeta {
    /// The resource's name (for a Terraform resource without a literal name, its address).
    pub name: String,
    pub key: ResourceKey,
    pub pos: Pos,
    pub source: Arc<Source>,
    pub format: AzureFormat,
}

/// A link from one resource to another that may be absent (known to be none) or unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// Linked to the resource this reference names (which may or may not be in the scan).
    To(Ref),
    /// Known to be linked to nothing.
    Absent,
    /// Not resolvable from the source (why).
    Unknown(String),
}

impl Link {
    pub fn target(&self) -> Option<&Ref> {
        match self {
            Link::To(target) => Some(target),
            _ => None,
        }
    }
}

/// A user-assigned managed identity (`Microsoft.ManagedIdentity/userAssignedIdentities`,
/// `azurerm_user_assigned_identity`, `az identity show|list`).
#[derive(Clone, Debug)]
pub struct ManagedIdentity {
    pub meta: ResourceMeta,
    /// The service principal's object ID (what role assignments name), when known.
    pub principal_id: Option<String>,
    /// The application (client) ID (what a ServiceAccount's
    /// `azure.workload.identity/client-id` annotation names), when known.
    pub client_id: Option<String>,
}

/// A federated identity credential of a user-assigned identity
/// (`…/userAssignedIdentities/federatedIdentityCredentials`,
/// `azurerm_federated_identity_credential`, `az identity federated-credential list`).
#[derive(Clone, Debug)]
pub struct FederatedCredential {
    pub meta: ResourceMeta,
    /// The identity it belongs to.
    pub identity: Option<Ref>,
    pub issuer: Option<String>,
    /// `system:serviceaccount:<namespace>:<name>` for Kubernetes workload identity.
    pub subject: Option<String>,
}

/// A subnet (`Microsoft.Network/virtualNetworks/subnets`, a VNet's `subnets[]`,
/// `azurerm_subnet`, an `azurerm_virtual_network` `subnet` block, `az network vnet subnet
/// show|list`).
#[derive(Clone, Debug)]
pub struct Subnet {
    pub meta: ResourceMeta,
    /// The NSG associated with the subnet.
    pub nsg: Link,
    /// The route table associated with the subnet.
    pub route_table: Link,
    /// The source declares associations apart from the subnet (Terraform
    /// `azurerm_subnet_*_association`), so an [`Link::Absent`] here is conclusive only when
    /// the scan is complete.
    pub associations_elsewhere: bool,
}

/// One security rule of an NSG, in REST terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityRule {
    pub name: String,
    pub pos: Pos,
    /// `Inbound` / `Outbound`.
    pub direction: Option<String>,
    /// `Allow` / `Deny`.
    pub access: Option<String>,
    pub priority: Option<i64>,
    /// `Tcp`, `Udp`, `Icmp`, `*`, …
    pub protocol: Option<String>,
    /// `sourceAddressPrefix(es)`: `Internet`, `*`, `0.0.0.0/0`, CIDRs, service tags.
    /// `None` when unresolvable; an application security group source is kept as its ID.
    pub sources: Option<Vec<String>>,
    /// `destinationPortRange(s)`: `*`, `22`, `1000-2000`. `None` when unresolvable.
    pub ports: Option<Vec<String>>,
}

/// A network security group (`Microsoft.Network/networkSecurityGroups`,
/// `azurerm_network_security_group` with inline `security_rule` blocks, `az network nsg
/// show|list`); standalone rules join it.
#[derive(Clone, Debug)]
pub struct NetworkSecurityGroup {
    pub meta: ResourceMeta,
    pub rules: Vec<SecurityRule>,
    /// Why the rule list is not fully known (a `dynamic` block, a rules expression), so
    /// rules about what it lacks stay silent.
    pub rules_unknown: Option<String>,
}

/// One route of a route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub name: String,
    pub pos: Pos,
    pub address_prefix: Option<String>,
    /// `VirtualAppliance`, `Internet`, `VnetLocal`, `VirtualNetworkGateway`, `None`.
    pub next_hop_type: Option<String>,
    pub next_hop_ip: Option<String>,
}

/// A route table (`Microsoft.Network/routeTables`, `azurerm_route_table` with inline `route`
/// blocks, `az network route-table show|list`); standalone routes join it.
#[derive(Clone, Debug)]
pub struct RouteTable {
    pub meta: ResourceMeta,
    pub routes: Vec<Route>,
    pub routes_unknown: Option<String>,
}

/// WAF settings: an Application Gateway's inline `webApplicationFirewallConfiguration` or a
/// WAF policy's `policySettings`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WafSettings {
    pub enabled: Option<bool>,
    /// `Prevention` / `Detection`.
    pub mode: Option<String>,
    pub pos: Option<Pos>,
}

/// An Application Gateway (`Microsoft.Network/applicationGateways`,
/// `azurerm_application_gateway`, `az network application-gateway show`).
#[derive(Clone, Debug)]
pub struct ApplicationGateway {
    pub meta: ResourceMeta,
    /// `sku.tier`: `Standard_v2`, `WAF_v2`, …
    pub sku_tier: Option<String>,
    /// The inline WAF configuration, when the gateway has one.
    pub inline_waf: Option<WafSettings>,
    /// The associated WAF policy (`firewallPolicy.id`, `firewall_policy_id`).
    pub waf_policy: Link,
}

/// A WAF policy (`Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies`,
/// `azurerm_web_application_firewall_policy`, `az network application-gateway waf-policy
/// show`).
#[derive(Clone, Debug)]
pub struct WafPolicy {
    pub meta: ResourceMeta,
    pub settings: WafSettings,
}

/// A policy assignment (`Microsoft.Authorization/policyAssignments`,
/// `azurerm_{subscription,resource_group,resource,management_group}_policy_assignment`, `az
/// policy assignment list`).
#[derive(Clone, Debug)]
pub struct PolicyAssignment {
    pub meta: ResourceMeta,
    /// `policyDefinitionId` (a policy or a policy set, i.e. initiative).
    pub definition: Option<String>,
    /// The scope it is assigned at.
    pub scope: Option<Ref>,
    /// The `effect` parameter's value when the assignment sets it; `None` when it does not
    /// (the definition's default applies) or it is unresolvable (see `effect_unknown`).
    pub effect: Option<String>,
    pub effect_unknown: bool,
    /// `enforcementMode`: `Default` or `DoNotEnforce`.
    pub enforcement_mode: Option<String>,
}

/// Which kind of alert rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    ScheduledQuery,
    Metric,
    ActivityLog,
}

/// An alert rule (`Microsoft.Insights/scheduledQueryRules`, `metricAlerts`,
/// `activityLogAlerts`, their azurerm resources, `az monitor scheduled-query list` / `metrics
/// alert list`).
#[derive(Clone, Debug)]
pub struct AlertRule {
    pub meta: ResourceMeta,
    pub kind: AlertKind,
    /// The resources it watches; `None` when unresolvable.
    pub scopes: Option<Vec<Ref>>,
    pub enabled: Option<bool>,
}

/// A Defender for Cloud security contact (`Microsoft.Security/securityContacts`,
/// `azurerm_security_center_contact`).
#[derive(Clone, Debug)]
pub struct SecurityContact {
    pub meta: ResourceMeta,
    /// Whether it names anyone to notify (emails or a role); `None` when unresolvable.
    pub notifies: Option<bool>,
}

/// A Defender plan extension (`ContainerSensor`, `AgentlessDiscoveryForKubernetes`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricingExtension {
    pub name: String,
    pub pos: Pos,
    /// `isEnabled` (`"True"`/`"False"` in REST); `None` when unresolvable.
    pub enabled: Option<bool>,
}

/// Children declared apart from their parent, joined by [`AzureResources::join_surroundings`].
#[derive(Clone, Debug, Default)]
pub struct Detached {
    /// (NSG, rule): `azurerm_network_security_rule`, ARM `…/securityRules`.
    pub security_rules: Vec<(Ref, SecurityRule)>,
    /// (route table, route): `azurerm_route`, ARM `…/routes`.
    pub routes: Vec<(Ref, Route)>,
    /// (subnet, NSG): `azurerm_subnet_network_security_group_association`.
    pub subnet_nsgs: Vec<(Ref, Ref)>,
    /// (subnet, route table): `azurerm_subnet_route_table_association`.
    pub subnet_route_tables: Vec<(Ref, Ref)>,
}

impl Detached {
    pub fn is_empty(&self) -> bool {
        self.security_rules.is_empty()
            && self.routes.is_empty()
            && self.subnet_nsgs.is_empty()
            && self.subnet_route_tables.is_empty()
    }

    pub fn extend(&mut self, other: Detached) {
        self.security_rules.extend(other.security_rules);
        self.routes.extend(other.routes);
        self.subnet_nsgs.extend(other.subnet_nsgs);
        self.subnet_route_tables.extend(other.subnet_route_tables);
    }
}

impl AzureResources {
    /// Joins detached children to their parents by key. A child whose parent is not in the
    /// scan is kept out and reported in a note (never silently dropped).
    pub fn join_surroundings(&mut self) -> Vec<String> {
        let detached = std::mem::take(&mut self.detached);
        let mut notes = Vec::new();
        for (nsg, rule) in detached.security_rules {
            match self.nsgs.iter_mut().find(|n| nsg.names(&n.meta.key)) {
                Some(parent) => parent.rules.push(rule),
                None => notes.push(format!(
                    "security rule `{}` names NSG `{}`, which is not in the scan; not used",
                    rule.name, nsg.written
                )),
            }
        }
        for (table, route) in detached.routes {
            match self
                .route_tables
                .iter_mut()
                .find(|t| table.names(&t.meta.key))
            {
                Some(parent) => parent.routes.push(route),
                None => notes.push(format!(
                    "route `{}` names route table `{}`, which is not in the scan; not used",
                    route.name, table.written
                )),
            }
        }
        for (subnet, nsg) in detached.subnet_nsgs {
            for found in self
                .subnets
                .iter_mut()
                .filter(|s| subnet.names(&s.meta.key))
            {
                found.nsg = Link::To(nsg.clone());
            }
        }
        for (subnet, table) in detached.subnet_route_tables {
            for found in self
                .subnets
                .iter_mut()
                .filter(|s| subnet.names(&s.meta.key))
            {
                found.route_table = Link::To(table.clone());
            }
        }
        notes
    }

    /// The subnet a reference names, when it is in the scan.
    pub fn subnet(&self, reference: &Ref) -> Option<&Subnet> {
        self.subnets.iter().find(|s| reference.names(&s.meta.key))
    }

    pub fn nsg(&self, reference: &Ref) -> Option<&NetworkSecurityGroup> {
        self.nsgs.iter().find(|n| reference.names(&n.meta.key))
    }

    pub fn route_table(&self, reference: &Ref) -> Option<&RouteTable> {
        self.route_tables
            .iter()
            .find(|t| reference.names(&t.meta.key))
    }

    pub fn application_gateway(&self, reference: &Ref) -> Option<&ApplicationGateway> {
        self.application_gateways
            .iter()
            .find(|g| reference.names(&g.meta.key))
    }

    pub fn waf_policy(&self, reference: &Ref) -> Option<&WafPolicy> {
        self.waf_policies
            .iter()
            .find(|p| reference.names(&p.meta.key))
    }

    /// The identity a principal reference names: by its principal ID, or by key when the
    /// reference is symbolic (`azurerm_user_assigned_identity.x.principal_id`).
    pub fn identity_by_principal(&self, principal: &Ref) -> Option<&ManagedIdentity> {
        self.identities.iter().find(|i| {
            i.principal_id.as_deref().is_some_and(|p| principal.is(p))
                || principal.names(&i.meta.key)
        })
    }
}
