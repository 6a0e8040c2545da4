use aksguard_model::Pos;
use aksguard_model::azure::{AzureFormat, AzureResources, Lookup};

use crate::{Limits, load_text_all};

fn load(text: &str) -> AzureResources {
    let result = load_text_all("main.tf", text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    result.azure
}

fn cluster(text: &str) -> aksguard_model::azure::ManagedCluster {
    let mut azure = load(text);
    assert_eq!(azure.clusters.len(), 1, "{azure:?}");
    azure.clusters.remove(0)
}

const V4: &str = r#"
resource "azurerm_kubernetes_cluster" "main" {
  name                              = "aks1"
  resource_group_name               = "rg1"
  location                          = "westeurope"
  local_account_disabled            = true
  role_based_access_control_enabled = false
  automatic_upgrade_channel         = "stable"
  node_os_upgrade_channel           = "NodeImage"
  run_command_enabled               = false
  sku_tier                          = "Standard"
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  image_cleaner_enabled             = true
  azure_policy_enabled              = true
  private_cluster_enabled           = true

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = ["00000000-0000-0000-0000-000000000001"]
  }

  api_server_access_profile {
    authorized_ip_ranges = ["10.0.0.0/8"]
  }

  default_node_pool {
    name                         = "system"
    vm_size                      = "Standard_D4s_v5"
    node_public_ip_enabled       = true
    host_encryption_enabled      = true
    only_critical_addons_enabled = true
    zones                        = ["1", "2", "3"]
    node_count                   = 3
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin    = "azure"
    network_policy    = "calico"
    outbound_type     = "userDefinedRouting"
    load_balancer_sku = "standard"
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  oms_agent {
    log_analytics_workspace_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
  }

  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
  }

  key_management_service {
    key_vault_key_id = "https://kv.vault.azure.net/keys/k/1"
  }

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    duration    = 4
    day_of_week = "Sunday"
  }
}
"#;

#[test]
fn v4_attributes_map_to_rest_paths() {
    let c = cluster(V4);
    assert_eq!(c.name, "aks1");
    assert_eq!(c.resource_group.as_deref(), Some("rg1"));
    assert_eq!(c.format, AzureFormat::Terraform);
    let s = &c.settings;
    let b = |p: &str| s.get(p).as_bool();
    let t = |p: &str| s.get(p).as_str().map(str::to_owned);
    assert_eq!(b("disableLocalAccounts"), Some(true));
    assert_eq!(b("enableRBAC"), Some(false));
    assert_eq!(
        t("autoUpgradeProfile.upgradeChannel").as_deref(),
        Some("stable")
    );
    assert_eq!(
        t("autoUpgradeProfile.nodeOSUpgradeChannel").as_deref(),
        Some("NodeImage")
    );
    assert_eq!(b("apiServerAccessProfile.disableRunCommand"), Some(true));
    assert_eq!(t("sku.tier").as_deref(), Some("Standard"));
    assert_eq!(b("oidcIssuerProfile.enabled"), Some(true));
    assert_eq!(b("securityProfile.workloadIdentity.enabled"), Some(true));
    assert_eq!(b("securityProfile.imageCleaner.enabled"), Some(true));
    assert_eq!(b("addonProfiles.azurepolicy.enabled"), Some(true));
    assert_eq!(b("apiServerAccessProfile.enablePrivateCluster"), Some(true));
    // v4: the block's presence means managed.
    assert_eq!(b("aadProfile.managed"), Some(true));
    assert_eq!(b("aadProfile.enableAzureRBAC"), Some(true));
    assert_eq!(
        s.get("aadProfile.adminGroupObjectIDs")
            .node()
            .map(|n| n.items().len()),
        Some(1)
    );
    assert_eq!(
        s.get("apiServerAccessProfile.authorizedIPRanges")
            .node()
            .map(|n| n.items().len()),
        Some(1)
    );
    assert_eq!(t("identity.type").as_deref(), Some("SystemAssigned"));
    assert_eq!(t("networkProfile.networkPlugin").as_deref(), Some("azure"));
    assert_eq!(t("networkProfile.networkPolicy").as_deref(), Some("calico"));
    assert_eq!(
        t("networkProfile.outboundType").as_deref(),
        Some("userDefinedRouting")
    );
    assert_eq!(
        b("addonProfiles.azureKeyvaultSecretsProvider.enabled"),
        Some(true)
    );
    assert_eq!(
        b("addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation"),
        Some(true)
    );
    assert_eq!(b("addonProfiles.omsagent.enabled"), Some(true));
    assert_eq!(
        b("securityProfile.defender.securityMonitoring.enabled"),
        Some(true)
    );
    assert_eq!(b("securityProfile.azureKeyVaultKms.enabled"), Some(true));
    assert_eq!(
        c.maintenance_configurations,
        vec!["aksManagedAutoUpgradeSchedule"]
    );
    // Positions: the attribute's line.
    assert_eq!(s.pos_of("disableLocalAccounts", c.pos), Pos::new(6, 3));
    assert_eq!(c.pos, Pos::new(2, 1));

    let pool = &c.node_pools[0];
    assert_eq!(pool.name, "system");
    let p = |path: &str| pool.settings.get(path);
    assert_eq!(p("mode").as_str(), Some("System"));
    assert_eq!(p("enableNodePublicIP").as_bool(), Some(true));
    assert_eq!(p("enableEncryptionAtHost").as_bool(), Some(true));
    assert_eq!(p("count").node().and_then(|n| n.as_i64()), Some(3));
    assert_eq!(
        p("availabilityZones").node().map(|n| n.items().len()),
        Some(3)
    );
    assert_eq!(
        p("nodeTaints").node().map(|n| n.items()[0].as_str()),
        Some(Some("CriticalAddonsOnly=true:NoSchedule"))
    );
    // azurerm default differs from the API's: Managed, at the pool's first line.
    assert_eq!(p("osDiskType").as_str(), Some("Managed"));
    assert_eq!(pool.settings.pos_of("osDiskType", pool.pos), pool.pos);
}

