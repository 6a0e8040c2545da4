//! Azure resources an AKS scan reads (managed clusters, their node pools, diagnostic
//! settings, maintenance configurations, role assignments, Defender pricings, container
//! registries), normalised from `az` JSON, ARM REST bodies, ARM templates and Terraform into
//! ONE shape: the ARM REST `properties` tree, positioned, plus the paths whose values could
//! not be resolved (template expressions, Terraform variables without defaults).
//!
//! Rules read settings through [`Settings::get`], which answers Known / Unknown / Absent;
//! a rule fires only on Known values, or on Absent where the API default is insecure.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::node::{Node, Pos, Value};
use crate::object::Source;

pub mod builtins;
pub mod refs;
pub mod scopes;
pub mod surroundings;

pub use refs::{Ref, ResourceKey};
pub use surroundings::*;

/// Which input format a resource came from (for messages and remediation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AzureFormat {
    /// `az aks show -o json` / `az aks list` (flattened properties, az key spelling).
    AzCli,
    /// An ARM REST response body (`properties.…`).
    ArmRest,
    /// An ARM deployment template (`resources[]`), including `az bicep build` output.
    ArmTemplate,
    /// Terraform `.tf` configuration (azurerm provider).
    Terraform,
    /// `terraform show -json` plan or state.
    TerraformPlan,
    /// A `.bicep` file (resources declared directly, or in local modules it calls).
    Bicep,
    /// Terraform `azapi_resource` / `azapi_update_resource` (the body is the REST shape in HCL).
    TerraformAzapi,
    /// A call of the Azure Verified Module for managed clusters from Bicep
    /// (`br/public:avm/res/container-service/managed-cluster`), judged from its inputs.
    AvmBicep,
    /// A call of the Azure Verified Module for managed clusters from Terraform
    /// (`Azure/avm-res-containerservice-managedcluster/azurerm`), judged from its inputs.
    AvmTerraform,
}

impl AzureFormat {
    /// A short, stable name of the form, for listings and `explain-source`.
    pub fn label(self) -> &'static str {
        match self {
            AzureFormat::AzCli => "az-cli",
            AzureFormat::ArmRest => "arm-rest",
            AzureFormat::ArmTemplate => "arm-template",
            AzureFormat::Terraform => "terraform",
            AzureFormat::TerraformPlan => "terraform-plan",
            AzureFormat::Bicep => "bicep",
            AzureFormat::TerraformAzapi => "terraform-azapi",
            AzureFormat::AvmBicep => "avm-bicep",
            AzureFormat::AvmTerraform => "avm-terraform",
        }
    }
}

/// A value looked up in [`Settings`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lookup<'a> {
    Known(&'a Node),
    /// Present but unresolvable (an ARM expression, a Terraform variable): never fire on it.
    Unknown(&'a str),
    /// Not set: the API (or provider) default applies.
    Absent,
}

impl<'a> Lookup<'a> {
    pub fn node(self) -> Option<&'a Node> {
        match self {
            Lookup::Known(node) => Some(node),
            _ => None,
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        self.node().and_then(Node::as_bool)
    }

    pub fn as_str(self) -> Option<&'a str> {
        self.node().and_then(Node::as_str)
    }

    pub fn is_unknown(self) -> bool {
        matches!(self, Lookup::Unknown(_))
    }

    pub fn is_absent(self) -> bool {
        matches!(self, Lookup::Absent)
    }

    /// A boolean with the default applied when absent; `None` when unknown or not a boolean.
    pub fn bool_or(self, default: bool) -> Option<bool> {
        match self {
            Lookup::Known(node) => node.as_bool(),
            Lookup::Unknown(_) => None,
            Lookup::Absent => Some(default),
        }
    }
}

/// A positioned property tree in ARM REST shape plus its unresolvable paths.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The `properties` mapping (for `az` output: the flattened top level).
    pub root: Node,
    /// Dotted paths (REST spelling) whose values are unknown, with the reason. The empty
    /// path marks the whole tree unknown (an ARM `properties` that is one expression).
    pub unknown: BTreeMap<String, String>,
}

impl Settings {
    pub fn new(root: Node) -> Self {
        Settings {
            root,
            unknown: BTreeMap::new(),
        }
    }

