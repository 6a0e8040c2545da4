use super::*;
use crate::limits::Limits;
use crate::yaml::parse_documents;

fn load(text: &str) -> AzureResources {
    let root = parse_documents(text, 1, &Limits::default())
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(is_template(&root));
    let source = Arc::new(Source {
        path: "t.json".into(),
    });
    super::super::from_document(&root, &source).unwrap_or_default()
}

const HEADER: &str = r#""$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0""#;

#[test]
fn parameters_with_defaults_and_variables_resolve_at_the_template_property() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{
"clusterName": {{"type": "string", "defaultValue": "aks1"}},
"disableLocal": {{"type": "bool", "defaultValue": false}},
"workspace": {{"type": "string"}},
"location": {{"type": "string", "defaultValue": "[resourceGroup().location]"}}
  }},
  "variables": {{
"rbac": "[variables('rbacInner')]",
"rbacInner": "[not(parameters('disableLocal'))]",
"aad": {{"managed": true, "adminGroupObjectIDs": ["[parameters('workspace')]"]}},
"loopA": "[variables('loopB')]",
"loopB": "[variables('loopA')]",
"prefix": "[[literal]"
  }},
  "resources": [{{
"type": "Microsoft.ContainerService/managedClusters",
"apiVersion": "2024-02-01",
"name": "[parameters('clusterName')]",
"location": "[parameters('location')]",
"sku": {{"name": "Base", "tier": "[concat('Fr', 'ee')]"}},
"properties": {{
  "enableRBAC": "[variables('rbac')]",
  "disableLocalAccounts": "[parameters('disableLocal')]",
  "aadProfile": "[variables('aad')]",
  "dnsPrefix": "[variables('prefix')]",
  "nodeResourceGroup": "[variables('loopA')]",
  "addonProfiles": {{"omsagent": {{"enabled": true, "config": {{"logAnalyticsWorkspaceResourceID": "[parameters('workspace')]"}}}}}},
  "kubernetesVersion": "[if(equals(parameters('clusterName'), 'aks1'), '1.30', '1.29')]",
  "agentPoolProfiles": [{{"name": "sys", "mode": "System", "count": "[parameters('workspace')]", "enableNodePublicIP": "[bool('true')]"}}]
}}
  }}]
}}"#
    );
    let resources = load(&text);
    let cluster = &resources.clusters[0];
    assert_eq!(cluster.name, "aks1");
    assert_eq!(cluster.format, AzureFormat::ArmTemplate);
    assert_eq!(cluster.resource_group, None);
    assert_eq!(cluster.location, None);
    let s = &cluster.settings;
    assert_eq!(s.get("enableRBAC").as_bool(), Some(true));
    assert_eq!(s.get("disableLocalAccounts").as_bool(), Some(false));
    // Positions are the template property's, not the parameter's.
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap()
    };
    assert_eq!(
        s.get("disableLocalAccounts").node().unwrap().pos.line,
        line_of("\"disableLocalAccounts\"")
    );
    assert_eq!(s.get("aadProfile.managed").as_bool(), Some(true));
    assert_eq!(
        s.get("aadProfile.managed").node().unwrap().pos.line,
        line_of("\"aadProfile\"")
    );
    assert!(s.get("aadProfile.adminGroupObjectIDs").is_unknown());
    assert_eq!(s.get("dnsPrefix").as_str(), Some("[literal]"));
    assert_eq!(s.get("sku.tier").as_str(), Some("Free"));
    assert_eq!(s.get("kubernetesVersion").as_str(), Some("1.30"));
    assert!(s.get("nodeResourceGroup").is_unknown());
    let Lookup::Unknown(why) =
        s.get("addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID")
    else {
        panic!("expected unknown");
    };
    assert!(why.contains("has no default value"), "{why}");
    assert_eq!(
        s.get("addonProfiles.omsagent.enabled").as_bool(),
        Some(true)
    );
    let pool = &cluster.node_pools[0];
    assert_eq!(pool.name, "sys");
    assert!(pool.settings.get("count").is_unknown());
    assert_eq!(
        pool.settings.get("enableNodePublicIP").as_bool(),
        Some(true)
    );
    assert_eq!(pool.settings.get("mode").as_str(), Some("System"));
}

