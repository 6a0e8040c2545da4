//! The surroundings readers and reference resolution ([`super::surroundings`],
//! [`super::ids`], [`super::keys`]).

use std::sync::Arc;

use aksguard_model::Source;
use aksguard_model::azure::{AlertKind, AzureResources, Link, Ref};

use crate::limits::Limits;
use crate::yaml::parse_documents;

/// A security rule's name, sources, ports and priority.
type RuleSummary<'a> = (
    &'a str,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<i64>,
);

const UNKNOWN_RG: &str = "/subscriptions/{unknown}/resourceGroups/{unknown}";

fn load(text: &str) -> AzureResources {
    let root = parse_documents(text, 1, &Limits::default())
        .unwrap()
        .remove(0)
        .unwrap();
    let source = Arc::new(Source {
        path: "t.json".into(),
    });
    let mut resources = super::super::from_document(&root, &source).unwrap_or_default();
    assert!(resources.join_surroundings().is_empty());
    resources
}

fn template(schema: &str, parameters: &str, resources: &str) -> String {
    format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/{schema}.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ {parameters} }},
  "resources": {resources}
}}"#
    )
}

const NETWORK: &str = r#"[
  {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "[parameters('identityName')]",
   "resources": [{"type": "federatedIdentityCredentials", "name": "app",
     "dependsOn": ["[parameters('identityName')]"],
     "properties": {"issuer": "https://oidc.example/", "subject": "system:serviceaccount:apps:web", "audiences": ["api://AzureADTokenExchange"]}}]},
  {"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "properties": {"subnets": [
    {"name": "nodes", "properties": {"addressPrefix": "10.0.0.0/22",
      "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-nodes')]"},
      "routeTable": {"id": "[resourceId('Microsoft.Network/routeTables', 'rt')]"}}},
    {"name": "pods", "properties": {"addressPrefix": "10.1.0.0/16"}},
    {"name": "other", "properties": {"networkSecurityGroup": {"id": "[parameters('nsgId')]"}}}
  ]}},
  {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "vnet/extra",
   "properties": {"networkSecurityGroup": null, "routeTable": {"id": "/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/routeTables/hub"}}},
  {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-nodes", "properties": {"securityRules": [
    {"name": "ssh", "properties": {"direction": "Inbound", "access": "Allow", "priority": 100, "protocol": "Tcp",
      "sourceAddressPrefix": "Internet", "destinationPortRange": "22"}},
    {"name": "open", "properties": {"direction": "Inbound", "access": "Allow", "priority": 110, "protocol": "*",
      "sourceAddressPrefixes": "[parameters('ranges')]", "destinationPortRanges": ["80", "443"]}}
  ]}},
  {"type": "Microsoft.Network/networkSecurityGroups/securityRules", "name": "nsg-nodes/kubelet",
   "properties": {"direction": "Inbound", "access": "Deny", "priority": "200", "protocol": "Tcp",
     "sourceAddressPrefix": "*", "destinationPortRange": "10250"}},
  {"type": "Microsoft.Network/routeTables", "name": "rt", "properties": {"routes": [
    {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.9.0.4"}}]}},
  {"type": "Microsoft.Network/routeTables/routes", "name": "rt/onprem",
   "properties": {"addressPrefix": "192.168.0.0/16", "nextHopType": "VirtualNetworkGateway"}},
  {"type": "Microsoft.Network/applicationGateways", "name": "agw", "properties": {
    "sku": {"name": "Standard_v2", "tier": "Standard_v2"},
    "firewallPolicy": {"id": "[resourceId('Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies', 'waf')]"}}},
  {"type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "name": "waf",
   "properties": {"policySettings": {"state": "Enabled", "mode": "Detection"}}},
  {"type": "Microsoft.ContainerService/managedClusters", "name": "aks", "properties": {
    "nodeResourceGroup": "[format('MC_{0}', resourceGroup().name)]",
    "fqdnSubdomain": "[if(equals(subscription().subscriptionId, 'x'), 'a', 'b')]",
    "agentPoolProfiles": [{"name": "sys", "mode": "System",
      "vnetSubnetID": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes')]"}],
    "ingressProfile": {},
    "addonProfiles": {"ingressApplicationGateway": {"enabled": true, "config": {
      "applicationGatewayId": "[resourceId('Microsoft.Network/applicationGateways', 'agw')]"}}}}}
]"#;

const NETWORK_PARAMS: &str = r#""identityName": {"type": "string", "defaultValue": "id-app"},
  "nsgId": {"type": "string"}, "ranges": {"type": "array"}"#;

#[test]
fn network_resources_are_read_with_keys_and_joined_by_resource_id() {
    let text = template("deploymentTemplate", NETWORK_PARAMS, NETWORK);
    let resources = load(&text);
    let cluster = &resources.clusters[0];
    let pool = &cluster.node_pools[0].settings;
    let subnet_id = pool.get("vnetSubnetID").as_str().unwrap();
    assert_eq!(
        subnet_id,
        format!("{UNKNOWN_RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes")
    );
    // An unknown segment inside a value that is not an ID, or compared, is Unknown.
    assert!(cluster.settings.get("nodeResourceGroup").is_unknown());
    assert!(cluster.settings.get("fqdnSubdomain").is_unknown());
    // An unknown resource group is not a reference (it would match every group).
    assert_eq!(cluster.refs.resource_group, None);

    let names: Vec<&str> = resources
        .subnets
        .iter()
        .map(|s| s.meta.name.as_str())
        .collect();
    assert_eq!(names, vec!["nodes", "pods", "other", "extra"]);
    let nodes = resources.subnet(&Ref::literal(subnet_id)).unwrap();
    assert_eq!(nodes.meta.name, "nodes");
    let nsg = resources.nsg(nodes.nsg.target().unwrap()).unwrap();
    let rules: Vec<RuleSummary<'_>> = nsg
        .rules
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.sources.clone(),
                r.ports.clone(),
                r.priority,
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            (
                "ssh",
                Some(vec!["Internet".to_owned()]),
                Some(vec!["22".to_owned()]),
                Some(100)
            ),
            (
                "open",
                None,
                Some(vec!["80".to_owned(), "443".to_owned()]),
                Some(110)
            ),
            (
                "kubelet",
                Some(vec!["*".to_owned()]),
                Some(vec!["10250".to_owned()]),
                Some(200)
            ),
        ]
    );
    let table = resources
        .route_table(nodes.route_table.target().unwrap())
        .unwrap();
    let routes: Vec<(&str, Option<&str>)> = table
        .routes
        .iter()
        .map(|r| (r.name.as_str(), r.next_hop_type.as_deref()))
        .collect();
    assert_eq!(
        routes,
        vec![
            ("default", Some("VirtualAppliance")),
            ("onprem", Some("VirtualNetworkGateway"))
        ]
    );
    assert_eq!(resources.subnets[1].nsg, Link::Absent);
    assert!(matches!(&resources.subnets[2].nsg, Link::Unknown(why) if why.contains("nsgId")));
    // A null NSG is none; a literal ID is kept as written.
    assert_eq!(resources.subnets[3].nsg, Link::Absent);
    assert_eq!(
        resources.subnets[3]
            .route_table
            .target()
            .map(|r| r.written.as_str()),
        Some("/subscriptions/0000/resourceGroups/net/providers/Microsoft.Network/routeTables/hub")
    );

    let gateway_id = cluster
        .settings
        .get("addonProfiles.ingressApplicationGateway.config.applicationGatewayId")
        .as_str()
        .unwrap();
    let gateway = resources
        .application_gateway(&Ref::literal(gateway_id))
        .unwrap();
    assert_eq!(gateway.sku_tier.as_deref(), Some("Standard_v2"));
    assert!(gateway.inline_waf.is_none());
    let policy = resources
        .waf_policy(gateway.waf_policy.target().unwrap())
        .unwrap();
    assert_eq!(policy.settings.enabled, Some(true));
    assert_eq!(policy.settings.mode.as_deref(), Some("Detection"));

    let identity = &resources.identities[0];
    assert_eq!(identity.meta.name, "id-app");
    let credential = &resources.federated_credentials[0];
    assert_eq!(
        credential.subject.as_deref(),
        Some("system:serviceaccount:apps:web")
    );
    assert!(
        credential
            .identity
            .as_ref()
            .unwrap()
            .names(&identity.meta.key)
    );
}

const ASSIGNMENTS: &str = r#"[
  {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "id-app"},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('a')]",
   "scope": "[resourceGroup().id]",
   "properties": {"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]",
     "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app'), '2023-01-31').principalId]",
     "principalType": "ServicePrincipal"}},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('b')]",
   "scope": "[subscription().id]",
   "properties": {"roleDefinitionId": "b24988ac-6180-42a0-ab88-20f7382dd24c",
     "principalId": "[variables('appPrincipal')]"}},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('c')]",
   "scope": "Microsoft.ContainerService/managedClusters/aks",
   "properties": {"roleDefinitionId": "x", "principalId": "11111111-1111-1111-1111-111111111111"}},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('d')]",
   "properties": {"roleDefinitionId": "x", "principalId": "[parameters('who')]"}},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('e')]", "scope": "[resourceGroup()]",
   "properties": {"roleDefinitionId": "x", "principalId": "[parameters('who')]"}},
  {"type": "Microsoft.Authorization/policyAssignments", "name": "baseline",
   "properties": {"policyDefinitionId": "[tenantResourceId('Microsoft.Authorization/policySetDefinitions', 'a8640138-9b0a-4a28-b8cb-1666c838647d')]",
     "enforcementMode": "Default", "parameters": {"effect": {"value": "Deny"}}}},
  {"type": "Microsoft.Authorization/policyAssignments", "name": "audit",
   "scope": "[resourceId('Microsoft.ContainerService/managedClusters', 'aks')]",
   "properties": {"policyDefinitionId": "x", "parameters": {"effect": {"value": "[parameters('who')]"}}}},
  {"type": "Microsoft.Insights/scheduledQueryRules", "name": "q",
   "properties": {"scopes": ["[resourceId('Microsoft.ContainerService/managedClusters', 'aks')]"]}},
  {"type": "Microsoft.Insights/metricAlerts", "name": "m",
   "properties": {"enabled": "[parameters('on')]", "scopes": "[parameters('scopes')]"}},
  {"type": "Microsoft.Security/securityContacts", "name": "default",
   "properties": {"emails": "secops@example.com"}},
  {"type": "Microsoft.Security/pricings", "name": "Containers", "properties": {"pricingTier": "Standard",
    "extensions": [{"name": "ContainerSensor", "isEnabled": "False"}, {"name": "AgentlessDiscoveryForKubernetes", "isEnabled": true},
      {"name": "ContainerRegistriesVulnerabilityAssessments", "isEnabled": "[parameters('on')]"}]}}
]"#;