#[test]
fn v3_names_answer_the_same_paths() {
    let c = cluster(
        r#"
resource "azurerm_kubernetes_cluster" "main" {
  name                            = "aks1"
  automatic_channel_upgrade       = "patch"
  node_os_channel_upgrade         = "None"
  api_server_authorized_ip_ranges = ["1.2.3.4/32"]
  http_application_routing_enabled = true

  azure_active_directory_role_based_access_control {
    managed            = true
    azure_rbac_enabled = false
  }

  default_node_pool {
    name                  = "default"
    enable_node_public_ip = true
    enable_host_encryption = false
    os_disk_type          = "Ephemeral"
  }

  service_principal {
    client_id     = "11111111-1111-1111-1111-111111111111"
    client_secret = "x"
  }
}
"#,
    );
    let s = &c.settings;
    assert_eq!(
        s.get("autoUpgradeProfile.upgradeChannel").as_str(),
        Some("patch")
    );
    assert_eq!(
        s.get("autoUpgradeProfile.nodeOSUpgradeChannel").as_str(),
        Some("None")
    );
    assert_eq!(
        s.get("apiServerAccessProfile.authorizedIPRanges")
            .node()
            .map(|n| n.items().len()),
        Some(1)
    );
    assert_eq!(
        s.get("addonProfiles.httpApplicationRouting.enabled")
            .as_bool(),
        Some(true)
    );
    assert_eq!(s.get("aadProfile.managed").as_bool(), Some(true));
    assert_eq!(s.get("aadProfile.enableAzureRBAC").as_bool(), Some(false));
    assert_eq!(
        s.get("servicePrincipalProfile.clientId").as_str(),
        Some("11111111-1111-1111-1111-111111111111")
    );
    let pool = &c.node_pools[0].settings;
    assert_eq!(pool.get("enableNodePublicIP").as_bool(), Some(true));
    assert_eq!(pool.get("enableEncryptionAtHost").as_bool(), Some(false));
    assert_eq!(pool.get("osDiskType").as_str(), Some("Ephemeral"));
}