    /// The settings of one part of this tree (a node pool of `agentPoolProfiles`): `part` is
    /// that part's tree, found at `path` (`agentPoolProfiles[0]`), and the unknown paths
    /// below `path` carry over, relative to it.
    pub fn part(&self, path: &str, part: Node) -> Settings {
        let prefix = format!("{path}.");
        let unknown = self
            .unknown
            .iter()
            .filter_map(|(known_at, why)| {
                known_at
                    .strip_prefix(&prefix)
                    .map(|rest| (rest.to_owned(), why.clone()))
            })
            .collect();
        Settings {
            root: part,
            unknown,
        }
    }

    /// Looks up a dotted REST path (`aadProfile.managed`, `addonProfiles.azurepolicy.enabled`).
    /// Keys match case-insensitively, so az CLI spellings (`enableRbac`) answer REST names
    /// (`enableRBAC`). An unknown path, or an unknown ancestor, answers Unknown.
    pub fn get(&self, path: &str) -> Lookup<'_> {
        lookups::note(self, path);
        if let Some(reason) = self.unknown.get("") {
            return Lookup::Unknown(reason);
        }
        let mut prefix = String::new();
        let mut node = &self.root;
        for segment in path.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(segment);
            if let Some(reason) = self.unknown_at(&prefix) {
                return Lookup::Unknown(reason);
            }
            match get_ignore_case(node, segment) {
                Some(child) => node = child,
                None => return Lookup::Absent,
            }
        }
        if node.is_null() {
            return Lookup::Absent;
        }
        Lookup::Known(node)
    }

    fn unknown_at(&self, path: &str) -> Option<&str> {
        self.unknown
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(path))
            .map(|(_, reason)| reason.as_str())
    }

    /// Where to report a setting: the deepest present node along the path.
    pub fn pos_of(&self, path: &str, fallback: Pos) -> Pos {
        let mut node = &self.root;
        let mut pos = fallback;
        for segment in path.split('.') {
            match get_ignore_case(node, segment) {
                Some(child) => {
                    node = child;
                    pos = child.pos;
                }
                None => break,
            }
        }
        pos
    }
}

/// Which [`Settings`] a recorded lookup was made on: the address of the `Settings` value,
/// valid while the settings stay where they were during the recording (an inventory is not
/// changed while rules run). Compare it with [`SettingsId::of`] of the candidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SettingsId(usize);

impl SettingsId {
    pub fn of(settings: &Settings) -> SettingsId {
        SettingsId(std::ptr::from_ref(settings) as usize)
    }
}

/// Recording the paths [`Settings::get`] is asked for, to show which settings rules read
/// (`aksguard explain-source`). Off by default: a lookup then costs one thread-local flag
/// check. Recording is per thread: run the rules on the recording thread (a one-thread
/// pool's `install`, inside [`lookups::record`]).
pub mod lookups {
    use std::cell::{Cell, RefCell};

    use super::{Settings, SettingsId};

    thread_local! {
        static ACTIVE: Cell<bool> = const { Cell::new(false) };
        static SEEN: RefCell<Vec<(SettingsId, String)>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn note(settings: &Settings, path: &str) {
        if ACTIVE.with(Cell::get) {
            SEEN.with(|seen| {
                seen.borrow_mut()
                    .push((SettingsId::of(settings), path.to_owned()));
            });
        }
    }

    /// Runs `work` with recording on (on this thread) and returns its result with every
    /// lookup made meanwhile, in order (repeats kept). Nested calls record into the
    /// outermost.
    pub fn record<R>(work: impl FnOnce() -> R) -> (R, Vec<(SettingsId, String)>) {
        let was = ACTIVE.with(|a| a.replace(true));
        let before = SEEN.with(|seen| seen.borrow().len());
        // Restores the flag even if `work` unwinds.
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                ACTIVE.with(|a| a.set(self.0));
            }
        }
        let reset = Reset(was);
        let result = work();
        drop(reset);
        let seen = SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            if was {
                seen[before..].to_vec()
            } else {
                std::mem::take(&mut *seen)
            }
        });
        (result, seen)
    }
}

fn get_ignore_case<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| &e.value),
        _ => None,
    }
}

/// An AKS node pool: an entry of `agentPoolProfiles`, an ARM `agentPools` child resource,
/// Terraform `default_node_pool` or `azurerm_kubernetes_cluster_node_pool`.
#[derive(Clone, Debug)]
pub struct NodePool {
    pub name: String,
    pub pos: Pos,
    pub source: Arc<Source>,
    /// The pool's properties in REST shape (`mode`, `enableNodePublicIP`, `osDiskType`, …).
    pub settings: Settings,
}

