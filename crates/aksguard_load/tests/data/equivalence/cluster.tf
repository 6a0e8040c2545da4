variable "cluster_name" {
  type    = string
  default = "aks-eq"
}

resource "azurerm_kubernetes_cluster" "eq" {
  name                              = var.cluster_name
  location                          = "westeurope"
  resource_group_name               = "rg-eq"
  dns_prefix                        = "akseq"
  kubernetes_version                = "1.33"
  sku_tier                          = "Standard"
  role_based_access_control_enabled = true
  local_account_disabled            = true
  private_cluster_enabled           = true
  run_command_enabled               = false
  azure_policy_enabled              = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  image_cleaner_enabled             = true
  image_cleaner_interval_hours      = 48
  automatic_upgrade_channel         = "patch"
  node_os_upgrade_channel           = "NodeImage"

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
  }

  network_profile {
    network_plugin    = "azure"
    network_policy    = "calico"
    outbound_type     = "userDefinedRouting"
    load_balancer_sku = "standard"
  }

  default_node_pool {
    name                         = "system"
    node_count                   = 3
    vm_size                      = "Standard_D4s_v5"
    os_disk_type                 = "Ephemeral"
    node_public_ip_enabled       = false
    host_encryption_enabled      = true
    zones                        = ["1", "2", "3"]
    only_critical_addons_enabled = true
  }
}
