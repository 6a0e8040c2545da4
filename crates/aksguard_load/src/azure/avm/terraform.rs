//! The Terraform AVM managed-cluster module (`Azure/avm-res-containerservice-managedcluster/
//! azurerm`) as the REST body its `azapi_resource` would send, built from the module call's
//! evaluated arguments.
//!
//! Checked against Azure/terraform-azurerm-avm-res-containerservice-managedcluster:
//! - v0.6.1 (4012de5, the version aks-store-demo calls) and v0.8.1 (2802831): from v0.4.0 the
//!   module writes the cluster as `azapi_resource` and its inputs are the REST properties in
//!   snake case (`locals.resource_body.tf`, `locals.addon_profiles.tf`,
//!   `locals.network_profile.tf`, `main.default_agent_pool.tf`); the variable names are the
//!   same from v0.4.0 to v0.6.x and v0.7.0 to v0.8.x (v0.7 added `kube_proxy_config`,
//!   `hosted_system_profile`, `ingress_profile.gateway_api`).
//! - Before v0.4.0 the module wrapped `azurerm_kubernetes_cluster` with other inputs: not
//!   mapped (every setting Unknown, with a note).
//!
//! Module behaviour reproduced (defaults are Known, positioned at the call, or at the object
//! argument for an optional attribute's default):
//! - `disable_local_accounts` defaults to false; `addon_profile_azure_policy` to
//!   `{enabled = false}`; `managed_identities` to `{system_assigned = true}`;
//!   `default_agent_pool` to `{}` (name `systempool`, `count_of` 3, mode `System`, Linux);
//!   `auto_upgrade_profile`, when given, defaults `node_os_upgrade_channel = "NodeImage"` and
//!   `upgrade_channel = "none"` (an attribute the type does not declare, such as a misspelt
//!   one, is dropped by Terraform's type conversion, so the default applies).
//! - `addon_profile_key_vault_secrets_provider`, when given, enables the provider whatever
//!   its `enabled` says; the add-on config values are strings (`tostring`).
//! - An Automatic SKU (`sku.name = "Automatic"`) keeps only the properties the module allows.
//! - `agent_pools` become further `agentPoolProfiles` items (the module creates them as child
//!   resources; for the rules a pool is a pool); `diagnostic_settings` and
//!   `maintenanceconfiguration` are returned beside the body.

use aksguard_model::Pos;

use super::{TERRAFORM_MODULE_SOURCE, Version, choose};
use crate::azure::terraform::{Attr, Obj, Val};

/// What a Terraform call of the module deploys.
#[derive(Clone, Debug, Default)]
pub(crate) struct TerraformCluster {
    /// The REST body: attributes `name`, `location`, `kind`; blocks `sku`, `identity`,
    /// `properties`. A REST object is a block, a REST array an attribute with a list value
    /// (its items' positions in `Attr::items`).
    pub body: Obj,
    /// Diagnostic settings on the cluster: attribute `name`, block `properties` (`logs`,
    /// `workspaceId`, …).
    pub diagnostic_settings: Vec<Obj>,
    /// Names of the maintenance configurations, with where they are written.
    pub maintenance_configurations: Vec<(String, Pos)>,
    pub notes: Vec<String>,
}

const OLDEST: Version = Version::new(0, 4, 0);
const NEWEST_CHECKED: Version = Version::new(0, 8, 1);
/// From v0.7.2 the default pool's `orchestrator_version` defaults to `kubernetes_version`
/// (`main.default_agent_pool.tf`).
const POOL_VERSION_FOLLOWS_CLUSTER: Version = Version::new(0, 7, 2);

/// Module variables that set nothing the model holds.
const NOT_SETTINGS: &[&str] = &[
    "source",
    "version",
    "providers",
    "depends_on",
    "count",
    "for_each",
    "name",
    "location",
    "parent_id",
    "tags",
    "lock",
    "enable_telemetry",
    "role_assignments",
    "private_endpoints",
    "private_endpoints_manage_dns_zone_group",
    "cluster_timeouts",
    "agentpool_timeouts",
    "create_agentpools_before_destroy",
    "namespaces",
    "windows_profile_password",
    "windows_profile_password_version",
    "extended_location",
];