/// A `Microsoft.Insights/diagnosticSettings` (Terraform `azurerm_monitor_diagnostic_setting`)
/// targeting a cluster.
#[derive(Clone, Debug)]
pub struct DiagnosticSetting {
    pub name: String,
    pub pos: Pos,
    pub source: Arc<Source>,
    /// Enabled log categories (`kube-audit`, `kube-audit-admin`, `guard`, …) and category
    /// groups (`audit`, `allLogs`), lower-cased. `None` when unresolvable.
    pub categories: Option<Vec<String>>,
}

/// A role assignment found beside a cluster (ARM `Microsoft.Authorization/roleAssignments`,
/// Terraform `azurerm_role_assignment`).
#[derive(Clone, Debug)]
pub struct RoleAssignment {
    pub pos: Pos,
    pub source: Arc<Source>,
    /// The assignment's resource ID when the source gives it (`az role assignment list`).
    pub id: Option<String>,
    /// Role definition name or ID (`AcrPull`, `/…/roleDefinitions/7f951dda-…`), if known.
    pub role: Option<String>,
    /// The principal: its object ID, or the expression naming it (an identity's
    /// `principal_id`, the kubelet identity's `objectId`), resolved to a key where the
    /// loader can.
    pub principal: Option<Ref>,
    /// `principalName` (`az role assignment list`: a UPN, group or app name), for
    /// `[azure] admin-principals` and messages.
    pub principal_name: Option<String>,
    /// `principalType`: `User`, `Group`, `ServicePrincipal`, …
    pub principal_type: Option<String>,
    /// The scope (to recognise a cluster, resource group, subscription or registry).
    pub scope: Option<Ref>,
}

/// One AKS managed cluster with everything that joined it from the same scan.
#[derive(Clone, Debug)]
pub struct ManagedCluster {
    pub name: String,
    /// The ARM resource ID when the source gives it (`az aks show`, REST bodies), used to
    /// join `az` list output of the cluster's child resources.
    pub id: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    pub pos: Pos,
    pub source: Arc<Source>,
    pub format: AzureFormat,
    /// Cluster properties in REST shape. `sku` and `identity` (top-level in REST) are copied
    /// under the keys `sku` and `identity` here so rules read one tree.
    pub settings: Settings,
    pub node_pools: Vec<NodePool>,
    pub diagnostic_settings: Vec<DiagnosticSetting>,
    /// Names of `maintenanceConfigurations` (e.g. `aksManagedAutoUpgradeSchedule`).
    pub maintenance_configurations: Vec<String>,
    /// How other resources of the same source name the cluster and its resource group when
    /// the IDs are not known (Terraform addresses, ARM symbolic names).
    pub refs: ClusterRefs,
    /// What the cluster's sources could show beside its own settings: an ARM template or
    /// Terraform can declare diagnostic settings and maintenance configurations next to the
    /// cluster, `az aks show` JSON and REST bodies cannot (they are separate resources)
    /// unless the matching `az` list output joined the cluster. Rules about their absence
    /// judge only what the source could hold.
    pub holds: Holds,
}

/// Symbols naming a cluster and its resource group (see [`refs`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterRefs {
    /// The cluster's own symbols (`tf:<file>#azurerm_kubernetes_cluster.main`).
    pub symbols: Vec<String>,
    /// Its resource group when named by a symbol or an ID the cluster's own fields do not
    /// give (`resource_group_name = azurerm_resource_group.rg.name`).
    pub resource_group: Option<Ref>,
    /// Its node pools' subnets as the source names them, by pool name (Terraform
    /// `vnet_subnet_id = azurerm_subnet.nodes.id`), for joins the settings' ID strings
    /// (`agentPoolProfiles[].vnetSubnetID`, Unknown there when the subnet's names are not
    /// literal) cannot make. Empty when the source gives IDs (az, REST, ARM): rules then
    /// read the settings.
    pub subnets: Vec<(String, Ref)>,
    /// The AGIC add-on's Application Gateway as the source names it
    /// (`ingress_application_gateway { gateway_id = azurerm_application_gateway.x.id }`);
    /// `None` where the settings' `addonProfiles.ingressApplicationGateway.config.applicationGatewayId` is all there is.
    pub application_gateway: Option<Ref>,
    /// The kubelet identity as role assignments name it: the user-assigned identity the
    /// cluster names, else a symbol for the cluster's own kubelet identity
    /// (`<cluster symbol>.kubelet_identity`, which
    /// `azurerm_kubernetes_cluster.x.kubelet_identity[0].object_id` resolves to). `None`
    /// where the settings' `identityProfile.kubeletidentity` is all there is.
    pub kubelet_identity: Option<Ref>,
    /// The Log Analytics workspace of the monitoring add-on as the source names it
    /// (`oms_agent { log_analytics_workspace_id = azurerm_log_analytics_workspace.w.id }`).
    pub log_analytics_workspace: Option<Ref>,
}