#[test]
fn legacy_aad_and_v2_addon_profile() {
    let c = cluster(
        r#"
resource "azurerm_kubernetes_cluster" "main" {
  name = "aks1"
  azure_active_directory_role_based_access_control {
    client_app_id     = "a"
    server_app_id     = "b"
    server_app_secret = "c"
  }
  addon_profile {
    kube_dashboard {
      enabled = true
    }
  }
  default_node_pool {
    name = "default"
  }
}
"#,
    );
    assert_eq!(c.settings.get("aadProfile.managed").as_bool(), Some(false));
    assert_eq!(
        c.settings
            .get("addonProfiles.kubeDashboard.enabled")
            .as_bool(),
        Some(true)
    );
}

#[test]
fn provider_defaults_are_known_at_the_resource_line() {
    let c = cluster(
        r#"
resource "azurerm_kubernetes_cluster" "main" {
  name = "aks1"
  default_node_pool {
    name = "default"
  }
}
"#,
    );
    let s = &c.settings;
    assert_eq!(s.get("enableRBAC").as_bool(), Some(true));
    assert_eq!(s.pos_of("enableRBAC", c.pos), Pos::new(2, 1));
    assert_eq!(
        s.get("networkProfile.networkPlugin").as_str(),
        Some("kubenet")
    );
    assert_eq!(
        s.get("apiServerAccessProfile.enablePrivateClusterPublicFQDN")
            .as_bool(),
        Some(false)
    );
    // Same default as the API: left Absent for the rules.
    assert!(s.get("disableLocalAccounts").is_absent());
    assert!(s.get("autoUpgradeProfile.upgradeChannel").is_absent());
    assert!(s.get("addonProfiles.azurepolicy.enabled").is_absent());
}

#[test]
fn variables_locals_and_unknowns() {
    let c = cluster(
        r#"
variable "local_accounts_off" {
  default = true
}
variable "channel" {
  type = string
}
variable "pool" {
  default = { name = "sys", public = false }
}
locals {
  tier    = "Standard"
  derived = local.tier
  prefix  = "app"
}
resource "azurerm_kubernetes_cluster" "main" {
  name                      = "${local.prefix}-aks"
  local_account_disabled    = var.local_accounts_off
  automatic_upgrade_channel = var.channel
  sku_tier                  = local.derived
  azure_policy_enabled      = var.local_accounts_off ? true : false
  oidc_issuer_enabled       = azurerm_resource_group.rg.location == "x"
  kubernetes_version        = data.azurerm_kubernetes_service_versions.current.latest_version
  workload_identity_enabled = try(var.wi, false)
  dynamic "oms_agent" {
    for_each = var.oms ? [1] : []
    content {
      log_analytics_workspace_id = "x"
    }
  }
  default_node_pool {
    name                   = var.pool.name
    node_public_ip_enabled = var.pool.public
  }
}
"#,
    );
    let s = &c.settings;
    assert_eq!(c.name, "app-aks");
    assert_eq!(s.get("disableLocalAccounts").as_bool(), Some(true));
    assert_eq!(s.get("sku.tier").as_str(), Some("Standard"));
    assert_eq!(
        s.get("addonProfiles.azurepolicy.enabled").as_bool(),
        Some(true)
    );
    for path in [
        "autoUpgradeProfile.upgradeChannel",
        "oidcIssuerProfile.enabled",
        "kubernetesVersion",
        "securityProfile.workloadIdentity.enabled",
        "addonProfiles.omsagent.enabled",
    ] {
        assert!(
            matches!(s.get(path), Lookup::Unknown(_)),
            "{path}: {:?}",
            s.get(path)
        );
    }
    assert_eq!(c.node_pools[0].name, "sys");
    assert_eq!(
        c.node_pools[0].settings.get("enableNodePublicIP").as_bool(),
        Some(false)
    );
}

