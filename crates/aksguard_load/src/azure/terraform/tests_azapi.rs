//! azapi resources: bodies in HCL (v2) and `jsonencode` (v1), children, patches.

use aksguard_model::Pos;
use aksguard_model::azure::{AzureFormat, AzureResources};

use crate::{Limits, load_text_all};

fn load(text: &str) -> crate::k8s::StreamResult {
    let result = load_text_all("main.tf", text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    result
}

fn azure(text: &str) -> AzureResources {
    load(text).azure
}

const V2: &str = r#"
variable "tier" {
  default = "Standard"
}

resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = "aks1"
  parent_id = azurerm_resource_group.rg.id
  location  = "westeurope"
  identity {
    type = "SystemAssigned"
  }
  body = {
    sku = {
      name = "Base"
      tier = var.tier
    }
    properties = {
      enableRBAC           = true
      disableLocalAccounts = false
      dnsPrefix            = azurerm_resource_group.rg.name
      apiServerAccessProfile = {
        authorizedIPRanges = [
          "10.0.0.0/8",
          "0.0.0.0/0",
        ]
      }
      agentPoolProfiles = [
        {
          name               = "system"
          mode               = "System"
          enableNodePublicIP = true
        },
      ]
    }
  }
}

resource "azapi_resource" "user" {
  type      = "Microsoft.ContainerService/managedClusters/agentPools@2024-09-01"
  name      = "user"
  parent_id = azapi_resource.aks.id
  body = {
    properties = {
      mode               = "User"
      enableNodePublicIP = false
    }
  }
}

resource "azapi_resource" "audit" {
  type      = "Microsoft.Insights/diagnosticSettings@2021-05-01-preview"
  name      = "audit"
  parent_id = azapi_resource.aks.id
  body = {
    properties = {
      logs = [
        { category = "kube-audit", enabled = true },
        { category = "guard", enabled = false },
      ]
    }
  }
}

resource "azapi_resource" "window" {
  type      = "Microsoft.ContainerService/managedClusters/maintenanceConfigurations@2024-09-01"
  name      = "aksManagedAutoUpgradeSchedule"
  parent_id = azapi_resource.aks.id
  body      = { properties = {} }
}
"#;

#[test]
fn an_hcl_body_maps_each_property_at_its_line() {
    let azure = azure(V2);
    assert_eq!(azure.clusters.len(), 1, "{azure:?}");
    let c = &azure.clusters[0];
    assert_eq!(c.name, "aks1");
    assert_eq!(c.format, AzureFormat::TerraformAzapi);
    assert_eq!(c.location.as_deref(), Some("westeurope"));
    assert_eq!(c.pos, Pos::new(6, 1));
    let s = &c.settings;
    assert_eq!(s.get("enableRBAC").as_bool(), Some(true));
    assert_eq!(s.pos_of("enableRBAC", c.pos).line, 20);
    assert_eq!(s.get("disableLocalAccounts").as_bool(), Some(false));
    assert_eq!(s.get("sku.tier").as_str(), Some("Standard"), "var default");
    assert_eq!(s.pos_of("sku.tier", c.pos).line, 17);
    assert_eq!(s.get("identity.type").as_str(), Some("SystemAssigned"));
    // A resource attribute is Unknown with its reason, nothing stored.
    assert!(s.get("dnsPrefix").is_unknown());
    assert!(s.unknown["dnsPrefix"].contains("azurerm_resource_group.rg.name"));
    let ranges = s.get("apiServerAccessProfile.authorizedIPRanges");
    let ranges = ranges.node().unwrap().items();
    assert_eq!(ranges.len(), 2);
    assert_eq!(ranges[1].pos.line, 26, "each list item at its own line");
    // The inline pool and the child pool, each setting at its line.
    assert_eq!(c.node_pools.len(), 2);
    let system = &c.node_pools[0];
    assert_eq!(system.name, "system");
    assert_eq!(
        system.settings.get("enableNodePublicIP").as_bool(),
        Some(true)
    );
    assert_eq!(
        system
            .settings
            .pos_of("enableNodePublicIP", system.pos)
            .line,
        33
    );
    let user = &c.node_pools[1];
    assert_eq!(user.name, "user");
    assert_eq!(user.settings.get("name").as_str(), Some("user"));
    assert_eq!(user.settings.get("mode").as_str(), Some("User"));
    // The diagnostic setting joins by parent_id; the disabled category is left out.
    assert_eq!(c.diagnostic_settings.len(), 1);
    assert_eq!(
        c.diagnostic_settings[0].categories.as_deref(),
        Some(&["kube-audit".to_owned()][..])
    );
    assert_eq!(
        c.maintenance_configurations,
        vec!["aksManagedAutoUpgradeSchedule".to_owned()]
    );
}

