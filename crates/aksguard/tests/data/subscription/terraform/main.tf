# The realistic subscription of ../az (the same resources, as a team would declare them):
# aks-prod in rg-prod on the node subnet of vnet-prod (rg-network) with its NSG and
# egress route table, the AGIC Application Gateway and its WAF policy, a workload identity
# with a federated credential, role and policy assignments, Defender plans and contact, and
# alert rules.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}

variable "subscription_id" {
  type    = string
  default = "7f3c2a10-5d4b-4c1e-9a8f-0123456789ab"
}

variable "location" {
  type    = string
  default = "westeurope"
}

locals {
  subscription = "/subscriptions/${var.subscription_id}"
}

resource "azurerm_resource_group" "prod" {
  name     = "rg-prod"
  location = var.location
}

resource "azurerm_log_analytics_workspace" "prod" {
  name                = "log-prod"
  location            = var.location
  resource_group_name = azurerm_resource_group.prod.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
}

resource "azurerm_container_registry" "prod" {
  name                          = "acrprod"
  location                      = var.location
  resource_group_name           = azurerm_resource_group.prod.name
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = false
  anonymous_pull_enabled        = false
  retention_policy_in_days      = 30

  network_rule_set {
    default_action = "Deny"
  }
}

resource "azurerm_kubernetes_cluster" "prod" {
  name                = "aks-prod"
  location            = var.location
  resource_group_name = azurerm_resource_group.prod.name
  dns_prefix          = "aks-prod"
  kubernetes_version  = "1.31.2"
  sku_tier            = "Standard"
  node_resource_group = "MC_rg-prod_aks-prod_westeurope"

  local_account_disabled            = false
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  image_cleaner_enabled             = true
  image_cleaner_interval_hours      = 48
  automatic_upgrade_channel         = "patch"
  node_os_upgrade_channel           = "NodeImage"

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
    tenant_id          = "72f988bf-0000-4000-8000-000000000000"
  }

  api_server_access_profile {
    authorized_ip_ranges = ["203.0.113.0/24"]
  }

  default_node_pool {
    name                 = "system"
    vm_size              = "Standard_D4ds_v5"
    node_count           = 3
    os_disk_type         = "Ephemeral"
    vnet_subnet_id       = azurerm_subnet.nodes.id
    orchestrator_version = "1.31.2"
  }

  identity {
    type = "SystemAssigned"
  }

  network_profile {
    network_plugin     = "azure"
    network_policy     = "cilium"
    network_data_plane = "cilium"
    outbound_type      = "userDefinedRouting"
    service_cidr       = "10.0.0.0/16"
    dns_service_ip     = "10.0.0.10"
  }

  ingress_application_gateway {
    gateway_id = azurerm_application_gateway.prod.id
  }

  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.prod.id
  }

  microsoft_defender {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.prod.id
  }

  depends_on = [
    azurerm_subnet_route_table_association.nodes,
    azurerm_subnet_network_security_group_association.nodes,
  ]
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                  = "apps"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.prod.id
  vm_size               = "Standard_D8ds_v5"
  mode                  = "User"
  auto_scaling_enabled  = true
  min_count             = 2
  max_count             = 6
  os_disk_type          = "Managed"
  vnet_subnet_id        = azurerm_subnet.nodes.id
  orchestrator_version  = "1.31.2"
}