use aksguard_model::azure::Lookup;

#[test]
fn unknown_expressions_are_not_resolved() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"name": {{"type": "string"}}, "ranges": {{"type": "array"}}}},
  "resources": [{{
"type": "Microsoft.ContainerService/managedClusters",
"name": "[parameters('name')]",
"properties": {{
  "enableRBAC": "[reference('x').enabled]",
  "networkProfile": "[if(parameters('name'), 'a', 'b')]",
  "apiServerAccessProfile": {{"authorizedIPRanges": ["10.0.0.0/8", "[parameters('ranges')[0]]"]}},
  "oidcIssuerProfile": {{"enabled": "[resourceId('a', 'b')]"}},
  "copy": [{{"name": "agentPoolProfiles", "count": 2, "input": {{"name": "[concat('p', copyIndex('agentPoolProfiles'))]"}}}}]
}}
  }}]
}}"#
    );
    let resources = load(&text);
    let cluster = &resources.clusters[0];
    assert_eq!(cluster.name, "[parameters('name')]");
    let s = &cluster.settings;
    for path in [
        "enableRBAC",
        "networkProfile.networkPolicy",
        "apiServerAccessProfile.authorizedIPRanges",
        "oidcIssuerProfile.enabled",
        "agentPoolProfiles",
    ] {
        assert!(s.get(path).is_unknown(), "{path}: {:?}", s.get(path));
    }
    assert_eq!(
        s.unknown.get("enableRBAC").map(String::as_str),
        Some("ARM expression `[reference('x').enabled]`")
    );
    assert!(s.unknown["networkProfile"].starts_with("ARM expression `[if("));
    assert!(cluster.node_pools.is_empty());
    // Nothing is stored where the value is unknown.
    assert!(s.root.get("enableRBAC").is_none());
}