/// Variables holding one REST object, snake-cased.
const PROFILES: &[(&str, &str)] = &[
    ("aad_profile", "properties.aadProfile"),
    (
        "ai_toolchain_operator_profile",
        "properties.aiToolchainOperatorProfile",
    ),
    (
        "api_server_access_profile",
        "properties.apiServerAccessProfile",
    ),
    ("azure_monitor_profile", "properties.azureMonitorProfile"),
    ("bootstrap_profile", "properties.bootstrapProfile"),
    ("hosted_system_profile", "properties.hostedSystemProfile"),
    ("http_proxy_config", "properties.httpProxyConfig"),
    ("ingress_profile", "properties.ingressProfile"),
    ("linux_profile", "properties.linuxProfile"),
    ("metrics_profile", "properties.metricsProfile"),
    ("network_profile", "properties.networkProfile"),
    (
        "kube_proxy_config",
        "properties.networkProfile.kubeProxyConfig",
    ),
    (
        "node_provisioning_profile",
        "properties.nodeProvisioningProfile",
    ),
    (
        "node_resource_group_profile",
        "properties.nodeResourceGroupProfile",
    ),
    ("oidc_issuer_profile", "properties.oidcIssuerProfile"),
    ("pod_identity_profile", "properties.podIdentityProfile"),
    ("security_profile", "properties.securityProfile"),
    ("service_mesh_profile", "properties.serviceMeshProfile"),
    (
        "service_principal_profile",
        "properties.servicePrincipalProfile",
    ),
    ("storage_profile", "properties.storageProfile"),
    ("upgrade_settings", "properties.upgradeSettings"),
    ("windows_profile", "properties.windowsProfile"),
    (
        "workload_auto_scaler_profile",
        "properties.workloadAutoScalerProfile",
    ),
];

/// Variables holding one REST scalar.
const SCALARS: &[(&str, &str)] = &[
    ("disk_encryption_set_id", "properties.diskEncryptionSetID"),
    ("dns_prefix", "properties.dnsPrefix"),
    ("enable_rbac", "properties.enableRBAC"),
    ("fqdn_subdomain", "properties.fqdnSubdomain"),
    ("kubernetes_version", "properties.kubernetesVersion"),
    ("node_resource_group", "properties.nodeResourceGroup"),
    ("public_network_access", "properties.publicNetworkAccess"),
    ("support_plan", "properties.supportPlan"),
    ("kind", "kind"),
];

/// Snake-case names whose REST spelling is not plain camel case.
const KEY_EXCEPTIONS: &[(&str, &str)] = &[
    ("admin_group_object_ids", "adminGroupObjectIDs"),
    ("client_app_id", "clientAppID"),
    ("server_app_id", "serverAppID"),
    ("tenant_id", "tenantID"),
    ("enable_azure_rbac", "enableAzureRBAC"),
    ("authorized_ip_ranges", "authorizedIPRanges"),
    (
        "enable_private_cluster_public_fqdn",
        "enablePrivateClusterPublicFQDN",
    ),
    ("private_dns_zone", "privateDNSZone"),
    ("node_os_upgrade_channel", "nodeOSUpgradeChannel"),
    ("dns_service_ip", "dnsServiceIP"),
    ("count_i_pv6", "countIPv6"),
    ("outbound_ip_prefixes", "outboundIPPrefixes"),
    ("public_ip_prefixes", "publicIPPrefixes"),
    ("outbound_ips", "outboundIPs"),
    ("public_ips", "publicIPs"),
    ("managed_outbound_ips", "managedOutboundIPs"),
    ("managed_outbound_ip_profile", "managedOutboundIPProfile"),
    ("gateway_api", "gatewayAPI"),
    ("gateway_api_implementations", "gatewayAPIImplementations"),
    ("node_subnet_id", "nodeSubnetID"),
    ("system_node_subnet_id", "systemNodeSubnetID"),
    ("enable_csi_proxy", "enableCSIProxy"),
    ("blob_csi_driver", "blobCSIDriver"),
    ("disk_csi_driver", "diskCSIDriver"),
    ("file_csi_driver", "fileCSIDriver"),
    ("enable_vtpm", "enableVTPM"),
    ("enable_fips", "enableFIPS"),
    ("enable_node_public_ip", "enableNodePublicIP"),
    ("node_public_ip_prefix_id", "nodePublicIPPrefixID"),
    ("node_public_ip_tags", "nodePublicIPTags"),
    ("vnet_subnet_id", "vnetSubnetID"),
    ("pod_subnet_id", "podSubnetID"),
    ("proximity_placement_group_id", "proximityPlacementGroupID"),
    (
        "capacity_reservation_group_id",
        "capacityReservationGroupID",
    ),
    ("host_group_id", "hostGroupID"),
    ("os_sku", "osSKU"),
    ("os_disk_size_gb", "osDiskSizeGB"),
    ("enable_ultra_ssd", "enableUltraSSD"),
    ("enable_os_disk_full_caching", "enableOSDiskFullCaching"),
    ("linux_os_config", "linuxOSConfig"),
    ("local_dns_profile", "localDNSProfile"),
    ("pod_ip_allocation_mode", "podIPAllocationMode"),
    ("count_of", "count"),
    ("use_aad_auth", "useAADAuth"),
];