#[test]
fn a_jsonencode_body_reads_as_the_hcl_body() {
    let v1 = r#"
resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2023-01-01"
  name      = "aks1"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  location  = "westeurope"
  body = jsonencode({
    properties = {
      enableRBAC = false
      agentPoolProfiles = [{
        name = "system"
        enableNodePublicIP = true
      }]
    }
  })
}
"#;
    let azure = azure(v1);
    let c = &azure.clusters[0];
    assert_eq!(c.settings.get("enableRBAC").as_bool(), Some(false));
    assert_eq!(c.settings.pos_of("enableRBAC", c.pos).line, 9);
    assert_eq!(c.node_pools.len(), 1);
    assert_eq!(
        c.node_pools[0]
            .settings
            .pos_of("enableNodePublicIP", c.pos)
            .line,
        12
    );
}

#[test]
fn an_unresolvable_body_makes_every_setting_unknown() {
    let text = r#"
resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = var.name
  parent_id = var.parent_id
  body      = merge(data.x.body, {})
}
"#;
    let azure = azure(text);
    assert_eq!(azure.clusters.len(), 1);
    let c = &azure.clusters[0];
    assert_eq!(c.name, "<azapi_resource.aks>");
    for path in ["enableRBAC", "disableLocalAccounts", "sku.tier"] {
        assert!(c.settings.get(path).is_unknown(), "{path}");
    }
}

#[test]
fn a_body_from_a_local_is_resolved_at_the_body_line() {
    let text = r#"
locals {
  props = {
    enableRBAC = true
    disableLocalAccounts = var.unset
  }
}

variable "unset" {}

resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = "aks"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  body      = merge({ sku = { tier = "Free" } }, { properties = local.props })
}
"#;
    let c = &azure(text).clusters[0];
    assert_eq!(c.settings.get("enableRBAC").as_bool(), Some(true));
    assert_eq!(c.settings.pos_of("enableRBAC", c.pos).line, 15);
    assert_eq!(c.settings.get("sku.tier").as_str(), Some("Free"));
    assert!(c.settings.get("disableLocalAccounts").is_unknown());
}

#[test]
fn other_types_and_unresolved_types_are_not_clusters() {
    let text = r#"
resource "azapi_resource" "vnet" {
  type = "Microsoft.Network/virtualNetworks@2024-01-01"
  name = "v"
  body = { properties = {} }
}
resource "azapi_resource" "unknown" {
  type = var.type
  name = "x"
}
"#;
    assert!(azure(text).is_empty());
}

#[test]
fn registries_pricings_and_role_assignments() {
    let text = r#"
resource "azapi_resource" "acr" {
  type      = "Microsoft.ContainerRegistry/registries@2023-07-01"
  name      = "acr1"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  body = {
    sku = { name = "Premium" }
    properties = {
      adminUserEnabled    = true
      publicNetworkAccess = "Disabled"
    }
  }
}
resource "azapi_resource" "defender" {
  type      = "Microsoft.Security/pricings@2024-01-01"
  name      = "Containers"
  parent_id = "/subscriptions/s"
  body      = { properties = { pricingTier = "Standard" } }
}
resource "azapi_resource" "pull" {
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = "00000000-0000-0000-0000-000000000001"
  parent_id = azapi_resource.acr.id
  body = {
    properties = {
      roleDefinitionId = "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"
      principalId      = azapi_resource.aks.output.properties.identityProfile.kubeletidentity.objectId
    }
  }
}
"#;
    let azure = azure(text);
    assert_eq!(azure.registries.len(), 1);
    let acr = &azure.registries[0];
    assert_eq!(acr.format, AzureFormat::TerraformAzapi);
    assert_eq!(acr.settings.get("adminUserEnabled").as_bool(), Some(true));
    assert_eq!(acr.settings.get("sku.name").as_str(), Some("Premium"));
    assert_eq!(azure.pricings.len(), 1);
    assert_eq!(azure.pricings[0].plan, "Containers");
    assert_eq!(azure.pricings[0].tier.as_deref(), Some("Standard"));
    assert_eq!(azure.role_assignments.len(), 1);
    let ra = &azure.role_assignments[0];
    assert!(
        ra.role
            .as_deref()
            .unwrap()
            .ends_with("7f951dda-4ed3-4680-a7ca-43fe172d538d")
    );
    assert_eq!(
        ra.scope.as_ref().map(|r| r.written.as_str()),
        Some("azapi_resource.acr.id")
    );
    assert!(
        ra.principal
            .as_ref()
            .map(|r| r.written.as_str())
            .unwrap()
            .contains("kubeletidentity")
    );
}

