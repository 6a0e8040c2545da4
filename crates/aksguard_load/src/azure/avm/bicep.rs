//! The Bicep AVM managed-cluster module (`br/public:avm/res/container-service/managed-cluster`)
//! as an ARM template resource built from the call's `params`.
//!
//! Checked against the module source in Azure/bicep-registry-modules
//! (`avm/res/container-service/managed-cluster/main.bicep`):
//! - 0.1.7: the last 0.1 commit before 276e7b1 (0.2, 2024-07-23);
//! - 0.4.1 changes (b420117, 2024-10-14): `primaryAgentPoolProfile` (a REST array passed
//!   through) became `primaryAgentPoolProfiles` (the module's pool type, with defaults),
//!   `monitoringWorkspaceId` became `monitoringWorkspaceResourceId`, `disableLocalAccounts`
//!   defaults to true;
//! - 0.5.x (75bf761, 2024-12-11): the flat `aadProfile*` inputs became one `aadProfile` object
//!   with the same prefixed keys, and no `aadProfile` at all when it is not given; with
//!   cilium as data plane the module forces `networkPolicy: cilium` (34cff93, 2024-11-14);
//! - 0.9.0: c65a8c8 (2025-04-23), the version the Landing Zone and aks-store-demo call;
//! - 0.12.0: 2f9462d (2026-01-27), which replaced the flat inputs by REST-typed objects
//!   (`apiServerAccessProfile`, `autoUpgradeProfile`, `securityProfile`,
//!   `azureMonitorProfile`, …; see its CHANGELOG "Breaking Changes");
//! - 0.13.x (same inputs, API 2025-10-01) and 0.14.0: 381f81c (2026-07-20): a diagnostic
//!   setting with only `metricCategories` no longer enables the `allLogs` group, and pools of
//!   type `VirtualMachines` get no count, zones, autoscaling or VM size defaults.
//!
//! The parameters are an ARM-template-shaped map (name → value); values may be ARM
//! expression strings (`[parameters('x')]`), which are placed where the module would put them
//! and resolved later by the ARM evaluator. Where the module combines inputs (`omsAgentEnabled
//! && !empty(monitoringWorkspaceResourceId)`), the combination is written as an ARM
//! expression over the caller's expressions, so an unresolvable input stays Unknown.

use aksguard_model::{Entry, Node, Pos, Value};

use super::{BICEP_MODULE_PATH, Version, choose};

/// What a Bicep call of the module deploys: one cluster resource (with its agent pools,
/// maintenance configurations and diagnostic settings as nested `resources`), and notes
/// (version fallbacks, inputs not mapped).
#[derive(Clone, Debug)]
pub(crate) struct BicepCluster {
    pub resource: Node,
    pub notes: Vec<String>,
}

const OLDEST: Version = Version::new(0, 1, 0);
const NEWEST_CHECKED: Version = Version::new(0, 14, 0);
/// Diagnostic settings: `allLogs` only when neither logs nor metrics are chosen.
const DIAGNOSTICS_EITHER: Version = Version::new(0, 14, 0);
/// Pools of type `VirtualMachines` (no scale-set defaults).
const VM_POOL_TYPE: Version = Version::new(0, 14, 0);
/// `primaryAgentPoolProfiles` with module defaults, `disableLocalAccounts` default true.
const TYPED_POOLS: Version = Version::new(0, 4, 1);
/// `autoNodeOsUpgradeProfileUpgradeChannel` (default `Unmanaged`) and `maintenanceConfigurations`.
const NODE_OS_CHANNEL: Version = Version::new(0, 4, 0);
/// The flat `aadProfile*` inputs (and an always-present `aadProfile`) end in 0.5.x; from 0.6
/// only the `aadProfile` object exists.
const AAD_OBJECT_ONLY: Version = Version::new(0, 6, 0);
const AAD_OBJECT_FROM: Version = Version::new(0, 5, 0);
/// `networkDataplane: cilium` forces `networkPolicy: cilium` and `networkPluginMode: overlay`.
const CILIUM_FORCES_POLICY: Version = Version::new(0, 5, 1);
/// Primary pools get `securityProfile.sshAccess` (`LocalUser` unless the SKU is Automatic).
const POOL_SSH_ACCESS: Version = Version::new(0, 8, 1);
/// REST-typed objects replace the flat inputs.
const TYPED_PROFILES: Version = Version::new(0, 12, 0);

const API_VERSION_FLAT: &str = "2024-09-02-preview";
const API_VERSION_TYPED: &str = "2025-09-01";

/// Inputs that set nothing the model holds (resource metadata, extensions, locks, telemetry,
/// role assignments on the cluster): read silently.
const NOT_SETTINGS: &[&str] = &[
    "name",
    "location",
    "tags",
    "lock",
    "enableTelemetry",
    "roleAssignments",
    "fluxExtension",
    "enableDnsZoneContributorRoleAssignment",
    "managedIdentities",
    "adminUsername",
    "sshPublicKey",
    "linuxProfile",
    "customerManagedKey",
];

/// Flat inputs copied to one REST path, with the module default (Known, at the call) where
/// the module pins one. `(param, REST path, since, until, default)`; `until` is exclusive.
struct Row {
    param: &'static str,
    path: &'static str,
    since: Version,
    until: Version,
    default: Option<Lit>,
}

