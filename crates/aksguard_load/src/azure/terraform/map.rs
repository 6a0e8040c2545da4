//! THE mapping table: azurerm (v2, v3 and v4 attribute names) → ARM REST property paths of
//! `Microsoft.ContainerService/managedClusters`, its agent pools, and
//! `Microsoft.ContainerRegistry/registries`. Everything the rules read from Terraform goes
//! through the tables below; the few shapes that are not one attribute → one path are the
//! functions after them, each commented.
//!
//! Provider defaults: rules treat Absent as the ARM API default. Where the azurerm provider's
//! default differs, [`cluster_defaults`] / [`pool_defaults`] store the provider default as a
//! Known value positioned at the resource's (or block's) first line.

use std::collections::BTreeMap;

use aksguard_model::azure::{
    AzureFormat, AzureResources, ContainerRegistry, DefenderPricing, DiagnosticSetting, Holds,
    ManagedCluster, NodePool, RoleAssignment, Settings,
};
use aksguard_model::{Entry, Node, Pos, Value};

use super::azapi::{self, RestKind};
use super::symbols::{self, Names};
use super::{Attr, Obj, Resource, Val, surroundings};

pub(crate) const CLUSTER: &str = "azurerm_kubernetes_cluster";
const NODE_POOL: &str = "azurerm_kubernetes_cluster_node_pool";
const DIAGNOSTIC: &str = "azurerm_monitor_diagnostic_setting";
const ROLE_ASSIGNMENT: &str = "azurerm_role_assignment";
const REGISTRY: &str = "azurerm_container_registry";
const PRICING: &str = "azurerm_security_center_subscription_pricing";

pub(crate) fn is_mapped(kind: &str) -> bool {
    [
        CLUSTER,
        NODE_POOL,
        DIAGNOSTIC,
        ROLE_ASSIGNMENT,
        REGISTRY,
        PRICING,
    ]
    .contains(&kind)
        || surroundings::is_surrounding(kind)
}

/// A node pool, diagnostic setting or maintenance configuration (azurerm or azapi).
pub(crate) fn is_cluster_child(resource: &Resource) -> bool {
    resource.kind == NODE_POOL
        || resource.kind == DIAGNOSTIC
        || matches!(
            azapi::rest_kind(resource),
            Some(RestKind::Pool | RestKind::Maintenance | RestKind::Diagnostic)
        )
}

/// A managed cluster (azurerm, or azapi by its type).
pub(crate) fn is_cluster(resource: &Resource) -> bool {
    resource.kind == CLUSTER
        || (resource.kind == azapi::RESOURCE
            && azapi::rest_kind(resource) == Some(RestKind::Cluster))
}

/// `child` names `cluster`: same module, by reference (a copy of a `count`/`for_each`
/// cluster takes the child copy with its key), or, for plans, by resolved id.
pub(crate) fn joins(child: &Resource, cluster: &Resource) -> bool {
    child.module == cluster.module
        && child.caller == cluster.caller
        && ((child.cluster_ref.as_deref() == Some(cluster.reference().as_str())
            && (cluster.instance.is_empty() || child.instance == cluster.instance))
            || (child.id.is_some() && child.id == cluster.id))
}

/// How an attribute value becomes the REST value.
#[derive(Clone, Copy)]
enum Conv {
    /// As is.
    Same,
    /// A boolean negated (`run_command_enabled` → `apiServerAccessProfile.disableRunCommand`).
    Not,
    /// A boolean → `"Enabled"` / `"Disabled"`.
    EnabledDisabled,
    /// A boolean → `"enabled"` / `"disabled"` (ACR policy status).
    LowerEnabled,
}

/// (azurerm attribute names, oldest to newest, REST path, conversion).
type AttrMap = (&'static [&'static str], &'static str, Conv);

