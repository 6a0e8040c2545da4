use super::*;

use aksguard_model::Value;

fn resources(t: &Translation) -> &[Node] {
    t.template.get("resources").map_or(&[][..], Node::items)
}

fn text_at<'a>(node: &'a Node, path: &str) -> &'a str {
    node.at(path)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("no string at {path}: {:#}", node.to_json()))
}

fn clean(text: &str) -> Translation {
    let t = translate(text);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    t
}

#[test]
fn parameters_and_variables_become_template_sections_with_defaults() {
    let t = clean(
        "@description('The name')\n@minLength(3)\nparam name string = 'aks-${env}'\nparam env string = 'prod'\nparam noDefault bool\n@secure()\nparam secret string\nvar rbac = !disableRbac\nparam disableRbac bool = false\n",
    );
    let params = t.template.get("parameters").unwrap();
    assert_eq!(
        text_at(params, "name.defaultValue"),
        "[format('aks-{0}', parameters('env'))]"
    );
    assert_eq!(text_at(params, "env.defaultValue"), "prod");
    assert_eq!(text_at(params, "env.type"), "string");
    assert!(params.at("noDefault.defaultValue").is_none());
    assert!(params.at("secret").is_some());
    assert_eq!(
        text_at(t.template.get("variables").unwrap(), "rbac"),
        "[not(parameters('disableRbac'))]"
    );
    // Positions: the parameter's key at its own line and 1-based column.
    let entry = params.entry("env").unwrap();
    assert_eq!((entry.key_pos.line, entry.key_pos.col), (4, 7));
}

#[test]
fn a_cluster_translates_with_expressions_and_exact_positions() {
    let text = "param clusterName string = 'aks1'\nparam private bool = true\n\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: clusterName\n  location: resourceGroup().location\n  sku: { name: 'Base', tier: private ? 'Standard' : 'Free' }\n  properties: {\n    enableRBAC: true\n    disableLocalAccounts: private && clusterName == 'aks1'\n    dnsPrefix: '${clusterName}-dns'\n    apiServerAccessProfile: {\n      enablePrivateCluster: private\n      authorizedIPRanges: [ '10.0.0.0/8', '[literal]' ]\n    }\n    kubernetesVersion: '1.30'\n    maxPods: -1\n  }\n}\n";
    let t = clean(text);
    let cluster = &resources(&t)[0];
    assert_eq!(
        text_at(cluster, "type"),
        "Microsoft.ContainerService/managedClusters"
    );
    assert_eq!(text_at(cluster, "apiVersion"), "2024-01-01");
    assert_eq!(text_at(cluster, "name"), "[parameters('clusterName')]");
    assert_eq!(text_at(cluster, "location"), "[resourceGroup().location]");
    assert_eq!(
        text_at(cluster, "sku.tier"),
        "[if(parameters('private'), 'Standard', 'Free')]"
    );
    let properties = cluster.get("properties").unwrap();
    assert_eq!(properties.get("enableRBAC").unwrap().as_bool(), Some(true));
    assert_eq!(
        text_at(properties, "disableLocalAccounts"),
        "[and(parameters('private'), equals(parameters('clusterName'), 'aks1'))]"
    );
    assert_eq!(
        text_at(properties, "dnsPrefix"),
        "[format('{0}-dns', parameters('clusterName'))]"
    );
    // A literal that looks like an ARM expression is escaped.
    let ranges = properties
        .at("apiServerAccessProfile.authorizedIPRanges")
        .unwrap();
    assert_eq!(ranges.items()[1].as_str(), Some("[[literal]"));
    assert_eq!(properties.get("maxPods").unwrap().as_i64(), Some(-1));
    // Every value at its Bicep line and 1-based character column.
    let rbac = properties.entry("enableRBAC").unwrap();
    assert_eq!((rbac.key_pos.line, rbac.key_pos.col), (9, 5));
    assert_eq!((rbac.value.pos.line, rbac.value.pos.col), (9, 17));
    assert_eq!(cluster.pos.line, 4);
}

#[test]
fn columns_count_characters_not_bytes() {
    let t = clean(
        "resource r 'Microsoft.ContainerRegistry/registries@2023-01-01' = {\n  name: 'é'\n  properties: { /* ééé */ adminUserEnabled: true }\n}\n",
    );
    let properties = resources(&t)[0].get("properties").unwrap();
    let entry = properties.entry("adminUserEnabled").unwrap();
    assert_eq!((entry.key_pos.line, entry.key_pos.col), (3, 27));
}

