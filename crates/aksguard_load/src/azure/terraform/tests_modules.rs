//! Local module calls and `count` / `for_each` expansion.

use std::path::Path;

use aksguard_model::Pos;

use crate::{Limits, load_text_all};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn load_file(path: &Path) -> crate::k8s::StreamResult {
    let text = std::fs::read_to_string(path).unwrap();
    load_text_all(&path.display().to_string(), &text, &Limits::default())
}

/// A module at `<root>/module` (a cluster whose settings come from variables) and callers
/// under `<root>/callers/`.
fn module_tree() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "module/main.tf",
        r#"resource "azurerm_kubernetes_cluster" "main" {
  name                   = var.name
  local_account_disabled = var.local_disabled
  sku_tier               = var.tier
  default_node_pool {
    name    = "system"
    vm_size = var.vm_size
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.main.id
  node_public_ip_enabled = var.public_ip
}
"#,
    );
    write(
        root.path(),
        "module/variables.tf",
        r#"variable "name" {
  type    = string
  default = null
}
variable "local_disabled" {
  default = false
}
variable "tier" {
  default = "Free"
}
variable "vm_size" {}
variable "public_ip" {
  default = false
}
"#,
    );
    // A module's tfvars are not read when it is called.
    write(
        root.path(),
        "module/terraform.tfvars",
        "tier = \"Premium\"\n",
    );
    root
}

#[test]
fn caller_arguments_bind_to_module_variables_at_the_module_lines() {
    let root = module_tree();
    write(
        root.path(),
        "callers/a/main.tf",
        r#"variable "size" {
  default = "Standard_D4s_v5"
}

locals {
  disabled = true
}

module "aks" {
  source         = "../../module"
  name           = "aks-a"
  local_disabled = local.disabled
  vm_size        = var.size
  public_ip      = azurerm_public_ip.x.id != ""
}
"#,
    );
    let result = load_file(&root.path().join("callers/a/main.tf"));
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.azure.clusters.len(), 1);
    let c = &result.azure.clusters[0];
    assert_eq!(c.name, "aks-a", "the name the caller passes");
    assert!(
        c.source.path.ends_with("module/main.tf"),
        "the cluster is written in the module: {}",
        c.source.path
    );
    assert!(!c.source.path.contains(".."), "{}", c.source.path);
    let s = &c.settings;
    assert_eq!(s.get("disableLocalAccounts").as_bool(), Some(true));
    assert_eq!(
        s.pos_of("disableLocalAccounts", c.pos).line,
        3,
        "a caller's value is at the module's property"
    );
    assert_eq!(
        s.get("sku.tier").as_str(),
        Some("Free"),
        "the module default (its tfvars are not read)"
    );
    assert_eq!(c.node_pools.len(), 2, "the module's own pool joins");
    assert_eq!(
        c.node_pools[0].settings.get("vmSize").as_str(),
        Some("Standard_D4s_v5")
    );
    // An argument that is not resolvable in the caller is Unknown, with where it came from.
    let user = &c.node_pools[1].settings;
    assert!(user.get("enableNodePublicIP").is_unknown());
    assert!(
        user.unknown["enableNodePublicIP"].contains("passed by module.aks"),
        "{:?}",
        user.unknown
    );
}

#[test]
fn clusters_of_different_callers_are_told_apart() {
    let root = module_tree();
    for caller in ["a", "b"] {
        write(
            root.path(),
            &format!("callers/{caller}/main.tf"),
            "module \"aks\" {\n  source  = \"../../module\"\n  vm_size = \"x\"\n}\n",
        );
    }
    let a = load_file(&root.path().join("callers/a/main.tf"));
    let b = load_file(&root.path().join("callers/b/main.tf"));
    let (a, b) = (&a.azure.clusters[0], &b.azure.clusters[0]);
    assert!(
        a.name
            .starts_with("<module.aks.azurerm_kubernetes_cluster.main (")
    );
    assert!(a.name.contains("callers/a/main.tf"), "{}", a.name);
    assert!(b.name.contains("callers/b/main.tf"), "{}", b.name);
    assert_eq!(a.source, b.source, "both are written in the module file");
}