#[derive(Clone, Copy)]
enum Lit {
    Bool(bool),
    Str(&'static str),
}

const ALWAYS: Version = Version::new(0, 0, 0);
const NEVER: Version = Version::new(u32::MAX, 0, 0);

const fn row(
    param: &'static str,
    path: &'static str,
    since: Version,
    until: Version,
    default: Option<Lit>,
) -> Row {
    Row {
        param,
        path,
        since,
        until,
        default,
    }
}

const ROWS: &[Row] = &[
    row("skuName", "sku.name", ALWAYS, NEVER, Some(Lit::Str("Base"))),
    row(
        "skuTier",
        "sku.tier",
        ALWAYS,
        NEVER,
        Some(Lit::Str("Standard")),
    ),
    row(
        "kubernetesVersion",
        "properties.kubernetesVersion",
        ALWAYS,
        NEVER,
        None,
    ),
    row("dnsPrefix", "properties.dnsPrefix", ALWAYS, NEVER, None),
    row(
        "fqdnSubdomain",
        "properties.fqdnSubdomain",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "enableRBAC",
        "properties.enableRBAC",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(true)),
    ),
    row(
        "diskEncryptionSetResourceId",
        "properties.diskEncryptionSetID",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "publicNetworkAccess",
        "properties.publicNetworkAccess",
        ALWAYS,
        NEVER,
        Some(Lit::Str("Disabled")),
    ),
    row(
        "supportPlan",
        "properties.supportPlan",
        ALWAYS,
        NEVER,
        Some(Lit::Str("KubernetesOfficial")),
    ),
    row(
        "nodeResourceGroup",
        "properties.nodeResourceGroup",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "nodeResourceGroupProfile",
        "properties.nodeResourceGroupProfile",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "httpProxyConfig",
        "properties.httpProxyConfig",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "identityProfile",
        "properties.identityProfile",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "enablePodSecurityPolicy",
        "properties.enablePodSecurityPolicy",
        ALWAYS,
        Version::new(0, 11, 0),
        Some(Lit::Bool(false)),
    ),
    // API server access.
    row(
        "authorizedIPRanges",
        "properties.apiServerAccessProfile.authorizedIPRanges",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "disableRunCommand",
        "properties.apiServerAccessProfile.disableRunCommand",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Bool(false)),
    ),
    row(
        "enablePrivateCluster",
        "properties.apiServerAccessProfile.enablePrivateCluster",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Bool(false)),
    ),
    row(
        "enablePrivateClusterPublicFQDN",
        "properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Bool(false)),
    ),
    row(
        "privateDNSZone",
        "properties.apiServerAccessProfile.privateDNSZone",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "apiServerAccessProfile",
        "properties.apiServerAccessProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    // Upgrades.
    row(
        "autoUpgradeProfileUpgradeChannel",
        "properties.autoUpgradeProfile.upgradeChannel",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Str("stable")),
    ),
    row(
        "autoNodeOsUpgradeProfileUpgradeChannel",
        "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
        NODE_OS_CHANNEL,
        TYPED_PROFILES,
        Some(Lit::Str("Unmanaged")),
    ),
    row(
        "upgradeSettings",
        "properties.upgradeSettings",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    // Network.
    row(
        "networkPlugin",
        "properties.networkProfile.networkPlugin",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "networkDataplane",
        "properties.networkProfile.networkDataplane",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "podCidr",
        "properties.networkProfile.podCidr",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "podCidrs",
        "properties.networkProfile.podCidrs",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "serviceCidr",
        "properties.networkProfile.serviceCidr",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "serviceCidrs",
        "properties.networkProfile.serviceCidrs",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "dnsServiceIP",
        "properties.networkProfile.dnsServiceIP",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "outboundType",
        "properties.networkProfile.outboundType",
        ALWAYS,
        NEVER,
        Some(Lit::Str("loadBalancer")),
    ),
    row(
        "loadBalancerSku",
        "properties.networkProfile.loadBalancerSku",
        ALWAYS,
        NEVER,
        Some(Lit::Str("standard")),
    ),
    row(
        "backendPoolType",
        "properties.networkProfile.loadBalancerProfile.backendPoolType",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "advancedNetworking",
        "properties.networkProfile.advancedNetworking",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "networkMode",
        "properties.networkProfile.networkMode",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "natGatewayProfile",
        "properties.networkProfile.natGatewayProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "staticEgressGatewayProfile",
        "properties.networkProfile.staticEgressGatewayProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    // Add-ons.
    row(
        "httpApplicationRoutingEnabled",
        "properties.addonProfiles.httpApplicationRouting.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(false)),
    ),
    row(
        "aciConnectorLinuxEnabled",
        "properties.addonProfiles.aciConnectorLinux.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(false)),
    ),
    row(
        "azurePolicyEnabled",
        "properties.addonProfiles.azurepolicy.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(true)),
    ),
    row(
        "openServiceMeshEnabled",
        "properties.addonProfiles.openServiceMesh.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(false)),
    ),
    row(
        "kubeDashboardEnabled",
        "properties.addonProfiles.kubeDashboard.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(false)),
    ),
    row(
        "enableKeyvaultSecretsProvider",
        "properties.addonProfiles.azureKeyvaultSecretsProvider.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(false)),
    ),
    row(
        "webApplicationRoutingEnabled",
        "properties.ingressProfile.webAppRouting.enabled",
        ALWAYS,
        NEVER,
        Some(Lit::Bool(false)),
    ),
    // Identity and security.
    row(
        "enableOidcIssuerProfile",
        "properties.oidcIssuerProfile.enabled",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "enableWorkloadIdentity",
        "properties.securityProfile.workloadIdentity.enabled",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "enableAzureDefender",
        "properties.securityProfile.defender.securityMonitoring.enabled",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "enableImageCleaner",
        "properties.securityProfile.imageCleaner.enabled",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "imageCleanerIntervalHours",
        "properties.securityProfile.imageCleaner.intervalHours",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "enableImageIntegrity",
        "properties.securityProfile.imageIntegrity.enabled",
        Version::new(0, 11, 0),
        TYPED_PROFILES,
        None,
    ),
    row(
        "enableNodeRestriction",
        "properties.securityProfile.nodeRestriction.enabled",
        Version::new(0, 11, 0),
        TYPED_PROFILES,
        None,
    ),
    row(
        "securityProfile",
        "properties.securityProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "podIdentityProfileEnable",
        "properties.podIdentityProfile.enabled",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Bool(false)),
    ),
    row(
        "podIdentityProfileAllowNetworkPluginKubenet",
        "properties.podIdentityProfile.allowNetworkPluginKubenet",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Bool(false)),
    ),
    row(
        "podIdentityProfile",
        "properties.podIdentityProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "aadProfile",
        "properties.aadProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    // Monitoring.
    row(
        "enableContainerInsights",
        "properties.azureMonitorProfile.containerInsights.enabled",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "enableAzureMonitorProfileMetrics",
        "properties.azureMonitorProfile.metrics.enabled",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "azureMonitorProfile",
        "properties.azureMonitorProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    // Other typed profiles (0.12).
    row(
        "autoScalerProfile",
        "properties.autoScalerProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "serviceMeshProfile",
        "properties.serviceMeshProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "workloadAutoScalerProfile",
        "properties.workloadAutoScalerProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "nodeProvisioningProfile",
        "properties.nodeProvisioningProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "aiToolchainOperatorProfile",
        "properties.aiToolchainOperatorProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "bootstrapProfile",
        "properties.bootstrapProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "windowsProfile",
        "properties.windowsProfile",
        TYPED_PROFILES,
        NEVER,
        None,
    ),
    row(
        "kedaAddon",
        "properties.workloadAutoScalerProfile.keda.enabled",
        ALWAYS,
        TYPED_PROFILES,
        Some(Lit::Bool(false)),
    ),
    row(
        "vpaAddon",
        "properties.workloadAutoScalerProfile.verticalPodAutoscaler.enabled",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
    row(
        "nodeProvisioningProfileMode",
        "properties.nodeProvisioningProfile.mode",
        ALWAYS,
        TYPED_PROFILES,
        None,
    ),
];

/// Storage drivers and cost analysis (the module's defaults are the API's or depend on the
/// tier: not pinned).
const MORE_ROWS: &[Row] = &[
    row(
        "enableStorageProfileBlobCSIDriver",
        "properties.storageProfile.blobCSIDriver.enabled",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "enableStorageProfileDiskCSIDriver",
        "properties.storageProfile.diskCSIDriver.enabled",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "enableStorageProfileFileCSIDriver",
        "properties.storageProfile.fileCSIDriver.enabled",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "enableStorageProfileSnapshotController",
        "properties.storageProfile.snapshotController.enabled",
        ALWAYS,
        NEVER,
        None,
    ),
    row(
        "costAnalysisEnabled",
        "properties.metricsProfile.costAnalysis.enabled",
        ALWAYS,
        NEVER,
        None,
    ),
];

/// The flat cluster-autoscaler inputs (before 0.12) and the REST keys they set.
const AUTOSCALER: &[(&str, &str)] = &[
    (
        "autoScalerProfileBalanceSimilarNodeGroups",
        "balance-similar-node-groups",
    ),
    (
        "autoScalerProfileDaemonsetEvictionForEmptyNodes",
        "daemonset-eviction-for-empty-nodes",
    ),
    (
        "autoScalerProfileDaemonsetEvictionForOccupiedNodes",
        "daemonset-eviction-for-occupied-nodes",
    ),
    ("autoScalerProfileExpander", "expander"),
    (
        "autoScalerProfileIgnoreDaemonsetsUtilization",
        "ignore-daemonsets-utilization",
    ),
    (
        "autoScalerProfileMaxEmptyBulkDelete",
        "max-empty-bulk-delete",
    ),
    (
        "autoScalerProfileMaxGracefulTerminationSec",
        "max-graceful-termination-sec",
    ),
    (
        "autoScalerProfileMaxNodeProvisionTime",
        "max-node-provision-time",
    ),
    (
        "autoScalerProfileMaxTotalUnreadyPercentage",
        "max-total-unready-percentage",
    ),
    (
        "autoScalerProfileNewPodScaleUpDelay",
        "new-pod-scale-up-delay",
    ),
    (
        "autoScalerProfileOkTotalUnreadyCount",
        "ok-total-unready-count",
    ),
    (
        "autoScalerProfileScaleDownDelayAfterAdd",
        "scale-down-delay-after-add",
    ),
    (
        "autoScalerProfileScaleDownDelayAfterDelete",
        "scale-down-delay-after-delete",
    ),
    (
        "autoScalerProfileScaleDownDelayAfterFailure",
        "scale-down-delay-after-failure",
    ),
    (
        "autoScalerProfileScaleDownUnneededTime",
        "scale-down-unneeded-time",
    ),
    (
        "autoScalerProfileScaleDownUnreadyTime",
        "scale-down-unready-time",
    ),
    (
        "autoScalerProfileUtilizationThreshold",
        "scale-down-utilization-threshold",
    ),
    ("autoScalerProfileScanInterval", "scan-interval"),
    (
        "autoScalerProfileSkipNodesWithLocalStorage",
        "skip-nodes-with-local-storage",
    ),
    (
        "autoScalerProfileSkipNodesWithSystemPods",
        "skip-nodes-with-system-pods",
    ),
];

/// Inputs the module reads only when a feature is on (before 0.12): `(param, REST path, the
/// REST flag of the feature)`. With the feature known off they set nothing.
const WHEN_ENABLED: &[(&str, &str, &str)] = &[
    (
        "disableCustomMetrics",
        "properties.azureMonitorProfile.containerInsights.disableCustomMetrics",
        "properties.azureMonitorProfile.containerInsights.enabled",
    ),
    (
        "disablePrometheusMetricsScraping",
        "properties.azureMonitorProfile.containerInsights.disablePrometheusMetricsScraping",
        "properties.azureMonitorProfile.containerInsights.enabled",
    ),
    (
        "syslogPort",
        "properties.azureMonitorProfile.containerInsights.syslogPort",
        "properties.azureMonitorProfile.containerInsights.enabled",
    ),
    (
        "metricLabelsAllowlist",
        "properties.azureMonitorProfile.metrics.kubeStateMetrics.metricLabelsAllowlist",
        "properties.azureMonitorProfile.metrics.enabled",
    ),
    (
        "metricAnnotationsAllowList",
        "properties.azureMonitorProfile.metrics.kubeStateMetrics.metricAnnotationsAllowList",
        "properties.azureMonitorProfile.metrics.enabled",
    ),
];

/// Flat `aadProfile*` inputs (before 0.6) and the keys of the `aadProfile` object (0.5–0.11).
const AAD_KEYS: &[(&str, &str)] = &[
    ("aadProfileClientAppID", "clientAppID"),
    ("aadProfileServerAppID", "serverAppID"),
    ("aadProfileManaged", "managed"),
    ("aadProfileEnableAzureRBAC", "enableAzureRBAC"),
    ("aadProfileAdminGroupObjectIDs", "adminGroupObjectIDs"),
    ("aadProfileTenantId", "tenantID"),
];

/// Keys of the module's agent pool type that are not the REST names.
const POOL_RENAMES: &[(&str, &str)] = &[
    ("vnetSubnetResourceId", "vnetSubnetID"),
    ("podSubnetResourceId", "podSubnetID"),
    ("nodePublicIpPrefixResourceId", "nodePublicIPPrefixID"),
    (
        "proximityPlacementGroupResourceId",
        "proximityPlacementGroupID",
    ),
    ("sourceResourceId", "creationData.sourceResourceId"),
    ("maxSurge", "upgradeSettings.maxSurge"),
    ("enableSecureBoot", "securityProfile.enableSecureBoot"),
    ("enableVTPM", "securityProfile.enableVTPM"),
];

/// Module defaults of a primary agent pool (0.4.1 on).
const POOL_DEFAULTS: &[(&str, Lit)] = &[
    ("count", Lit::Str("1")),
    ("enableAutoScaling", Lit::Bool(false)),
    ("enableEncryptionAtHost", Lit::Bool(false)),
    ("enableFIPS", Lit::Bool(false)),
    ("enableNodePublicIP", Lit::Bool(false)),
    ("enableUltraSSD", Lit::Bool(false)),
    ("osType", Lit::Str("Linux")),
    ("scaleDownMode", Lit::Str("Delete")),
    ("scaleSetEvictionPolicy", Lit::Str("Delete")),
    ("vmSize", Lit::Str("Standard_D2s_v3")),
];

/// Translates one call of the module into the ARM resource it deploys.
pub(crate) fn cluster_from_bicep_call(version: &str, params: &Node, call: Pos) -> BicepCluster {
    let module = format!("AVM module {BICEP_MODULE_PATH}");
    let mut notes = Vec::new();
    let mut call_ctx = Call {
        params,
        at: call,
        used: Vec::new(),
    };
    let parsed = Version::parse(version);
    let table = match parsed {
        Some(v) => choose(v, OLDEST, NEWEST_CHECKED, &module).map(|note| (v, note)),
        None => Err(format!(
            "{module}: version `{version}` is not a version number"
        )),
    };
    let mut resource = new_map(call);
    put(
        &mut resource,
        "type",
        str_at("Microsoft.ContainerService/managedClusters", call),
        call,
    );
    let name = call_ctx
        .get("name")
        .cloned()
        .unwrap_or_else(|| unknown_at("the module call passes no name", call));
    put(&mut resource, "name", name, call);
    if let Some(location) = call_ctx.get("location") {
        put(&mut resource, "location", location.clone(), call);
    }
    let version = match table {
        Ok((v, note)) => {
            notes.extend(note);
            v
        }
        Err(why) => {
            put(
                &mut resource,
                "apiVersion",
                str_at(API_VERSION_FLAT, call),
                call,
            );
            put(&mut resource, "properties", unknown_at(&why, call), call);
            notes.push(format!("{why}: every setting is Unknown"));
            return BicepCluster { resource, notes };
        }
    };
    let api = if version >= TYPED_PROFILES {
        API_VERSION_TYPED
    } else {
        API_VERSION_FLAT
    };
    put(&mut resource, "apiVersion", str_at(api, call), call);
    put(&mut resource, "properties", new_map(call), call);
    call_ctx.rows(version, &mut resource);
    call_ctx.aad(version, &mut resource, &mut notes);
    call_ctx.upgrade_profile(version, &mut resource);
    call_ctx.local_accounts(version, &mut resource);
    call_ctx.network_policy(version, &mut resource);
    call_ctx.addons(version, &mut resource);
    call_ctx.identity(&mut resource);
    call_ctx.service_principal(&mut resource);
    call_ctx.primary_pools(version, &mut resource, &mut notes);
    let children = call_ctx.children(version, &mut notes);
    if !children.is_empty() {
        put(
            &mut resource,
            "resources",
            Node {
                pos: call,
                value: Value::Seq(children),
            },
            call,
        );
    }
    let unmapped: Vec<&str> = params
        .entries()
        .iter()
        .map(|e| e.key.as_str())
        .filter(|k| !call_ctx.used.iter().any(|u| u.eq_ignore_ascii_case(k)))
        .filter(|k| !NOT_SETTINGS.iter().any(|n| n.eq_ignore_ascii_case(k)))
        .collect();
    if !unmapped.is_empty() {
        notes.push(format!(
            "{module} {version}: inputs not mapped to cluster settings: {}",
            unmapped.join(", ")
        ));
    }
    BicepCluster { resource, notes }
}

struct Call<'a> {
    params: &'a Node,
    at: Pos,
    used: Vec<String>,
}

impl<'a> Call<'a> {
    /// The caller's value of a parameter (case-insensitive, as ARM); a literal `null` is "not
    /// given" (ARM then uses the parameter's default).
    fn get(&mut self, name: &str) -> Option<&'a Node> {
        let entry = self
            .params
            .entries()
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(name))?;
        self.used.push(entry.key.to_string());
        (!entry.value.is_null()).then_some(&entry.value)
    }

    fn rows(&mut self, version: Version, resource: &mut Node) {
        for row in ROWS.iter().chain(MORE_ROWS) {
            if version < row.since || version >= row.until {
                continue;
            }
            let value = match self.get(row.param) {
                Some(value) => value.clone(),
                None => match row.default {
                    Some(lit) => lit_at(lit, self.at),
                    None => continue,
                },
            };
            put(resource, row.path, value, self.at);
        }
        if version >= TYPED_PROFILES {
            return;
        }
        for (param, key) in AUTOSCALER {
            if let Some(value) = self.get(param) {
                put(
                    resource,
                    &format!("properties.autoScalerProfile.{key}"),
                    value.clone(),
                    self.at,
                );
            }
        }
        for (param, path, flag) in WHEN_ENABLED {
            let Some(value) = self.get(param) else {
                continue;
            };
            let on = get_path(resource, flag).map(cond);
            if !matches!(on, None | Some(Cond::Known(false))) {
                put(resource, path, value.clone(), self.at);
            }
        }
    }

    /// Entra ID: flat inputs with the module's defaults (`managed: true`, `enableAzureRBAC`
    /// following `enableRBAC`) before 0.6; the prefixed-key object from 0.5 (absent: no
    /// `aadProfile`); the REST object from 0.12 (a row).
    fn aad(&mut self, version: Version, resource: &mut Node, notes: &mut Vec<String>) {
        if version >= TYPED_PROFILES {
            return;
        }
        let at = self.at;
        if version >= AAD_OBJECT_FROM
            && let Some(object) = self.get("aadProfile")
        {
            match &object.value {
                Value::Map(_) => {
                    for (key, rest) in AAD_KEYS {
                        if let Some(value) = get_ci(object, key) {
                            put(
                                resource,
                                &format!("properties.aadProfile.{rest}"),
                                value.clone(),
                                at,
                            );
                        }
                    }
                    if get_ci(object, "aadProfileServerAppSecret").is_some() {
                        notes.push(
                            "aadProfile.aadProfileServerAppSecret is a secret: not read".into(),
                        );
                    }
                }
                _ => {
                    // One expression for the whole object: its keys are the module's, not
                    // REST's, so every Entra ID setting is Unknown unless it resolves.
                    for (key, rest) in AAD_KEYS {
                        let value = match operand(object) {
                            Some(expr) => expr_at(&format!("{expr}.{key}"), object.pos),
                            None => continue,
                        };
                        put(
                            resource,
                            &format!("properties.aadProfile.{rest}"),
                            value,
                            at,
                        );
                    }
                }
            }
            return;
        }
        let flat_given = AAD_KEYS.iter().any(|(key, _)| {
            self.params
                .entries()
                .iter()
                .any(|e| e.key.eq_ignore_ascii_case(key))
        });
        if version >= AAD_OBJECT_ONLY && !flat_given {
            return;
        }
        if version >= AAD_OBJECT_FROM && !flat_given {
            // 0.5.x changed within its patch versions: an always-present managed aadProfile
            // (0.5.0) or none (later 0.5 patches).
            put(
                resource,
                "properties.aadProfile",
                unknown_at(
                    "AVM 0.5.x: aadProfile default changed between patch versions",
                    at,
                ),
                at,
            );
            return;
        }
        for (key, rest) in AAD_KEYS {
            let value = match self.get(key) {
                Some(value) => value.clone(),
                None => match *key {
                    "aadProfileManaged" => lit_at(Lit::Bool(true), at),
                    "aadProfileEnableAzureRBAC" => self
                        .params
                        .entries()
                        .iter()
                        .rev()
                        .find(|e| e.key.eq_ignore_ascii_case("enableRBAC"))
                        .map(|e| e.value.clone())
                        .filter(|v| !v.is_null())
                        .unwrap_or_else(|| lit_at(Lit::Bool(true), at)),
                    _ => continue,
                },
            };
            put(
                resource,
                &format!("properties.aadProfile.{rest}"),
                value,
                at,
            );
        }
        if self.get("aadProfileServerAppSecret").is_some() {
            notes.push("aadProfileServerAppSecret is a secret: not read".into());
        }
    }

    /// 0.12: `autoUpgradeProfile` defaults to `{upgradeChannel: 'stable'}`.
    fn upgrade_profile(&mut self, version: Version, resource: &mut Node) {
        if version < TYPED_PROFILES {
            return;
        }
        let value = match self.get("autoUpgradeProfile") {
            Some(value) => value.clone(),
            None => {
                let mut profile = new_map(self.at);
                put(
                    &mut profile,
                    "upgradeChannel",
                    str_at("stable", self.at),
                    self.at,
                );
                profile
            }
        };
        put(resource, "properties.autoUpgradeProfile", value, self.at);
    }

    /// `disableLocalAccounts`: default false before 0.4.1, true from then on.
    fn local_accounts(&mut self, version: Version, resource: &mut Node) {
        let value = match self.get("disableLocalAccounts") {
            Some(value) => value.clone(),
            None => lit_at(Lit::Bool(version >= TYPED_POOLS), self.at),
        };
        put(resource, "properties.disableLocalAccounts", value, self.at);
    }

    /// `networkPolicy`/`networkPluginMode`, forced by a cilium data plane from 0.5.1.
    fn network_policy(&mut self, version: Version, resource: &mut Node) {
        let policy = self.get("networkPolicy");
        let mode = self.get("networkPluginMode");
        let forced = version >= CILIUM_FORCES_POLICY;
        let dataplane = self
            .params
            .entries()
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case("networkDataplane"))
            .map(|e| &e.value)
            .filter(|v| !v.is_null());
        for (given, key, forced_value) in [
            (policy, "networkPolicy", "cilium"),
            (mode, "networkPluginMode", "overlay"),
        ] {
            let value = match (forced, dataplane) {
                (true, Some(dataplane)) => {
                    let pos = given.map_or(dataplane.pos, |g| g.pos);
                    let when_cilium = str_at(forced_value, dataplane.pos);
                    if_equals(dataplane, "cilium", when_cilium, given.cloned(), pos)
                }
                _ => given.cloned(),
            };
            if let Some(value) = value {
                put(
                    resource,
                    &format!("properties.networkProfile.{key}"),
                    value,
                    self.at,
                );
            }
        }
    }

    /// The add-ons that combine inputs: OMS agent (needs a workspace), Key Vault secret
    /// rotation (only with the provider), Azure Policy's version.
    fn addons(&mut self, version: Version, resource: &mut Node) {
        let at = self.at;
        let workspace_param = if version >= TYPED_POOLS {
            "monitoringWorkspaceResourceId"
        } else {
            "monitoringWorkspaceId"
        };
        let workspace = self.get(workspace_param);
        let oms = self.get("omsAgentEnabled");
        let oms_on = match oms {
            Some(node) => cond(node),
            None => Cond::Known(true),
        };
        let has_workspace = match workspace {
            Some(node) => non_empty(node),
            None => Cond::Known(false),
        };
        let pos = oms.or(workspace).map_or(at, |n| n.pos);
        let enabled = and(oms_on, has_workspace);
        put(
            resource,
            "properties.addonProfiles.omsagent.enabled",
            cond_node(&enabled, pos),
            at,
        );
        if let (Some(workspace), false) = (workspace, matches!(enabled, Cond::Known(false))) {
            put(
                resource,
                "properties.addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID",
                workspace.clone(),
                at,
            );
        }
        // Container insights and Defender take the same workspace.
        if version < TYPED_PROFILES
            && let Some(workspace) = workspace
        {
            if get_path(
                resource,
                "properties.azureMonitorProfile.containerInsights.enabled",
            )
            .is_some()
            {
                put(
                    resource,
                    "properties.azureMonitorProfile.containerInsights.logAnalyticsWorkspaceResourceId",
                    workspace.clone(),
                    at,
                );
            }
            if get_path(
                resource,
                "properties.securityProfile.defender.securityMonitoring.enabled",
            )
            .is_some()
            {
                put(
                    resource,
                    "properties.securityProfile.defender.logAnalyticsWorkspaceResourceId",
                    workspace.clone(),
                    at,
                );
            }
        }
        let kv = get_path(
            resource,
            "properties.addonProfiles.azureKeyvaultSecretsProvider.enabled",
        )
        .cloned();
        let rotation = self.get("enableSecretRotation");
        if let Some(kv) = kv {
            let rotation_text = match rotation {
                Some(node) => bool_text(node),
                None => Some(str_at("false", at)),
            };
            let pos = rotation.map_or(at, |n| n.pos);
            if let Some(text) = rotation_text
                && let Some(value) = if_true(&kv, text, pos)
            {
                put(
                    resource,
                    "properties.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation",
                    value,
                    at,
                );
            }
        }
        if let Some(policy_version) = self.get("azurePolicyVersion") {
            put(
                resource,
                "properties.addonProfiles.azurepolicy.config.version",
                policy_version.clone(),
                at,
            );
        }
    }

    /// `managedIdentities: {systemAssigned, userAssignedResourceIds}` → `identity.type`.
    fn identity(&mut self, resource: &mut Node) {
        let Some(identities) = self.get("managedIdentities") else {
            return;
        };
        let pos = identities.pos;
        let value = match &identities.value {
            Value::Map(_) => {
                let system = get_ci(identities, "systemAssigned").map_or(Cond::Known(false), cond);
                let user = get_ci(identities, "userAssignedResourceIds")
                    .or_else(|| get_ci(identities, "userAssignedResourcesIds"))
                    .map_or(Cond::Known(false), non_empty);
                match (system, user) {
                    (Cond::Known(true), _) => Some(str_at("SystemAssigned", pos)),
                    (Cond::Known(false), Cond::Known(true)) => Some(str_at("UserAssigned", pos)),
                    (Cond::Known(false), Cond::Known(false)) => None,
                    (system, user) => Some(expr_at(
                        &format!(
                            "if({}, 'SystemAssigned', if({}, 'UserAssigned', null))",
                            cond_expr(&system),
                            cond_expr(&user)
                        ),
                        pos,
                    )),
                }
            }
            _ => Some(unknown_at("managedIdentities is one expression", pos)),
        };
        if let Some(value) = value {
            put(resource, "identity.type", value, self.at);
        }
    }

    /// `aksServicePrincipalProfile`: only `clientId` (the secret is never read).
    fn service_principal(&mut self, resource: &mut Node) {
        let Some(profile) = self.get("aksServicePrincipalProfile") else {
            return;
        };
        let value = match &profile.value {
            Value::Map(_) => get_ci(profile, "clientId").cloned(),
            _ => operand(profile).map(|e| expr_at(&format!("{e}.clientId"), profile.pos)),
        };
        if let Some(value) = value {
            put(
                resource,
                "properties.servicePrincipalProfile.clientId",
                value,
                self.at,
            );
        }
    }

    /// `primaryAgentPoolProfile` (a REST array, before 0.4.1) or `primaryAgentPoolProfiles`
    /// (the module's pool type with its defaults).
    fn primary_pools(&mut self, version: Version, resource: &mut Node, notes: &mut Vec<String>) {
        let at = self.at;
        if let Some(raw) = self.get("primaryAgentPoolProfile") {
            put(resource, "properties.agentPoolProfiles", raw.clone(), at);
            return;
        }
        let Some(pools) = self.get("primaryAgentPoolProfiles") else {
            return;
        };
        let sku_name = self
            .params
            .entries()
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case("skuName"))
            .map(|e| e.value.clone());
        let value = match &pools.value {
            Value::Seq(items) => Node {
                pos: pools.pos,
                value: Value::Seq(
                    items
                        .iter()
                        .map(|item| {
                            pool(
                                item,
                                version,
                                PoolKind::Primary {
                                    sku_name: sku_name.as_ref(),
                                },
                            )
                        })
                        .collect(),
                ),
            },
            _ => {
                notes.push(
                    "primaryAgentPoolProfiles is one expression: module pool defaults not applied"
                        .into(),
                );
                pools.clone()
            }
        };
        put(resource, "properties.agentPoolProfiles", value, at);
    }

    /// Nested resources: `agentPools`, `maintenanceConfigurations` (or the single
    /// `maintenanceConfiguration` before 0.4) and `diagnosticSettings`.
    fn children(&mut self, version: Version, notes: &mut Vec<String>) -> Vec<Node> {
        let at = self.at;
        let mut out = Vec::new();
        let kubernetes_version = get_ci(self.params, "kubernetesVersion");
        if let Some(pools) = self.get("agentPools") {
            match &pools.value {
                Value::Seq(items) => {
                    for item in items {
                        let mut child = new_map(item.pos);
                        put(&mut child, "type", str_at("agentPools", item.pos), item.pos);
                        let name = get_ci(item, "name")
                            .cloned()
                            .unwrap_or_else(|| unknown_at("agent pool without a name", item.pos));
                        put(&mut child, "name", name, item.pos);
                        put(
                            &mut child,
                            "properties",
                            pool(item, version, PoolKind::Child { kubernetes_version }),
                            item.pos,
                        );
                        out.push(child);
                    }
                }
                _ => notes.push("agentPools is one expression: its pools are not read".into()),
            }
        }
        if let Some(configs) = self.get("maintenanceConfigurations") {
            match &configs.value {
                Value::Seq(items) => {
                    for item in items {
                        let mut child = new_map(item.pos);
                        put(
                            &mut child,
                            "type",
                            str_at("maintenanceConfigurations", item.pos),
                            item.pos,
                        );
                        let name = get_ci(item, "name")
                            .cloned()
                            .unwrap_or_else(|| str_at("default", item.pos));
                        put(&mut child, "name", name, item.pos);
                        if let Some(window) = get_ci(item, "maintenanceWindow") {
                            put(
                                &mut child,
                                "properties.maintenanceWindow",
                                window.clone(),
                                item.pos,
                            );
                        }
                        out.push(child);
                    }
                }
                _ => notes.push("maintenanceConfigurations is one expression: not read".into()),
            }
        }
        if version < NODE_OS_CHANNEL
            && let Some(config) = self.get("maintenanceConfiguration")
        {
            // One configuration, deployed as `aksManagedAutoUpgradeSchedule`.
            let mut child = new_map(config.pos);
            put(
                &mut child,
                "type",
                str_at("maintenanceConfigurations", config.pos),
                config.pos,
            );
            put(
                &mut child,
                "name",
                str_at("aksManagedAutoUpgradeSchedule", config.pos),
                config.pos,
            );
            if let Some(window) = get_ci(config, "maintenanceWindow") {
                put(
                    &mut child,
                    "properties.maintenanceWindow",
                    window.clone(),
                    config.pos,
                );
            }
            out.push(child);
        }
        if let Some(settings) = self.get("diagnosticSettings") {
            match &settings.value {
                Value::Seq(items) => {
                    out.extend(items.iter().map(|item| diagnostic(item, version, at)))
                }
                _ => notes.push("diagnosticSettings is one expression: not read".into()),
            }
        }
        out
    }
}