#[test]
fn nested_and_top_level_children_join_their_cluster() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"clusterName": {{"type": "string", "defaultValue": "aks1"}}, "ws": {{"type": "string"}}}},
  "resources": [
{{
  "type": "Microsoft.ContainerService/managedClusters",
  "name": "[parameters('clusterName')]",
  "properties": {{"agentPoolProfiles": [{{"name": "sys", "mode": "System"}}]}},
  "resources": [
    {{"type": "agentPools", "name": "nested", "properties": {{"enableNodePublicIP": true}}}},
    {{"type": "maintenanceConfigurations", "name": "aksManagedAutoUpgradeSchedule", "properties": {{}}}},
    {{"type": "providers/diagnosticSettings", "name": "Microsoft.Insights/old",
      "properties": {{"logs": [{{"category": "kube-audit", "enabled": true}}]}}}}
  ]
}},
{{
  "type": "Microsoft.ContainerService/managedClusters/agentPools",
  "name": "[format('{{0}}/{{1}}', parameters('clusterName'), 'user')]",
  "properties": {{"mode": "User", "enableEncryptionAtHost": false}}
}},
{{
  "type": "Microsoft.ContainerService/managedClusters/agentPools",
  "name": "elsewhere/pool",
  "properties": {{"mode": "User"}}
}},
{{
  "type": "Microsoft.Insights/diagnosticSettings",
  "name": "audit",
  "scope": "[format('Microsoft.ContainerService/managedClusters/{{0}}', parameters('clusterName'))]",
  "properties": {{"workspaceId": "[parameters('ws')]", "logs": [
    {{"category": "kube-audit-admin", "enabled": true}},
    {{"category": "kube-apiserver", "enabled": false}},
    {{"categoryGroup": "allLogs", "enabled": true}}
  ]}}
}},
{{
  "type": "Microsoft.Insights/diagnosticSettings",
  "name": "unresolvable",
  "scope": "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]",
  "properties": {{"logs": [{{"category": "guard", "enabled": "[parameters('ws')]"}}]}}
}},
{{
  "type": "Microsoft.Insights/diagnosticSettings",
  "name": "vault",
  "scope": "[format('Microsoft.KeyVault/vaults/{{0}}', 'kv')]",
  "properties": {{"logs": [{{"category": "AuditEvent", "enabled": true}}]}}
}},
{{
  "type": "Microsoft.Authorization/roleAssignments",
  "name": "[guid('x')]",
  "scope": "[format('Microsoft.ContainerRegistry/registries/{{0}}', 'acr1')]",
  "properties": {{
    "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')]",
    "principalId": "[reference(resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))).identityProfile.kubeletidentity.objectId]"
  }}
}},
{{"type": "Microsoft.ContainerRegistry/registries", "name": "acr1", "sku": {{"name": "Basic"}}, "properties": {{"adminUserEnabled": true}}}},
{{"type": "Microsoft.Security/pricings", "name": "Containers", "properties": {{"pricingTier": "Standard"}}}},
{{"type": "Microsoft.ContainerService/managedClusters", "name": "skipped", "condition": "[equals('a', 'b')]"}},
{{"type": "Microsoft.ContainerService/managedClusters", "name": "ref", "existing": true}}
  ]
}}"#
    );
    let resources = load(&text);
    assert_eq!(resources.clusters.len(), 1);
    let cluster = &resources.clusters[0];
    let pools: Vec<&str> = cluster.node_pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(pools, vec!["sys", "nested", "user"]);
    assert_eq!(
        cluster.node_pools[2]
            .settings
            .get("enableEncryptionAtHost")
            .as_bool(),
        Some(false)
    );
    assert_eq!(
        cluster.maintenance_configurations,
        vec!["aksManagedAutoUpgradeSchedule".to_owned()]
    );
    let diagnostics: Vec<(&str, Option<Vec<String>>)> = cluster
        .diagnostic_settings
        .iter()
        .map(|d| (d.name.as_str(), d.categories.clone()))
        .collect();
    assert_eq!(
        diagnostics,
        vec![
            ("old", Some(vec!["kube-audit".to_owned()])),
            (
                "audit",
                Some(vec!["kube-audit-admin".to_owned(), "alllogs".to_owned()])
            ),
            ("unresolvable", None),
        ]
    );
    let assignment = &resources.role_assignments[0];
    assert_eq!(
        assignment.scope.as_ref().map(|r| r.written.as_str()),
        Some("Microsoft.ContainerRegistry/registries/acr1")
    );
    assert!(assignment.role.as_deref().unwrap().contains("7f951dda"));
    assert!(
        assignment
            .principal
            .as_ref()
            .map(|r| r.written.as_str())
            .unwrap()
            .contains("kubeletidentity")
    );
    assert_eq!(resources.registries[0].name, "acr1");
    assert_eq!(
        resources.registries[0].settings.get("sku.name").as_str(),
        Some("Basic")
    );
    assert_eq!(resources.pricings[0].plan, "Containers");
    assert_eq!(resources.pricings[0].tier.as_deref(), Some("Standard"));
}

#[test]
fn a_child_with_an_unresolvable_parent_joins_the_only_cluster() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"clusterName": {{"type": "string"}}}},
  "resources": {{
"aks": {{"type": "Microsoft.ContainerService/managedClusters", "name": "[parameters('clusterName')]", "properties": {{}}}},
"pool": {{"type": "Microsoft.ContainerService/managedClusters/agentPools",
  "name": "[format('{{0}}/{{1}}', parameters('clusterName'), 'user')]", "properties": {{}}}}
  }}
}}"#
    );
    let resources = load(&text);
    let cluster = &resources.clusters[0];
    assert_eq!(cluster.node_pools.len(), 1);
    assert_eq!(
        cluster.node_pools[0].name,
        "[format('{0}/{1}', parameters('clusterName'), 'user')]"
    );
}