#[test]
fn an_update_resource_patches_its_cluster_and_later_writes_win() {
    let text = r#"
resource "azapi_resource" "this" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = "aks"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  body = {
    properties = {
      kubernetesVersion    = "1.29"
      disableLocalAccounts = false
      enableRBAC           = true
    }
  }
}

resource "azapi_update_resource" "version" {
  type      = azapi_resource.this.type
  name      = "aks"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  body = {
    properties = {
      kubernetesVersion = "1.31"
    }
  }
}

resource "azapi_update_resource" "local" {
  type        = "Microsoft.ContainerService/managedClusters@2024-09-01"
  resource_id = azapi_resource.this.id
  body = {
    properties = {
      disableLocalAccounts = true
    }
  }
}
"#;
    let result = load(text);
    assert!(result.notices.is_empty(), "{:?}", result.notices);
    assert_eq!(result.azure.clusters.len(), 1, "a patch is not a cluster");
    let c = &result.azure.clusters[0];
    assert_eq!(c.settings.get("kubernetesVersion").as_str(), Some("1.31"));
    assert_eq!(c.settings.pos_of("kubernetesVersion", c.pos).line, 21);
    assert_eq!(c.settings.get("disableLocalAccounts").as_bool(), Some(true));
    assert_eq!(c.settings.pos_of("disableLocalAccounts", c.pos).line, 31);
    assert_eq!(c.settings.get("enableRBAC").as_bool(), Some(true));
}

#[test]
fn an_update_of_a_cluster_elsewhere_is_a_notice_not_a_cluster() {
    let text = r#"
resource "azapi_update_resource" "patch" {
  type        = "Microsoft.ContainerService/managedClusters@2024-09-01"
  resource_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/other"
  body = { properties = { disableLocalAccounts = false } }
}
"#;
    let result = load(text);
    assert!(result.azure.is_empty());
    assert_eq!(result.notices.len(), 1, "{:?}", result.notices);
    assert!(result.notices[0].contains("azapi_update_resource.patch"));
    assert!(result.notices[0].contains("main.tf:2"));
}

#[test]
fn an_unresolvable_patch_body_makes_the_cluster_unknown() {
    let text = r#"
resource "azapi_resource" "this" {
  type = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name = "aks"
  body = { properties = { disableLocalAccounts = false } }
}
resource "azapi_update_resource" "patch" {
  type        = "Microsoft.ContainerService/managedClusters@2024-09-01"
  resource_id = azapi_resource.this.id
  body        = data.x.patch
}
"#;
    let c = &azure(text).clusters[0];
    assert!(c.settings.get("disableLocalAccounts").is_unknown());
}

#[test]
fn the_rest_entry_point_builds_the_same_model() {
    // What the AVM front end does: build azapi-shaped resources and hand them over.
    let result = load(V2);
    let source = result.azure.clusters[0].source.clone();
    let file = super::hcl::ParsedFile::parse(V2, source).unwrap();
    let scope = super::hcl::Scope::build(&file, &[]);
    let resources = file.resources(&scope, &mut Vec::new());
    let mut out = AzureResources::default();
    let notices = super::azapi::push_rest(resources, AzureFormat::AvmTerraform, &mut out);
    assert!(notices.is_empty());
    assert_eq!(out.clusters.len(), 1);
    let (a, b) = (&out.clusters[0], &result.azure.clusters[0]);
    assert_eq!(a.format, AzureFormat::AvmTerraform);
    assert_eq!(a.settings.root, b.settings.root);
    assert_eq!(a.settings.unknown, b.settings.unknown);
    assert_eq!(a.node_pools.len(), b.node_pools.len());
    assert_eq!(a.diagnostic_settings.len(), 1);
}

