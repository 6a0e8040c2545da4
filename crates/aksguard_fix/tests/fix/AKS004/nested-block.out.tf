resource "azurerm_kubernetes_cluster" "prod" {
  name                = "prod-aks"
  location            = "westeurope"
  resource_group_name = "rg-prod"
  dns_prefix          = "prod"

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    tenant_id          = "00000000-0000-0000-0000-000000000000"
    azure_rbac_enabled = true // Kubernetes RBAC only, for now
  }
}