/// One agent pool of the module's pool type, as a REST agent pool profile.
/// Which pool: the cluster's primary pools (with the SKU name, for `sshAccess`) or an
/// `agentPools` child (deployed by the module's agent-pool child module, whose parameters
/// have defaults of their own; its `orchestratorVersion` defaults to the cluster's).
enum PoolKind<'a> {
    Primary {
        sku_name: Option<&'a Node>,
    },
    Child {
        kubernetes_version: Option<&'a Node>,
    },
}

fn pool(item: &Node, version: Version, kind: PoolKind<'_>) -> Node {
    if !item.is_map() {
        // An expression for the whole pool: its keys are the module's; read as written.
        return item.clone();
    }
    let at = item.pos;
    let mut out = new_map(at);
    for entry in item.entries() {
        if entry.value.is_null() {
            continue;
        }
        let key = entry.key.as_str();
        let path = POOL_RENAMES
            .iter()
            .find(|(from, _)| from.eq_ignore_ascii_case(key))
            .map_or(key, |(_, to)| to);
        let value = if key.eq_ignore_ascii_case("availabilityZones") {
            zones_as_strings(&entry.value)
        } else {
            entry.value.clone()
        };
        put(&mut out, path, value, entry.key_pos);
    }
    let primary = matches!(kind, PoolKind::Primary { .. });
    if primary && version < TYPED_POOLS {
        // `primaryAgentPoolProfile`: a REST array, passed through.
        return out;
    }
    // 0.14: a `VirtualMachines` pool has no count, zones, autoscaling or VM size (an
    // unresolvable type gets none of those defaults either: absent, never invented).
    let scale_set = version < VM_POOL_TYPE
        || get_path(&out, "type").is_none()
        || get_path(&out, "type").and_then(Node::as_str) == Some("VirtualMachineScaleSets");
    for (key, lit) in POOL_DEFAULTS {
        let scale_set_only = matches!(*key, "count" | "enableAutoScaling" | "vmSize");
        if get_path(&out, key).is_none() && (scale_set || !scale_set_only) {
            let value = match (key, lit) {
                (&"count", _) => Node::scalar("1", true, at),
                _ => lit_at(*lit, at),
            };
            put(&mut out, key, value, at);
        }
    }
    if scale_set && version >= TYPED_POOLS && get_path(&out, "availabilityZones").is_none() {
        let zones = ["1", "2", "3"].iter().map(|z| str_at(z, at)).collect();
        put(
            &mut out,
            "availabilityZones",
            Node {
                pos: at,
                value: Value::Seq(zones),
            },
            at,
        );
    }
    if let PoolKind::Child {
        kubernetes_version: Some(cluster_version),
    } = kind
        && get_path(&out, "orchestratorVersion").is_none()
    {
        put(&mut out, "orchestratorVersion", cluster_version.clone(), at);
    }
    if version >= TYPED_POOLS && version < TYPED_PROFILES {
        for key in [
            "securityProfile.enableSecureBoot",
            "securityProfile.enableVTPM",
        ] {
            if get_path(&out, key).is_none() {
                put(&mut out, key, lit_at(Lit::Bool(false), at), at);
            }
        }
    }
    if let PoolKind::Primary { sku_name } = kind
        && version >= POOL_SSH_ACCESS
        && version < TYPED_PROFILES
        && get_path(&out, "securityProfile.sshAccess").is_none()
    {
        let local = str_at("LocalUser", at);
        let value = match sku_name {
            Some(sku) => if_equals(sku, "Automatic", str_at("Disabled", at), Some(local), at),
            None => Some(local),
        };
        if let Some(value) = value {
            put(&mut out, "securityProfile.sshAccess", value, at);
        }
    }
    out
}