#[test]
fn node_pools_and_diagnostic_settings_join_by_reference() {
    let azure = load(
        r#"
resource "azurerm_kubernetes_cluster" "a" {
  name = "aks-a"
  default_node_pool {
    name = "system"
  }
}
resource "azurerm_kubernetes_cluster" "b" {
  name = "aks-b"
  default_node_pool {
    name = "system"
  }
}
resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user1"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.b.id
  node_public_ip_enabled = true
}
resource "azurerm_kubernetes_cluster_node_pool" "gone" {
  count                 = 0
  name                  = "gone"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.b.id
}
resource "azurerm_monitor_diagnostic_setting" "audit" {
  name               = "audit"
  target_resource_id = azurerm_kubernetes_cluster.a.id
  enabled_log {
    category = "kube-audit-admin"
  }
  enabled_log {
    category_group = "allLogs"
  }
}
resource "azurerm_monitor_diagnostic_setting" "v3" {
  name               = "v3"
  target_resource_id = azurerm_kubernetes_cluster.a.id
  log {
    category = "Guard"
  }
  log {
    category = "kube-audit"
    enabled  = false
  }
}
resource "azurerm_monitor_diagnostic_setting" "dyn" {
  name               = "dyn"
  target_resource_id = azurerm_kubernetes_cluster.b.id
  dynamic "enabled_log" {
    for_each = ["kube-audit"]
    content {
      category = enabled_log.value
    }
  }
}
resource "azurerm_monitor_diagnostic_setting" "unresolved" {
  name               = "unresolved"
  target_resource_id = azurerm_kubernetes_cluster.b.id
  dynamic "enabled_log" {
    for_each = var.categories
    content {
      category = enabled_log.value
    }
  }
}
"#,
    );
    let a = &azure.clusters[0];
    let b = &azure.clusters[1];
    assert_eq!(a.node_pools.len(), 1);
    assert_eq!(b.node_pools.len(), 2);
    let user = &b.node_pools[1];
    assert_eq!(user.name, "user1");
    assert_eq!(user.settings.get("mode").as_str(), Some("User"));
    assert_eq!(
        user.settings.get("enableNodePublicIP").as_bool(),
        Some(true)
    );
    assert_eq!(a.diagnostic_settings.len(), 2);
    assert_eq!(
        a.diagnostic_settings[0].categories,
        Some(vec!["kube-audit-admin".into(), "alllogs".into()])
    );
    assert_eq!(
        a.diagnostic_settings[1].categories,
        Some(vec!["guard".into()])
    );
    // A `dynamic` block over a literal is expanded; over an unresolvable value it is Unknown.
    assert_eq!(
        b.diagnostic_settings[0].categories,
        Some(vec!["kube-audit".into()])
    );
    assert_eq!(b.diagnostic_settings[1].categories, None);
}