#[test]
fn strings_escape_and_fold_known_interpolations() {
    let t = clean(
        "var a = 'it\\'s ${'x'}${1} \\${no} {brace}'\nvar b = '''\nraw ${x} 'q'\n'''\nvar c = 'p-${unknownFn()}-{0}'\nvar d = '\\u{41}\\n'\n",
    );
    let vars = t.template.get("variables").unwrap();
    assert_eq!(text_at(vars, "a"), "it's x1 ${no} {brace}");
    assert_eq!(text_at(vars, "b"), "raw ${x} 'q'\n");
    assert_eq!(text_at(vars, "c"), "[format('p-{0}-{{0}}', unknownFn())]");
    assert_eq!(text_at(vars, "d"), "A\n");
}

#[test]
fn operators_and_functions_become_arm_calls() {
    let t = clean(
        "param a bool\nparam s string\nvar v1 = a || !a\nvar v2 = s != 'x'\nvar v3 = s =~ 'X'\nvar v4 = s ?? 'd'\nvar v5 = length(s) > 3\nvar v6 = az.resourceGroup().location\nvar v7 = any(s)\nvar v8 = true ? 'yes' : 'no'\nvar v9 = a ? { x: 1 } : null\nvar v10 = s.?foo!\n",
    );
    let vars = t.template.get("variables").unwrap();
    assert_eq!(
        text_at(vars, "v1"),
        "[or(parameters('a'), not(parameters('a')))]"
    );
    assert_eq!(text_at(vars, "v2"), "[not(equals(parameters('s'), 'x'))]");
    assert_eq!(
        text_at(vars, "v3"),
        "[equals(toLower(parameters('s')), toLower('X'))]"
    );
    assert_eq!(text_at(vars, "v4"), "[coalesce(parameters('s'), 'd')]");
    assert_eq!(text_at(vars, "v5"), "[greater(length(parameters('s')), 3)]");
    assert_eq!(text_at(vars, "v6"), "[resourceGroup().location]");
    assert_eq!(text_at(vars, "v7"), "[parameters('s')]");
    assert_eq!(text_at(vars, "v8"), "yes");
    // An object inside an expression is a generated variable the evaluator can read.
    assert_eq!(
        text_at(vars, "v9"),
        "[if(parameters('a'), variables('$bicepLiteral1'), null())]"
    );
    assert_eq!(vars.at("$bicepLiteral1.x").and_then(Node::as_i64), Some(1));
}

#[test]
fn conditions_existing_children_and_symbolic_references() {
    let text = "param name string = 'aks1'\nparam ws string\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = if (!empty(name)) {\n  name: name\n  properties: {}\n  resource nested 'agentPools' = {\n    name: 'nested'\n    properties: { mode: 'User' }\n  }\n}\nresource pool 'Microsoft.ContainerService/managedClusters/agentPools@2024-01-01' = {\n  parent: aks\n  name: 'user'\n  properties: { mode: 'User' }\n}\nresource diag 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {\n  scope: aks\n  name: 'audit'\n  properties: { workspaceId: ws }\n}\nresource old 'Microsoft.ContainerService/managedClusters@2024-01-01' existing = {\n  name: 'other'\n}\nresource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: guid(aks.id)\n  properties: {\n    principalId: aks.properties.identityProfile.kubeletidentity.objectId\n    other: aks.identity.principalId\n    clusterName: aks.name\n    poolName: pool.name\n  }\n}\n";
    let t = clean(text);
    let r = resources(&t);
    assert_eq!(r.len(), 5);
    assert_eq!(
        text_at(&r[0], "condition"),
        "[not(empty(parameters('name')))]"
    );
    let nested = &r[0].get("resources").unwrap().items()[0];
    assert_eq!(text_at(nested, "type"), "agentPools");
    assert_eq!(text_at(nested, "name"), "nested");
    assert_eq!(
        text_at(&r[1], "type"),
        "Microsoft.ContainerService/managedClusters/agentPools"
    );
    assert_eq!(
        text_at(&r[1], "name"),
        "[format('{0}/{1}', parameters('name'), 'user')]"
    );
    assert_eq!(
        text_at(&r[2], "scope"),
        "[format('{0}/{1}', 'Microsoft.ContainerService/managedClusters', parameters('name'))]"
    );
    assert_eq!(r[3].get("existing").and_then(Node::as_bool), Some(true));
    let ra = r[4].get("properties").unwrap();
    assert_eq!(
        text_at(ra, "principalId"),
        "[reference(resourceId('Microsoft.ContainerService/managedClusters', parameters('name'))).identityProfile.kubeletidentity.objectId]"
    );
    assert!(text_at(ra, "other").contains("'full').identity.principalId"));
    assert_eq!(text_at(ra, "clusterName"), "[parameters('name')]");
    assert_eq!(
        text_at(ra, "poolName"),
        "[format('{0}/{1}', parameters('name'), 'user')]"
    );
}