/// The module writes zones as strings (`'${zone}'`); literal numbers become strings.
fn zones_as_strings(node: &Node) -> Node {
    match &node.value {
        Value::Seq(items) => Node {
            pos: node.pos,
            value: Value::Seq(
                items
                    .iter()
                    .map(|z| match &z.value {
                        Value::Scalar { text, plain: true } if !z.is_null() => {
                            Node::scalar(text.clone(), false, z.pos)
                        }
                        _ => z.clone(),
                    })
                    .collect(),
            ),
        },
        _ => node.clone(),
    }
}

/// One `diagnosticSettings` item as a nested diagnostic setting of the cluster: log
/// categories and groups (default: the `allLogs` group), destinations.
fn diagnostic(item: &Node, version: Version, at: Pos) -> Node {
    let pos = if item.is_map() { item.pos } else { at };
    let mut child = new_map(pos);
    put(
        &mut child,
        "type",
        str_at("Microsoft.Insights/diagnosticSettings", pos),
        pos,
    );
    let name = get_ci(item, "name")
        .cloned()
        .unwrap_or_else(|| str_at("avm-diagnostic-setting", pos));
    put(&mut child, "name", name, pos);
    if !item.is_map() {
        put(
            &mut child,
            "properties",
            unknown_at("diagnostic setting is one expression", pos),
            pos,
        );
        return child;
    }
    let logs = match get_ci(item, "logCategoriesAndGroups") {
        Some(groups) => match &groups.value {
            Value::Seq(items) => Node {
                pos: groups.pos,
                value: Value::Seq(
                    items
                        .iter()
                        .map(|g| {
                            let mut log = new_map(g.pos);
                            for key in ["category", "categoryGroup"] {
                                if let Some(v) = get_ci(g, key) {
                                    put(&mut log, key, v.clone(), g.pos);
                                }
                            }
                            let enabled = get_ci(g, "enabled")
                                .cloned()
                                .unwrap_or_else(|| lit_at(Lit::Bool(true), g.pos));
                            put(&mut log, "enabled", enabled, g.pos);
                            log
                        })
                        .collect(),
                ),
            },
            _ => groups.clone(),
        },
        None if version >= DIAGNOSTICS_EITHER && get_ci(item, "metricCategories").is_some() => {
            let metrics_only = match non_empty(get_ci(item, "metricCategories").expect("checked")) {
                Cond::Known(b) => b,
                Cond::Expr(_) => {
                    put(
                        &mut child,
                        "properties.logs",
                        unknown_at("metricCategories is an expression", pos),
                        pos,
                    );
                    return child;
                }
            };
            if metrics_only {
                Node {
                    pos,
                    value: Value::Seq(Vec::new()),
                }
            } else {
                all_logs(pos)
            }
        }
        None => all_logs(pos),
    };
    put(&mut child, "properties.logs", logs, pos);
    for (from, to) in [
        ("workspaceResourceId", "workspaceId"),
        ("storageAccountResourceId", "storageAccountId"),
        (
            "eventHubAuthorizationRuleResourceId",
            "eventHubAuthorizationRuleId",
        ),
        ("eventHubName", "eventHubName"),
        ("marketplacePartnerResourceId", "marketplacePartnerId"),
    ] {
        if let Some(v) = get_ci(item, from) {
            put(&mut child, &format!("properties.{to}"), v.clone(), pos);
        }
    }
    child
}