/// Keys never copied: secrets.
const SECRET_KEYS: &[&str] = &["secret", "server_app_secret", "admin_password"];

/// Properties an Automatic-SKU cluster keeps (`locals.resource_body.tf`).
const AUTOMATIC_PROPERTIES: &[&str] = &[
    "aadProfile",
    "addonProfiles",
    "agentPoolProfiles",
    "apiServerAccessProfile",
    "autoUpgradeProfile",
    "azureMonitorProfile",
    "diskEncryptionSetID",
    "hostedSystemProfile",
    "ingressProfile",
    "kubernetesVersion",
    "metricsProfile",
    "networkProfile",
    "nodeProvisioningProfile",
    "nodeResourceGroup",
    "oidcIssuerProfile",
    "securityProfile",
    "serviceMeshProfile",
    "storageProfile",
    "workloadAutoScalerProfile",
];

/// Agent pool properties an Automatic-SKU cluster keeps (`locals.agent_pool_profiles.tf`).
const AUTOMATIC_POOL_PROPERTIES: &[&str] = &["name", "mode", "count", "vnetSubnetID", "tags"];

/// Network properties an Automatic-SKU cluster keeps (`locals.network_profile.tf`), and only
/// when the outbound type is not the default `loadBalancer`.
const AUTOMATIC_NETWORK_PROPERTIES: &[&str] =
    &["dnsServiceIP", "outboundType", "podCidr", "serviceCidr"];

/// Translates one call of the module (its evaluated arguments) into the REST body it sends.
pub(crate) fn cluster_from_terraform_call(
    version: &str,
    args: &Obj,
    call: Pos,
) -> TerraformCluster {
    let module = format!("AVM module {TERRAFORM_MODULE_SOURCE}");
    let mut out = TerraformCluster::default();
    let mut body = Out::map(call);
    for key in ["name", "location"] {
        if let Some(value) = argument(args, key) {
            body.put(key, value.leaf(), call);
        }
    }
    let parsed = version_of(version);
    let table = match parsed {
        Some((v, constraint_note)) => {
            out.notes.extend(constraint_note);
            choose(v, OLDEST, NEWEST_CHECKED, &module).map(|note| (v, note))
        }
        None => Err(format!(
            "{module}: version `{version}` is not a version this scanner can pin"
        )),
    };
    let version = match table {
        Ok((v, note)) => {
            out.notes.extend(note);
            v
        }
        Err(why) => {
            body.put("properties", Out::unknown(&why, call), call);
            out.notes.push(format!("{why}: every setting is Unknown"));
            out.body = body.into_obj();
            return out;
        }
    };
    let mut ctx = Ctx {
        args,
        at: call,
        body,
        notes: Vec::new(),
        version,
    };
    ctx.scalars();
    ctx.profiles();
    ctx.auto_upgrade();
    ctx.sku_and_identity();
    ctx.addons();
    ctx.pools();
    ctx.automatic();
    out.diagnostic_settings = ctx.diagnostics();
    out.maintenance_configurations = ctx.maintenance();
    let used: Vec<&str> = SCALARS
        .iter()
        .map(|(k, _)| *k)
        .chain(PROFILES.iter().map(|(k, _)| *k))
        .chain(MODELLED.iter().copied())
        .chain(NOT_SETTINGS.iter().copied())
        .collect();
    let unmapped: Vec<&str> = args
        .attrs
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(args.blocks.iter().map(|(k, _)| k.as_str()))
        .filter(|k| !used.contains(k))
        .collect();
    if !unmapped.is_empty() {
        ctx.notes.push(format!(
            "{module} {version}: inputs not mapped to cluster settings: {}",
            unmapped.join(", ")
        ));
    }
    out.notes.append(&mut ctx.notes);
    out.body = ctx.body.into_obj();
    out
}

/// Variables read by their own code below.
const MODELLED: &[&str] = &[
    "disable_local_accounts",
    "auto_upgrade_profile",
    "auto_scaler_profile",
    "identity_profile",
    "sku",
    "managed_identities",
    "addon_profile_oms_agent",
    "addon_profile_azure_policy",
    "addon_profile_ingress_application_gateway",
    "addon_profile_key_vault_secrets_provider",
    "addon_profile_confidential_computing",
    "addon_profiles_extra",
    "default_agent_pool",
    "agent_pools",
    "diagnostic_settings",
    "maintenanceconfiguration",
];