#[test]
fn a_module_called_with_count_gives_one_cluster_per_copy() {
    let root = module_tree();
    write(
        root.path(),
        "callers/a/main.tf",
        r#"module "aks" {
  count   = 2
  source  = "../../module"
  name    = "aks-${count.index}"
  vm_size = "x"
}
module "skipped" {
  count   = 0
  source  = "../../module"
  vm_size = "x"
}
module "each" {
  for_each = { east = "Standard", west = "Premium" }
  source   = "../../module"
  name     = "aks-${each.key}"
  tier     = each.value
  vm_size  = "x"
}
"#,
    );
    let result = load_file(&root.path().join("callers/a/main.tf"));
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let mut names: Vec<(String, Option<String>, usize)> = result
        .azure
        .clusters
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.settings.get("sku.tier").as_str().map(str::to_owned),
                c.node_pools.len(),
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("aks-0".into(), Some("Free".into()), 2),
            ("aks-1".into(), Some("Free".into()), 2),
            ("aks-east".into(), Some("Standard".into()), 2),
            ("aks-west".into(), Some("Premium".into()), 2),
        ],
        "each copy with its own pool"
    );
}

#[test]
fn a_missing_module_directory_is_an_error_at_the_call() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "main.tf",
        "\n\nmodule \"gone\" {\n  source = \"./nowhere\"\n}\n",
    );
    let result = load_file(&root.path().join("main.tf"));
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    let error = &result.errors[0];
    assert_eq!(error.line, Some(3));
    assert!(error.path.ends_with("main.tf"));
    assert!(
        error.message.contains("module \"gone\""),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("not a directory"),
        "{}",
        error.message
    );
    // A directory without .tf files is one too.
    std::fs::create_dir(root.path().join("nowhere")).unwrap();
    let result = load_file(&root.path().join("main.tf"));
    assert!(result.errors[0].message.contains("no readable .tf file"));
}

#[test]
fn module_cycles_are_errors_not_loops() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "a/main.tf",
        "module \"b\" {\n  source = \"../b\"\n}\n",
    );
    write(
        root.path(),
        "b/main.tf",
        "module \"a\" {\n  source = \"../a\"\n}\n",
    );
    write(
        root.path(),
        "self/main.tf",
        "module \"me\" {\n  source = \"./\"\n}\n",
    );
    let result = load_file(&root.path().join("a/main.tf"));
    // a → b → a: the inner call is inside a followed module, so a notice for this load.
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert!(
        result.notices.iter().any(|n| n.contains("a cycle")),
        "{:?}",
        result.notices
    );
    let result = load_file(&root.path().join("self/main.tf"));
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert!(result.errors[0].message.contains("a cycle"));
}

#[test]
fn modules_nest_at_most_eight_deep() {
    let root = tempfile::tempdir().unwrap();
    // m0 → m1 → … → m11, the last declaring a cluster.
    for i in 0..11 {
        write(
            root.path(),
            &format!("m{i}/main.tf"),
            &format!("module \"next\" {{\n  source = \"../m{}\"\n}}\n", i + 1),
        );
    }
    write(
        root.path(),
        "m11/main.tf",
        "resource \"azurerm_kubernetes_cluster\" \"deep\" {\n  name = \"deep\"\n}\n",
    );
    let result = load_file(&root.path().join("m0/main.tf"));
    assert!(result.azure.clusters.is_empty(), "the cluster is too deep");
    assert!(
        result.notices.iter().any(|n| n.contains("deeper than 8")),
        "{:?}",
        result.notices
    );
    let result = load_file(&root.path().join("m4/main.tf"));
    assert_eq!(result.azure.clusters.len(), 1, "seven levels are followed");
}