impl ManagedCluster {
    /// The cluster's key: its ID, or one built from its resource group and name with
    /// unknown segments, plus its symbols.
    pub fn key(&self) -> ResourceKey {
        let id = self.id.clone().or_else(|| {
            (!self.name.is_empty() && !self.name.contains(['/', ' ', '$', '[', '(']))
                .then(|| {
                    format!(
                        "/subscriptions/{unknown}/resourceGroups/{}/providers/Microsoft.ContainerService/managedClusters/{}",
                        self.resource_group.as_deref().unwrap_or(refs::UNKNOWN_SEGMENT),
                        self.name,
                        unknown = refs::UNKNOWN_SEGMENT,
                    )
                })
        });
        ResourceKey {
            id,
            symbols: self.refs.symbols.clone(),
        }
    }
}

/// Which separately-stored resources of a cluster its scanned sources could contain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holds {
    pub diagnostic_settings: bool,
    pub maintenance_configurations: bool,
}

impl Holds {
    /// Templates and Terraform declare child resources beside the cluster.
    pub const EVERYTHING: Holds = Holds {
        diagnostic_settings: true,
        maintenance_configurations: true,
    };
    /// `az aks show`/`az aks list` JSON and REST bodies: the cluster alone.
    pub const CLUSTER_ONLY: Holds = Holds {
        diagnostic_settings: false,
        maintenance_configurations: false,
    };
}

/// A child resource of a cluster read from `az` list output in its own file
/// (`az monitor diagnostic-settings list --resource <cluster id>`, `az aks
/// maintenanceconfiguration list`), waiting to be joined to its cluster by resource ID once
/// every input is loaded.
#[derive(Clone, Debug)]
pub struct ListedChild {
    /// The cluster's resource ID, from the child's own `id`.
    pub cluster_id: String,
    pub pos: Pos,
    pub source: Arc<Source>,
    pub child: ChildResource,
}

#[derive(Clone, Debug)]
pub enum ChildResource {
    DiagnosticSetting(DiagnosticSetting),
    /// A maintenance configuration's name.
    MaintenanceConfiguration(String),
    /// An agent pool from `az aks nodepool list`: it replaces the cluster's pool of the same
    /// name (the list is newer and has `nodeImageVersion`), or is added.
    NodePool(NodePool),
}

/// A container registry (`Microsoft.ContainerRegistry/registries`, `azurerm_container_registry`).
#[derive(Clone, Debug)]
pub struct ContainerRegistry {
    pub name: String,
    pub pos: Pos,
    pub source: Arc<Source>,
    pub format: AzureFormat,
    /// Registry properties in REST shape; `sku` copied under the key `sku`.
    pub settings: Settings,
}

/// A Defender for Cloud plan (`Microsoft.Security/pricings`,
/// `azurerm_security_center_subscription_pricing`).
#[derive(Clone, Debug)]
pub struct DefenderPricing {
    /// Plan name (`Containers`, `KubernetesService`, …).
    pub plan: String,
    pub pos: Pos,
    pub source: Arc<Source>,
    /// `Standard` or `Free`; `None` when unresolvable.
    pub tier: Option<String>,
    /// The plan's extensions as the source lists them; `None` when unresolvable or not
    /// given (nothing is judged about them then).
    pub extensions: Option<Vec<PricingExtension>>,
}