#[test]
fn loops_over_literal_lists_expand_and_others_stay_unknown() {
    let text = "var pools = [\n  { name: 'a', zones: ['1'] }\n  { name: 'b', zones: ['2'] }\n]\nparam dynamic array\nresource p 'Microsoft.ContainerService/managedClusters/agentPools@2024-01-01' = [for (pool, i) in pools: {\n  name: 'aks/${pool.name}-${i}'\n  properties: { availabilityZones: pool.zones }\n}]\nresource q 'Microsoft.ContainerService/managedClusters/agentPools@2024-01-01' = [for pool in dynamic: {\n  name: 'aks/${pool.name}'\n}]\nresource r 'Microsoft.ContainerService/managedClusters/agentPools@2024-01-01' = [for i in range(0, 3): if (i > 0) {\n  name: 'aks/r${i}'\n}]\nvar big = [for i in range(0, 1000): i]\nresource s 'Microsoft.ContainerService/managedClusters/agentPools@2024-01-01' = [for i in range(0, 101): {\n  name: 'aks/s${i}'\n}]\nvar profiles = [for x in ['p', 'q']: { name: x }]\nvar unknownProfiles = [for x in dynamic: { name: x }]\n";
    let t = clean(text);
    let names: Vec<&str> = resources(&t).iter().map(|r| text_at(r, "name")).collect();
    assert_eq!(
        names,
        vec![
            "aks/a-0",
            "aks/b-1",
            "[format('aks/{0}', bicepLoopVariable('pool').name)]",
            "aks/r0",
            "aks/r1",
            "aks/r2",
            "[format('aks/s{0}', bicepLoopVariable('i'))]",
        ]
    );
    // The loop item's value keeps the position of the literal it came from.
    let zones = resources(&t)[1].at("properties.availabilityZones").unwrap();
    assert_eq!(zones.items()[0].as_str(), Some("2"));
    assert_eq!(zones.pos.line, 3);
    assert_eq!(text_at(&resources(&t)[4], "condition"), "[greater(1, 0)]");
    let vars = t.template.get("variables").unwrap();
    assert_eq!(
        text_at(&vars.get("profiles").unwrap().items()[1], "name"),
        "q"
    );
    assert_eq!(
        text_at(vars, "unknownProfiles"),
        "[bicepLoopOverUnknownList()]"
    );
    assert_eq!(text_at(vars, "big"), "[bicepLoopOverUnknownList()]");
    assert!(
        t.notices
            .iter()
            .any(|n| n.message.contains("101 items (more than 100)")),
        "{:?}",
        t.notices
    );
}

#[test]
fn modules_become_deployments_with_their_parameters() {
    let text = "param env string = 'prod'\nmodule cluster './aks.bicep' = {\n  name: 'aks-deploy'\n  params: {\n    name: 'aks-${env}'\n    pools: [ 'a' ]\n  }\n}\nmodule avm 'br/public:avm/res/container-service/managed-cluster:0.5.0' = if (env == 'prod') {\n  params: { name: 'x' }\n}\nmodule many 'child.bicep' = [for n in ['a', 'b']: {\n  name: n\n  params: { name: n }\n}]\n";
    let t = clean(text);
    assert_eq!(
        t.modules
            .iter()
            .map(|m| m.target.clone())
            .collect::<Vec<_>>(),
        vec![
            ModuleTarget::Local("./aks.bicep".into()),
            ModuleTarget::Registry(
                "br/public:avm/res/container-service/managed-cluster:0.5.0".into()
            ),
            ModuleTarget::Local("child.bicep".into()),
        ]
    );
    assert_eq!(t.modules[0].pos, Pos::new(2, 16));
    let r = resources(&t);
    assert_eq!(r.len(), 4);
    assert_eq!(text_at(&r[0], "type"), "Microsoft.Resources/deployments");
    assert_eq!(
        text_at(&r[0], "properties.parameters.name.value"),
        "[format('aks-{0}', parameters('env'))]"
    );
    assert_eq!(
        text_at(&r[0], "properties.expressionEvaluationOptions.scope"),
        "inner"
    );
    assert_eq!(r[0].get(MODULE_KEY).and_then(Node::as_i64), Some(0));
    assert_eq!(
        text_at(&r[1], "condition"),
        "[equals(parameters('env'), 'prod')]"
    );
    assert_eq!(r[3].get(MODULE_KEY).and_then(Node::as_i64), Some(2));
    assert_eq!(text_at(&r[3], "properties.parameters.name.value"), "b");
}