/// The module's default log selection: the `allLogs` category group.
fn all_logs(pos: Pos) -> Node {
    let mut log = new_map(pos);
    put(&mut log, "categoryGroup", str_at("allLogs", pos), pos);
    put(&mut log, "enabled", lit_at(Lit::Bool(true), pos), pos);
    Node {
        pos,
        value: Value::Seq(vec![log]),
    }
}

// ---------------------------------------------------------------------------------------
// Positioned tree building

fn new_map(pos: Pos) -> Node {
    Node {
        pos,
        value: Value::Map(Vec::new()),
    }
}

fn str_at(text: &str, pos: Pos) -> Node {
    Node::scalar(text, false, pos)
}

fn lit_at(lit: Lit, pos: Pos) -> Node {
    match lit {
        Lit::Bool(b) => Node::scalar(if b { "true" } else { "false" }, true, pos),
        Lit::Str(s) => str_at(s, pos),
    }
}

fn expr_at(expr: &str, pos: Pos) -> Node {
    Node::scalar(format!("[{expr}]"), false, pos)
}

/// A value the ARM evaluator reports as Unknown, with the reason in the expression text.
fn unknown_at(reason: &str, pos: Pos) -> Node {
    expr_at(&format!("unknown({})", quote(reason)), pos)
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn get_ci<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.entries()
        .iter()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .map(|e| &e.value)
        .filter(|v| !v.is_null())
}

