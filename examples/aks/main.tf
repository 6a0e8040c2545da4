# The store's AKS cluster and registry, with the gaps a first Terraform draft often has.
# aksguard reads azurerm v3 and v4 attribute names; missing attributes take the provider's
# defaults, and values it cannot resolve (variables without defaults) are never guessed.
variable "location" {
  default = "westeurope"
}

variable "admin_group_id" {
  description = "Entra ID group of cluster admins (set per environment)"
}

resource "azurerm_kubernetes_cluster" "store" {
  name                = "aks-store"
  resource_group_name = "rg-store"
  location            = var.location
  dns_prefix          = "store"
  kubernetes_version  = "1.31"
  sku_tier            = "Free"

  local_account_disabled = false
  azure_policy_enabled   = false

  azure_active_directory_role_based_access_control {
    admin_group_object_ids = [var.admin_group_id]
    azure_rbac_enabled     = true
  }

  default_node_pool {
    name                   = "system"
    vm_size                = "Standard_D4s_v5"
    node_count             = 1
    node_public_ip_enabled = true
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin = "azure"
  }
}

resource "azurerm_container_registry" "store" {
  name                = "contosostore"
  resource_group_name = "rg-store"
  location            = var.location
  sku                 = "Standard"
  admin_enabled       = true
}