#[test]
fn registry_modules_are_named_once_per_file() {
    let text = r#"
module "naming" {
  source  = "Azure/naming/azurerm"
  version = "0.4.0"
}
module "regions" {
  source = "Azure/avm-utl-regions/azurerm"
}
module "git" {
  source = "git::https://example.com/m.git"
}
"#;
    let result = load_text_all("main.tf", text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert!(result.azure.is_empty());
    assert_eq!(result.notices.len(), 1, "{:?}", result.notices);
    let notice = &result.notices[0];
    for name in [
        "\"naming\"",
        "\"regions\"",
        "\"git\"",
        "Azure/naming/azurerm",
    ] {
        assert!(notice.contains(name), "{notice}");
    }
}

#[test]
fn the_managed_cluster_avm_call_is_judged_from_its_inputs() {
    let text = r#"
variable "tier" {
  default = "Standard"
}

module "aks" {
  source    = "Azure/avm-res-containerservice-managedcluster/azurerm"
  version   = "0.8.1"
  name      = "aks-avm"
  location  = "westeurope"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  sku = {
    name = "Base"
    tier = var.tier
  }
  disable_local_accounts = true
}

module "unpinned" {
  source    = "Azure/avm-res-containerservice-managedcluster/azurerm"
  name      = "aks-unpinned"
  parent_id = "/subscriptions/s/resourceGroups/rg"
}
"#;
    let result = load_text_all("main.tf", text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.azure.clusters.len(), 2, "{:?}", result.azure);
    let c = &result.azure.clusters[0];
    assert_eq!(c.name, "aks-avm");
    assert_eq!(c.format, aksguard_model::azure::AzureFormat::AvmTerraform);
    assert_eq!(c.resource_group.as_deref(), Some("rg"));
    assert_eq!(c.pos.line, 6, "the cluster is the module call");
    assert_eq!(c.settings.get("sku.tier").as_str(), Some("Standard"));
    assert_eq!(c.settings.get("disableLocalAccounts").as_bool(), Some(true));
    assert_eq!(
        c.settings.pos_of("disableLocalAccounts", c.pos).line,
        16,
        "at the caller's input"
    );
    // A call without a version cannot be pinned to a table: everything Unknown, a notice.
    let unpinned = &result.azure.clusters[1];
    assert!(unpinned.settings.get("disableLocalAccounts").is_unknown());
    assert!(
        result.notices.iter().any(|n| n.contains("main.tf:19")),
        "{:?}",
        result.notices
    );
}

#[test]
fn count_expands_with_the_index_known() {
    let text = r#"
variable "n" {
  default = 2
}
resource "azurerm_kubernetes_cluster" "c" {
  count    = var.n
  name     = "aks-${count.index}"
  sku_tier = count.index == 0 ? "Free" : "Standard"
}
resource "azurerm_kubernetes_cluster_node_pool" "p" {
  count                 = var.n
  name                  = "pool${count.index}"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.c[count.index].id
}
resource "azurerm_kubernetes_cluster" "none" {
  count = 0
  name  = "never"
}
"#;
    let azure = load_text_all("main.tf", text, &Limits::default()).azure;
    let clusters: Vec<(String, Option<&str>, Vec<&str>)> = azure
        .clusters
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.settings.get("sku.tier").as_str(),
                c.node_pools.iter().map(|p| p.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        clusters,
        vec![
            ("aks-0".into(), Some("Free"), vec!["pool0"]),
            ("aks-1".into(), Some("Standard"), vec!["pool1"]),
        ],
        "each pool joins the copy with its index"
    );
}

#[test]
fn for_each_expands_over_maps_and_lists() {
    let text = r#"
resource "azapi_resource" "c" {
  for_each  = { prod = "Standard", dev = "Free" }
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  parent_id = "/subscriptions/s/resourceGroups/rg"
  body = {
    sku = { name = "Base", tier = each.value }
  }
}
resource "azurerm_kubernetes_cluster" "l" {
  for_each = ["a"]
}
"#;
    let azure = load_text_all("main.tf", text, &Limits::default()).azure;
    let mut found: Vec<(String, Option<&str>)> = azure
        .clusters
        .iter()
        .map(|c| (c.name.clone(), c.settings.get("sku.tier").as_str()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("<azapi_resource.c[\"dev\"]>".into(), Some("Free")),
            ("<azapi_resource.c[\"prod\"]>".into(), Some("Standard")),
            ("<azurerm_kubernetes_cluster.l[\"a\"]>".into(), None),
        ]
    );
}

#[test]
fn unresolvable_and_huge_counts_load_once_with_the_index_unknown() {
    let text = r#"
resource "azurerm_kubernetes_cluster" "unknown" {
  count    = length(var.x)
  name     = "u"
  sku_tier = count.index == 0 ? "Free" : "Standard"
}
resource "azurerm_kubernetes_cluster" "huge" {
  count = 100000
  name  = "h-${count.index}"
}
resource "azurerm_kubernetes_cluster" "each" {
  for_each = var.clusters
  name     = each.key
}
"#;
    let result = load_text_all("main.tf", text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let names: Vec<&str> = result
        .azure
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "u",
            "<azurerm_kubernetes_cluster.huge>",
            "<azurerm_kubernetes_cluster.each>"
        ]
    );
    assert!(
        result.azure.clusters[0]
            .settings
            .get("sku.tier")
            .is_unknown()
    );
    assert_eq!(result.notices.len(), 1, "{:?}", result.notices);
    assert!(result.notices[0].contains("count = 100000"));
}