fn get_path<'a>(node: &'a Node, path: &str) -> Option<&'a Node> {
    path.split('.').try_fold(node, |n, key| get_ci(n, key))
}

/// Sets `path` (dotted) in a map, creating intermediate maps at `at`. A non-map already on
/// the way (an expression the caller wrote for the whole object) is left alone.
pub(super) fn put(root: &mut Node, path: &str, value: Node, at: Pos) {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let index = entries
        .iter()
        .rposition(|e| e.key.eq_ignore_ascii_case(head));
    match rest {
        None => {
            let entry = Entry {
                key: head.into(),
                key_pos: value.pos,
                value,
            };
            match index {
                Some(i) => entries[i] = entry,
                None => entries.push(entry),
            }
        }
        Some(rest) => {
            let i = match index {
                Some(i) => i,
                None => {
                    entries.push(Entry {
                        key: head.into(),
                        key_pos: at,
                        value: new_map(at),
                    });
                    entries.len() - 1
                }
            };
            put(&mut entries[i].value, rest, value, at);
        }
    }
}

// ---------------------------------------------------------------------------------------
// ARM expressions over the caller's values

fn is_expression(text: &str) -> bool {
    text.starts_with('[') && !text.starts_with("[[") && text.ends_with(']')
}

/// A scalar as an operand of an ARM expression; `None` for objects and arrays.
fn operand(node: &Node) -> Option<String> {
    match &node.value {
        Value::Scalar { text, plain: false } if is_expression(text) => {
            Some(text[1..text.len() - 1].to_owned())
        }
        Value::Scalar { text, plain: false } if text.starts_with("[[") => Some(quote(&text[1..])),
        Value::Scalar { text, plain: false } => Some(quote(text)),
        Value::Scalar { text, plain: true } => Some(if node.is_null() {
            "null".to_owned()
        } else if let Some(b) = node.as_bool() {
            b.to_string()
        } else if node.as_i64().is_some() {
            text.to_string()
        } else {
            quote(text)
        }),
        _ => None,
    }
}

