# An azapi cluster: the body is edited where the setting goes, nothing else moves.
resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-09-01"
  name      = "prod-aks"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod"
  location  = "westeurope"
  identity {
    type = "SystemAssigned"
  }
  body = {
    properties = {
      dnsPrefix = "prod"
      apiServerAccessProfile = {
        enablePrivateCluster = true # private API server
        disableRunCommand = true
      }
      agentPoolProfiles = [
        {
          name   = "system"
          mode   = "System"
          count  = 3
          vmSize = "Standard_D4s_v5"
        },
      ]
    }
  }
}