/// The version a `version` argument pins: `"0.6.1"`, `"v0.6.1"`, `"= 0.6.1"`; or, for an
/// open constraint (`"~> 0.6"`, `"~> 0.6.1"`, `">= 0.6.1"`), the lowest version it allows,
/// with a note (Terraform installs the newest match, which may have other defaults).
fn version_of(constraint: &str) -> Option<(Version, Option<String>)> {
    let text = constraint.trim();
    if text.contains(',') || text.contains('<') || text.contains('!') {
        return None;
    }
    let (open, rest) = if let Some(rest) = text.strip_prefix("~>") {
        (true, rest)
    } else if let Some(rest) = text.strip_prefix(">=") {
        (true, rest)
    } else if text.starts_with('>') {
        // `> 0.6.1` has no lowest version we can name.
        return None;
    } else {
        (false, text.strip_prefix('=').unwrap_or(text))
    };
    let version = Version::parse(rest.trim())?;
    let note = open.then(|| {
        format!(
            "version constraint `{text}` is read as {version}, the lowest version it allows; \
             Terraform installs the newest match"
        )
    });
    Some((version, note))
}

struct Ctx<'a> {
    args: &'a Obj,
    at: Pos,
    body: Out,
    notes: Vec<String>,
    version: Version,
}

impl Ctx<'_> {
    fn arg(&self, name: &str) -> Option<In> {
        argument(self.args, name)
    }

    fn scalars(&mut self) {
        for (var, path) in SCALARS {
            if let Some(value) = self.arg(var) {
                self.body.put(path, value.leaf(), self.at);
            }
        }
        let local = self
            .arg("disable_local_accounts")
            .unwrap_or_else(|| In::Leaf(Val::Bool(false), self.at, Vec::new()));
        self.body
            .put("properties.disableLocalAccounts", local.leaf(), self.at);
    }

    fn profiles(&mut self) {
        for (var, path) in PROFILES {
            if let Some(value) = self.arg(var) {
                self.body.put(path, rest(&value, Style::Camel), self.at);
            }
        }
        if let Some(value) = self.arg("auto_scaler_profile") {
            self.body.put(
                "properties.autoScalerProfile",
                rest(&value, Style::Hyphen),
                self.at,
            );
        }
        if let Some(value) = self.arg("identity_profile") {
            // Keys are identity names (`kubeletidentity`), values REST objects.
            let converted = match &value {
                In::Map(pos, entries) => Out::Map(
                    *pos,
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), rest(v, Style::Camel)))
                        .collect(),
                ),
                other => other.leaf(),
            };
            self.body
                .put("properties.identityProfile", converted, self.at);
        }
    }

    /// `auto_upgrade_profile`: optional attributes default to `NodeImage` / `none`.
    fn auto_upgrade(&mut self) {
        let Some(value) = self.arg("auto_upgrade_profile") else {
            return;
        };
        // Attributes the variable's type does not declare are dropped by Terraform's type
        // conversion, silently (by design: hashicorp/terraform#29204); say so, since a
        // misspelling changes the result.
        let declared = ["node_os_upgrade_channel", "upgrade_channel"];
        let mut value = value;
        if let In::Map(_, entries) = &mut value {
            for (key, _) in entries
                .iter()
                .filter(|(k, _)| !declared.contains(&k.as_str()))
            {
                self.notes.push(format!(
                    "auto_upgrade_profile.{key} is not an attribute of the module's type: \
                     Terraform drops it"
                ));
            }
            entries.retain(|(k, _)| declared.contains(&k.as_str()));
        }
        let mut out = rest(&value, Style::Camel);
        if let (In::Map(pos, _), Out::Map(..)) = (&value, &out) {
            for (key, default) in [
                ("nodeOSUpgradeChannel", "NodeImage"),
                ("upgradeChannel", "none"),
            ] {
                if out.get(key).is_none() {
                    out.put(key, Out::leaf_at(Val::Str(default.into()), *pos), *pos);
                }
            }
        }
        self.body.put("properties.autoUpgradeProfile", out, self.at);
    }

    fn sku_and_identity(&mut self) {
        if let Some(sku) = self.arg("sku") {
            self.body.put("sku", rest(&sku, Style::Camel), self.at);
        }
        let identities = self.arg("managed_identities");
        let (system, user, pos) = match &identities {
            None => (Val::Bool(true), Val::Bool(false), self.at),
            Some(In::Map(pos, _)) => {
                let identities = identities.as_ref().expect("matched Some");
                let system = identities
                    .get("system_assigned")
                    .map_or(Val::Bool(false), |v| v.val());
                let user = match identities
                    .get("user_assigned_resource_ids")
                    .map(|v| v.val())
                {
                    None | Some(Val::Null) => Val::Bool(false),
                    Some(Val::List(items)) => Val::Bool(!items.is_empty()),
                    Some(Val::Unknown(why)) => Val::Unknown(why),
                    Some(_) => Val::Bool(true),
                };
                (system, user, *pos)
            }
            Some(other) => (other.val(), other.val(), other.pos()),
        };
        let kind = match (&system, &user) {
            (Val::Unknown(why), _) | (_, Val::Unknown(why)) => Val::Unknown(why.clone()),
            (Val::Bool(true), Val::Bool(true)) => Val::Str("SystemAssigned, UserAssigned".into()),
            (_, Val::Bool(true)) => Val::Str("UserAssigned".into()),
            (Val::Bool(true), _) => Val::Str("SystemAssigned".into()),
            _ => Val::Null,
        };
        if kind != Val::Null {
            self.body
                .put("identity.type", Out::leaf_at(kind, pos), self.at);
        }
    }

    fn addons(&mut self) {
        let at = self.at;
        if let Some(oms) = self.arg("addon_profile_oms_agent") {
            let mut out = Out::map(oms.pos());
            match &oms {
                In::Map(pos, _) => {
                    if let Some(enabled) = oms.get("enabled") {
                        out.put("enabled", enabled.leaf(), *pos);
                    }
                    if let Some(config) = oms.get("config") {
                        if let Some(ws) = config.get("log_analytics_workspace_resource_id") {
                            out.put("config.logAnalyticsWorkspaceResourceID", ws.leaf(), *pos);
                        }
                        let aad = config
                            .get("use_aad_auth")
                            .map_or(Out::leaf_at(Val::Str("false".into()), config.pos()), |v| {
                                Out::leaf_at(to_string(v.val()), v.pos())
                            });
                        out.put("config.useAADAuth", aad, *pos);
                    }
                }
                other => out = other.leaf(),
            }
            self.body.put("properties.addonProfiles.omsagent", out, at);
        }
        let policy = self.arg("addon_profile_azure_policy").unwrap_or_else(|| {
            In::Map(
                at,
                vec![("enabled".into(), In::Leaf(Val::Bool(false), at, Vec::new()))],
            )
        });
        let policy_out = match &policy {
            In::Map(..) => rest(&policy, Style::Keep),
            other => other.leaf(),
        };
        self.body
            .put("properties.addonProfiles.azurepolicy", policy_out, at);
        if let Some(gateway) = self.arg("addon_profile_ingress_application_gateway") {
            self.body.put(
                "properties.addonProfiles.ingressApplicationGateway",
                rest(&gateway, Style::Camel),
                at,
            );
        }
        if let Some(kv) = self.arg("addon_profile_key_vault_secrets_provider") {
            let out = match &kv {
                In::Map(pos, _) => {
                    let mut out = Out::map(*pos);
                    out.put("enabled", Out::leaf_at(Val::Bool(true), *pos), *pos);
                    if let Some(config) = kv.get("config") {
                        let rotation = config
                            .get("enable_secret_rotation")
                            .map_or(Out::leaf_at(Val::Str("false".into()), config.pos()), |v| {
                                Out::leaf_at(to_string(v.val()), v.pos())
                            });
                        out.put("config.enableSecretRotation", rotation, *pos);
                        if let Some(interval) = config.get("rotation_poll_interval") {
                            out.put("config.rotationPollInterval", interval.leaf(), *pos);
                        }
                    }
                    out
                }
                other => other.leaf(),
            };
            self.body.put(
                "properties.addonProfiles.azureKeyvaultSecretsProvider",
                out,
                at,
            );
        }
        if let Some(acc) = self.arg("addon_profile_confidential_computing") {
            self.body.put(
                "properties.addonProfiles.ACCSGXDevicePlugin",
                rest(&acc, Style::Camel),
                at,
            );
        }
        if let Some(extra) = self.arg("addon_profiles_extra") {
            match &extra {
                In::Map(_, entries) => {
                    for (name, profile) in entries {
                        self.body.put(
                            &format!("properties.addonProfiles.{name}"),
                            rest(profile, Style::Keep),
                            at,
                        );
                    }
                }
                In::Leaf(Val::Unknown(why), ..) => self.notes.push(format!(
                    "addon_profiles_extra is unknown ({why}): other add-ons may be set"
                )),
                In::Leaf(..) => {}
            }
        }
    }

    /// `default_agent_pool` (always present) and `agent_pools` as `agentPoolProfiles`.
    fn pools(&mut self) {
        let at = self.at;
        let default = self
            .arg("default_agent_pool")
            .unwrap_or_else(|| In::Map(at, Vec::new()));
        let mut items = Vec::new();
        let mut positions = Vec::new();
        match &default {
            In::Map(pos, _) => {
                let mut pool = rest(&default, Style::Camel);
                for (key, value) in [
                    ("name", Val::Str("systempool".into())),
                    ("count", Val::Num("3".into())),
                ] {
                    if pool.get(key).is_none() {
                        pool.put(key, Out::leaf_at(value, *pos), *pos);
                    }
                }
                if self.version >= POOL_VERSION_FOLLOWS_CLUSTER
                    && pool.get("orchestratorVersion").is_none()
                    && let Some(version) = self.arg("kubernetes_version")
                {
                    pool.put("orchestratorVersion", version.leaf(), *pos);
                }
                pool.put("mode", Out::leaf_at(Val::Str("System".into()), *pos), *pos);
                pool.put("osType", Out::leaf_at(Val::Str("Linux".into()), *pos), *pos);
                items.push(pool.to_val());
                positions.push(*pos);
            }
            other => {
                items.push(other.val());
                positions.push(other.pos());
            }
        }
        let mut pos = default.pos();
        if let Some(pools) = self.arg("agent_pools") {
            match &pools {
                In::Map(_, entries) => {
                    for (_, pool) in entries {
                        items.push(rest(pool, Style::Camel).to_val());
                        positions.push(pool.pos());
                    }
                }
                other => {
                    // An unknown map of pools: the whole list is unknown.
                    items.push(other.val());
                    positions.push(other.pos());
                    pos = other.pos();
                }
            }
        }
        let list = Out::Leaf(Attr {
            val: Val::List(items),
            pos,
            text: None,
            items: positions,
        });
        self.body.put("properties.agentPoolProfiles", list, at);
    }

    /// An Automatic SKU keeps only the allowed properties, no Azure Policy or Key Vault
    /// add-on, and pools with name, mode, count, subnet and tags only.
    fn automatic(&mut self) {
        let name = self
            .body
            .get("sku")
            .and_then(|s| s.get("name"))
            .map(Out::val);
        match name {
            Some(Val::Str(name)) if name == "Automatic" => {}
            Some(Val::Unknown(why)) => {
                self.notes.push(format!(
                    "sku.name is unknown ({why}): an Automatic SKU would drop properties, so \
                     every setting is Unknown"
                ));
                let at = self.at;
                self.body
                    .put("properties", Out::unknown("sku.name is unknown", at), at);
                return;
            }
            _ => return,
        }
        if let Some(Out::Map(_, entries)) = self.body.get_mut("properties") {
            entries.retain(|(k, _)| AUTOMATIC_PROPERTIES.contains(&k.as_str()));
        }
        if let Some(Out::Map(_, addons)) = self
            .body
            .get_mut("properties")
            .and_then(|p| p.get_mut("addonProfiles"))
        {
            addons.retain(|(k, _)| k != "azurepolicy" && k != "azureKeyvaultSecretsProvider");
        }
        if let Some(Out::Leaf(pools)) = self
            .body
            .get_mut("properties")
            .and_then(|p| p.get_mut("agentPoolProfiles"))
            && let Val::List(items) = &mut pools.val
        {
            for item in items {
                if let Val::Map(entries) = item {
                    entries.retain(|(k, _)| AUTOMATIC_POOL_PROPERTIES.contains(&k.as_str()));
                }
            }
        }
        // The network profile: a few keys, and none at all with outbound type `loadBalancer`.
        let at = self.at;
        if let Some(Out::Map(_, entries)) = self.body.get_mut("properties")
            && let Some(index) = entries.iter().position(|(k, _)| k == "networkProfile")
        {
            match entries[index].1.get("outboundType").map(Out::val) {
                Some(Val::Str(t)) if t == "loadBalancer" => {
                    entries.remove(index);
                }
                Some(Val::Unknown(why)) => {
                    entries[index].1 =
                        Out::unknown(&format!("Automatic SKU, outbound type: {why}"), at);
                }
                _ => {
                    if let Out::Map(_, network) = &mut entries[index].1 {
                        network.retain(|(k, _)| AUTOMATIC_NETWORK_PROPERTIES.contains(&k.as_str()));
                    }
                }
            }
        }
        self.notes.push(
            "Automatic SKU: only the properties the module sends for Automatic clusters are read"
                .into(),
        );
    }

    /// `diagnostic_settings`: log groups default to `allLogs`.
    fn diagnostics(&mut self) -> Vec<Obj> {
        let Some(settings) = self.arg("diagnostic_settings") else {
            return Vec::new();
        };
        let In::Map(_, entries) = &settings else {
            if let In::Leaf(Val::Unknown(why), ..) = &settings {
                self.notes
                    .push(format!("diagnostic_settings is unknown ({why}): not read"));
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (_, setting) in entries {
            let pos = setting.pos();
            let mut body = Out::map(pos);
            let name = setting.get("name").map_or(Val::Null, |n| n.val());
            body.put("name", Out::leaf_at(name, pos), pos);
            let mut logs = Vec::new();
            let mut unknown = None;
            for (key, rest_key, default) in [
                ("log_groups", "categoryGroup", Some("allLogs")),
                ("log_categories", "category", None),
            ] {
                match setting.get(key).map(|v| v.val()) {
                    Some(Val::List(items)) => {
                        for item in items {
                            logs.push(Val::Map(vec![
                                (rest_key.into(), item),
                                ("enabled".into(), Val::Bool(true)),
                            ]));
                        }
                    }
                    Some(Val::Unknown(why)) => unknown = Some(why),
                    None | Some(Val::Null) => {
                        if let Some(default) = default {
                            logs.push(Val::Map(vec![
                                (rest_key.into(), Val::Str(default.into())),
                                ("enabled".into(), Val::Bool(true)),
                            ]));
                        }
                    }
                    Some(_) => {}
                }
            }
            let logs = unknown.map_or(Val::List(logs), Val::Unknown);
            body.put("properties.logs", Out::leaf_at(logs, pos), pos);
            if let Some(ws) = setting.get("workspace_resource_id") {
                body.put("properties.workspaceId", ws.leaf(), pos);
            }
            out.push(body.into_obj());
        }
        out
    }

    fn maintenance(&mut self) -> Vec<(String, Pos)> {
        let Some(configs) = self.arg("maintenanceconfiguration") else {
            return Vec::new();
        };
        let In::Map(_, entries) = &configs else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(_, config)| match config.get("name").map(|n| n.val()) {
                Some(Val::Str(name)) => Some((name, config.pos())),
                _ => None,
            })
            .collect()
    }
}

