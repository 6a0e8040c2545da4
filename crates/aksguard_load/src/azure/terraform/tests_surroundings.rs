use aksguard_model::azure::{AlertKind, AzureResources, Link, Ref};

use crate::{Limits, load_text_all};

fn load_as(path: &str, text: &str) -> AzureResources {
    let mut result = load_text_all(path, text, &Limits::default());
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    // As a whole load does once every input is read.
    let notes = result.azure.join_surroundings();
    assert!(notes.is_empty(), "{notes:?}");
    result.azure
}

fn load_path(path: &std::path::Path) -> crate::Loaded {
    let options = crate::LoadOptions {
        render: false,
        ..crate::LoadOptions::default()
    };
    let loaded = crate::load_inputs(
        &[path.display().to_string()],
        &options,
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
}

const SURROUNDINGS: &str = r#"
data "azurerm_subscription" "current" {}
data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "rg" {
  name     = "rg-aks"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "workload" {
  name                = "id-workload"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "workload" {
  name                = "fc"
  resource_group_name = azurerm_resource_group.rg.name
  parent_id           = azurerm_user_assigned_identity.workload.id
  issuer              = azurerm_kubernetes_cluster.aks.oidc_issuer_url
  subject             = "system:serviceaccount:apps:api"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "owner" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.workload.principal_id
}

resource "azurerm_role_assignment" "rg" {
  scope                = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${azurerm_resource_group.rg.name}"
  role_definition_name = "Contributor"
  principal_id         = azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id
}

resource "azurerm_role_assignment" "opaque" {
  scope                = var.scope
  role_definition_name = "Reader"
  principal_id         = module.ids.principal_id
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  address_space       = ["10.0.0.0/8"]
}

resource "azurerm_subnet" "nodes" {
  name                 = "nodes"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.1.0.0/16"]
}

resource "azurerm_network_security_group" "nodes" {
  name                = "nsg-nodes"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"

  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_ranges     = ["3389", "10250"]
  source_address_prefixes     = ["0.0.0.0/0"]
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.rg.name
  network_security_group_name = azurerm_network_security_group.nodes.name
}

resource "azurerm_subnet_network_security_group_association" "nodes" {
  subnet_id                 = azurerm_subnet.nodes.id
  network_security_group_id = azurerm_network_security_group.nodes.id
}

resource "azurerm_route_table" "egress" {
  name                = "rt"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  route {
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.0.0.4"
  }
}

resource "azurerm_route" "internet" {
  name                = "internet"
  resource_group_name = "rg-aks"
  route_table_name    = "rt"
  address_prefix      = "1.2.3.0/24"
  next_hop_type       = "Internet"
}

resource "azurerm_subnet_route_table_association" "nodes" {
  subnet_id      = azurerm_subnet.nodes.id
  route_table_id = azurerm_route_table.egress.id
}

resource "azurerm_application_gateway" "agw" {
  name                = "agw"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  firewall_policy_id  = azurerm_web_application_firewall_policy.waf.id
  sku {
    name = "WAF_v2"
    tier = "WAF_v2"
  }
  waf_configuration {
    enabled          = true
    firewall_mode    = "Detection"
    rule_set_version = "3.2"
  }
}

resource "azurerm_web_application_firewall_policy" "waf" {
  name                = "waf"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  policy_settings {
    mode = "Detection"
  }
}

resource "azurerm_resource_group_policy_assignment" "baseline" {
  name                 = "baseline"
  resource_group_id    = azurerm_resource_group.rg.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
  parameters = jsonencode({
    effect = { value = "Deny" }
  })
}

resource "azurerm_subscription_policy_assignment" "audit" {
  name                 = "audit"
  subscription_id      = data.azurerm_subscription.current.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/x"
  enforce              = false
  parameters           = <<PARAMS
{"effect": {"value": "Audit"}}
PARAMS
}

resource "azurerm_resource_policy_assignment" "unknown" {
  name                 = "unknown"
  resource_id          = azurerm_kubernetes_cluster.aks.id
  policy_definition_id = "/providers/Microsoft.Authorization/policySetDefinitions/y"
  parameters           = jsonencode({ effect = { value = var.effect } })
}

resource "azurerm_monitor_metric_alert" "cpu" {
  name                = "cpu"
  resource_group_name = azurerm_resource_group.rg.name
  scopes              = [azurerm_kubernetes_cluster.aks.id]
  enabled             = false
}

resource "azurerm_monitor_activity_log_alert" "admin" {
  name                = "admin"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "global"
  scopes              = [azurerm_resource_group.rg.id]
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "q" {
  name     = "q"
  scopes   = var.scopes
  location = "westeurope"
}

resource "azurerm_security_center_contact" "c" {
  email               = "sec@example.com"
  alert_notifications = true
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
  extension {
    name = "ContainerSensor"
  }
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  dns_prefix          = "aks"
  private_cluster_enabled = true
  private_dns_zone_id = "None"

  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    vnet_subnet_id = azurerm_subnet.nodes.id
  }
  identity {
    type = "SystemAssigned"
  }
  ingress_application_gateway {
    gateway_id = azurerm_application_gateway.agw.id
  }
  service_mesh_profile {
    mode = "Istio"
  }
  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.law.id
  }
}
"#;

const SYM: &str = "tf:main.tf#";

fn key(text: &str) -> Option<String> {
    Some(format!("{SYM}{text}"))
}

#[test]
fn identities_and_role_assignments_join_by_symbol() {
    let azure = load_as("main.tf", SURROUNDINGS);
    let identity = &azure.identities[0];
    assert_eq!(identity.meta.name, "id-workload");
    assert_eq!(
        identity.meta.key.id.as_deref(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/rg-aks/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-workload"
        )
    );
    assert_eq!(
        identity.meta.key.symbols,
        vec![format!("{SYM}azurerm_user_assigned_identity.workload")]
    );
    let credential = &azure.federated_credentials[0];
    assert!(
        credential
            .identity
            .as_ref()
            .unwrap()
            .names(&identity.meta.key)
    );
    assert_eq!(credential.issuer, None);
    assert_eq!(
        credential.subject.as_deref(),
        Some("system:serviceaccount:apps:api")
    );

    let [owner, rg, opaque] = &azure.role_assignments[..] else {
        panic!("{:?}", azure.role_assignments);
    };
    let principal = owner.principal.as_ref().unwrap();
    assert_eq!(
        principal.written,
        "azurerm_user_assigned_identity.workload.principal_id"
    );
    assert!(azure.identity_by_principal(principal).is_some());
    assert_eq!(
        owner.scope.as_ref().unwrap().key.as_deref(),
        Some("/subscriptions/{unknown}")
    );
    assert_eq!(
        rg.scope.as_ref().unwrap().key.as_deref(),
        Some("/subscriptions/{unknown}/resourceGroups/rg-aks")
    );
    let cluster = &azure.clusters[0];
    assert!(
        rg.principal
            .as_ref()
            .unwrap()
            .same_target(cluster.refs.kubelet_identity.as_ref().unwrap())
    );
    assert_eq!(opaque.scope, Some(Ref::opaque("var.scope")));
    assert_eq!(opaque.principal.as_ref().unwrap().key, None);
}

#[test]
fn the_cluster_names_its_group_subnets_gateway_and_workspace() {
    let azure = load_as("main.tf", SURROUNDINGS);
    let cluster = &azure.clusters[0];
    assert_eq!(cluster.resource_group.as_deref(), Some("rg-aks"));
    assert_eq!(
        cluster.refs.symbols,
        vec![format!("{SYM}azurerm_kubernetes_cluster.aks")]
    );
    assert_eq!(
        cluster.refs.resource_group.as_ref().unwrap().key.as_deref(),
        Some("/subscriptions/{unknown}/resourceGroups/rg-aks")
    );
    assert_eq!(cluster.refs.subnets[0].0, "system");
    assert_eq!(cluster.refs.subnets[0].1.key, key("azurerm_subnet.nodes"));
    assert!(azure.subnet(&cluster.refs.subnets[0].1).is_some());
    // The settings hold the ID the subnet's literal names build, as ARM templates give it.
    assert_eq!(
        cluster.node_pools[0].settings.get("vnetSubnetID").as_str(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/rg-aks/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"
        )
    );
    let gateway = cluster.refs.application_gateway.as_ref().unwrap();
    assert!(azure.application_gateway(gateway).is_some());
    assert_eq!(
        cluster.refs.log_analytics_workspace.as_ref().unwrap().key,
        key("azurerm_log_analytics_workspace.law")
    );
    assert_eq!(
        cluster.refs.kubelet_identity.as_ref().unwrap().key,
        key("azurerm_kubernetes_cluster.aks.kubelet_identity")
    );
    let settings = &cluster.settings;
    assert_eq!(
        settings.get("serviceMeshProfile.mode").as_str(),
        Some("Istio")
    );
    assert_eq!(
        settings
            .get("apiServerAccessProfile.privateDNSZone")
            .as_str(),
        Some("None")
    );
    assert_eq!(
        settings
            .get("addonProfiles.ingressApplicationGateway.config.applicationGatewayId")
            .as_str(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/rg-aks/providers/Microsoft.Network/applicationGateways/agw"
        )
    );
    // No workspace resource is declared: its ID is not known.
    assert!(
        settings
            .get("addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID")
            .is_unknown()
    );
}

#[test]
fn nsgs_routes_and_associations_join_their_subnet() {
    let azure = load_as("main.tf", SURROUNDINGS);
    let subnet = &azure.subnets[0];
    assert!(subnet.associations_elsewhere);
    let nsg = azure.nsg(subnet.nsg.target().unwrap()).unwrap();
    assert_eq!(nsg.meta.name, "nsg-nodes");
    assert_eq!(nsg.rules_unknown, None);
    let names: Vec<&str> = nsg.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["ssh", "rdp"]);
    let rdp = &nsg.rules[1];
    assert_eq!(rdp.sources.as_deref(), Some(&["0.0.0.0/0".to_owned()][..]));
    assert_eq!(
        rdp.ports.as_deref(),
        Some(&["3389".to_owned(), "10250".to_owned()][..])
    );
    assert_eq!(rdp.priority, Some(110));
    let table = azure
        .route_table(subnet.route_table.target().unwrap())
        .unwrap();
    let routes: Vec<(&str, Option<&str>)> = table
        .routes
        .iter()
        .map(|r| (r.name.as_str(), r.next_hop_type.as_deref()))
        .collect();
    // The standalone route names its table by literal names: joined by ID.
    assert_eq!(
        routes,
        [
            ("default", Some("VirtualAppliance")),
            ("internet", Some("Internet"))
        ]
    );
}

#[test]
fn gateways_policies_alerts_contacts_and_pricing_extensions() {
    let azure = load_as("main.tf", SURROUNDINGS);
    let gateway = &azure.application_gateways[0];
    assert_eq!(gateway.sku_tier.as_deref(), Some("WAF_v2"));
    assert_eq!(
        gateway.inline_waf.as_ref().unwrap().mode.as_deref(),
        Some("Detection")
    );
    let policy = azure
        .waf_policy(gateway.waf_policy.target().unwrap())
        .unwrap();
    assert_eq!(policy.settings.enabled, Some(true));
    assert_eq!(policy.settings.mode.as_deref(), Some("Detection"));

    let [baseline, audit, unknown] = &azure.policy_assignments[..] else {
        panic!("{:?}", azure.policy_assignments);
    };
    assert_eq!(baseline.effect.as_deref(), Some("Deny"));
    assert_eq!(baseline.enforcement_mode.as_deref(), Some("Default"));
    assert_eq!(
        baseline.scope.as_ref().unwrap().key.as_deref(),
        Some("/subscriptions/{unknown}/resourceGroups/rg-aks")
    );
    assert_eq!(audit.effect.as_deref(), Some("Audit"));
    assert_eq!(audit.enforcement_mode.as_deref(), Some("DoNotEnforce"));
    assert!(unknown.effect_unknown);
    assert!(
        unknown
            .scope
            .as_ref()
            .unwrap()
            .names(&azure.clusters[0].key())
    );

    let [cpu, admin, query] = &azure.alert_rules[..] else {
        panic!("{:?}", azure.alert_rules);
    };
    assert_eq!(cpu.kind, AlertKind::Metric);
    assert_eq!(cpu.enabled, Some(false));
    assert!(cpu.scopes.as_ref().unwrap()[0].names(&azure.clusters[0].key()));
    assert_eq!(admin.enabled, Some(true));
    assert_eq!(
        admin.scopes.as_ref().unwrap()[0].key.as_deref(),
        Some("/subscriptions/{unknown}/resourceGroups/rg-aks")
    );
    assert_eq!(query.scopes, None);
    assert_eq!(azure.security_contacts[0].notifies, Some(true));

    let extensions = azure.pricings[0].extensions.as_ref().unwrap();
    let states: Vec<(&str, Option<bool>)> = extensions
        .iter()
        .map(|e| (e.name.as_str(), e.enabled))
        .collect();
    assert_eq!(
        states,
        [
            ("ContainerSensor", Some(true)),
            ("ContainerRegistriesVulnerabilityAssessments", Some(false)),
            ("AgentlessDiscoveryForKubernetes", Some(false)),
        ]
    );
}

#[test]
fn dynamic_rules_and_free_or_dynamic_extensions_stay_unknown() {
    let azure = load_as(
        "main.tf",
        r#"
resource "azurerm_network_security_group" "n" {
  name                = "n"
  resource_group_name = "rg"
  location            = "westeurope"
  dynamic "security_rule" {
    for_each = var.rules
    content {
      name = security_rule.value.name
    }
  }
}
resource "azurerm_security_center_subscription_pricing" "a" {
  tier          = "Free"
  resource_type = "Containers"
}
resource "azurerm_security_center_subscription_pricing" "b" {
  tier          = "Standard"
  resource_type = "Containers"
  dynamic "extension" {
    for_each = var.extensions
    content {
      name = extension.value
    }
  }
}
resource "azurerm_subnet" "s" {
  name                 = "s"
  resource_group_name  = "rg"
  virtual_network_name = "v"
  address_prefixes     = ["10.0.0.0/24"]
}
"#,
    );
    assert!(azure.nsgs[0].rules_unknown.is_some());
    assert_eq!(azure.pricings[0].extensions, None);
    assert_eq!(azure.pricings[1].extensions, None);
    assert_eq!(azure.subnets[0].nsg, Link::Absent);
    assert!(azure.subnets[0].associations_elsewhere);
}

#[test]
fn module_resources_are_named_by_the_calling_file() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("net");
    std::fs::create_dir(&net).unwrap();
    std::fs::write(
        net.join("main.tf"),
        r#"
resource "azurerm_subnet" "nodes" {
  name                 = "nodes"
  resource_group_name  = "rg"
  virtual_network_name = "v"
  address_prefixes     = ["10.0.0.0/24"]
}
resource "azurerm_network_security_group" "nodes" {
  name                = "nsg"
  resource_group_name = "rg"
  location            = "westeurope"
}
resource "azurerm_subnet_network_security_group_association" "nodes" {
  subnet_id                 = azurerm_subnet.nodes.id
  network_security_group_id = azurerm_network_security_group.nodes.id
}
output "subnet_id" {
  value = azurerm_subnet.nodes.id
}
output "nested" {
  value = module.inner.anything
}
"#,
    )
    .unwrap();
    let root = dir.path().join("main.tf");
    std::fs::write(
        &root,
        r#"
module "net" {
  source = "./net"
}
resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  resource_group_name = "rg"
  location            = "westeurope"
  dns_prefix          = "aks"
  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    vnet_subnet_id = module.net.subnet_id
  }
}
resource "azurerm_role_assignment" "x" {
  scope                = module.net.nested
  role_definition_name = "Owner"
  principal_id         = "00000000-0000-0000-0000-000000000001"
}
"#,
    )
    .unwrap();
    let loaded = load_path(&root);
    let azure = &loaded.azure;
    let subnet = azure
        .subnets
        .iter()
        .find(|s| {
            s.meta
                .key
                .symbols
                .iter()
                .any(|k| k.contains("#module.net."))
        })
        .expect("the module's subnet");
    assert_eq!(
        subnet.meta.key.symbols,
        vec![format!(
            "tf:{}#module.net.azurerm_subnet.nodes",
            root.display()
        )]
    );
    let nsg = azure.nsg(subnet.nsg.target().expect("joined")).unwrap();
    assert_eq!(nsg.meta.name, "nsg");
    // The caller names the module's subnet through the module's output.
    let cluster = &azure.clusters[0];
    assert!(cluster.refs.subnets[0].1.names(&subnet.meta.key));
    assert_eq!(
        cluster.node_pools[0].settings.get("vnetSubnetID").as_str(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes"
        )
    );
    // An output of a module the module calls, not followed: opaque.
    assert_eq!(azure.role_assignments[0].scope.as_ref().unwrap().key, None);
}