#[test]
fn assignments_alerts_contacts_and_pricing_extensions() {
    let text = template(
        "deploymentTemplate",
        r#""who": {"type": "string"}, "on": {"type": "bool"}, "scopes": {"type": "array"}"#,
        ASSIGNMENTS,
    )
    .replacen(
        r#""resources""#,
        r#""variables": {"appPrincipal": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app')).principalId]"}, "resources""#,
        1,
    );
    let resources = load(&text);
    let identity = &resources.identities[0];
    let [by_rg, by_sub, on_cluster, unknown, group_object] = resources.role_assignments.as_slice()
    else {
        panic!("{:?}", resources.role_assignments);
    };
    for assignment in [by_rg, by_sub] {
        let principal = assignment.principal.as_ref().unwrap();
        assert!(
            resources.identity_by_principal(principal).is_some(),
            "{principal:?}"
        );
        assert!(principal.names(&identity.meta.key));
    }
    assert_eq!(by_rg.principal_type.as_deref(), Some("ServicePrincipal"));
    assert_eq!(by_rg.scope.as_ref().and_then(Ref::id), Some(UNKNOWN_RG));
    assert_eq!(
        by_sub.scope.as_ref().and_then(Ref::id),
        Some("/subscriptions/{unknown}")
    );
    let cluster_scope = on_cluster.scope.as_ref().unwrap();
    assert_eq!(
        cluster_scope.id(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/{unknown}/providers/Microsoft.ContainerService/managedClusters/aks"
        )
    );
    assert_eq!(
        cluster_scope.written,
        "Microsoft.ContainerService/managedClusters/aks"
    );
    assert!(
        on_cluster
            .principal
            .as_ref()
            .unwrap()
            .is("11111111-1111-1111-1111-111111111111")
    );
    // An unknown principal joins nothing; no scope is the deployment's resource group.
    assert_eq!(unknown.principal.as_ref().unwrap().key, None);
    assert_eq!(unknown.scope.as_ref().and_then(Ref::id), Some(UNKNOWN_RG));
    // `scope: resourceGroup()` (Bicep) is the group's object: its `id` names it, though its
    // `name` is Unknown.
    assert_eq!(
        group_object.scope.as_ref().and_then(Ref::id),
        Some(UNKNOWN_RG)
    );

    let [baseline, audit] = resources.policy_assignments.as_slice() else {
        panic!("{:?}", resources.policy_assignments);
    };
    assert_eq!(
        baseline.definition.as_deref(),
        Some(
            "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
        )
    );
    assert_eq!(baseline.scope.as_ref().and_then(Ref::id), Some(UNKNOWN_RG));
    assert_eq!(baseline.effect.as_deref(), Some("Deny"));
    assert!(!baseline.effect_unknown);
    assert_eq!(baseline.enforcement_mode.as_deref(), Some("Default"));
    assert!(audit.effect.is_none() && audit.effect_unknown);
    assert!(
        audit
            .scope
            .as_ref()
            .and_then(Ref::id)
            .unwrap()
            .ends_with("/managedClusters/aks")
    );

    let [query, metric] = resources.alert_rules.as_slice() else {
        panic!("{:?}", resources.alert_rules);
    };
    assert_eq!(query.kind, AlertKind::ScheduledQuery);
    assert_eq!(query.enabled, Some(true));
    assert!(
        query.scopes.as_ref().unwrap()[0]
            .id()
            .unwrap()
            .ends_with("/managedClusters/aks")
    );
    assert_eq!(metric.enabled, None);
    assert!(metric.scopes.is_none());
    assert_eq!(resources.security_contacts[0].notifies, Some(true));
    let extensions: Vec<(&str, Option<bool>)> = resources.pricings[0]
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .map(|e| (e.name.as_str(), e.enabled))
        .collect();
    assert_eq!(
        extensions,
        vec![
            ("ContainerSensor", Some(false)),
            ("AgentlessDiscoveryForKubernetes", Some(true)),
            ("ContainerRegistriesVulnerabilityAssessments", None),
        ]
    );
}