#[test]
fn syntax_errors_name_their_line_and_the_rest_is_read() {
    let text = "param ok string = 'a'\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'x'\n  properties: { enableRBAC: true, , }\n}\noutput o string = x.?y!\nresource other 'Microsoft.Storage/storageAccounts@2024-01-01' = {\n  name: 'x'\n  properties: { a: 'b' 'c' }\n}\nresource acr 'Microsoft.ContainerRegistry/registries@2023-01-01' = {\n  name: 'acr'\n}\n";
    let t = translate(text);
    assert_eq!(t.errors.len(), 1, "{:?}", t.errors);
    assert_eq!(t.errors[0].pos.line, 4);
    assert!(
        t.errors[0].message.contains("line 4"),
        "{}",
        t.errors[0].message
    );
    assert!(
        t.errors[0]
            .message
            .contains("resource statement is skipped")
    );
    // The output and the unread resource type cannot change what is judged: notices.
    let notice_lines: Vec<u32> = t.notices.iter().map(|n| n.pos.line).collect();
    assert_eq!(notice_lines, vec![6, 9]);
    let names: Vec<&str> = resources(&t).iter().map(|r| text_at(r, "name")).collect();
    assert_eq!(names, vec!["acr"]);
}

#[test]
fn bad_input_never_panics() {
    let deep_parens = format!("var x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let deep_objects = format!("var y = {}{}\n", "{ a: ".repeat(3000), "}".repeat(3000));
    let mut deep_resources = String::new();
    for i in 0..2000 {
        deep_resources.push_str(&format!("resource r{i} 'child{i}' = {{\n name: 'n'\n"));
    }
    deep_resources.push_str(&"}\n".repeat(2000));
    let deep_resources = format!(
        "resource top 'Microsoft.ContainerService/managedClusters@2024-01-01' = {{\n{deep_resources}}}\n"
    );
    let cycle = "resource a 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: b.name\n}\nresource b 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: a.name\n}\n";
    for text in [
        deep_parens.as_str(),
        deep_objects.as_str(),
        deep_resources.as_str(),
        cycle,
        "",
        "resource",
        "module m = {}",
        "param",
        "var x = [for i in range(0, 99999999999999999999): i]",
        "var x = [for i in range(-5, 2): i]",
        "\u{0}\u{ffff}'''",
        "resource r 'a@b' = [for x in y: if (",
    ] {
        let t = translate(text);
        let _ = t.template.to_json();
    }
    let t = translate(&deep_parens);
    assert!(
        text_at(t.template.get("variables").unwrap(), "x").contains("bicepNestedTooDeeply"),
        "deep nesting is Unknown"
    );
    let t = translate(cycle);
    assert!(text_at(&resources(&t)[0], "name").contains("resourceNameCycle"));
}

#[test]
fn bicepparam_files_give_literal_values_and_unknown_expressions() {
    let file = parse_bicepparam(
        "using './main.bicep'\n\nparam clusterName = 'aks-prod'\nparam enabled = true\nparam pools = [\n  { name: 'sys' }\n]\nparam fromEnv = readEnvironmentVariable('X')\n",
    );
    assert_eq!(file.using.as_deref(), Some("./main.bicep"));
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let names: Vec<&str> = file.values.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["clusterName", "enabled", "pools", "fromEnv"]);
    let name = file.values[0].1.as_ref().unwrap();
    assert_eq!(name.as_str(), Some("aks-prod"));
    assert_eq!((name.pos.line, name.pos.col), (3, 21));
    assert!(matches!(
        file.values[2].1.as_ref().unwrap().value,
        Value::Seq(_)
    ));
    assert!(
        file.values[3]
            .1
            .as_ref()
            .unwrap_err()
            .contains("readEnvironmentVariable")
    );
}

