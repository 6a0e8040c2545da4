# Production cluster: keep this comment, the alignment and the heredoc below.
locals {
  banner = <<-EOT
    Managed by platform-team {
    EOT
}

resource "azurerm_kubernetes_cluster" "prod" {
  name                = "prod-aks"
  location            = "westeurope"
  resource_group_name = "rg-prod"
  dns_prefix          = "prod"
  run_command_enabled = true # TODO: turn off

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }
}
