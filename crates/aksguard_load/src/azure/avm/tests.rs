//! Table tests of the AVM translations: a Bicep call goes through the ARM evaluator (as the
//! Bicep front end feeds it), a Terraform call is read back from the REST body.

use std::sync::Arc;

use aksguard_model::azure::{AzureResources, ManagedCluster};
use aksguard_model::{Node, Pos, Source, Value};

use super::bicep::cluster_from_bicep_call;
use super::terraform::{TerraformCluster, cluster_from_terraform_call};
use super::{Version, bicep_module_version, is_terraform_module};
use crate::azure::terraform::{Attr, Obj, Val};
use crate::limits::Limits;
use crate::yaml::parse_documents;

const CALL: Pos = Pos::new(3, 1);

fn params(json: &str) -> Node {
    parse_documents(json, 1, &Limits::default())
        .unwrap()
        .remove(0)
        .unwrap()
}

/// The call translated and evaluated: the cluster the ARM evaluator builds, plus the notes.
fn bicep(version: &str, json: &str) -> (ManagedCluster, Vec<String>) {
    bicep_with(version, json, "")
}

/// As [`bicep`], with template parameters (`"name": {"defaultValue": …}` entries) so the
/// call's expressions can resolve.
fn bicep_with(version: &str, json: &str, template_params: &str) -> (ManagedCluster, Vec<String>) {
    let out = cluster_from_bicep_call(version, &params(json), CALL);
    let mut template = params(&format!(r#"{{"parameters": {{{template_params}}}}}"#));
    if let Value::Map(entries) = &mut template.value {
        entries.push(aksguard_model::Entry {
            key: "resources".into(),
            key_pos: CALL,
            value: Node {
                pos: CALL,
                value: Value::Seq(vec![out.resource]),
            },
        });
    }
    let source = Arc::new(Source {
        path: "main.bicep".into(),
    });
    let mut resources = AzureResources::default();
    crate::azure::arm_template::push_template(&template, &source, &mut resources);
    assert_eq!(resources.clusters.len(), 1, "one cluster: {resources:?}");
    (resources.clusters.remove(0), out.notes)
}

fn str_at(cluster: &ManagedCluster, path: &str) -> Option<(String, u32)> {
    let node = cluster.settings.get(path).node()?.clone();
    Some((node.as_str()?.to_owned(), node.pos.line))
}

#[test]
fn module_references_are_recognised() {
    assert_eq!(
        bicep_module_version("br/public:avm/res/container-service/managed-cluster:0.9.0"),
        Some("0.9.0")
    );
    assert_eq!(
        bicep_module_version(
            "br:mcr.microsoft.com/bicep/avm/res/container-service/managed-cluster:0.1.7"
        ),
        Some("0.1.7")
    );
    assert_eq!(
        bicep_module_version("br/public:avm/res/container-registry/registry:0.9.1"),
        None
    );
    assert!(is_terraform_module(
        "Azure/avm-res-containerservice-managedcluster/azurerm"
    ));
    assert!(is_terraform_module(
        "registry.terraform.io/azure/avm-res-containerservice-managedcluster/azurerm"
    ));
    assert!(!is_terraform_module("Azure/aks/azurerm"));
    assert_eq!(Version::parse("v0.9.0"), Some(Version::new(0, 9, 0)));
    assert_eq!(Version::parse("0.12"), Some(Version::new(0, 12, 0)));
    assert_eq!(Version::parse("latest"), None);
}

#[test]
fn bicep_0_9_maps_inputs_to_rest_paths_at_their_lines() {
    let (cluster, notes) = bicep(
        "0.9.0",
        r#"{
"name": "aks1",
"enableWorkloadIdentity": true,
"enableOidcIssuerProfile": true,
"authorizedIPRanges": ["1.2.3.4/32"],
"networkPlugin": "azure",
"networkDataplane": "cilium",
"aadProfile": {"aadProfileManaged": true, "aadProfileEnableAzureRBAC": false},
"enableKeyvaultSecretsProvider": true,
"enableSecretRotation": true,
"skuTier": "Free",
"diskEncryptionSetResourceId": "/subscriptions/s/des",
"somethingNew": 1
}"#,
    );
    assert_eq!(cluster.name, "aks1");
    let flag = |path: &str| cluster.settings.get(path).node().and_then(Node::as_bool);
    assert_eq!(flag("securityProfile.workloadIdentity.enabled"), Some(true));
    assert_eq!(
        cluster
            .settings
            .get("securityProfile.workloadIdentity.enabled")
            .node()
            .unwrap()
            .pos
            .line,
        3
    );
    assert_eq!(flag("oidcIssuerProfile.enabled"), Some(true));
    assert_eq!(flag("aadProfile.enableAzureRBAC"), Some(false));
    assert_eq!(flag("aadProfile.managed"), Some(true));
    assert_eq!(str_at(&cluster, "sku.tier"), Some(("Free".into(), 11)));
    assert_eq!(
        str_at(&cluster, "networkProfile.networkPolicy"),
        Some(("cilium".into(), 7))
    );
    assert_eq!(
        str_at(
            &cluster,
            "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation"
        ),
        Some(("true".into(), 10))
    );
    assert_eq!(
        str_at(&cluster, "diskEncryptionSetID"),
        Some(("/subscriptions/s/des".into(), 12))
    );
    let ranges = cluster
        .settings
        .get("apiServerAccessProfile.authorizedIPRanges")
        .node()
        .unwrap();
    assert_eq!(ranges.items().len(), 1);
    assert!(
        notes.iter().any(|n| n.contains("somethingNew")),
        "{notes:?}"
    );
}

#[test]
fn bicep_module_defaults_are_known_at_the_call() {
    let (cluster, _) = bicep(
        "0.9.0",
        r#"{"name": "aks1", "primaryAgentPoolProfiles": [{"name": "sys", "mode": "System", "vmSize": "Standard_D4s_v5"}]}"#,
    );
    let flag = |path: &str| {
        let node = cluster.settings.get(path).node().unwrap().clone();
        (node.as_bool(), node.pos)
    };
    // The module's own secure defaults, differing from the API's.
    assert_eq!(flag("disableLocalAccounts"), (Some(true), CALL));
    assert_eq!(
        flag("addonProfiles.azurepolicy.enabled"),
        (Some(true), CALL)
    );
    assert_eq!(flag("enableRBAC"), (Some(true), CALL));
    assert_eq!(
        str_at(&cluster, "sku.tier"),
        Some(("Standard".into(), CALL.line))
    );
    assert_eq!(
        str_at(&cluster, "autoUpgradeProfile.upgradeChannel"),
        Some(("stable".into(), CALL.line))
    );
    assert_eq!(
        str_at(&cluster, "autoUpgradeProfile.nodeOSUpgradeChannel"),
        Some(("Unmanaged".into(), CALL.line))
    );
    // OMS agent: enabled by default, but only with a workspace.
    assert_eq!(flag("addonProfiles.omsagent.enabled").0, Some(false));
    // No workload identity unless asked.
    assert!(
        cluster
            .settings
            .get("securityProfile.workloadIdentity.enabled")
            .node()
            .is_none()
    );
    let pool = &cluster.node_pools[0];
    assert_eq!(pool.name, "sys");
    assert_eq!(
        pool.settings
            .get("enableEncryptionAtHost")
            .node()
            .and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(
        pool.settings.get("vmSize").node().and_then(Node::as_str),
        Some("Standard_D4s_v5")
    );
    assert_eq!(
        pool.settings
            .get("securityProfile.sshAccess")
            .node()
            .and_then(Node::as_str),
        Some("LocalUser")
    );
    let zones = pool.settings.get("availabilityZones").node().unwrap();
    assert_eq!(zones.items().len(), 3);
}

#[test]
fn bicep_0_1_has_its_own_defaults_and_raw_pools() {
    let (cluster, _) = bicep(
        "0.1.7",
        r#"{
"name": "aksclusterregion1",
"aadProfileAdminGroupObjectIDs": ["g1"],
"primaryAgentPoolProfile": [{"name": "systempool", "mode": "System", "vnetSubnetID": "/s", "osDiskType": "Ephemeral"}],
"monitoringWorkspaceId": "/ws"
}"#,
    );
    // 0.1.x: local accounts enabled by default, a managed aadProfile always present with
    // Azure RBAC following enableRBAC.
    assert_eq!(
        cluster
            .settings
            .get("disableLocalAccounts")
            .node()
            .and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(
        cluster
            .settings
            .get("aadProfile.managed")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(
        cluster
            .settings
            .get("aadProfile.enableAzureRBAC")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(
        cluster
            .settings
            .get("addonProfiles.omsagent.enabled")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    assert!(
        cluster
            .settings
            .get("autoUpgradeProfile.nodeOSUpgradeChannel")
            .node()
            .is_none()
    );
    let pool = &cluster.node_pools[0];
    assert_eq!(
        pool.settings
            .get("osDiskType")
            .node()
            .and_then(Node::as_str),
        Some("Ephemeral")
    );
    assert_eq!(pool.settings.get("osDiskType").node().unwrap().pos.line, 4);
    // Raw REST pools get no module defaults.
    assert!(pool.settings.get("enableEncryptionAtHost").node().is_none());
}

#[test]
fn bicep_expressions_resolve_and_unknown_inputs_stay_unknown() {
    let (cluster, _) = bicep_with(
        "0.9.0",
        r#"{
"name": "[parameters('clusterName')]",
"omsAgentEnabled": true,
"monitoringWorkspaceResourceId": "[parameters('workspace')]",
"disableLocalAccounts": "[parameters('noLocal')]",
"enablePrivateCluster": "[parameters('private')]"
}"#,
        r#""clusterName": {"defaultValue": "aks-x"}, "workspace": {"type": "string"}, "noLocal": {"defaultValue": false}, "private": {"defaultValue": true}"#,
    );
    assert_eq!(cluster.name, "aks-x");
    assert_eq!(
        cluster
            .settings
            .get("disableLocalAccounts")
            .node()
            .and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(
        cluster
            .settings
            .get("disableLocalAccounts")
            .node()
            .unwrap()
            .pos
            .line,
        5
    );
    assert_eq!(
        cluster
            .settings
            .get("apiServerAccessProfile.enablePrivateCluster")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    // The workspace has no value: the OMS agent's state is Unknown, not false.
    assert!(
        cluster
            .settings
            .get("addonProfiles.omsagent.enabled")
            .is_unknown()
    );
}

#[test]
fn bicep_unknown_versions_fall_back_or_make_everything_unknown() {
    let (cluster, notes) = bicep("0.15.2", r#"{"name": "a", "enableWorkloadIdentity": true}"#);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("newer than the newest checked")),
        "{notes:?}"
    );
    // 0.12's table: enableWorkloadIdentity is gone (securityProfile instead).
    assert!(
        notes.iter().any(|n| n.contains("enableWorkloadIdentity")),
        "{notes:?}"
    );
    assert!(
        cluster
            .settings
            .get("disableLocalAccounts")
            .node()
            .is_some()
    );

    for version in ["0.0.3", "1.0.0", "latest"] {
        let (cluster, notes) = bicep(version, r#"{"name": "a"}"#);
        assert!(
            cluster.settings.get("disableLocalAccounts").is_unknown(),
            "{version}"
        );
        assert!(cluster.settings.get("sku.tier").is_unknown(), "{version}");
        assert!(
            notes.iter().any(|n| n.contains("every setting is Unknown")),
            "{notes:?}"
        );
    }
}

#[test]
fn bicep_0_12_passes_rest_objects_through() {
    let (cluster, _) = bicep(
        "0.12.0",
        r#"{
"name": "a",
"apiServerAccessProfile": {"enablePrivateCluster": true, "disableRunCommand": true},
"securityProfile": {"defender": {"securityMonitoring": {"enabled": true}}}
}"#,
    );
    assert_eq!(
        cluster
            .settings
            .get("apiServerAccessProfile.disableRunCommand")
            .node()
            .map(|n| (n.as_bool(), n.pos.line)),
        Some((Some(true), 3))
    );
    assert_eq!(
        cluster
            .settings
            .get("securityProfile.defender.securityMonitoring.enabled")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(
        str_at(&cluster, "autoUpgradeProfile.upgradeChannel"),
        Some(("stable".into(), CALL.line))
    );
}

#[test]
fn bicep_children_become_nested_resources() {
    let (cluster, _) = bicep(
        "0.9.0",
        r#"{
"name": "a",
"kubernetesVersion": "1.32",
"agentPools": [{"name": "user1", "mode": "User", "enableEncryptionAtHost": true}],
"maintenanceConfigurations": [{"name": "aksManagedAutoUpgradeSchedule", "maintenanceWindow": {"durationHours": 4}}],
"diagnosticSettings": [{"workspaceResourceId": "/ws"}]
}"#,
    );
    assert_eq!(cluster.node_pools.len(), 1);
    let user = &cluster.node_pools[0];
    assert_eq!(user.name, "user1");
    // The agent-pool child module's defaults: the cluster's version, scale-set defaults.
    assert_eq!(
        user.settings
            .get("orchestratorVersion")
            .node()
            .map(|n| (n.as_str(), n.pos.line)),
        Some((Some("1.32"), 3))
    );
    assert_eq!(
        user.settings
            .get("enableNodePublicIP")
            .node()
            .and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(
        user.settings
            .get("enableEncryptionAtHost")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    assert!(
        user.settings
            .get("securityProfile.sshAccess")
            .node()
            .is_none()
    );
    assert_eq!(
        cluster.maintenance_configurations,
        vec!["aksManagedAutoUpgradeSchedule".to_owned()]
    );
    assert_eq!(cluster.diagnostic_settings.len(), 1);
}

// ---------------------------------------------------------------------------------------
// Terraform

fn attr(val: Val, line: u32) -> Attr {
    Attr {
        val,
        pos: Pos::new(line, 3),
        text: None,
        items: Vec::new(),
    }
}

fn s(text: &str) -> Val {
    Val::Str(text.into())
}

fn map(entries: &[(&str, Val)]) -> Val {
    Val::Map(
        entries
            .iter()
            .map(|(k, v)| ((*k).into(), v.clone()))
            .collect(),
    )
}

fn module(args: Vec<(&str, Attr)>) -> Obj {
    Obj {
        pos: CALL,
        attrs: args.into_iter().map(|(k, a)| (k.into(), a)).collect(),
        ..Obj::default()
    }
}

/// The attribute at a dotted REST path of the body (blocks are objects).
fn body_attr<'a>(out: &'a TerraformCluster, path: &str) -> Option<&'a Attr> {
    let mut obj = &out.body;
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop()?;
    for key in keys {
        obj = obj.block(key)?;
    }
    obj.attr(last)
}

#[test]
fn terraform_0_6_maps_snake_case_inputs_to_rest() {
    let out = cluster_from_terraform_call(
        "0.6.1",
        &module(vec![
            ("name", attr(s("aks-x"), 4)),
            ("disable_local_accounts", attr(Val::Bool(true), 5)),
            (
                "api_server_access_profile",
                attr(
                    map(&[("authorized_ip_ranges", Val::List(vec![s("1.2.3.4/32")]))]),
                    6,
                ),
            ),
            (
                "aad_profile",
                attr(
                    map(&[
                        ("managed", Val::Bool(true)),
                        ("enable_azure_rbac", Val::Bool(true)),
                        ("tenant_id", Val::Unknown("data source".into())),
                    ]),
                    7,
                ),
            ),
            (
                "network_profile",
                attr(
                    map(&[
                        ("network_plugin", s("azure")),
                        ("network_policy", s("cilium")),
                    ]),
                    8,
                ),
            ),
            (
                "security_profile",
                attr(
                    map(&[("workload_identity", map(&[("enabled", Val::Bool(true))]))]),
                    9,
                ),
            ),
            (
                "auto_upgrade_profile",
                attr(map(&[("node_os_channel_upgrade", s("SecurityPatch"))]), 10),
            ),
            (
                "addon_profile_key_vault_secrets_provider",
                attr(
                    map(&[
                        ("enabled", Val::Bool(false)),
                        (
                            "config",
                            map(&[("enable_secret_rotation", Val::Bool(true))]),
                        ),
                    ]),
                    11,
                ),
            ),
            (
                "default_agent_pool",
                attr(
                    map(&[
                        ("vm_size", s("Standard_D4s_v5")),
                        ("os_disk_type", s("Ephemeral")),
                    ]),
                    12,
                ),
            ),
            (
                "azure_monitor_profile",
                attr(Val::Unknown("local.deploy is unknown".into()), 13),
            ),
        ]),
        CALL,
    );
    let get = |path: &str| body_attr(&out, path).map(|a| (a.val.clone(), a.pos.line));
    assert_eq!(get("name"), Some((s("aks-x"), 4)));
    assert_eq!(
        get("properties.disableLocalAccounts"),
        Some((Val::Bool(true), 5))
    );
    assert_eq!(
        get("properties.apiServerAccessProfile.authorizedIPRanges"),
        Some((Val::List(vec![s("1.2.3.4/32")]), 6))
    );
    assert_eq!(
        get("properties.aadProfile.enableAzureRBAC"),
        Some((Val::Bool(true), 7))
    );
    assert_eq!(
        get("properties.aadProfile.tenantID"),
        Some((Val::Unknown("data source".into()), 7))
    );
    assert_eq!(
        get("properties.networkProfile.networkPolicy"),
        Some((s("cilium"), 8))
    );
    assert_eq!(
        get("properties.securityProfile.workloadIdentity.enabled"),
        Some((Val::Bool(true), 9))
    );
    // A misspelt attribute is dropped by Terraform: the type's defaults apply, at the object.
    assert_eq!(
        get("properties.autoUpgradeProfile.upgradeChannel"),
        Some((s("none"), 10))
    );
    assert_eq!(
        get("properties.autoUpgradeProfile.nodeOSUpgradeChannel"),
        Some((s("NodeImage"), 10))
    );
    // The module enables the provider whatever `enabled` says; config values are strings.
    assert_eq!(
        get("properties.addonProfiles.azureKeyvaultSecretsProvider.enabled"),
        Some((Val::Bool(true), 11))
    );
    assert_eq!(
        get("properties.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation"),
        Some((s("true"), 11))
    );
    // Module defaults at the call.
    assert_eq!(
        get("properties.addonProfiles.azurepolicy.enabled"),
        Some((Val::Bool(false), CALL.line))
    );
    assert_eq!(get("identity.type"), Some((s("SystemAssigned"), CALL.line)));
    // Unknown stays Unknown.
    assert_eq!(
        get("properties.azureMonitorProfile"),
        Some((Val::Unknown("local.deploy is unknown".into()), 13))
    );
    let pools = get("properties.agentPoolProfiles").unwrap().0;
    let Val::List(pools) = pools else {
        panic!("{pools:?}")
    };
    let Val::Map(pool) = &pools[0] else { panic!() };
    let field = |k: &str| {
        pool.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("vmSize"), Some(s("Standard_D4s_v5")));
    assert_eq!(field("osDiskType"), Some(s("Ephemeral")));
    assert_eq!(field("mode"), Some(s("System")));
    assert_eq!(field("name"), Some(s("systempool")));
    assert_eq!(
        out.notes,
        vec!["auto_upgrade_profile.node_os_channel_upgrade is not an attribute of the module's type: Terraform drops it".to_owned()]
    );
}

#[test]
fn terraform_unknown_versions() {
    let args = module(vec![("disable_local_accounts", attr(Val::Bool(true), 5))]);
    let old = cluster_from_terraform_call("0.3.3", &args, CALL);
    assert!(matches!(
        body_attr(&old, "properties").map(|a| &a.val),
        Some(Val::Unknown(_))
    ));
    assert!(
        old.notes
            .iter()
            .any(|n| n.contains("every setting is Unknown"))
    );
    let newer = cluster_from_terraform_call("~> 0.9", &args, CALL);
    assert!(
        newer
            .notes
            .iter()
            .any(|n| n.contains("newer than the newest checked"))
    );
    assert_eq!(
        body_attr(&newer, "properties.disableLocalAccounts").map(|a| &a.val),
        Some(&Val::Bool(true))
    );
    assert!(
        newer
            .notes
            .iter()
            .any(|n| n.contains("the lowest version it allows")),
        "{:?}",
        newer.notes
    );
    let exact = cluster_from_terraform_call("= 0.6.1", &args, CALL);
    assert!(exact.notes.is_empty(), "{:?}", exact.notes);
    let ranged = cluster_from_terraform_call(">= 0.4, < 1.0", &args, CALL);
    assert!(matches!(
        body_attr(&ranged, "properties").map(|a| &a.val),
        Some(Val::Unknown(_))
    ));
}

#[test]
fn terraform_secrets_are_never_copied_and_unmapped_inputs_are_noted() {
    let out = cluster_from_terraform_call(
        "0.6.1",
        &module(vec![
            (
                "service_principal_profile",
                attr(map(&[("client_id", s("c")), ("secret", s("hunter2"))]), 5),
            ),
            ("brand_new_input", attr(Val::Bool(true), 6)),
        ]),
        CALL,
    );
    assert!(body_attr(&out, "properties.servicePrincipalProfile.secret").is_none());
    assert_eq!(
        body_attr(&out, "properties.servicePrincipalProfile.clientId").map(|a| &a.val),
        Some(&s("c"))
    );
    assert!(!format!("{out:?}").contains("hunter2"));
    assert!(
        out.notes.iter().any(|n| n.contains("brand_new_input")),
        "{:?}",
        out.notes
    );
}

#[test]
fn bicep_0_14_diagnostics_and_pool_types() {
    let (cluster, _) = bicep(
        "0.14.0",
        r#"{
"name": "a",
"networkDataplane": "cilium",
"networkPolicy": "azure",
"primaryAgentPoolProfiles": [{"name": "vm", "type": "VirtualMachines"}, {"name": "vmss"}],
"diagnosticSettings": [{"metricCategories": [{"category": "AllMetrics"}], "workspaceResourceId": "/ws"}]
}"#,
    );
    // Cilium still forces the policy, at the input's line.
    assert_eq!(
        str_at(&cluster, "networkProfile.networkPolicy"),
        Some(("cilium".into(), 4))
    );
    let vm = &cluster.node_pools[0];
    assert!(vm.settings.get("availabilityZones").node().is_none());
    assert!(vm.settings.get("count").node().is_none());
    assert_eq!(
        vm.settings
            .get("enableEncryptionAtHost")
            .node()
            .and_then(Node::as_bool),
        Some(false)
    );
    let vmss = &cluster.node_pools[1];
    assert_eq!(
        vmss.settings.get("count").node().and_then(Node::as_i64),
        Some(1)
    );
    // Metrics only: 0.14 no longer adds the allLogs group.
    let setting = &cluster.diagnostic_settings[0];
    assert!(
        format!("{setting:?}").contains("categories: Some([])"),
        "{setting:?}"
    );

    let (older, _) = bicep(
        "0.9.0",
        r#"{"name": "a", "diagnosticSettings": [{"metricCategories": [{"category": "AllMetrics"}]}]}"#,
    );
    assert!(format!("{:?}", older.diagnostic_settings[0]).contains("alllogs"));
}

#[test]
fn bicep_identity_and_expression_conditions() {
    let (cluster, _) = bicep_with(
        "0.9.0",
        r#"{
"name": "a",
"managedIdentities": {"userAssignedResourceIds": ["/id"]},
"enableKeyvaultSecretsProvider": "[parameters('kv')]",
"enableSecretRotation": true
}"#,
        r#""kv": {"type": "bool"}"#,
    );
    assert_eq!(
        str_at(&cluster, "identity.type"),
        Some(("UserAssigned".into(), 3))
    );
    // The provider's state is unknown, so is the rotation under it.
    assert!(
        cluster
            .settings
            .get("addonProfiles.azureKeyvaultSecretsProvider.enabled")
            .is_unknown()
    );
    assert!(
        cluster
            .settings
            .get("addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation")
            .is_unknown()
    );
}

#[test]
fn terraform_pools_children_and_automatic_sku() {
    let pools = map(&[(
        "user",
        map(&[
            ("name", s("user1")),
            ("count_of", Val::Num("2".into())),
            ("enable_node_public_ip", Val::Bool(true)),
        ]),
    )]);
    let args = |sku: &str| {
        module(vec![
            ("kubernetes_version", attr(s("1.33"), 4)),
            ("agent_pools", attr(pools.clone(), 5)),
            (
                "sku",
                attr(map(&[("name", s(sku)), ("tier", s("Standard"))]), 6),
            ),
            (
                "addon_profile_azure_policy",
                attr(map(&[("enabled", Val::Bool(true))]), 7),
            ),
            ("support_plan", attr(s("KubernetesOfficial"), 8)),
            (
                "diagnostic_settings",
                attr(
                    map(&[("d", map(&[("workspace_resource_id", s("/ws"))]))]),
                    9,
                ),
            ),
            (
                "maintenanceconfiguration",
                attr(
                    map(&[("m", map(&[("name", s("aksManagedAutoUpgradeSchedule"))]))]),
                    10,
                ),
            ),
        ])
    };
    let base = cluster_from_terraform_call("0.8.1", &args("Base"), CALL);
    let Some(Val::List(items)) =
        body_attr(&base, "properties.agentPoolProfiles").map(|a| a.val.clone())
    else {
        panic!("pools: {:?}", base.body)
    };
    assert_eq!(items.len(), 2);
    let Val::Map(default) = &items[0] else {
        panic!()
    };
    // v0.7.2 on: the default pool follows the cluster's version.
    assert!(default.contains(&("orchestratorVersion".into(), s("1.33"))));
    let Val::Map(user) = &items[1] else { panic!() };
    assert!(user.contains(&("enableNodePublicIP".into(), Val::Bool(true))));
    assert!(user.contains(&("count".into(), Val::Num("2".into()))));
    assert_eq!(
        body_attr(&base, "properties.supportPlan").map(|a| a.pos.line),
        Some(8)
    );
    assert_eq!(
        base.maintenance_configurations,
        vec![("aksManagedAutoUpgradeSchedule".to_owned(), Pos::new(10, 3))]
    );
    let logs = base.diagnostic_settings[0]
        .block("properties")
        .and_then(|p| p.attr("logs"))
        .unwrap();
    assert_eq!(
        logs.val,
        Val::List(vec![map(&[
            ("categoryGroup", s("allLogs")),
            ("enabled", Val::Bool(true))
        ])])
    );

    // Automatic: the module leaves out what Automatic clusters do not accept.
    let auto = cluster_from_terraform_call("0.8.1", &args("Automatic"), CALL);
    assert!(body_attr(&auto, "properties.supportPlan").is_none());
    assert!(body_attr(&auto, "properties.addonProfiles.azurepolicy.enabled").is_none());
    assert!(body_attr(&auto, "properties.kubernetesVersion").is_some());
    assert!(auto.notes.iter().any(|n| n.contains("Automatic")));
    let pools = format!(
        "{:?}",
        body_attr(&auto, "properties.agentPoolProfiles")
            .unwrap()
            .val
    );
    assert!(
        !pools.contains("enableNodePublicIP") && pools.contains("user1"),
        "{pools}"
    );
}

#[test]
fn bicep_flat_autoscaler_and_feature_dependent_inputs() {
    let (cluster, notes) = bicep(
        "0.9.0",
        r#"{
"name": "a",
"autoScalerProfileExpander": "least-waste",
"enableContainerInsights": false,
"disablePrometheusMetricsScraping": true,
"enableAzureMonitorProfileMetrics": true,
"metricLabelsAllowlist": "pods=[app]",
"enableStorageProfileBlobCSIDriver": true
}"#,
    );
    assert_eq!(
        str_at(&cluster, "autoScalerProfile.expander"),
        Some(("least-waste".into(), 3))
    );
    // Container insights off: the module ignores its options.
    assert!(
        cluster
            .settings
            .get("azureMonitorProfile.containerInsights.disablePrometheusMetricsScraping")
            .node()
            .is_none()
    );
    assert_eq!(
        str_at(
            &cluster,
            "azureMonitorProfile.metrics.kubeStateMetrics.metricLabelsAllowlist"
        ),
        Some(("pods=[app]".into(), 7))
    );
    assert_eq!(
        cluster
            .settings
            .get("storageProfile.blobCSIDriver.enabled")
            .node()
            .and_then(Node::as_bool),
        Some(true)
    );
    assert!(notes.is_empty(), "{notes:?}");
}