#[test]
fn registries_pricings_and_role_assignments() {
    let azure = load(
        r#"
resource "azurerm_container_registry" "acr" {
  name                          = "acr1"
  sku                           = "Premium"
  admin_enabled                 = true
  anonymous_pull_enabled        = false
  public_network_access_enabled = false
  quarantine_policy_enabled     = true
  trust_policy_enabled          = true
  retention_policy_in_days      = 7
  network_rule_set {
    default_action = "Deny"
    ip_rule {
      action   = "Allow"
      ip_range = "1.2.3.0/24"
    }
  }
}
resource "azurerm_container_registry" "v3" {
  name = "acr2"
  sku  = "Basic"
  retention_policy {
    days    = 7
    enabled = true
  }
  trust_policy {
    enabled = false
  }
}
resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
}
resource "azurerm_role_assignment" "pull" {
  principal_id         = azurerm_kubernetes_cluster.main.kubelet_identity[0].object_id
  role_definition_name = "AcrPull"
  scope                = azurerm_container_registry.acr.id
}
"#,
    );
    let acr = &azure.registries[0].settings;
    assert_eq!(acr.get("sku.name").as_str(), Some("Premium"));
    assert_eq!(acr.get("adminUserEnabled").as_bool(), Some(true));
    assert_eq!(acr.get("anonymousPullEnabled").as_bool(), Some(false));
    assert_eq!(acr.get("publicNetworkAccess").as_str(), Some("Disabled"));
    assert_eq!(
        acr.get("policies.quarantinePolicy.status").as_str(),
        Some("enabled")
    );
    assert_eq!(
        acr.get("policies.trustPolicy.status").as_str(),
        Some("enabled")
    );
    assert_eq!(acr.get("policies.retentionPolicy.days").as_str(), Some("7"));
    assert_eq!(
        acr.get("networkRuleSet.defaultAction").as_str(),
        Some("Deny")
    );
    assert_eq!(
        acr.get("networkRuleSet.ipRules")
            .node()
            .map(|n| n.items().len()),
        Some(1)
    );
    let v3 = &azure.registries[1].settings;
    assert_eq!(
        v3.get("policies.retentionPolicy.status").as_str(),
        Some("enabled")
    );
    assert_eq!(
        v3.get("policies.trustPolicy.status").as_str(),
        Some("disabled")
    );
    assert_eq!(azure.pricings[0].plan, "Containers");
    assert_eq!(azure.pricings[0].tier.as_deref(), Some("Standard"));
    let ra = &azure.role_assignments[0];
    assert_eq!(ra.role.as_deref(), Some("AcrPull"));
    assert_eq!(
        ra.principal.as_ref().map(|r| r.written.as_str()),
        Some("azurerm_kubernetes_cluster.main.kubelet_identity[0].object_id")
    );
    assert_eq!(
        ra.scope.as_ref().map(|r| r.written.as_str()),
        Some("azurerm_container_registry.acr.id")
    );
}

#[test]
fn invalid_hcl_is_a_load_error_with_a_line() {
    let result = load_text_all(
        "main.tf",
        "resource \"x\" \"y\" {\n  a = \n}\n",
        &Limits::default(),
    );
    assert_eq!(result.errors.len(), 1);
    assert!(result.errors[0].line.is_some());
}

#[test]
fn sibling_files_give_variables_and_node_pools() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("variables.tf"),
        "variable \"disable_local\" {\n  default = true\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("terraform.tfvars"), "sku = \"Premium\"\n").unwrap();
    std::fs::write(
        dir.path().join("pools.tf"),
        "resource \"azurerm_kubernetes_cluster_node_pool\" \"u\" {\n  name = \"user\"\n  kubernetes_cluster_id = azurerm_kubernetes_cluster.main.id\n}\n",
    )
    .unwrap();
    let main = dir.path().join("main.tf");
    let text = "variable \"sku\" {\n  default = \"Free\"\n}\nresource \"azurerm_kubernetes_cluster\" \"main\" {\n  name = \"aks\"\n  local_account_disabled = var.disable_local\n  sku_tier = var.sku\n  default_node_pool {\n    name = \"sys\"\n  }\n}\n";
    std::fs::write(&main, text).unwrap();
    let result = load_text_all(&main.display().to_string(), text, &Limits::default());
    let c = &result.azure.clusters[0];
    assert_eq!(c.settings.get("disableLocalAccounts").as_bool(), Some(true));
    assert_eq!(c.settings.get("sku.tier").as_str(), Some("Premium"));
    assert_eq!(c.node_pools.len(), 2);
    assert!(c.node_pools[1].source.path.ends_with("pools.tf"));
    // The pool file alone emits no cluster.
    let pools = dir.path().join("pools.tf");
    let text = std::fs::read_to_string(&pools).unwrap();
    let result = load_text_all(&pools.display().to_string(), &text, &Limits::default());
    assert!(result.azure.clusters.is_empty());
}

