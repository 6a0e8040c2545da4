resource "azurerm_user_assigned_identity" "payments" {
  name                = "id-payments"
  location            = var.location
  resource_group_name = azurerm_resource_group.prod.name
  tags = {
    workload = "payments"
  }
}

resource "azurerm_federated_identity_credential" "payments_api" {
  name                = "payments-api"
  resource_group_name = azurerm_resource_group.prod.name
  parent_id           = azurerm_user_assigned_identity.payments.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = azurerm_kubernetes_cluster.prod.oidc_issuer_url
  subject             = "system:serviceaccount:payments:api"
}

# The platform lead owns the subscription.
resource "azurerm_role_assignment" "ops_owner" {
  scope                = local.subscription
  role_definition_name = "Owner"
  principal_id         = "0c1d2e3f-0000-4000-8000-000000000041"
  principal_type       = "User"
}

resource "azurerm_role_assignment" "aks_admins" {
  scope                = azurerm_kubernetes_cluster.prod.id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = "0c1d2e3f-0000-4000-8000-000000000042"
  principal_type       = "Group"
}

# The payments workload may change anything in its resource group.
resource "azurerm_role_assignment" "payments_contributor" {
  scope                = azurerm_resource_group.prod.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.payments.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "kubelet_acr_pull" {
  scope                = azurerm_container_registry.prod.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.prod.kubelet_identity[0].object_id
}

resource "azurerm_role_assignment" "platform_readers" {
  scope                = azurerm_kubernetes_cluster.prod.id
  role_definition_name = "Azure Kubernetes Service RBAC Reader"
  principal_id         = "0c1d2e3f-0000-4000-8000-000000000043"
  principal_type       = "Group"
}