/// A boolean input: known, or an ARM expression.
enum Cond {
    Known(bool),
    Expr(String),
}

fn cond(node: &Node) -> Cond {
    match &node.value {
        Value::Scalar { text, plain: false } if is_expression(text) => {
            Cond::Expr(text[1..text.len() - 1].to_owned())
        }
        _ => match node.as_bool() {
            Some(b) => Cond::Known(b),
            None => Cond::Expr(format!(
                "bool({})",
                operand(node).unwrap_or_else(|| "null".into())
            )),
        },
    }
}

/// `!empty(x)`.
fn non_empty(node: &Node) -> Cond {
    match &node.value {
        Value::Seq(items) => Cond::Known(!items.is_empty()),
        Value::Map(entries) => Cond::Known(!entries.is_empty()),
        Value::Scalar { text, plain: false } if is_expression(text) => {
            Cond::Expr(format!("not(empty({}))", &text[1..text.len() - 1]))
        }
        Value::Scalar { text, .. } => Cond::Known(!node.is_null() && !text.is_empty()),
    }
}

fn and(a: Cond, b: Cond) -> Cond {
    match (a, b) {
        (Cond::Known(false), _) | (_, Cond::Known(false)) => Cond::Known(false),
        (Cond::Known(true), other) | (other, Cond::Known(true)) => other,
        (Cond::Expr(a), Cond::Expr(b)) => Cond::Expr(format!("and({a}, {b})")),
    }
}

