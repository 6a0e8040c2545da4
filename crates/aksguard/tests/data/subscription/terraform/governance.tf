resource "azurerm_subscription_policy_assignment" "pod_baseline" {
  name                 = "aks-pod-baseline"
  display_name         = "Kubernetes cluster pod security baseline standards for Linux-based workloads"
  subscription_id      = local.subscription
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters = jsonencode({
    effect = { value = "Audit" }
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

resource "azurerm_security_center_contact" "default" {
  name                = "default"
  email               = "secops@contoso.example"
  alert_notifications = true
  alerts_to_admins    = true
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "failed_pods" {
  name                 = "aks-prod-failed-pods"
  location             = var.location
  resource_group_name  = azurerm_resource_group.prod.name
  description          = "Failed pods in aks-prod"
  enabled              = true
  evaluation_frequency = "PT5M"
  window_duration      = "PT15M"
  scopes               = [azurerm_log_analytics_workspace.prod.id]
  severity             = 2

  criteria {
    query                   = "KubePodInventory | where PodStatus == 'Failed'"
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 5
  }
}

resource "azurerm_monitor_metric_alert" "node_cpu" {
  name                = "aks-prod-node-cpu"
  resource_group_name = azurerm_resource_group.prod.name
  description         = "Node CPU (switched off during the migration)"
  enabled             = false
  scopes              = [azurerm_kubernetes_cluster.prod.id]
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