/// `tostring()` of a bool (add-on config maps hold strings).
fn to_string(val: Val) -> Val {
    match val {
        Val::Bool(b) => Val::Str(b.to_string()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------
// Inputs and outputs as positioned trees

/// A module argument: an object with its entries (each at the argument's position, the
/// finest the front end gives), or any other value.
#[derive(Clone, Debug)]
enum In {
    Leaf(Val, Pos, Vec<Pos>),
    Map(Pos, Vec<(String, In)>),
}

/// The argument `name` of the module call: an attribute or a block; `None` when absent or
/// null (a null argument takes the variable's default).
fn argument(args: &Obj, name: &str) -> Option<In> {
    if let Some(attr) = args.attr(name) {
        if attr.val == Val::Null {
            return None;
        }
        return Some(match &attr.val {
            Val::Map(_) => In::from_val(&attr.val, attr.pos),
            val => In::Leaf(val.clone(), attr.pos, attr.items.clone()),
        });
    }
    args.block(name).map(In::from_obj)
}

impl In {
    fn from_val(val: &Val, pos: Pos) -> In {
        match val {
            Val::Map(entries) => In::Map(
                pos,
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), In::from_val(v, pos)))
                    .collect(),
            ),
            other => In::Leaf(other.clone(), pos, Vec::new()),
        }
    }

    fn from_obj(obj: &Obj) -> In {
        let mut entries: Vec<(String, In)> = obj
            .attrs
            .iter()
            .map(|(k, a)| {
                let value = match &a.val {
                    Val::Map(_) => In::from_val(&a.val, a.pos),
                    val => In::Leaf(val.clone(), a.pos, a.items.clone()),
                };
                (k.clone(), value)
            })
            .collect();
        entries.extend(obj.blocks.iter().map(|(k, b)| (k.clone(), In::from_obj(b))));
        for name in &obj.dynamic {
            entries.push((
                name.clone(),
                In::Leaf(
                    Val::Unknown(format!("`dynamic \"{name}\"` block")),
                    obj.pos,
                    Vec::new(),
                ),
            ));
        }
        In::Map(obj.pos, entries)
    }

    fn pos(&self) -> Pos {
        match self {
            In::Leaf(_, pos, _) | In::Map(pos, _) => *pos,
        }
    }

    /// An entry of an object (null entries are absent, as optional attributes).
    fn get(&self, key: &str) -> Option<&In> {
        match self {
            In::Map(_, entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| !matches!(v, In::Leaf(Val::Null, ..))),
            In::Leaf(..) => None,
        }
    }

    fn val(&self) -> Val {
        match self {
            In::Leaf(val, ..) => val.clone(),
            In::Map(_, entries) => {
                Val::Map(entries.iter().map(|(k, v)| (k.clone(), v.val())).collect())
            }
        }
    }

    /// The value as written (no key conversion).
    fn leaf(&self) -> Out {
        match self {
            In::Leaf(val, pos, items) => Out::Leaf(Attr {
                val: val.clone(),
                pos: *pos,
                text: None,
                items: items.clone(),
            }),
            In::Map(pos, entries) => Out::Map(
                *pos,
                entries.iter().map(|(k, v)| (k.clone(), v.leaf())).collect(),
            ),
        }
    }
}