fn cond_expr(c: &Cond) -> String {
    match c {
        Cond::Known(b) => b.to_string(),
        Cond::Expr(e) => e.clone(),
    }
}

fn cond_node(c: &Cond, pos: Pos) -> Node {
    match c {
        Cond::Known(b) => lit_at(Lit::Bool(*b), pos),
        Cond::Expr(e) => expr_at(e, pos),
    }
}

/// `value == literal ? then : otherwise`; `None` when the result is "not set".
fn if_equals(
    value: &Node,
    literal: &str,
    then: Node,
    otherwise: Option<Node>,
    pos: Pos,
) -> Option<Node> {
    match &value.value {
        Value::Scalar { text, plain: false } if is_expression(text) => {
            let other = match &otherwise {
                Some(o) => match operand(o) {
                    Some(op) => op,
                    None => return Some(unknown_at("module input combined with an object", pos)),
                },
                None => "null".into(),
            };
            let then = operand(&then).unwrap_or_else(|| "null".into());
            Some(expr_at(
                &format!(
                    "if(equals({}, {}), {then}, {other})",
                    &text[1..text.len() - 1],
                    quote(literal)
                ),
                pos,
            ))
        }
        _ => {
            if value.as_str() == Some(literal) {
                Some(Node { pos, ..then })
            } else {
                otherwise
            }
        }
    }
}

/// `condition ? then : null`; `None` when known false.
fn if_true(condition: &Node, then: Node, pos: Pos) -> Option<Node> {
    match cond(condition) {
        Cond::Known(true) => Some(then),
        Cond::Known(false) => None,
        Cond::Expr(e) => {
            let then = operand(&then)?;
            Some(expr_at(&format!("if({e}, {then}, null)"), pos))
        }
    }
}

/// `toLower(string(b))`: `'true'`/`'false'` (the add-on config holds strings).
fn bool_text(node: &Node) -> Option<Node> {
    match cond(node) {
        Cond::Known(b) => Some(str_at(if b { "true" } else { "false" }, node.pos)),
        Cond::Expr(e) => Some(expr_at(&format!("if({e}, 'true', 'false')"), node.pos)),
    }
}