#[test]
fn a_sibling_file_declaring_the_target_is_followed_and_duplicates_are_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("identity.tf"),
        r#"
resource "azurerm_user_assigned_identity" "x" {
  name                = "x"
  resource_group_name = "rg"
  location            = "westeurope"
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("roles.tf"),
        r#"
resource "azurerm_role_assignment" "x" {
  scope                = "/subscriptions/0000"
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.x.principal_id
}
"#,
    )
    .unwrap();
    let loaded = load_path(dir.path());
    let principal = loaded.azure.role_assignments[0].principal.clone().unwrap();
    assert!(loaded.azure.identity_by_principal(&principal).is_some());
    // A second file declaring the same identity: the reference is not followed.
    std::fs::write(
        dir.path().join("identity2.tf"),
        std::fs::read_to_string(dir.path().join("identity.tf")).unwrap(),
    )
    .unwrap();
    let loaded = load_path(dir.path());
    let principal = loaded.azure.role_assignments[0].principal.clone().unwrap();
    assert_eq!(principal.key, None);
}

#[test]
fn plan_json_follows_configuration_references_for_unknown_values() {
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "azurerm_user_assigned_identity.x", "mode": "managed", "type": "azurerm_user_assigned_identity", "name": "x",
     "values": {"name": "x", "resource_group_name": "rg", "location": "westeurope"}},
    {"address": "azurerm_role_assignment.x", "mode": "managed", "type": "azurerm_role_assignment", "name": "x",
     "values": {"scope": "/subscriptions/0000", "role_definition_name": "Owner"}}
  ]}},
  "resource_changes": [
    {"address": "azurerm_role_assignment.x", "change": {"after_unknown": {"principal_id": true}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "azurerm_role_assignment.x", "type": "azurerm_role_assignment", "name": "x",
     "expressions": {"principal_id": {"references": ["azurerm_user_assigned_identity.x.principal_id", "azurerm_user_assigned_identity.x"]}}}
  ]}}
}"#;
    let azure = load_as("plan.json", plan);
    let principal = azure.role_assignments[0].principal.clone().unwrap();
    assert_eq!(
        principal.key.as_deref(),
        Some("tf:plan.json#azurerm_user_assigned_identity.x")
    );
    assert!(azure.identity_by_principal(&principal).is_some());
}