#[test]
fn target_scope_and_module_scope_name_what_is_deployed_to() {
    let t = clean(
        "targetScope = 'subscription'\nparam sub string\nmodule a './a.bicep' = {\n  name: 'a'\n  scope: resourceGroup('rg-a')\n  params: {}\n}\nmodule b './b.bicep' = {\n  name: 'b'\n  scope: resourceGroup(sub, 'rg-b')\n  params: {}\n}\nmodule c './c.bicep' = {\n  name: 'c'\n  scope: subscription()\n  params: {}\n}\nresource rg 'Microsoft.Resources/resourceGroups@2024-03-01' existing = {\n  name: 'rg-d'\n}\nmodule d './d.bicep' = {\n  name: 'd'\n  scope: rg\n  params: {}\n}\n",
    );
    assert!(text_at(&t.template, "$schema").contains("subscriptionDeploymentTemplate"));
    let modules: Vec<&Node> = resources(&t)
        .iter()
        .filter(|r| r.get("type").and_then(Node::as_str) == Some("Microsoft.Resources/deployments"))
        .collect();
    assert_eq!(text_at(modules[0], "resourceGroup"), "rg-a");
    assert!(modules[0].get("subscriptionId").is_none());
    assert_eq!(text_at(modules[1], "subscriptionId"), "[parameters('sub')]");
    assert_eq!(text_at(modules[1], "resourceGroup"), "rg-b");
    assert!(modules[2].get("resourceGroup").is_none());
    // A scope the translation does not follow leaves the resource group unknown.
    assert_eq!(text_at(modules[3], "resourceGroup"), "[bicepModuleScope()]");
    // Without `targetScope`, a resource group template.
    let plain = clean("param x string = 'a'\n");
    assert!(text_at(&plain.template, "$schema").ends_with("/deploymentTemplate.json#"));
}

#[test]
fn references_to_surrounding_resources_compile_to_resource_ids() {
    let t = clean(
        "resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'id-app'\n}\nresource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' existing = {\n  name: 'vnet'\n  resource nodes 'subnets' existing = {\n    name: 'nodes'\n  }\n}\nresource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: guid('x')\n  scope: resourceGroup()\n  properties: {\n    principalId: identity.properties.principalId\n    roleDefinitionId: vnet::nodes.id\n  }\n}\n",
    );
    let ra = &resources(&t)[2];
    assert_eq!(
        text_at(ra, "properties.principalId"),
        "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app')).principalId]"
    );
    assert_eq!(
        text_at(ra, "properties.roleDefinitionId"),
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet/nodes')]"
    );
    assert_eq!(text_at(ra, "scope"), "[resourceGroup()]");
}

#[test]
fn existing_resources_elsewhere_compile_to_ids_at_their_scope() {
    let t = clean(
        "resource baseline 'Microsoft.Authorization/policySetDefinitions@2021-06-01' existing = {\n  name: 'a8640138-9b0a-4a28-b8cb-1666c838647d'\n  scope: tenant()\n}\nresource owner 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {\n  name: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'\n  scope: subscription()\n}\nresource hub 'Microsoft.Network/virtualNetworks@2024-01-01' existing = {\n  name: 'hub'\n  scope: resourceGroup('rg-hub')\n  resource firewall 'subnets' existing = {\n    name: 'AzureFirewallSubnet'\n  }\n}\nvar ids = {\n  baseline: baseline.id\n  owner: owner.id\n  firewall: hub::firewall.id\n}\n",
    );
    let ids = t.template.get("variables").unwrap().get("ids").unwrap();
    assert_eq!(
        text_at(ids, "baseline"),
        "[tenantResourceId('Microsoft.Authorization/policySetDefinitions', 'a8640138-9b0a-4a28-b8cb-1666c838647d')]"
    );
    assert_eq!(
        text_at(ids, "owner"),
        "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]"
    );
    assert_eq!(
        text_at(ids, "firewall"),
        "[resourceId('rg-hub', 'Microsoft.Network/virtualNetworks/subnets', 'hub/AzureFirewallSubnet')]"
    );
}

#[test]
fn array_items_the_grammar_splits_are_joined_again() {
    let t = clean(
        "var o = {\n  scopes: [\n    resourceGroup().id\n    subscription().id\n    foo(1, 2)\n    resourceId('t/u', 'n')\n    split('a/b', '/')[1]\n    'x'\n  ]\n}\nvar plain = [\n  resourceGroup().id\n]\n",
    );
    let vars = t.template.get("variables").unwrap();
    let scopes: Vec<&str> = vars
        .at("o.scopes")
        .unwrap()
        .items()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(
        scopes,
        vec![
            "[resourceGroup().id]",
            "[subscription().id]",
            "[foo(1, 2)]",
            "[resourceId('t/u', 'n')]",
            "[split('a/b', '/')[1]]",
            "x"
        ]
    );
    assert_eq!(
        vars.at("plain").unwrap().items()[0].as_str(),
        Some("[resourceGroup().id]")
    );
}

#[test]
fn strings_starting_with_slashes_are_strings() {
    let t = clean("var q = {\n  query: '//https://example \\r\\n x'\n  b: 'x//y'\n}\n");
    let q = t.template.get("variables").unwrap().get("q").unwrap();
    assert_eq!(text_at(q, "query"), "//https://example \r\n x");
    assert_eq!(text_at(q, "b"), "x//y");
}