/// Every Azure resource of a scan. Loaders fill it; cross-resource joins (node pools,
/// diagnostic settings to their cluster) are done by the loader that sees both.
#[derive(Clone, Debug, Default)]
pub struct AzureResources {
    pub clusters: Vec<ManagedCluster>,
    pub registries: Vec<ContainerRegistry>,
    pub pricings: Vec<DefenderPricing>,
    pub role_assignments: Vec<RoleAssignment>,
    pub identities: Vec<ManagedIdentity>,
    pub federated_credentials: Vec<FederatedCredential>,
    pub subnets: Vec<Subnet>,
    pub nsgs: Vec<NetworkSecurityGroup>,
    pub route_tables: Vec<RouteTable>,
    pub application_gateways: Vec<ApplicationGateway>,
    pub waf_policies: Vec<WafPolicy>,
    pub policy_assignments: Vec<PolicyAssignment>,
    pub alert_rules: Vec<AlertRule>,
    pub security_contacts: Vec<SecurityContact>,
    /// Child resources from `az` list output not yet joined to their cluster.
    pub listed: Vec<ListedChild>,
    /// Children declared apart from their parents, not yet joined.
    pub detached: Detached,
}

/// The kind names of Azure resources as rules, `--complete` coverage and the live scan's
/// unread list name them.
pub mod kinds {
    pub const MANAGED_CLUSTER: &str = "ManagedCluster";
    pub const ROLE_ASSIGNMENT: &str = "RoleAssignment";
    pub const MANAGED_IDENTITY: &str = "ManagedIdentity";
    pub const FEDERATED_CREDENTIAL: &str = "FederatedIdentityCredential";
    pub const SUBNET: &str = "Subnet";
    pub const NSG: &str = "NetworkSecurityGroup";
    pub const ROUTE_TABLE: &str = "RouteTable";
    pub const APPLICATION_GATEWAY: &str = "ApplicationGateway";
    pub const WAF_POLICY: &str = "WafPolicy";
    pub const POLICY_ASSIGNMENT: &str = "PolicyAssignment";
    pub const ALERT_RULE: &str = "AlertRule";
    pub const SECURITY_CONTACT: &str = "SecurityContact";
    pub const DEFENDER_PRICING: &str = "DefenderPricing";
}