/// `azurerm_kubernetes_cluster` top-level attributes.
const CLUSTER_ATTRS: &[AttrMap] = &[
    // v2 spelling first, then v3/v4.
    (
        &[
            "enable_role_based_access_control",
            "role_based_access_control_enabled",
        ],
        "enableRBAC",
        Conv::Same,
    ),
    (
        &["local_account_disabled"],
        "disableLocalAccounts",
        Conv::Same,
    ),
    (
        &["private_cluster_enabled", "private_link_enabled"],
        "apiServerAccessProfile.enablePrivateCluster",
        Conv::Same,
    ),
    (
        &["private_cluster_public_fqdn_enabled"],
        "apiServerAccessProfile.enablePrivateClusterPublicFQDN",
        Conv::Same,
    ),
    (
        &["private_dns_zone_id"],
        "apiServerAccessProfile.privateDNSZone",
        Conv::Same,
    ),
    // v3 only; v4 moved it into `api_server_access_profile`.
    (
        &["api_server_authorized_ip_ranges"],
        "apiServerAccessProfile.authorizedIPRanges",
        Conv::Same,
    ),
    (
        &["azure_policy_enabled"],
        "addonProfiles.azurepolicy.enabled",
        Conv::Same,
    ),
    (
        &["http_application_routing_enabled"],
        "addonProfiles.httpApplicationRouting.enabled",
        Conv::Same,
    ),
    (
        &["open_service_mesh_enabled"],
        "addonProfiles.openServiceMesh.enabled",
        Conv::Same,
    ),
    (
        &["image_cleaner_enabled"],
        "securityProfile.imageCleaner.enabled",
        Conv::Same,
    ),
    (
        &["image_cleaner_interval_hours"],
        "securityProfile.imageCleaner.intervalHours",
        Conv::Same,
    ),
    (
        &["oidc_issuer_enabled"],
        "oidcIssuerProfile.enabled",
        Conv::Same,
    ),
    (
        &["workload_identity_enabled"],
        "securityProfile.workloadIdentity.enabled",
        Conv::Same,
    ),
    // v3 `automatic_channel_upgrade`, v4 `automatic_upgrade_channel`.
    (
        &["automatic_channel_upgrade", "automatic_upgrade_channel"],
        "autoUpgradeProfile.upgradeChannel",
        Conv::Same,
    ),
    // v3 `node_os_channel_upgrade`, v4 `node_os_upgrade_channel`.
    (
        &["node_os_channel_upgrade", "node_os_upgrade_channel"],
        "autoUpgradeProfile.nodeOSUpgradeChannel",
        Conv::Same,
    ),
    (
        &["run_command_enabled"],
        "apiServerAccessProfile.disableRunCommand",
        Conv::Not,
    ),
    (&["sku_tier"], "sku.tier", Conv::Same),
    (&["kubernetes_version"], "kubernetesVersion", Conv::Same),
    (
        &["disk_encryption_set_id"],
        "diskEncryptionSetID",
        Conv::Same,
    ),
    (&["dns_prefix"], "dnsPrefix", Conv::Same),
    (&["node_resource_group"], "nodeResourceGroup", Conv::Same),
    (
        &["public_network_access_enabled"],
        "publicNetworkAccess",
        Conv::EnabledDisabled,
    ),
    (
        &["cost_analysis_enabled"],
        "metricsProfile.costAnalysis.enabled",
        Conv::Same,
    ),
    (&["support_plan"], "supportPlan", Conv::Same),
];

/// A nested block: its name, the REST path set to `true` when the block is present (an
/// add-on block means "enabled"), its attributes, and the REST prefix that is Unknown when
/// it is written as `dynamic "<name>"`.
struct BlockMap {
    block: &'static str,
    present: Option<&'static str>,
    attrs: &'static [AttrMap],
    prefix: &'static str,
}

impl BlockMap {
    /// The REST object the block stands for (created at the block's line, so a finding on
    /// a missing attribute of a written block points at the block).
    fn node(&self) -> &'static str {
        match self.block {
            "api_server_access_profile" => "apiServerAccessProfile",
            _ => self.prefix,
        }
    }
}