#[test]
fn symbolic_names_nested_deployments_and_subscription_scope() {
    let inner = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "parameters": {"principalId": {"type": "string"}, "name": {"type": "string"}},
      "resources": [
        {"type": "Microsoft.ContainerService/managedClusters", "name": "aks", "properties": {}},
        {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "[parameters('name')]"},
        {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('m')]",
         "properties": {"roleDefinitionId": "x", "principalId": "[parameters('principalId')]"}},
        {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('n')]",
         "properties": {"roleDefinitionId": "x",
           "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('name'))).principalId]"}},
        {"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "properties": {"subnets": [{"name": "nodes", "properties": {}}]}}
      ]}"#;
    let text = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "languageVersion": "2.0", "contentVersion": "1.0.0.0",
  "parameters": {{"idName": {{"type": "string"}}, "rg": {{"type": "string", "defaultValue": "rg-prod"}}}},
  "resources": {{
    "identity": {{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "[parameters('idName')]"}},
    "owner": {{"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('o')]",
      "properties": {{"roleDefinitionId": "x", "principalId": "[reference('identity').principalId]"}}}},
    "aks": {{"type": "Microsoft.Resources/deployments", "name": "aks", "resourceGroup": "[parameters('rg')]",
      "properties": {{"expressionEvaluationOptions": {{"scope": "inner"}}, "mode": "Incremental",
        "parameters": {{"principalId": {{"value": "[reference('identity', '2023-01-31', 'Full').properties.principalId]"}},
          "name": {{"value": "[parameters('idName')]"}}}},
        "template": {inner}}}}}
  }}
}}"#
    );
    let resources = load(&text);
    let outer_identity = &resources.identities[0];
    assert_eq!(outer_identity.meta.key.id, None);
    assert_eq!(outer_identity.meta.key.symbols[0], "arm:t.json#identity");
    let [owner, passed, by_expression] = resources.role_assignments.as_slice() else {
        panic!("{:?}", resources.role_assignments);
    };
    // At subscription scope, an assignment without `scope` is on the subscription.
    assert_eq!(
        owner.scope.as_ref().and_then(Ref::id),
        Some("/subscriptions/{unknown}")
    );
    for assignment in [owner, passed] {
        let principal = assignment.principal.as_ref().unwrap();
        assert!(
            principal.names(&outer_identity.meta.key),
            "{principal:?} names {:?}",
            outer_identity.meta.key
        );
    }
    // The nested deployment's resource group is known: its IDs and its cluster say so.
    assert_eq!(
        passed.scope.as_ref().and_then(Ref::id),
        Some("/subscriptions/{unknown}/resourceGroups/rg-prod")
    );
    assert_eq!(
        resources.clusters[0]
            .refs
            .resource_group
            .as_ref()
            .and_then(Ref::id),
        Some("/subscriptions/{unknown}/resourceGroups/rg-prod")
    );
    assert_eq!(
        resources.subnets[0].meta.key.id.as_deref(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/rg-prod/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"
        )
    );
    // The same unresolvable name expression in the same scope names the same identity.
    let inner_identity = &resources.identities[1];
    let principal = by_expression.principal.as_ref().unwrap();
    assert!(principal.names(&inner_identity.meta.key), "{principal:?}");
    assert!(!principal.names(&outer_identity.meta.key));
    assert!(
        inner_identity.meta.key.symbols[0].starts_with("arm:t.json#aks/"),
        "{:?}",
        inner_identity.meta.key
    );
}

