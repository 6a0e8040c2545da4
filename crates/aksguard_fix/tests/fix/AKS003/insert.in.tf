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
    # Four-space indentation: the inserted line uses it too.
}