/// Key spelling of a converted object.
#[derive(Clone, Copy)]
enum Style {
    /// REST camel case (with [`KEY_EXCEPTIONS`]).
    Camel,
    /// The cluster autoscaler's hyphenated keys (`scan-interval`).
    Hyphen,
    /// Keys as written (add-on names, config maps).
    Keep,
}

fn rest_key(key: &str, style: Style) -> String {
    match style {
        Style::Keep => key.to_owned(),
        Style::Hyphen => key.replace('_', "-"),
        Style::Camel => {
            if let Some((_, rest)) = KEY_EXCEPTIONS.iter().find(|(k, _)| *k == key) {
                return (*rest).to_owned();
            }
            let mut out = String::with_capacity(key.len());
            for (i, part) in key.split('_').enumerate() {
                let mut chars = part.chars();
                if i == 0 {
                    out.push_str(part);
                } else if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            out
        }
    }
}

/// Converts an input object to REST spelling (nested objects camel-cased; `config` maps of
/// add-ons keep their keys); null entries and secrets are left out.
fn rest(input: &In, style: Style) -> Out {
    match input {
        In::Leaf(val, pos, items) => Out::Leaf(Attr {
            val: rest_val(val, style),
            pos: *pos,
            text: None,
            items: items.clone(),
        }),
        In::Map(pos, entries) => Out::Map(
            *pos,
            entries
                .iter()
                .filter(|(k, v)| {
                    !SECRET_KEYS.contains(&k.as_str()) && !matches!(v, In::Leaf(Val::Null, ..))
                })
                .map(|(k, v)| {
                    let inner = if k == "config" { Style::Keep } else { style };
                    (rest_key(k, style), rest(v, inner))
                })
                .collect(),
        ),
    }
}

fn rest_val(val: &Val, style: Style) -> Val {
    match val {
        Val::Map(entries) => Val::Map(
            entries
                .iter()
                .filter(|(k, v)| !SECRET_KEYS.contains(&k.as_str()) && *v != Val::Null)
                .map(|(k, v)| {
                    let inner = if k == "config" { Style::Keep } else { style };
                    (rest_key(k, style), rest_val(v, inner))
                })
                .collect(),
        ),
        Val::List(items) => Val::List(items.iter().map(|v| rest_val(v, style)).collect()),
        other => other.clone(),
    }
}

/// The REST body being built: objects become blocks, everything else attributes.
#[derive(Clone, Debug)]
enum Out {
    Leaf(Attr),
    Map(Pos, Vec<(String, Out)>),
}

impl Out {
    fn map(pos: Pos) -> Out {
        Out::Map(pos, Vec::new())
    }

    fn leaf_at(val: Val, pos: Pos) -> Out {
        Out::Leaf(Attr {
            val,
            pos,
            text: None,
            items: Vec::new(),
        })
    }

    fn unknown(reason: &str, pos: Pos) -> Out {
        Out::leaf_at(Val::Unknown(reason.to_owned()), pos)
    }

    fn get(&self, key: &str) -> Option<&Out> {
        match self {
            Out::Map(_, entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            Out::Leaf(_) => None,
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Out> {
        match self {
            Out::Map(_, entries) => entries
                .iter_mut()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v),
            Out::Leaf(_) => None,
        }
    }

    fn val(&self) -> Val {
        match self {
            Out::Leaf(attr) => attr.val.clone(),
            Out::Map(_, entries) => {
                Val::Map(entries.iter().map(|(k, v)| (k.clone(), v.val())).collect())
            }
        }
    }

    fn to_val(&self) -> Val {
        self.val()
    }

    /// Sets a dotted path, creating objects at `at`; a non-object on the way (an unknown
    /// argument for the whole object) is kept: what it holds is unknown anyway.
    fn put(&mut self, path: &str, value: Out, at: Pos) {
        let (head, rest) = match path.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (path, None),
        };
        let Out::Map(_, entries) = self else {
            return;
        };
        let index = entries.iter().rposition(|(k, _)| k == head);
        match rest {
            None => match index {
                Some(i) => entries[i].1 = value,
                None => entries.push((head.to_owned(), value)),
            },
            Some(rest) => {
                let i = match index {
                    Some(i) => i,
                    None => {
                        entries.push((head.to_owned(), Out::map(at)));
                        entries.len() - 1
                    }
                };
                entries[i].1.put(rest, value, at);
            }
        }
    }

    fn into_obj(self) -> Obj {
        match self {
            Out::Map(pos, entries) => {
                let mut obj = Obj {
                    pos,
                    ..Obj::default()
                };
                for (key, value) in entries {
                    match value {
                        Out::Leaf(attr) => obj.attrs.push((key, attr)),
                        map @ Out::Map(..) => obj.blocks.push((key, map.into_obj())),
                    }
                }
                obj
            }
            Out::Leaf(attr) => Obj {
                pos: attr.pos,
                attrs: vec![(String::new(), attr)],
                ..Obj::default()
            },
        }
    }
}