#[test]
fn resource_id_functions_build_ids_only_from_known_names() {
    let text = template(
        "deploymentTemplate",
        r#""n": {"type": "string"}, "sub": {"type": "string"}"#,
        r#"[{"type": "Microsoft.ContainerService/managedClusters", "name": "c", "properties": {
      "a": "[resourceId('other-rg', 'Microsoft.Network/virtualNetworks', 'v')]",
      "b": "[resourceId(parameters('sub'), 'rg', 'Microsoft.Network/virtualNetworks', 'v')]",
      "c": "[resourceId('Microsoft.Network/virtualNetworks', parameters('n'))]",
      "d": "[extensionResourceId(resourceId('Microsoft.ContainerService/managedClusters', 'c'), 'Microsoft.Authorization/roleAssignments', 'g')]",
      "e": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v')]",
      "f": "[toLower(resourceGroup().id)]",
      "g": "[length(subscription().id)]",
      "h": "[subscription().tenantId]",
      "i": "[resourceGroup('net').id]"
    }}]"#,
    );
    let resources = load(&text);
    let s = &resources.clusters[0].settings;
    let value = |path: &str| s.get(path).as_str().map(str::to_owned);
    assert_eq!(
        value("a").as_deref(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/other-rg/providers/Microsoft.Network/virtualNetworks/v"
        )
    );
    assert_eq!(
        value("b").as_deref(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
        )
    );
    assert!(s.get("c").is_unknown());
    assert_eq!(
        value("d").as_deref(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/{unknown}/providers/Microsoft.ContainerService/managedClusters/c/providers/Microsoft.Authorization/roleAssignments/g"
        )
    );
    // A type with more segments than names is not an ID.
    assert!(s.get("e").is_unknown());
    assert_eq!(
        value("f").as_deref(),
        Some("/subscriptions/{unknown}/resourcegroups/{unknown}")
    );
    assert!(s.get("g").is_unknown());
    assert!(s.get("h").is_unknown());
    assert_eq!(
        value("i").as_deref(),
        Some("/subscriptions/{unknown}/resourceGroups/net")
    );
}