impl AzureResources {
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
            && self.registries.is_empty()
            && self.pricings.is_empty()
            && self.role_assignments.is_empty()
            && self.identities.is_empty()
            && self.federated_credentials.is_empty()
            && self.subnets.is_empty()
            && self.nsgs.is_empty()
            && self.route_tables.is_empty()
            && self.application_gateways.is_empty()
            && self.waf_policies.is_empty()
            && self.policy_assignments.is_empty()
            && self.alert_rules.is_empty()
            && self.security_contacts.is_empty()
            && self.listed.is_empty()
            && self.detached.is_empty()
    }

    pub fn extend(&mut self, other: AzureResources) {
        self.clusters.extend(other.clusters);
        self.registries.extend(other.registries);
        self.pricings.extend(other.pricings);
        self.role_assignments.extend(other.role_assignments);
        self.identities.extend(other.identities);
        self.federated_credentials
            .extend(other.federated_credentials);
        self.subnets.extend(other.subnets);
        self.nsgs.extend(other.nsgs);
        self.route_tables.extend(other.route_tables);
        self.application_gateways.extend(other.application_gateways);
        self.waf_policies.extend(other.waf_policies);
        self.policy_assignments.extend(other.policy_assignments);
        self.alert_rules.extend(other.alert_rules);
        self.security_contacts.extend(other.security_contacts);
        self.listed.extend(other.listed);
        self.detached.extend(other.detached);
    }

    /// How many resources of `kind` (a [`kinds`] name) the scan holds; 0 for a kind it does
    /// not know.
    pub fn count_of_kind(&self, kind: &str) -> usize {
        match kind {
            kinds::MANAGED_CLUSTER => self.clusters.len(),
            kinds::ROLE_ASSIGNMENT => self.role_assignments.len(),
            kinds::MANAGED_IDENTITY => self.identities.len(),
            kinds::FEDERATED_CREDENTIAL => self.federated_credentials.len(),
            kinds::SUBNET => self.subnets.len(),
            kinds::NSG => self.nsgs.len(),
            kinds::ROUTE_TABLE => self.route_tables.len(),
            kinds::APPLICATION_GATEWAY => self.application_gateways.len(),
            kinds::WAF_POLICY => self.waf_policies.len(),
            kinds::POLICY_ASSIGNMENT => self.policy_assignments.len(),
            kinds::ALERT_RULE => self.alert_rules.len(),
            kinds::SECURITY_CONTACT => self.security_contacts.len(),
            kinds::DEFENDER_PRICING => self.pricings.len(),
            _ => 0,
        }
    }

    /// Whether the scan holds at least one resource of `kind` (a [`kinds`] name): a rule
    /// about the absence of such a resource judges only then, or with `--complete`.
    pub fn holds_kind(&self, kind: &str) -> bool {
        match kind {
            kinds::MANAGED_CLUSTER => !self.clusters.is_empty(),
            kinds::ROLE_ASSIGNMENT => !self.role_assignments.is_empty(),
            kinds::MANAGED_IDENTITY => !self.identities.is_empty(),
            kinds::FEDERATED_CREDENTIAL => !self.federated_credentials.is_empty(),
            kinds::SUBNET => !self.subnets.is_empty(),
            kinds::NSG => !self.nsgs.is_empty(),
            kinds::ROUTE_TABLE => !self.route_tables.is_empty(),
            kinds::APPLICATION_GATEWAY => !self.application_gateways.is_empty(),
            kinds::WAF_POLICY => !self.waf_policies.is_empty(),
            kinds::POLICY_ASSIGNMENT => !self.policy_assignments.is_empty(),
            kinds::ALERT_RULE => !self.alert_rules.is_empty(),
            kinds::SECURITY_CONTACT => !self.security_contacts.is_empty(),
            kinds::DEFENDER_PRICING => !self.pricings.is_empty(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Entry;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node {
            pos: Pos::new(1, 1),
            value: Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Entry {
                        key: k.into(),
                        key_pos: v.pos,
                        value: v,
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn lookups_ignore_case_and_respect_unknowns() {
        let mut settings = Settings::new(map(vec![
            ("enableRbac", Node::scalar("false", true, Pos::new(3, 5))),
            (
                "aadProfile",
                map(vec![(
                    "managed",
                    Node::scalar("true", true, Pos::new(5, 7)),
                )]),
            ),
        ]));
        assert_eq!(settings.get("enableRBAC").as_bool(), Some(false));
        assert_eq!(settings.get("aadProfile.managed").as_bool(), Some(true));
        assert!(settings.get("disableLocalAccounts").is_absent());
        assert_eq!(
            settings.get("disableLocalAccounts").bool_or(false),
            Some(false)
        );
        settings
            .unknown
            .insert("aadProfile".into(), "parameter without default".into());
        assert!(settings.get("aadProfile.managed").is_unknown());
        assert_eq!(
            settings.pos_of("enableRBAC", Pos::new(1, 1)),
            Pos::new(3, 5)
        );
    }

    #[test]
    fn lookups_are_recorded_only_while_recording() {
        let settings = Settings::new(map(vec![(
            "enableRbac",
            Node::scalar("true", true, Pos::new(2, 1)),
        )]));
        let other = Settings::new(map(vec![]));
        let _ = settings.get("notRecorded");
        let (value, seen) = lookups::record(|| {
            let _ = other.get("sku.tier");
            settings.get("enableRBAC").as_bool()
        });
        assert_eq!(value, Some(true));
        assert_eq!(
            seen,
            vec![
                (SettingsId::of(&other), "sku.tier".to_owned()),
                (SettingsId::of(&settings), "enableRBAC".to_owned()),
            ]
        );
        // Off again afterwards, and nothing left over for the next recording.
        let _ = settings.get("afterwards");
        let ((), next) = lookups::record(|| {});
        assert!(next.is_empty());
        // Another thread never records into this one's recording.
        let ((), seen) = lookups::record(|| {
            std::thread::scope(|s| {
                s.spawn(|| {
                    let _ = settings.get("elsewhere");
                });
            });
        });
        assert!(seen.is_empty());
    }

    #[test]
    fn a_part_keeps_the_unknown_paths_below_it() {
        let mut settings = Settings::new(map(Vec::new()));
        for path in [
            "agentPoolProfiles[0].count",
            "agentPoolProfiles[1].count",
            "agentPoolProfiles[0]",
            "kubernetesVersion",
        ] {
            settings.unknown.insert(path.into(), format!("why {path}"));
        }
        let pool = settings.part("agentPoolProfiles[0]", map(Vec::new()));
        assert_eq!(
            pool.unknown.into_iter().collect::<Vec<_>>(),
            vec![(
                "count".to_owned(),
                "why agentPoolProfiles[0].count".to_owned()
            )]
        );
    }
}