const CLUSTER_BLOCKS: &[BlockMap] = &[
    // v4: the block's presence means managed Entra ID integration (`managed` was removed);
    // v3: `managed` (default false) says it; see `aad_profile` for the legacy case.
    BlockMap {
        block: "azure_active_directory_role_based_access_control",
        present: None,
        attrs: &[
            (&["managed"], "aadProfile.managed", Conv::Same),
            (
                &["azure_rbac_enabled"],
                "aadProfile.enableAzureRBAC",
                Conv::Same,
            ),
            (
                &["admin_group_object_ids"],
                "aadProfile.adminGroupObjectIDs",
                Conv::Same,
            ),
            (&["tenant_id"], "aadProfile.tenantID", Conv::Same),
        ],
        prefix: "aadProfile",
    },
    BlockMap {
        block: "api_server_access_profile",
        present: None,
        attrs: &[
            (
                &["authorized_ip_ranges"],
                "apiServerAccessProfile.authorizedIPRanges",
                Conv::Same,
            ),
            (
                &["vnet_integration_enabled"],
                "apiServerAccessProfile.enableVnetIntegration",
                Conv::Same,
            ),
            (
                &["subnet_id"],
                "apiServerAccessProfile.subnetId",
                Conv::Same,
            ),
        ],
        prefix: "apiServerAccessProfile.authorizedIPRanges",
    },
    BlockMap {
        block: "identity",
        present: None,
        attrs: &[(&["type"], "identity.type", Conv::Same)],
        prefix: "identity",
    },
    BlockMap {
        block: "service_principal",
        present: None,
        attrs: &[(
            &["client_id"],
            "servicePrincipalProfile.clientId",
            Conv::Same,
        )],
        prefix: "servicePrincipalProfile",
    },
    BlockMap {
        block: "kubelet_identity",
        present: None,
        attrs: &[
            (
                &["object_id"],
                "identityProfile.kubeletidentity.objectId",
                Conv::Same,
            ),
            (
                &["client_id"],
                "identityProfile.kubeletidentity.clientId",
                Conv::Same,
            ),
            (
                &["user_assigned_identity_id"],
                "identityProfile.kubeletidentity.resourceId",
                Conv::Same,
            ),
        ],
        prefix: "identityProfile",
    },
    BlockMap {
        block: "network_profile",
        present: None,
        attrs: &[
            (
                &["network_plugin"],
                "networkProfile.networkPlugin",
                Conv::Same,
            ),
            (
                &["network_plugin_mode"],
                "networkProfile.networkPluginMode",
                Conv::Same,
            ),
            (
                &["network_policy"],
                "networkProfile.networkPolicy",
                Conv::Same,
            ),
            (&["network_mode"], "networkProfile.networkMode", Conv::Same),
            (
                &["ebpf_data_plane", "network_data_plane"],
                "networkProfile.networkDataplane",
                Conv::Same,
            ),
            (
                &["outbound_type"],
                "networkProfile.outboundType",
                Conv::Same,
            ),
            (
                &["load_balancer_sku"],
                "networkProfile.loadBalancerSku",
                Conv::Same,
            ),
            (&["pod_cidr"], "networkProfile.podCidr", Conv::Same),
            (&["service_cidr"], "networkProfile.serviceCidr", Conv::Same),
        ],
        prefix: "networkProfile",
    },
    BlockMap {
        block: "key_vault_secrets_provider",
        present: Some("addonProfiles.azureKeyvaultSecretsProvider.enabled"),
        attrs: &[
            (
                &["secret_rotation_enabled"],
                "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation",
                Conv::Same,
            ),
            (
                &["secret_rotation_interval"],
                "addonProfiles.azureKeyvaultSecretsProvider.config.rotationPollInterval",
                Conv::Same,
            ),
        ],
        prefix: "addonProfiles.azureKeyvaultSecretsProvider",
    },
    BlockMap {
        block: "oms_agent",
        present: Some("addonProfiles.omsagent.enabled"),
        attrs: &[
            (
                &["log_analytics_workspace_id"],
                "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID",
                Conv::Same,
            ),
            (
                &["msi_auth_for_monitoring_enabled"],
                "addonProfiles.omsagent.config.useAADAuth",
                Conv::Same,
            ),
        ],
        prefix: "addonProfiles.omsagent",
    },
    BlockMap {
        block: "monitor_metrics",
        present: Some("azureMonitorProfile.metrics.enabled"),
        attrs: &[],
        prefix: "azureMonitorProfile",
    },
    BlockMap {
        block: "microsoft_defender",
        present: Some("securityProfile.defender.securityMonitoring.enabled"),
        attrs: &[(
            &["log_analytics_workspace_id"],
            "securityProfile.defender.logAnalyticsWorkspaceResourceId",
            Conv::Same,
        )],
        prefix: "securityProfile.defender",
    },
    BlockMap {
        block: "key_management_service",
        present: Some("securityProfile.azureKeyVaultKms.enabled"),
        attrs: &[
            (
                &["key_vault_key_id"],
                "securityProfile.azureKeyVaultKms.keyId",
                Conv::Same,
            ),
            (
                &["key_vault_network_access"],
                "securityProfile.azureKeyVaultKms.keyVaultNetworkAccess",
                Conv::Same,
            ),
        ],
        prefix: "securityProfile.azureKeyVaultKms",
    },
    BlockMap {
        block: "ingress_application_gateway",
        present: Some("addonProfiles.ingressApplicationGateway.enabled"),
        attrs: &[(
            &["gateway_id"],
            "addonProfiles.ingressApplicationGateway.config.applicationGatewayId",
            Conv::Same,
        )],
        prefix: "addonProfiles.ingressApplicationGateway",
    },
    // The Istio add-on: `mode` is always `Istio` in azurerm.
    BlockMap {
        block: "service_mesh_profile",
        present: None,
        attrs: &[(&["mode"], "serviceMeshProfile.mode", Conv::Same)],
        prefix: "serviceMeshProfile",
    },
    BlockMap {
        block: "aci_connector_linux",
        present: Some("addonProfiles.aciConnectorLinux.enabled"),
        attrs: &[],
        prefix: "addonProfiles.aciConnectorLinux",
    },
    BlockMap {
        block: "web_app_routing",
        present: Some("ingressProfile.webAppRouting.enabled"),
        attrs: &[],
        prefix: "ingressProfile.webAppRouting",
    },
    BlockMap {
        block: "linux_profile",
        present: None,
        attrs: &[(
            &["admin_username"],
            "linuxProfile.adminUsername",
            Conv::Same,
        )],
        prefix: "linuxProfile",
    },
];

/// azurerm v2 `addon_profile { <addon> { enabled } }` (removed in v3; still in checkov's
/// fixtures): addon block name → REST add-on key.
const V2_ADDONS: &[(&str, &str)] = &[
    ("kube_dashboard", "kubeDashboard"),
    ("azure_policy", "azurepolicy"),
    ("oms_agent", "omsagent"),
    ("http_application_routing", "httpApplicationRouting"),
    ("aci_connector_linux", "aciConnectorLinux"),
    ("ingress_application_gateway", "ingressApplicationGateway"),
    (
        "azure_keyvault_secrets_provider",
        "azureKeyvaultSecretsProvider",
    ),
    ("open_service_mesh", "openServiceMesh"),
];