#[test]
fn for_expressions_functions_and_type_defaults_evaluate_over_known_values() {
    let text = r#"
variable "profile" {
  type = object({
    enabled  = optional(bool, true)
    channel  = optional(string)
    nested   = optional(object({ on = optional(bool, false) }), {})
  })
  default = { extra = "dropped" }
}

variable "names" {
  default = ["a", "b", "c"]
}

locals {
  props = {
    for k, v in { enableRBAC = true, nodeResourceGroup = null, dnsPrefix = "x" } :
    k => v if can(regex("^(enableRBAC|dnsPrefix)$", k)) && v != null
  }
  upper      = [for n in var.names : upper(n) if n != "b"]
  joined     = join(",", local.upper)
  missing    = try(var.profile.nope, "fallback")
  count      = length(var.names) > 2
  has_b      = contains(var.names, "b")
  unknown_or = var.unset || true
  unknown_and = var.unset && false
}

resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = local.joined
  parent_id = "/subscriptions/s/resourceGroups/rg"
  body = {
    properties = merge(local.props, {
      disableLocalAccounts = var.profile.enabled
      supportPlan          = var.profile.channel
      nested               = var.profile.nested.on
      kubernetesVersion    = local.missing
      enablePodSecurityPolicy = local.count && local.has_b
      fqdnSubdomain        = local.unknown_or ? "or" : "no"
      publicNetworkAccess  = local.unknown_and ? "and" : "Disabled"
    })
  }
}
"#;
    let result = load_text_all("main.tf", text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let c = &result.azure.clusters[0];
    assert_eq!(c.name, "A,C");
    let s = &c.settings;
    assert_eq!(s.get("enableRBAC").as_bool(), Some(true));
    assert_eq!(s.get("dnsPrefix").as_str(), Some("x"));
    assert!(s.get("nodeResourceGroup").is_absent(), "null left out");
    assert_eq!(
        s.get("disableLocalAccounts").as_bool(),
        Some(true),
        "optional default"
    );
    assert!(
        s.get("supportPlan").is_absent(),
        "optional without default is null"
    );
    assert_eq!(s.get("nested").as_bool(), Some(false));
    assert_eq!(s.get("kubernetesVersion").as_str(), Some("fallback"));
    assert_eq!(s.get("enablePodSecurityPolicy").as_bool(), Some(true));
    assert_eq!(s.get("fqdnSubdomain").as_str(), Some("or"), "x || true");
    assert_eq!(
        s.get("publicNetworkAccess").as_str(),
        Some("Disabled"),
        "x && false"
    );
}

#[test]
fn dynamic_blocks_expand_over_known_collections() {
    let text = r#"
variable "aad" {
  default = { admin_groups = ["g1"] }
}
resource "azurerm_kubernetes_cluster" "c" {
  name = "aks"
  dynamic "azure_active_directory_role_based_access_control" {
    for_each = var.aad == null ? [] : [var.aad]
    iterator = cfg
    content {
      admin_group_object_ids = cfg.value.admin_groups
      azure_rbac_enabled     = true
    }
  }
  dynamic "oms_agent" {
    for_each = []
    content {
      log_analytics_workspace_id = "x"
    }
  }
  dynamic "key_vault_secrets_provider" {
    for_each = var.unset
    content {
      secret_rotation_enabled = true
    }
  }
}
"#;
    let result = load_text_all("main.tf", text, &Limits::default());
    let s = &result.azure.clusters[0].settings;
    assert_eq!(s.get("aadProfile.enableAzureRBAC").as_bool(), Some(true));
    assert_eq!(
        s.pos_of("aadProfile.enableAzureRBAC", Pos::new(1, 1)).line,
        12
    );
    assert!(
        s.get("addonProfiles.omsagent").is_absent(),
        "no element, no block"
    );
    assert!(
        s.get("addonProfiles.azureKeyvaultSecretsProvider.enabled")
            .is_unknown()
    );
}

#[test]
fn evaluation_is_bounded() {
    let numbers: Vec<String> = (0..3000).map(|i| i.to_string()).collect();
    let text = format!(
        r#"
locals {{
  xs   = [{}]
  cube = [for a in local.xs : [for b in local.xs : [for c in local.xs : c]]]
}}
resource "azurerm_kubernetes_cluster" "c" {{
  name     = "aks"
  sku_tier = length(local.cube) > 0 ? "Free" : "Standard"
}}
"#,
        numbers.join(", ")
    );
    let started = std::time::Instant::now();
    let result = load_text_all("main.tf", &text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let s = &result.azure.clusters[0].settings;
    assert!(s.get("sku.tier").is_unknown());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
