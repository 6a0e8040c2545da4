# The realistic subscription of `../az` (the same resources as `az … -o json` exports) as a
# Terraform configuration: the cluster, its registry, identities, role and policy
# assignments, alerts and Defender plans here; its network in `./network`. Every ID that
# exists only after apply is named by reference.
data "azurerm_subscription" "current" {}

resource "azurerm_resource_group" "prod" {
  name     = "rg-prod"
  location = "westeurope"
}

module "network" {
  source = "./network"
}

resource "azurerm_log_analytics_workspace" "prod" {
  name                = "log-prod"
  resource_group_name = azurerm_resource_group.prod.name
  location            = azurerm_resource_group.prod.location
  sku                 = "PerGB2018"
}

resource "azurerm_container_registry" "prod" {
  name                          = "acrprod"
  resource_group_name           = azurerm_resource_group.prod.name
  location                      = azurerm_resource_group.prod.location
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = false
  network_rule_bypass_option    = "AzureServices"
  retention_policy_in_days      = 30

  network_rule_set {
    default_action = "Deny"
  }
}

resource "azurerm_kubernetes_cluster" "prod" {
  name                      = "aks-prod"
  location                  = azurerm_resource_group.prod.location
  resource_group_name       = azurerm_resource_group.prod.name
  dns_prefix                = "aks-prod"
  kubernetes_version        = "1.31.2"
  sku_tier                  = "Standard"
  local_account_disabled    = false
  azure_policy_enabled      = true
  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  image_cleaner_enabled     = true
  image_cleaner_interval_hours = 48
  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"

  api_server_access_profile {
    authorized_ip_ranges = ["203.0.113.0/24"]
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
  }

  default_node_pool {
    name                   = "system"
    vm_size                = "Standard_D4ds_v5"
    node_count             = 3
    os_disk_type           = "Ephemeral"
    orchestrator_version   = "1.31.2"
    node_public_ip_enabled = false
    vnet_subnet_id         = module.network.node_subnet_id
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin      = "azure"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    outbound_type       = "userDefinedRouting"
    service_cidr        = "10.0.0.0/16"
    dns_service_ip      = "10.0.0.10"
  }

  ingress_application_gateway {
    gateway_id = module.network.application_gateway_id
  }

  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.prod.id
  }

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.prod.id
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                  = "apps"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.prod.id
  vm_size               = "Standard_D8ds_v5"
  mode                  = "User"
  auto_scaling_enabled  = true
  node_count            = 2
  min_count             = 2
  max_count             = 6
  os_disk_type          = "Managed"
  orchestrator_version  = "1.31.2"
  vnet_subnet_id        = module.network.node_subnet_id
}

resource "azurerm_user_assigned_identity" "payments" {
  name                = "id-payments"
  resource_group_name = azurerm_resource_group.prod.name
  location            = azurerm_resource_group.prod.location
}

resource "azurerm_federated_identity_credential" "payments_api" {
  name                = "payments-api"
  resource_group_name = azurerm_resource_group.prod.name
  parent_id           = azurerm_user_assigned_identity.payments.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = azurerm_kubernetes_cluster.prod.oidc_issuer_url
  subject             = "system:serviceaccount:payments:api"
}

resource "azurerm_role_assignment" "ops_lead_owner" {
  scope                = data.azurerm_subscription.current.id
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
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "platform_readers" {
  scope                = azurerm_kubernetes_cluster.prod.id
  role_definition_name = "Azure Kubernetes Service RBAC Reader"
  principal_id         = "0c1d2e3f-0000-4000-8000-000000000043"
  principal_type       = "Group"
}

resource "azurerm_subscription_policy_assignment" "pod_baseline" {
  name                 = "aks-pod-baseline"
  display_name         = "Kubernetes cluster pod security baseline standards for Linux-based workloads"
  subscription_id      = data.azurerm_subscription.current.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters = jsonencode({
    effect = { value = "Audit" }
  })
  metadata = jsonencode({
    assignedBy = "Platform team"
  })
}

resource "azurerm_resource_group_policy_assignment" "allowed_locations" {
  name                 = "allowed-locations"
  display_name         = "Allowed locations"
  resource_group_id    = azurerm_resource_group.prod.id
  policy_definition_id = "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
  parameters = jsonencode({
    listOfAllowedLocations = { value = ["westeurope", "northeurope"] }
  })
}

resource "azurerm_monitor_metric_alert" "node_cpu" {
  name                = "aks-prod-node-cpu"
  resource_group_name = azurerm_resource_group.prod.name
  scopes              = [azurerm_kubernetes_cluster.prod.id]
  description         = "Node CPU (switched off during the migration)"
  enabled             = false
  severity            = 3
  frequency           = "PT1M"
  window_size         = "PT5M"

  criteria {
    metric_namespace = "Microsoft.ContainerService/managedClusters"
    metric_name      = "node_cpu_usage_percentage"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = 90
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "failed_pods" {
  name                 = "aks-prod-failed-pods"
  resource_group_name  = azurerm_resource_group.prod.name
  location             = azurerm_resource_group.prod.location
  description          = "Failed pods in aks-prod"
  scopes               = [azurerm_log_analytics_workspace.prod.id]
  severity             = 2
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"

  criteria {
    query                   = "KubePodInventory | where PodStatus == 'Failed'"
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 5
  }
}

resource "azurerm_security_center_contact" "default" {
  name                = "default"
  email               = "secops@contoso.example"
  alert_notifications = true
  alerts_to_admins    = true
}

# Standard for containers, listing two of the three extensions: azurerm turns the sensor off.
resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"

  extension {
    name = "ContainerRegistriesVulnerabilityAssessments"
  }

  extension {
    name = "AgentlessDiscoveryForKubernetes"
  }
}

resource "azurerm_security_center_subscription_pricing" "key_vaults" {
  tier          = "Free"
  resource_type = "KeyVaults"
}