#[test]
fn bicep_modules_pass_parameters_into_nested_templates() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"env": {{"type": "string", "defaultValue": "prod"}}, "secret": {{"type": "string"}}}},
  "resources": [{{
"type": "Microsoft.Resources/deployments",
"name": "aks",
"properties": {{
  "expressionEvaluationOptions": {{"scope": "inner"}},
  "mode": "Incremental",
  "parameters": {{"name": {{"value": "[format('aks-{{0}}', parameters('env'))]"}}, "tier": {{"value": "[parameters('secret')]"}}}},
  "template": {{ {HEADER},
    "parameters": {{"name": {{"type": "string"}}, "tier": {{"type": "string", "defaultValue": "Standard"}}, "rbac": {{"type": "bool", "defaultValue": true}}}},
    "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "name": "[parameters('name')]",
      "sku": {{"tier": "[parameters('tier')]"}},
      "properties": {{"enableRBAC": "[parameters('rbac')]"}}}}]
  }}
}}
  }}]
}}"#
    );
    let resources = load(&text);
    let cluster = &resources.clusters[0];
    assert_eq!(cluster.name, "aks-prod");
    assert_eq!(cluster.settings.get("enableRBAC").as_bool(), Some(true));
    assert!(cluster.settings.get("sku.tier").is_unknown());
}

/// A module call as Bicep compiles it: inner scope, arguments evaluated in the caller.
fn module_call(params: &str, inner_params: &str, resources: &str) -> String {
    format!(
        r#"{{ {HEADER},
  "parameters": {{"env": {{"type": "string", "defaultValue": "prod"}}, "secret": {{"type": "string"}},
"enable": {{"type": "bool", "defaultValue": true}}}},
  "variables": {{"subnet": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"}},
  "resources": [{{
"type": "Microsoft.Resources/deployments",
"name": "aks",
"properties": {{
  "expressionEvaluationOptions": {{"scope": "inner"}},
  "mode": "Incremental",
  "parameters": {{ {params} }},
  "template": {{ {HEADER}, "languageVersion": "2.0",
    "definitions": {{"poolType": {{"type": "array", "nullable": true}}}},
    "parameters": {{ {inner_params} }},
    "resources": {{ {resources} }}
  }}
}}
  }}]
}}"#
    )
}

#[test]
fn module_arguments_keep_their_known_fields_and_mark_the_rest() {
    let text = module_call(
        r#""name": {"value": "[format('aks-{0}', parameters('env'))]"},
        "pools": {"value": [{"name": "sys", "mode": "System", "vnetSubnetID": "[variables('subnet')]", "osDiskType": "[parameters('secret')]"}]},
        "network": "[if(parameters('enable'), createObject('value', 'azure'), createObject('value', null()))]",
        "off": "[if(not(parameters('enable')), createObject('value', 'x'), createObject('value', null()))]",
        "prefix": {"value": "[[literal]"},
        "vault": {"reference": {"keyVault": {"id": "kv"}, "secretName": "s"}}"#,
        r##""name": {"type": "string"}, "pools": {"type": "array"}, "network": {"type": "string"},
        "off": {"type": "string", "nullable": true}, "prefix": {"type": "string"},
        "vault": {"type": "securestring"}, "extra": {"$ref": "#/definitions/poolType"},
        "required": {"type": "string"}"##,
        r#""aks": {"type": "Microsoft.ContainerService/managedClusters", "name": "[parameters('name')]",
          "properties": {"agentPoolProfiles": "[parameters('pools')]",
            "networkProfile": {"networkPlugin": "[parameters('network')]", "networkPolicy": "[parameters('off')]"},
            "dnsPrefix": "[parameters('prefix')]",
            "windowsProfile": {"adminPassword": "[parameters('vault')]"},
            "nodeResourceGroup": "[coalesce(parameters('extra'), 'fallback')]",
            "fqdnSubdomain": "[parameters('required')]"}}"#,
    );
    let resources = load(&text);
    let cluster = &resources.clusters[0];
    assert_eq!(cluster.name, "aks-prod");
    let s = &cluster.settings;
    assert_eq!(
        s.get("networkProfile.networkPlugin").as_str(),
        Some("azure")
    );
    // A nullable argument left out, or passed null, is absent.
    assert!(s.get("networkProfile.networkPolicy").is_absent());
    assert_eq!(s.get("nodeResourceGroup").as_str(), Some("fallback"));
    // A literal `[` passed in stays a literal.
    assert_eq!(s.get("dnsPrefix").as_str(), Some("[literal]"));
    let Lookup::Unknown(why) = s.get("windowsProfile.adminPassword") else {
        panic!("{:?}", s.get("windowsProfile.adminPassword"));
    };
    assert!(why.contains("Key Vault"), "{why}");
    let Lookup::Unknown(why) = s.get("fqdnSubdomain") else {
        panic!("{:?}", s.get("fqdnSubdomain"));
    };
    assert!(why.contains("has no default value"), "{why}");
    // The pool keeps its known fields; the unresolvable ones are Unknown with the
    // caller's reason, at the module's property line.
    let pool = &cluster.node_pools[0];
    assert_eq!(pool.name, "sys");
    assert_eq!(pool.settings.get("mode").as_str(), Some("System"));
    let Lookup::Unknown(why) = pool.settings.get("osDiskType") else {
        panic!("{:?}", pool.settings.get("osDiskType"));
    };
    assert!(
        why.starts_with("ARM expression `[parameters('secret')]`: parameter `secret`"),
        "{why}"
    );
    // A resource ID in an unknown subscription and resource group keeps those segments open.
    assert_eq!(
        pool.settings.get("vnetSubnetID").as_str(),
        Some(
            "/subscriptions/{unknown}/resourceGroups/{unknown}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
        )
    );
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap()
    };
    assert_eq!(
        pool.settings.get("mode").node().unwrap().pos.line,
        line_of(r#""agentPoolProfiles": "[parameters('pools')]""#)
    );
}