#[test]
fn azapi_surroundings_read_their_rest_bodies() {
    let azure = load_as(
        "main.azapi.tf",
        r#"
resource "azapi_resource" "nsg" {
  type      = "Microsoft.Network/networkSecurityGroups@2023-09-01"
  name      = "nsg"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = {
    properties = {
      securityRules = [
        {
          name = "ssh"
          properties = {
            direction                = "Inbound"
            access                   = "Allow"
            priority                 = 100
            protocol                 = "Tcp"
            sourceAddressPrefix      = "*"
            destinationPortRange     = "22"
          }
        }
      ]
    }
  }
}
resource "azapi_resource" "subnet" {
  type      = "Microsoft.Network/virtualNetworks/subnets@2023-09-01"
  name      = "nodes"
  parent_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
  body = {
    properties = {
      addressPrefix        = "10.0.0.0/24"
      networkSecurityGroup = { id = azapi_resource.nsg.id }
    }
  }
}
resource "azapi_resource" "aks" {
  type      = "Microsoft.ContainerService/managedClusters@2024-05-01"
  name      = "aks"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = {
    properties = {
      agentPoolProfiles = [
        {
          name         = "system"
          vnetSubnetID = azapi_resource.subnet.id
        }
      ]
    }
  }
}
resource "azapi_resource" "identity" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31"
  name      = "id"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  location  = "westeurope"
}
resource "azapi_resource" "owner" {
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = "00000000-0000-0000-0000-000000000001"
  parent_id = "/subscriptions/0000"
  body = {
    properties = {
      roleDefinitionId = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
      principalId      = azapi_resource.identity.output.properties.principalId
    }
  }
}
resource "azapi_resource" "assignment" {
  type      = "Microsoft.Authorization/policyAssignments@2024-04-01"
  name      = "baseline"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body = {
    properties = {
      policyDefinitionId = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
      enforcementMode    = "DoNotEnforce"
      parameters         = { effect = { value = "Deny" } }
    }
  }
}
resource "azapi_resource" "pricing" {
  type      = "Microsoft.Security/pricings@2024-01-01"
  name      = "Containers"
  parent_id = "/subscriptions/0000"
  body = {
    properties = {
      pricingTier = "Standard"
      extensions = [
        { name = "ContainerSensor", isEnabled = "False" }
      ]
    }
  }
}
"#,
    );
    let subnet = &azure.subnets[0];
    assert_eq!(
        subnet.meta.key.id.as_deref(),
        Some(
            "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes"
        )
    );
    assert!(!subnet.associations_elsewhere);
    let cluster = &azure.clusters[0];
    assert_eq!(
        cluster.node_pools[0].settings.get("vnetSubnetID").as_str(),
        subnet.meta.key.id.as_deref()
    );
    assert_eq!(cluster.refs.subnets[0].0, "system");
    assert!(cluster.refs.subnets[0].1.names(&subnet.meta.key));
    assert_eq!(
        cluster.refs.resource_group.as_ref().unwrap().key.as_deref(),
        Some("/subscriptions/0000/resourceGroups/rg")
    );
    let nsg = azure.nsg(subnet.nsg.target().unwrap()).unwrap();
    assert_eq!(nsg.rules[0].ports.as_deref(), Some(&["22".to_owned()][..]));
    assert_eq!(nsg.rules[0].sources.as_deref(), Some(&["*".to_owned()][..]));
    let principal = azure.role_assignments[0].principal.clone().unwrap();
    assert!(azure.identity_by_principal(&principal).is_some());
    let assignment = &azure.policy_assignments[0];
    assert_eq!(assignment.effect.as_deref(), Some("Deny"));
    assert_eq!(assignment.enforcement_mode.as_deref(), Some("DoNotEnforce"));
    assert_eq!(
        assignment.scope.as_ref().unwrap().key.as_deref(),
        Some("/subscriptions/0000/resourceGroups/rg")
    );
    let extension = &azure.pricings[0].extensions.as_ref().unwrap()[0];
    assert_eq!(
        (extension.name.as_str(), extension.enabled),
        ("ContainerSensor", Some(false))
    );
}

#[test]
fn a_resource_the_model_does_not_store_is_named_by_its_id() {
    let azure = load_as(
        "main.tf",
        r#"
resource "azurerm_log_analytics_workspace" "law" {
  name                = "law"
  resource_group_name = "rg"
  location            = "westeurope"
}
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "q" {
  name     = "q"
  location = "westeurope"
  scopes   = [azurerm_log_analytics_workspace.law.id]
}
resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  resource_group_name = "rg"
  location            = "westeurope"
  dns_prefix          = "aks"
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
  oms_agent {
    log_analytics_workspace_id = azurerm_log_analytics_workspace.law.id
  }
}
"#,
    );
    let workspace = "/subscriptions/{unknown}/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law";
    let scope = &azure.alert_rules[0].scopes.as_ref().unwrap()[0];
    assert_eq!(scope.key.as_deref(), Some(workspace));
    let cluster = &azure.clusters[0];
    assert_eq!(
        cluster
            .settings
            .get("addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID")
            .as_str(),
        Some(workspace)
    );
    assert!(scope.same_target(cluster.refs.log_analytics_workspace.as_ref().unwrap()));
}