#[test]
fn links_to_resources_named_by_the_same_unresolvable_expression_join() {
    let text = template(
        "deploymentTemplate",
        r#""location": {"type": "string", "defaultValue": "[resourceGroup().location]"}, "other": {"type": "string"}"#,
        r#"[
  {"type": "Microsoft.Network/networkSecurityGroups", "name": "[format('nsg-{0}-nodes', parameters('location'))]",
   "properties": {"securityRules": []}},
  {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "vnet/nodes",
   "properties": {"networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', format('nsg-{0}-nodes', parameters('location')))]"}}},
  {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "vnet/other",
   "properties": {"networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('other'))]"}}}
]"#,
    );
    let resources = load(&text);
    let nsg = &resources.nsgs[0];
    assert_eq!(nsg.meta.key.id, None);
    let joined = resources.subnets[0].nsg.target().unwrap();
    assert!(joined.names(&nsg.meta.key), "{joined:?}");
    assert!(std::ptr::eq(resources.nsg(joined).unwrap(), nsg));
    // A name expression no resource of the template has is Unknown.
    assert!(matches!(resources.subnets[1].nsg, Link::Unknown(_)));
}

#[test]
fn a_scope_naming_a_resource_by_its_unresolvable_name_expression_joins_it() {
    let text = template(
        "deploymentTemplate",
        r#""name": {"type": "string"}"#,
        r#"[
  {"type": "Microsoft.ContainerService/managedClusters", "name": "[format('aks-{0}', parameters('name'))]", "properties": {}},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('a')]",
   "scope": "[format('{0}/{1}', 'Microsoft.ContainerService/managedClusters', format('aks-{0}', parameters('name')))]",
   "properties": {"roleDefinitionId": "x", "principalId": "y"}},
  {"type": "Microsoft.Authorization/roleAssignments", "name": "[guid('b')]",
   "scope": "[format('{0}/{1}', 'Microsoft.ContainerService/managedClusters', parameters('name'))]",
   "properties": {"roleDefinitionId": "x", "principalId": "y"}}
]"#,
    );
    let resources = load(&text);
    let cluster = resources.clusters[0].key();
    assert_eq!(cluster.id, None);
    let [same, other] = resources.role_assignments.as_slice() else {
        panic!("{:?}", resources.role_assignments);
    };
    assert!(same.scope.as_ref().unwrap().names(&cluster));
    assert_eq!(other.scope.as_ref().unwrap().key, None);
}