#[test]
fn outer_scope_templates_from_variables_and_empty_loops() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"rbac": {{"type": "bool", "defaultValue": false}}, "pools": {{"type": "array", "defaultValue": []}}}},
  "variables": {{"tier": "Standard",
"$fxv#0": {{ {HEADER}, "parameters": {{"tier": {{"type": "string"}}}},
  "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "name": "from-variable",
    "sku": {{"tier": "[[parameters('tier')]"}}, "properties": {{"dnsPrefix": "[[concat('a', 'b')]"}}}}]}}}},
  "resources": [
{{"type": "Microsoft.Resources/deployments", "name": "outer",
  "properties": {{"expressionEvaluationOptions": {{"scope": "Outer"}}, "mode": "Incremental",
    "template": {{ {HEADER}, "parameters": {{"rbac": {{"type": "bool", "defaultValue": true}}}},
      "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "name": "outer-scope",
        "sku": {{"tier": "[variables('tier')]"}}, "properties": {{"enableRBAC": "[parameters('rbac')]"}}}}]}}}}}},
{{"type": "Microsoft.Resources/deployments", "name": "loaded",
  "properties": {{"expressionEvaluationOptions": {{"scope": "Outer"}}, "mode": "Incremental",
    "parameters": {{"tier": {{"value": "Premium"}}}},
    "template": "[variables('$fxv#0')]"}}}},
{{"type": "Microsoft.Resources/deployments", "name": "[format('pool-{{0}}', copyIndex())]",
  "copy": {{"name": "pools", "count": "[length(parameters('pools'))]"}},
  "properties": {{"mode": "Incremental", "template": {{ {HEADER},
    "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "name": "never"}}]}}}}}}
  ]
}}"#
    );
    let resources = load(&text);
    let names: Vec<&str> = resources.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["outer-scope", "from-variable"]);
    // Outer scope: the caller's parameters and variables, not the nested template's.
    let outer = &resources.clusters[0].settings;
    assert_eq!(outer.get("enableRBAC").as_bool(), Some(false));
    assert_eq!(outer.get("sku.tier").as_str(), Some("Standard"));
    // A template loaded from a variable reads its own parameters, as passed.
    let loaded = &resources.clusters[1].settings;
    assert_eq!(loaded.get("sku.tier").as_str(), Some("Premium"));
    assert_eq!(loaded.get("dnsPrefix").as_str(), Some("ab"));
}

#[test]
fn pure_functions_of_known_values_evaluate() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"opts": {{"type": "object", "defaultValue": {{"a": {{"x": 1}}, "list": ["p", "q"]}}}},
"none": {{"type": "object", "nullable": true}}, "open": {{"type": "string"}}}},
  "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "name": "c",