const PLAN: &str = r#"{
  "format_version": "1.2",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "azurerm_kubernetes_cluster.main",
          "mode": "managed",
          "type": "azurerm_kubernetes_cluster",
          "name": "main",
          "values": {
            "name": "aks-plan",
            "resource_group_name": "rg",
            "local_account_disabled": false,
            "automatic_upgrade_channel": null,
            "oms_agent": [],
            "default_node_pool": [
              {"name": "system", "node_public_ip_enabled": false, "os_disk_type": "Ephemeral"}
            ],
            "network_profile": [{"network_plugin": "azure", "network_policy": null}]
          }
        },
        {
          "address": "azurerm_kubernetes_cluster_node_pool.user",
          "mode": "managed",
          "type": "azurerm_kubernetes_cluster_node_pool",
          "name": "user",
          "values": {"name": "user", "node_public_ip_enabled": true}
        }
      ]
    }
  },
  "resource_changes": [
    {
      "address": "azurerm_kubernetes_cluster.main",
      "change": {
        "after_unknown": {"kubernetes_version": true, "default_node_pool": [{"zones": true}]}
      }
    }
  ],
  "configuration": {
    "root_module": {
      "resources": [
        {
          "address": "azurerm_kubernetes_cluster_node_pool.user",
          "expressions": {
            "kubernetes_cluster_id": {
              "references": ["azurerm_kubernetes_cluster.main.id", "azurerm_kubernetes_cluster.main"]
            }
          }
        }
      ]
    }
  }
}"#;

#[test]
fn plan_json_is_detected_by_content() {
    let result = load_text_all("plan.json", PLAN, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let c = &result.azure.clusters[0];
    assert_eq!(c.name, "aks-plan");
    assert_eq!(c.format, AzureFormat::TerraformPlan);
    assert_eq!(
        c.settings.get("disableLocalAccounts").as_bool(),
        Some(false)
    );
    assert_eq!(c.settings.pos_of("disableLocalAccounts", c.pos).line, 14);
    assert!(
        c.settings
            .get("autoUpgradeProfile.upgradeChannel")
            .is_absent()
    );
    assert!(c.settings.get("addonProfiles.omsagent.enabled").is_absent());
    assert!(c.settings.get("kubernetesVersion").is_unknown());
    assert!(c.settings.get("networkProfile.networkPolicy").is_absent());
    assert_eq!(c.node_pools.len(), 2);
    assert_eq!(
        c.node_pools[0].settings.get("osDiskType").as_str(),
        Some("Ephemeral")
    );
    assert!(
        c.node_pools[0]
            .settings
            .get("availabilityZones")
            .is_unknown()
    );
    assert_eq!(
        c.node_pools[1].settings.get("enableNodePublicIP").as_bool(),
        Some(true)
    );
}

/// A plan writes every unset attribute as `null`: a null `retention_policy_in_days` leaves
/// the retention status Absent (not a Known `disabled` at the null's line); 0 disables it.
#[test]
fn plan_null_retention_days_is_absent() {
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "azurerm_container_registry.unset",
          "mode": "managed",
          "type": "azurerm_container_registry",
          "name": "unset",
          "values": {
            "name": "acr1",
            "sku": "Premium",
            "retention_policy_in_days": null
          }
        },
        {
          "address": "azurerm_container_registry.zero",
          "mode": "managed",
          "type": "azurerm_container_registry",
          "name": "zero",
          "values": {
            "name": "acr2",
            "sku": "Premium",
            "retention_policy_in_days": 0
          }
        }
      ]
    }
  }
}"#;
    let result = load_text_all("plan.json", plan, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let registries = &result.azure.registries;
    assert!(
        registries[0]
            .settings
            .get("policies.retentionPolicy.status")
            .is_absent()
    );
    let zero = &registries[1].settings;
    assert_eq!(
        zero.get("policies.retentionPolicy.status").as_str(),
        Some("disabled")
    );
    assert_eq!(
        zero.pos_of("policies.retentionPolicy.status", registries[1].pos)
            .line,
        25
    );
}