#[test]
fn a_type_with_an_unresolved_api_version_is_still_its_type() {
    let text = r#"
resource "azapi_resource" "aks" {
  type = "Microsoft.ContainerService/managedClusters@${data.x.version}"
  name = "aks"
  body = { properties = { enableRBAC = false } }
}
"#;
    let c = &azure(text).clusters[0];
    assert_eq!(c.settings.get("enableRBAC").as_bool(), Some(false));
}

#[test]
fn the_same_cluster_as_rest_json_and_azapi_gives_the_same_settings() {
    let rest = r#"{
  "name": "aks1",
  "type": "Microsoft.ContainerService/managedClusters",
  "location": "westeurope",
  "sku": {"name": "Base", "tier": "Free"},
  "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/s/id1": {}}},
  "properties": {
    "enableRBAC": true,
    "disableLocalAccounts": false,
    "aadProfile": {"managed": true, "adminGroupObjectIDs": ["g1", "g2"]},
    "networkProfile": {"networkPlugin": "azure", "networkPolicy": "calico"},
    "addonProfiles": {"azurepolicy": {"enabled": true}},
    "agentPoolProfiles": [{"name": "sys", "mode": "System", "count": 3, "enableNodePublicIP": false}]
  }
}"#;
    let azapi = r#"
resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = "aks1"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  location  = "westeurope"
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/s/id1"]
  }
  body = {
    sku = { name = "Base", tier = "Free" }
    properties = {
      enableRBAC           = true
      disableLocalAccounts = false
      aadProfile           = { managed = true, adminGroupObjectIDs = ["g1", "g2"] }
      networkProfile       = { networkPlugin = "azure", networkPolicy = "calico" }
      addonProfiles        = { azurepolicy = { enabled = true } }
      agentPoolProfiles = [
        { name = "sys", mode = "System", count = 3, enableNodePublicIP = false },
      ]
    }
  }
}
"#;
    let rest = load_text_all("c.json", rest, &Limits::default()).azure;
    let azapi = azure(azapi);
    let (r, a) = (&rest.clusters[0], &azapi.clusters[0]);
    fn strip(node: &aksguard_model::Node) -> serde_json::Value {
        use aksguard_model::Value;
        match &node.value {
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), strip(&e.value)))
                    .collect(),
            ),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(strip).collect()),
            _ => serde_json::Value::String(node.as_str().unwrap_or_default().to_owned()),
        }
    }
    assert_eq!(strip(&a.settings.root), strip(&r.settings.root));
    assert!(a.settings.unknown.is_empty(), "{:?}", a.settings.unknown);
    assert_eq!(a.name, r.name);
    assert_eq!(a.location, r.location);
    assert_eq!(
        strip(&a.node_pools[0].settings.root),
        strip(&r.node_pools[0].settings.root)
    );
}

#[test]
fn azurerm_children_join_an_azapi_cluster() {
    let text = r#"
resource "azapi_resource" "aks" {
  type = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name = "aks"
  body = { properties = {} }
}
resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                   = "user"
  kubernetes_cluster_id  = azapi_resource.aks.id
  node_public_ip_enabled = true
}
resource "azurerm_monitor_diagnostic_setting" "audit" {
  name               = "audit"
  target_resource_id = azapi_resource.aks.id
  enabled_log {
    category = "kube-audit"
  }
}
"#;
    let c = &azure(text).clusters[0];
    assert_eq!(c.node_pools.len(), 1);
    assert_eq!(
        c.node_pools[0].settings.get("enableNodePublicIP").as_bool(),
        Some(true)
    );
    assert_eq!(
        c.diagnostic_settings[0].categories.as_deref(),
        Some(&["kube-audit".to_owned()][..])
    );
}