"properties": {{
  "p1": "[tryGet(parameters('opts'), 'a', 'x')]",
  "p2": "[tryGet(parameters('opts'), 'missing')]",
  "p3": "[union(parameters('opts'), createObject('a', createObject('y', 2)))]",
  "p4": "[contains(parameters('opts').list, 'q')]",
  "p5": "[length(createArray(1, 2, 3))]",
  "p6": "[coalesce(parameters('none'), createObject('k', 'v'))]",
  "p7": "[last(split('a/b/c', '/'))]",
  "p8": "[replace('1.2.3', '.', '-')]",
  "p9": "[coalesce(parameters('open'), 'x')]",
  "p10": "[union(createArray('a', 'b'), createArray('b', 'c'))]",
  "p11": "[int('42')]",
  "p12": "[first(parameters('opts').list)]"
}}}}]
}}"#
    );
    let resources = load(&text);
    let s = &resources.clusters[0].settings;
    assert_eq!(s.get("p1").as_str(), Some("1"));
    assert!(s.get("p2").is_absent());
    assert_eq!(s.get("p3.a.x").as_str(), Some("1"));
    assert_eq!(s.get("p3.a.y").as_str(), Some("2"));
    assert_eq!(s.get("p3.list").node().map(|n| n.items().len()), Some(2));
    assert_eq!(s.get("p4").as_bool(), Some(true));
    assert_eq!(s.get("p5").as_str(), Some("3"));
    assert_eq!(s.get("p6.k").as_str(), Some("v"));
    assert_eq!(s.get("p7").as_str(), Some("c"));
    assert_eq!(s.get("p8").as_str(), Some("1-2-3"));
    // An unresolvable argument before the first non-null one leaves coalesce Unknown.
    assert!(s.get("p9").is_unknown());
    let union: Vec<&str> = s
        .get("p10")
        .node()
        .unwrap()
        .items()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(union, vec!["a", "b", "c"]);
    assert_eq!(s.get("p11").as_str(), Some("42"));
    assert_eq!(s.get("p12").as_str(), Some("p"));
}

#[test]
fn preview_authorized_ranges_answer_for_the_access_profile() {
    let text = format!(
        r#"{{ {HEADER},
  "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2019-02-01", "name": "c",
"properties": {{"apiServerAuthorizedIPRanges": ["10.0.0.0/8"]}}}}]
}}"#
    );
    let resources = load(&text);
    let ranges = resources.clusters[0]
        .settings
        .get("apiServerAccessProfile.authorizedIPRanges")
        .node()
        .unwrap();
    assert_eq!(ranges.items()[0].as_str(), Some("10.0.0.0/8"));
    assert_eq!(ranges.pos.line, 3);
}

#[test]
fn expressions_parse_and_evaluate() {
    assert_eq!(
        parse_expression("concat('a''b', parameters('x')[0].y)"),
        Some(Expr::Call(
            "concat".into(),
            vec![
                Expr::Str("a'b".into()),
                Expr::Prop(
                    Box::new(Expr::Index(
                        Box::new(Expr::Call("parameters".into(), vec![Expr::Str("x".into())])),
                        Box::new(Expr::Int(0))
                    )),
                    "y".into()
                )
            ]
        ))
    );
    assert_eq!(parse_expression("concat('a'"), None);
    assert_eq!(
        format_pattern("{0}/{1}", &["a".into(), "b".into()]).as_deref(),
        Some("a/b")
    );
    assert_eq!(format_pattern("{2}", &["a".into()]), None);
}

#[test]
fn a_properties_expression_makes_every_setting_unknown() {
    let text = format!(
        r#"{{ {HEADER},
  "parameters": {{"props": {{"type": "object"}}}},
  "resources": [{{"type": "Microsoft.ContainerService/managedClusters", "name": "c", "properties": "[parameters('props')]"}}]
}}"#
    );
    let resources = load(&text);
    let s = &resources.clusters[0].settings;
    assert!(s.get("enableRBAC").is_unknown());
    assert!(s.get("disableLocalAccounts").is_unknown());
}