/// Cluster paths whose azurerm default differs from the ARM API default (stored Known at the
/// resource's first line when the attribute is not written):
/// - `enableRBAC` true: azurerm `role_based_access_control_enabled` defaults to true; old
///   ARM API versions defaulted to false.
/// - `apiServerAccessProfile.enablePrivateClusterPublicFQDN` false: azurerm
///   `private_cluster_public_fqdn_enabled` defaults to false; the API (and `az aks create`)
///   create the public FQDN of a private cluster unless it is disabled.
///
/// Plus, in [`network_defaults`]: without a `network_profile` block azurerm creates a
/// `kubenet` cluster (`networkProfile.networkPlugin: kubenet`), whatever the API default.
fn cluster_defaults() -> [(&'static str, Val); 2] {
    [
        ("enableRBAC", Val::Bool(true)),
        (
            "apiServerAccessProfile.enablePrivateClusterPublicFQDN",
            Val::Bool(false),
        ),
    ]
}

/// Node pool attributes (`default_node_pool` block and `azurerm_kubernetes_cluster_node_pool`).
const POOL_ATTRS: &[AttrMap] = &[
    (&["vm_size"], "vmSize", Conv::Same),
    (&["node_count"], "count", Conv::Same),
    (&["min_count"], "minCount", Conv::Same),
    (&["max_count"], "maxCount", Conv::Same),
    (&["max_pods"], "maxPods", Conv::Same),
    (
        &["enable_auto_scaling", "auto_scaling_enabled"],
        "enableAutoScaling",
        Conv::Same,
    ),
    // v3 `enable_node_public_ip`, v4 `node_public_ip_enabled`.
    (
        &["enable_node_public_ip", "node_public_ip_enabled"],
        "enableNodePublicIP",
        Conv::Same,
    ),
    (
        &["node_public_ip_prefix_id"],
        "nodePublicIPPrefixID",
        Conv::Same,
    ),
    // v3 `enable_host_encryption`, v4 `host_encryption_enabled`.
    (
        &["enable_host_encryption", "host_encryption_enabled"],
        "enableEncryptionAtHost",
        Conv::Same,
    ),
    (&["enable_fips", "fips_enabled"], "enableFIPS", Conv::Same),
    (&["os_disk_type"], "osDiskType", Conv::Same),
    (&["os_disk_size_gb"], "osDiskSizeGB", Conv::Same),
    (&["kubelet_disk_type"], "kubeletDiskType", Conv::Same),
    // v2 `availability_zones`, v3/v4 `zones`.
    (
        &["availability_zones", "zones"],
        "availabilityZones",
        Conv::Same,
    ),
    (&["orchestrator_version"], "orchestratorVersion", Conv::Same),
    (&["type"], "type", Conv::Same),
    (&["os_type"], "osType", Conv::Same),
    (&["os_sku"], "osSKU", Conv::Same),
    (&["mode"], "mode", Conv::Same),
    (&["vnet_subnet_id"], "vnetSubnetID", Conv::Same),
    (&["priority"], "scaleSetPriority", Conv::Same),
    (&["ultra_ssd_enabled"], "enableUltraSSD", Conv::Same),
    (&["node_labels"], "nodeLabels", Conv::Same),
    (&["node_taints"], "nodeTaints", Conv::Same),
];

/// Pool paths whose azurerm default differs from the ARM API default (stored Known at the
/// pool's first line when not written):
/// - `osDiskType` Managed: azurerm defaults `os_disk_type` to Managed; the API picks
///   Ephemeral when the VM size's cache or temp disk is large enough.
/// - `mode`: `default_node_pool` is always System; `azurerm_kubernetes_cluster_node_pool`
///   defaults to User.
fn pool_defaults(system: bool) -> [(&'static str, Val); 2] {
    [
        ("osDiskType", Val::Str("Managed".into())),
        (
            "mode",
            Val::Str(if system { "System" } else { "User" }.into()),
        ),
    ]
}

/// `azurerm_container_registry` attributes (v3 and v4 names).
const REGISTRY_ATTRS: &[AttrMap] = &[
    (&["admin_enabled"], "adminUserEnabled", Conv::Same),
    (
        &["anonymous_pull_enabled"],
        "anonymousPullEnabled",
        Conv::Same,
    ),
    (
        &["public_network_access_enabled"],
        "publicNetworkAccess",
        Conv::EnabledDisabled,
    ),
    (
        &["network_rule_bypass_option"],
        "networkRuleBypassOptions",
        Conv::Same,
    ),
    (
        &["quarantine_policy_enabled"],
        "policies.quarantinePolicy.status",
        Conv::LowerEnabled,
    ),
    // v4 flattened `trust_policy { enabled }` into `trust_policy_enabled`.
    (
        &["trust_policy_enabled"],
        "policies.trustPolicy.status",
        Conv::LowerEnabled,
    ),
    // v4 flattened `retention_policy { days, enabled }` into `retention_policy_in_days`.
    (
        &["retention_policy_in_days"],
        "policies.retentionPolicy.days",
        Conv::Same,
    ),
    (
        &["export_policy_enabled"],
        "policies.exportPolicy.status",
        Conv::LowerEnabled,
    ),
    (
        &["zone_redundancy_enabled"],
        "zoneRedundancy",
        Conv::EnabledDisabled,
    ),
    (
        &["data_endpoint_enabled"],
        "dataEndpointEnabled",
        Conv::Same,
    ),
    (&["sku"], "sku.name", Conv::Same),
];

const REGISTRY_BLOCKS: &[BlockMap] = &[
    BlockMap {
        block: "trust_policy",
        present: None,
        attrs: &[(
            &["enabled"],
            "policies.trustPolicy.status",
            Conv::LowerEnabled,
        )],
        prefix: "policies.trustPolicy",
    },
    BlockMap {
        block: "retention_policy",
        present: None,
        attrs: &[
            (&["days"], "policies.retentionPolicy.days", Conv::Same),
            (
                &["enabled"],
                "policies.retentionPolicy.status",
                Conv::LowerEnabled,
            ),
        ],
        prefix: "policies.retentionPolicy",
    },
    BlockMap {
        block: "network_rule_set",
        present: None,
        attrs: &[(
            &["default_action"],
            "networkRuleSet.defaultAction",
            Conv::Same,
        )],
        prefix: "networkRuleSet",
    },
];

// ---------------------------------------------------------------------------------------
// Building the REST tree.

/// A REST-shaped tree under construction.
struct Tree {
    root: Node,
    unknown: BTreeMap<String, String>,
}

impl Tree {
    fn new(pos: Pos) -> Self {
        Tree {
            root: Node {
                pos,
                value: Value::Map(Vec::new()),
            },
            unknown: BTreeMap::new(),
        }
    }

    fn has(&self, path: &str) -> bool {
        self.root.at(path).is_some() || self.unknown.contains_key(path)
    }

    /// Sets `path` (creating parents at the node's position), replacing any value there.
    fn set(&mut self, path: &str, node: Node) {
        self.unknown.remove(path);
        let segments: Vec<&str> = path.split('.').collect();
        let pos = self.root.pos;
        set_in(&mut self.root, &segments, node, pos);
    }

    /// Records an unknown path. Its parents are created (as empty mappings) because
    /// [`Settings::get`] answers Absent at the first missing segment.
    fn set_unknown(&mut self, path: &str, reason: &str) {
        if let Some((parent, _)) = path.rsplit_once('.')
            && self.root.at(parent).is_none()
        {
            let pos = self.root.pos;
            let segments: Vec<&str> = parent.split('.').collect();
            set_in(
                &mut self.root,
                &segments,
                Node {
                    pos,
                    value: Value::Map(Vec::new()),
                },
                pos,
            );
        }
        self.unknown.insert(path.to_owned(), reason.to_owned());
    }

    /// Maps one attribute: Known → set, Unknown → recorded, null → left to the default.
    fn attr(&mut self, path: &str, attr: &Attr, conv: Conv) {
        if let Some(reason) = attr.val.unknown_reason() {
            self.set_unknown(path, reason);
            return;
        }
        let val = match (conv, attr.val.as_bool()) {
            (Conv::Same, _) => attr.val.clone(),
            (Conv::Not, Some(b)) => Val::Bool(!b),
            (Conv::EnabledDisabled, Some(b)) => {
                Val::Str(if b { "Enabled" } else { "Disabled" }.into())
            }
            (Conv::LowerEnabled, Some(b)) => {
                Val::Str(if b { "enabled" } else { "disabled" }.into())
            }
            (_, None) => attr.val.clone(),
        };
        if let Some(mut node) = val.to_node(attr.pos) {
            if let Value::Seq(items) = &mut node.value
                && items.len() == attr.items.len()
            {
                for (item, pos) in items.iter_mut().zip(&attr.items) {
                    item.pos = *pos;
                }
            }
            self.set(path, node);
        }
    }

    fn attrs(&mut self, obj: &Obj, table: &[AttrMap]) {
        for (names, path, conv) in table {
            // The newest spelling wins when both are written.
            for name in names.iter() {
                if let Some(attr) = obj.attr(name) {
                    self.attr(path, attr, *conv);
                }
            }
        }
    }

    fn blocks(&mut self, obj: &Obj, table: &[BlockMap]) {
        for map in table {
            if obj.is_dynamic(map.block) {
                self.set_unknown(map.prefix, &format!("`dynamic \"{}\"` block", map.block));
                continue;
            }
            let Some(block) = obj.block(map.block) else {
                continue;
            };
            if self.root.at(map.node()).is_none() {
                self.set(
                    map.node(),
                    Node {
                        pos: block.pos,
                        value: Value::Map(Vec::new()),
                    },
                );
            }
            if let Some(path) = map.present {
                self.set(path, Node::scalar("true", true, block.pos));
            }
            self.attrs(block, map.attrs);
        }
    }

    /// Known defaults for paths nothing set.
    fn defaults(&mut self, defaults: &[(&str, Val)], pos: Pos) {
        for (path, val) in defaults {
            if !self.has(path)
                && let Some(node) = val.to_node(pos)
            {
                self.set(path, node);
            }
        }
    }

    fn settings(self) -> Settings {
        Settings {
            root: self.root,
            unknown: self.unknown,
        }
    }
}

/// Sets `segments` under `node`; missing parents are created at `parent_pos` (the
/// resource's line: a parent such as `addonProfiles` belongs to no one block).
fn set_in(node: &mut Node, segments: &[&str], value: Node, parent_pos: Pos) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if !node.is_map() {
        node.value = Value::Map(Vec::new());
    }
    let Value::Map(entries) = &mut node.value else {
        return;
    };
    let index = match entries.iter().position(|e| e.key == *first) {
        Some(i) => i,
        None => {
            entries.push(Entry {
                key: (*first).into(),
                key_pos: parent_pos,
                value: Node {
                    pos: parent_pos,
                    value: Value::Map(Vec::new()),
                },
            });
            entries.len() - 1
        }
    };
    if rest.is_empty() {
        entries[index].key_pos = value.pos;
        entries[index].value = value;
    } else {
        set_in(&mut entries[index].value, rest, value, parent_pos);
    }
}

fn known_str(obj: &Obj, name: &str) -> Option<String> {
    obj.attr(name)
        .and_then(|a| a.val.as_str())
        .map(str::to_owned)
}

/// The `name` attribute, or `<address>` when it is not resolvable (the angle brackets mark
/// a placeholder: remediation commands print `<cluster>` instead).
fn display_name(resource: &Resource) -> String {
    known_str(&resource.body, "name").unwrap_or_else(|| resource.placeholder())
}

// ---------------------------------------------------------------------------------------
// Clusters.

/// Entra ID: in v4 the block's presence means managed; in v3 `managed` defaults to false
/// and the legacy (unmanaged) integration is recognised by its app IDs. So: present and no
/// `managed` and no legacy app IDs → managed.
fn aad_profile(obj: &Obj, tree: &mut Tree) {
    let Some(block) = obj.block("azure_active_directory_role_based_access_control") else {
        return;
    };
    if block.attr("managed").is_none() {
        let legacy = ["client_app_id", "server_app_id", "server_app_secret"]
            .iter()
            .any(|k| block.attr(k).is_some());
        tree.set(
            "aadProfile.managed",
            Node::scalar((!legacy).to_string(), true, block.pos),
        );
    }
}

/// v2 `addon_profile { kube_dashboard { enabled = true } … }`.
fn v2_addons(obj: &Obj, tree: &mut Tree) {
    let Some(profile) = obj.block("addon_profile") else {
        return;
    };
    for (block, key) in V2_ADDONS {
        if let Some(addon) = profile.block(block)
            && let Some(enabled) = addon.attr("enabled")
        {
            tree.attr(&format!("addonProfiles.{key}.enabled"), enabled, Conv::Same);
        }
    }
}

/// Without a `network_profile` block azurerm creates a kubenet cluster.
fn network_defaults(obj: &Obj, tree: &mut Tree) {
    if obj.block("network_profile").is_none() && !obj.is_dynamic("network_profile") {
        tree.set(
            "networkProfile.networkPlugin",
            Node::scalar("kubenet", false, obj.pos),
        );
    }
}

fn cluster_settings(obj: &Obj) -> Settings {
    let mut tree = Tree::new(obj.pos);
    tree.attrs(obj, CLUSTER_ATTRS);
    tree.blocks(obj, CLUSTER_BLOCKS);
    aad_profile(obj, &mut tree);
    v2_addons(obj, &mut tree);
    network_defaults(obj, &mut tree);
    tree.defaults(&cluster_defaults(), obj.pos);
    tree.settings()
}

/// A node pool from a `default_node_pool` block or a node pool resource body.
fn pool(obj: &Obj, system: bool, source: &Resource, fallback_name: &str) -> NodePool {
    let mut tree = Tree::new(obj.pos);
    tree.attrs(obj, POOL_ATTRS);
    // `only_critical_addons_enabled = true` is the CriticalAddonsOnly taint on the pool.
    if let Some(only) = obj.attr("only_critical_addons_enabled") {
        match &only.val {
            Val::Bool(true) => {
                let mut taints = match tree.root.get("nodeTaints") {
                    Some(node) => node.items().to_vec(),
                    None => Vec::new(),
                };
                taints.push(Node::scalar(
                    "CriticalAddonsOnly=true:NoSchedule",
                    false,
                    only.pos,
                ));
                tree.set(
                    "nodeTaints",
                    Node {
                        pos: only.pos,
                        value: Value::Seq(taints),
                    },
                );
            }
            Val::Unknown(reason) => tree.set_unknown("nodeTaints", reason),
            _ => {}
        }
    }
    if system {
        // The default node pool is the System pool whatever is written.
        tree.set("mode", Node::scalar("System", false, obj.pos));
    }
    tree.defaults(&pool_defaults(system), obj.pos);
    let name = known_str(obj, "name").unwrap_or_else(|| fallback_name.to_owned());
    NodePool {
        name,
        pos: obj.pos,
        source: source.source.clone(),
        settings: tree.settings(),
    }
}

/// Enabled log categories and groups of a diagnostic setting, lower-cased; `None` when any
/// is unresolvable (a `dynamic` log block, an unknown category).
fn categories(obj: &Obj) -> Option<Vec<String>> {
    if obj.is_dynamic("enabled_log") || obj.is_dynamic("log") {
        return None;
    }
    let mut out = Vec::new();
    for (name, block) in &obj.blocks {
        let enabled = match name.as_str() {
            "enabled_log" => true,
            // v3 `log { category, enabled (default true) }`.
            "log" => match block.attr("enabled").map(|a| &a.val) {
                None => true,
                Some(v) => v.as_bool()?,
            },
            _ => continue,
        };
        if !enabled {
            continue;
        }
        for key in ["category", "category_group"] {
            if let Some(attr) = block.attr(key) {
                out.push(attr.val.as_str()?.to_ascii_lowercase());
            }
        }
    }
    Some(out)
}

fn diagnostic(resource: &Resource) -> DiagnosticSetting {
    DiagnosticSetting {
        name: display_name(resource),
        pos: resource.body.pos,
        source: resource.source.clone(),
        categories: categories(&resource.body),
    }
}

/// Maintenance window blocks on the cluster → maintenance configuration names. A `dynamic`
/// one counts as present (never a false "no maintenance window").
fn maintenance(obj: &Obj) -> Vec<String> {
    [
        ("maintenance_window", "default"),
        (
            "maintenance_window_auto_upgrade",
            "aksManagedAutoUpgradeSchedule",
        ),
        (
            "maintenance_window_node_os",
            "aksManagedNodeOSUpgradeSchedule",
        ),
    ]
    .iter()
    .filter(|(block, _)| obj.block(block).is_some() || obj.is_dynamic(block))
    .map(|(_, name)| (*name).to_owned())
    .collect()
}

/// Clusters with their default node pool, and the node pools / diagnostic settings /
/// maintenance configurations that reference them (by reference, or for plans by resolved
/// id), and the azapi patches of them. azapi clusters and children are read by [`azapi`].
pub(crate) fn push_clusters(
    clusters: &[Resource],
    children: &[Resource],
    updates: &[Resource],
    out: &mut AzureResources,
) {
    for resource in clusters {
        let mut cluster = if azapi::is_azapi(&resource.kind) {
            azapi::cluster(resource, AzureFormat::TerraformAzapi)
        } else {
            azurerm_cluster(resource)
        };
        for child in children.iter().filter(|c| joins(c, resource)) {
            if azapi::is_azapi(&child.kind) {
                azapi::push_child(child, &mut cluster);
            } else if child.kind == NODE_POOL {
                let body = symbols::with_ids(child, &child.body);
                cluster
                    .node_pools
                    .push(pool(&body, false, child, &child.placeholder()));
                if let Some(attr) = child
                    .body
                    .attr("vnet_subnet_id")
                    .filter(|a| !matches!(a.val, Val::Null))
                {
                    let name =
                        known_str(&child.body, "name").unwrap_or_else(|| child.placeholder());
                    cluster
                        .refs
                        .subnets
                        .push((name, child.names.resolve(child, attr)));
                }
            } else {
                cluster.diagnostic_settings.push(diagnostic(child));
            }
        }
        for update in updates.iter().filter(|u| azapi::patches(u, resource)) {
            azapi::patch_cluster(&mut cluster, update);
        }
        out.clusters.push(cluster);
    }
}

fn azurerm_cluster(resource: &Resource) -> ManagedCluster {
    // Settings hold the IDs references name where they are known (see `symbols::with_ids`).
    let obj = &symbols::with_ids(resource, &resource.body);
    let mut node_pools = Vec::new();
    if let Some(default_pool) = obj.block("default_node_pool") {
        node_pools.push(pool(default_pool, true, resource, "<default_node_pool>"));
    }
    let names: &Names = &resource.names;
    ManagedCluster {
        name: display_name(resource),
        id: resource.id.clone(),
        resource_group: names.group_name(resource),
        location: known_str(obj, "location"),
        pos: obj.pos,
        source: resource.source.clone(),
        format: format_of(resource),
        settings: cluster_settings(obj),
        node_pools,
        diagnostic_settings: Vec::new(),
        maintenance_configurations: maintenance(obj),
        refs: cluster_refs(resource),
        holds: Holds::EVERYTHING,
    }
}

/// How the cluster and what it names are named in Terraform (see `symbols.rs`): its own
/// symbol, its resource group, node subnets, Application Gateway, kubelet identity and
/// Log Analytics workspace, as references, so rules join them when the settings hold only
/// expressions.
fn cluster_refs(resource: &Resource) -> aksguard_model::azure::ClusterRefs {
    let names: &Names = &resource.names;
    let obj = &resource.body;
    let resolve = |block: Option<&Obj>, name: &str| {
        block
            .and_then(|b| b.attr(name))
            .filter(|a| !matches!(a.val, Val::Null))
            .map(|attr| names.resolve(resource, attr))
    };
    let key = names.key(resource);
    let kubelet_symbol = format!("{}.kubelet_identity", Names::symbol(resource));
    let kubelet_identity = resolve(obj.block("kubelet_identity"), "user_assigned_identity_id")
        .or_else(|| {
            Some(aksguard_model::azure::Ref::resolved(
                format!("{}.kubelet_identity", resource.reference()),
                kubelet_symbol,
            ))
        });
    aksguard_model::azure::ClusterRefs {
        symbols: key.symbols,
        resource_group: names.group_ref(resource),
        subnets: resolve(obj.block("default_node_pool"), "vnet_subnet_id")
            .map(|subnet| {
                let pool = obj
                    .block("default_node_pool")
                    .and_then(|b| known_str(b, "name"))
                    .unwrap_or_else(|| "<default_node_pool>".to_owned());
                (pool, subnet)
            })
            .into_iter()
            .collect(),
        application_gateway: resolve(obj.block("ingress_application_gateway"), "gateway_id"),
        kubelet_identity,
        log_analytics_workspace: resolve(obj.block("oms_agent"), "log_analytics_workspace_id"),
    }
}

fn format_of(resource: &Resource) -> AzureFormat {
    // `.tf` files are Terraform by their extension; plan and state are JSON.
    if resource.source.path.ends_with(".tf") {
        AzureFormat::Terraform
    } else {
        AzureFormat::TerraformPlan
    }
}

/// Registries, Defender pricings and role assignments.
pub(crate) fn push_other(resource: &Resource, out: &mut AzureResources) {
    if azapi::is_azapi(&resource.kind) {
        azapi::push_other(resource, AzureFormat::TerraformAzapi, out);
        return;
    }
    if surroundings::push(resource, format_of(resource), out) {
        return;
    }
    let obj = &resource.body;
    match resource.kind.as_str() {
        REGISTRY => {
            let mut tree = Tree::new(obj.pos);
            tree.attrs(obj, REGISTRY_ATTRS);
            tree.blocks(obj, REGISTRY_BLOCKS);
            network_rules(obj, &mut tree);
            // v4 `retention_policy_in_days = N` is the v3 `retention_policy { enabled = true }`
            // (0 keeps it off): REST `policies.retentionPolicy.status`. `null` (plan JSON
            // writes every unset attribute so) is not written: the status stays Absent.
            if let Some(days) = obj
                .attr("retention_policy_in_days")
                .filter(|days| !matches!(days.val, Val::Null))
            {
                const STATUS: &str = "policies.retentionPolicy.status";
                match days.val.unknown_reason() {
                    Some(reason) => tree.set_unknown(STATUS, reason),
                    None => {
                        let on = days
                            .val
                            .as_str()
                            .and_then(|d| d.trim().parse::<i64>().ok())
                            .is_some_and(|d| d > 0);
                        let status = if on { "enabled" } else { "disabled" };
                        tree.set(STATUS, Node::scalar(status, false, days.pos));
                    }
                }
            }
            // REST has `sku.tier` too; azurerm has one `sku`.
            if let Some(name) = tree.root.at("sku.name").cloned() {
                tree.set("sku.tier", name);
            } else if tree.unknown.contains_key("sku.name") {
                tree.set_unknown("sku", "sku is not resolvable");
            }
            out.registries.push(ContainerRegistry {
                name: display_name(resource),
                pos: obj.pos,
                source: resource.source.clone(),
                format: format_of(resource),
                settings: tree.settings(),
            });
        }
        PRICING => {
            // azurerm's `resource_type` defaults to VirtualMachines.
            let plan = match obj.attr("resource_type") {
                None => Some("VirtualMachines".to_owned()),
                Some(attr) => attr.val.as_str().map(str::to_owned),
            };
            let Some(plan) = plan else {
                return;
            };
            let tier = known_str(obj, "tier");
            out.pricings.push(DefenderPricing {
                extensions: surroundings::pricing_extensions(obj, tier.as_deref(), &plan),
                plan,
                pos: obj.pos,
                source: resource.source.clone(),
                tier,
            });
        }
        ROLE_ASSIGNMENT => {
            let names = &resource.names;
            out.role_assignments.push(RoleAssignment {
                pos: obj.pos,
                source: resource.source.clone(),
                // Plan and state give the assignment's ID.
                id: known_str(obj, "id").filter(|id| id.starts_with('/')),
                role: known_str(obj, "role_definition_name")
                    .or_else(|| known_str(obj, "role_definition_id")),
                principal: obj
                    .attr("principal_id")
                    .map(|attr| names.resolve(resource, attr)),
                principal_name: None,
                principal_type: known_str(obj, "principal_type"),
                scope: obj.attr("scope").map(|attr| names.resolve(resource, attr)),
            });
        }
        _ => {}
    }
}

/// `network_rule_set { ip_rule { action, ip_range } virtual_network { … } }` → REST
/// `networkRuleSet.ipRules[{action, value}]`, `virtualNetworkRules[{action, id}]`. In plan
/// JSON the rules are attributes (lists of objects) rather than blocks.
fn network_rules(obj: &Obj, tree: &mut Tree) {
    let Some(set) = obj.block("network_rule_set") else {
        return;
    };
    if set.is_dynamic("ip_rule") {
        tree.set_unknown("networkRuleSet.ipRules", "`dynamic \"ip_rule\"` block");
        return;
    }
    let mut rules = Vec::new();
    for rule in set.blocks("ip_rule") {
        match rule.attr("ip_range").map(|a| &a.val) {
            Some(Val::Str(range)) => {
                let mut entry = Tree::new(rule.pos);
                entry.set("action", Node::scalar("Allow", false, rule.pos));
                entry.set("value", Node::scalar(range.clone(), false, rule.pos));
                rules.push(entry.root);
            }
            Some(_) => {
                tree.set_unknown("networkRuleSet.ipRules", "ip_range is not resolvable");
                return;
            }
            None => {}
        }
    }
    if let Some(attr) = set.attr("ip_rule") {
        tree.attr("networkRuleSet.ipRules", attr, Conv::Same);
    } else if !rules.is_empty() {
        tree.set(
            "networkRuleSet.ipRules",
            Node {
                pos: set.pos,
                value: Value::Seq(rules),
            },
        );
    }
}