/// Every `.tf` of the shared corpus loads without errors and the clusters are found.
#[test]
fn shared_corpus_terraform_loads() {
    // The AKS corpus (modules, azapi) is listed by tests/terraform_corpus.rs; here, the
    // checkov fixtures: every azurerm cluster they declare is found.
    let Some(root) = aksguard_testkit::shared_path("corpus") else {
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![root.join("peers/checkov/terraform")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "tf") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let mut clusters = 0;
    let mut errors = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let result = load_text_all(&path.display().to_string(), &text, &Limits::default());
        errors.extend(result.errors);
        clusters += result.azure.clusters.len();
        let declared = text
            .matches("resource \"azurerm_kubernetes_cluster\"")
            .count();
        assert_eq!(
            result.azure.clusters.len(),
            declared,
            "{}: clusters found",
            path.display()
        );
    }
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(clusters >= 20, "{clusters} clusters");
}

/// A module directory: a cluster in main.tf whose SKU comes from variables.tf, a node pool in
/// pools.tf and a value in terraform.tfvars.
fn module_dir(sku_default: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_variables(dir.path(), sku_default);
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"azurerm_kubernetes_cluster\" \"main\" {\n  name = \"aks\"\n  sku_tier = var.sku\n  local_account_disabled = var.disable_local\n  default_node_pool {\n    name = \"sys\"\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pools.tf"),
        "resource \"azurerm_kubernetes_cluster_node_pool\" \"u\" {\n  name = \"user\"\n  kubernetes_cluster_id = azurerm_kubernetes_cluster.main.id\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("terraform.tfvars"),
        "disable_local = true\n",
    )
    .unwrap();
    dir
}

fn write_variables(dir: &std::path::Path, sku_default: &str) {
    std::fs::write(
        dir.join("variables.tf"),
        format!(
            "variable \"sku\" {{\n  default = \"{sku_default}\"\n}}\nvariable \"disable_local\" {{\n  default = false\n}}\n"
        ),
    )
    .unwrap();
}

fn load_dir(dir: &std::path::Path, cache: &crate::LoadCache) -> crate::Loaded {
    let args = [dir.display().to_string()];
    let options = crate::LoadOptions {
        render: false,
        ..crate::LoadOptions::default()
    };
    let loaded = crate::load_inputs_in(
        &args,
        &options,
        &mut std::io::empty(),
        &|_| Vec::new(),
        cache,
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
}

fn sku(loaded: &crate::Loaded) -> Option<String> {
    assert_eq!(loaded.azure.clusters.len(), 1, "{:?}", loaded.azure);
    let cluster = &loaded.azure.clusters[0];
    assert_eq!(cluster.node_pools.len(), 2, "the sibling pool joins");
    assert_eq!(
        cluster.settings.get("disableLocalAccounts").as_bool(),
        Some(true),
        "terraform.tfvars applies"
    );
    cluster.settings.get("sku.tier").as_str().map(str::to_owned)
}

#[test]
fn each_load_reads_the_directory_as_it_is_now() {
    let dir = module_dir("Free");
    let args = [dir.path().display().to_string()];
    let options = crate::LoadOptions {
        render: false,
        ..crate::LoadOptions::default()
    };
    let load = || crate::load_inputs(&args, &options, &mut std::io::empty());
    assert_eq!(sku(&load()).as_deref(), Some("Free"));
    write_variables(dir.path(), "Premium");
    assert_eq!(
        sku(&load()).as_deref(),
        Some("Premium"),
        "a sibling changed between two loads is read again, not served from a cache"
    );
}

#[test]
fn one_load_parses_each_file_of_a_directory_once() {
    let dir = module_dir("Standard");
    let cache = crate::LoadCache::default();
    let loaded = load_dir(dir.path(), &cache);
    assert_eq!(
        loaded.files, 3,
        "main.tf, pools.tf and variables.tf are loaded"
    );
    assert_eq!(sku(&loaded).as_deref(), Some("Standard"));
    // The three .tf files (loaded in parallel) and terraform.tfvars, each parsed once for
    // the directory's declarations, not once per loaded file.
    assert_eq!(cache.terraform.parsed_files(), 4);
    // A second load with its own cache parses the directory again.
    let again = crate::LoadCache::default();
    load_dir(dir.path(), &again);
    assert_eq!(again.terraform.parsed_files(), 4);
}
