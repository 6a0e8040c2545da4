use std::path::Path;

use aksguard_model::azure::{AzureFormat, ManagedCluster};

use crate::{LoadCache, LoadOptions, Loaded, load_inputs_in};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn load_dir(dir: &Path, cache: &LoadCache) -> Loaded {
    let args = vec![dir.display().to_string()];
    load_inputs_in(
        &args,
        &LoadOptions {
            render: false,
            ..LoadOptions::default()
        },
        &mut std::io::empty(),
        &|_| Vec::new(),
        cache,
    )
}

fn load(dir: &Path) -> Loaded {
    load_dir(dir, &LoadCache::default())
}

fn cluster<'a>(loaded: &'a Loaded, name: &str) -> &'a ManagedCluster {
    loaded
        .azure
        .clusters
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = loaded
                .azure
                .clusters
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            panic!("no cluster {name}: {names:?}")
        })
}

const CLUSTER_ARM: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "clusterName": {"type": "string", "defaultValue": "aks1"},
    "private": {"type": "bool", "defaultValue": true},
    "workspaceId": {"type": "string"}
  },
  "variables": {"pools": [{"name": "sys", "mode": "System"}]},
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-01-01",
      "name": "[parameters('clusterName')]",
      "sku": {"name": "Base", "tier": "[if(parameters('private'), 'Standard', 'Free')]"},
      "identity": {"type": "SystemAssigned"},
      "properties": {
        "enableRBAC": true,
        "disableLocalAccounts": "[not(equals(parameters('clusterName'), 'aks1'))]",
        "dnsPrefix": "[format('{0}-dns', parameters('clusterName'))]",
        "apiServerAccessProfile": {"enablePrivateCluster": "[parameters('private')]"},
        "networkProfile": {"networkPlugin": "azure", "networkPolicy": "calico"},
        "addonProfiles": {"omsagent": {"enabled": true, "config": {"logAnalyticsWorkspaceResourceID": "[parameters('workspaceId')]"}}},
        "agentPoolProfiles": [{"name": "sys", "mode": "System", "count": 3, "enableNodePublicIP": false}]
      }
    },
    {
      "type": "Microsoft.ContainerService/managedClusters/agentPools",
      "apiVersion": "2024-01-01",
      "name": "[format('{0}/{1}', parameters('clusterName'), 'user')]",
      "properties": {"mode": "User", "enableEncryptionAtHost": false}
    },
    {
      "type": "Microsoft.Insights/diagnosticSettings",
      "apiVersion": "2021-05-01-preview",
      "name": "audit",
      "scope": "[format('Microsoft.ContainerService/managedClusters/{0}', parameters('clusterName'))]",
      "properties": {"workspaceId": "[parameters('workspaceId')]", "logs": [{"category": "kube-audit-admin", "enabled": true}]}
    }
  ]
}
"#;

const CLUSTER_BICEP: &str = "param clusterName string = 'aks1'
param private bool = true
param workspaceId string

resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {
  name: clusterName
  sku: {
    name: 'Base'
    tier: private ? 'Standard' : 'Free'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    enableRBAC: true
    disableLocalAccounts: clusterName != 'aks1'
    dnsPrefix: '${clusterName}-dns'
    apiServerAccessProfile: {
      enablePrivateCluster: private
    }
    networkProfile: {
      networkPlugin: 'azure'
      networkPolicy: 'calico'
    }
    addonProfiles: {
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: workspaceId
        }
      }
    }
    agentPoolProfiles: [
      {
        name: 'sys'
        mode: 'System'
        count: 3
        enableNodePublicIP: false
      }
    ]
  }
}

resource user 'Microsoft.ContainerService/managedClusters/agentPools@2024-01-01' = {
  parent: aks
  name: 'user'
  properties: {
    mode: 'User'
    enableEncryptionAtHost: false
  }
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: aks
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'kube-audit-admin'
        enabled: true
      }
    ]
  }
}
";

#[test]
fn the_same_cluster_as_arm_json_and_bicep_gives_the_same_settings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "arm/cluster.json", CLUSTER_ARM);
    write(dir.path(), "bicep/cluster.bicep", CLUSTER_BICEP);
    let loaded = load(dir.path());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let clusters = &loaded.azure.clusters;
    assert_eq!(clusters.len(), 2);
    let arm = clusters
        .iter()
        .find(|c| c.format == AzureFormat::ArmTemplate)
        .unwrap();
    let bicep = clusters
        .iter()
        .find(|c| c.format == AzureFormat::Bicep)
        .unwrap();
    assert_eq!(bicep.name, "aks1");
    assert_eq!(arm.settings.root.to_json(), bicep.settings.root.to_json());
    assert_eq!(
        arm.settings.unknown.keys().collect::<Vec<_>>(),
        bicep.settings.unknown.keys().collect::<Vec<_>>()
    );
    assert!(
        bicep
            .settings
            .get("addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID")
            .is_unknown()
    );
    let pools = |c: &ManagedCluster| {
        c.node_pools
            .iter()
            .map(|p| (p.name.clone(), p.settings.root.to_json()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pools(arm), pools(bicep));
    let diagnostics = |c: &ManagedCluster| {
        c.diagnostic_settings
            .iter()
            .map(|d| (d.name.clone(), d.categories.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(diagnostics(arm), diagnostics(bicep));
    // Bicep values stand at their Bicep lines.
    assert!(bicep.source.path.ends_with("cluster.bicep"));
    assert_eq!(bicep.pos.line, 5);
    let line = |path: &str| bicep.settings.get(path).node().unwrap().pos.line;
    assert_eq!(line("enableRBAC"), 15);
    assert_eq!(line("apiServerAccessProfile.enablePrivateCluster"), 19);
    assert_eq!(line("sku.tier"), 9);
    assert_eq!(bicep.node_pools[1].pos.line, 44);
}

#[test]
fn local_modules_are_followed_with_their_parameters_and_read_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "modules/aks.bicep",
        "param name string\nparam localAccounts bool = true\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: name\n  properties: {\n    disableLocalAccounts: !localAccounts\n  }\n}\n",
    );
    write(
        dir.path(),
        "main.bicep",
        "param prefix string = 'team'\nmodule a './modules/aks.bicep' = {\n  name: 'a'\n  params: {\n    name: '${prefix}-a'\n    localAccounts: false\n  }\n}\nmodule b 'modules/aks.bicep' = {\n  name: 'b'\n  params: {\n    name: '${prefix}-b'\n  }\n}\nmodule c './modules/aks.bicep' = {\n  name: 'c'\n  params: {\n    name: resourceGroup().name\n  }\n}\n",
    );
    let cache = LoadCache::default();
    let loaded = load_dir(dir.path(), &cache);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    // main.bicep and the module: each translated once, though the module is an input too.
    assert_eq!(cache.bicep.translated_files(), 2);
    let a = cluster(&loaded, "team-a");
    assert!(
        a.source.path.ends_with("modules/aks.bicep"),
        "{}",
        a.source.path
    );
    assert_eq!(a.format, AzureFormat::Bicep);
    assert_eq!(a.settings.get("disableLocalAccounts").as_bool(), Some(true));
    // The value resolved from the caller stands at the module's property.
    assert_eq!(
        a.settings
            .get("disableLocalAccounts")
            .node()
            .unwrap()
            .pos
            .line,
        6
    );
    let b = cluster(&loaded, "team-b");
    assert_eq!(
        b.settings.get("disableLocalAccounts").as_bool(),
        Some(false)
    );
    // An unresolvable name names its caller, so the clusters stay apart.
    let c = loaded
        .azure
        .clusters
        .iter()
        .find(|c| c.name.contains("module called at"))
        .expect("the third call's cluster");
    assert!(c.name.contains("main.bicep:15"), "{}", c.name);
    // The module read as an input on its own: the name parameter has no default.
    assert!(
        loaded
            .azure
            .clusters
            .iter()
            .any(|c| c.name == "[parameters('name')]")
    );
}

#[test]
fn module_cycles_missing_files_and_deep_chains_are_errors_naming_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.bicep",
        "module b './b.bicep' = {\n  name: 'b'\n}\n",
    );
    write(
        dir.path(),
        "b.bicep",
        "module a './a.bicep' = {\n  name: 'a'\n}\n",
    );
    write(
        dir.path(),
        "missing.bicep",
        "\n\nmodule m './nowhere.bicep' = {\n  name: 'm'\n}\n",
    );
    for i in 0..12 {
        write(
            dir.path(),
            &format!("deep/d{i}.bicep"),
            &format!("module next './d{}.bicep' = {{\n  name: 'n'\n}}\n", i + 1),
        );
    }
    write(
        dir.path(),
        "deep/d12.bicep",
        "resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'deep'\n}\n",
    );
    let loaded = load(&dir.path().join("a.bicep"));
    assert!(
        loaded
            .errors
            .iter()
            .any(|e| e.message.contains("module cycle")
                && e.message.contains("a.bicep → ")
                && e.message.contains("b.bicep")),
        "{:?}",
        loaded.errors
    );
    let loaded = load(&dir.path().join("missing.bicep"));
    assert_eq!(loaded.errors.len(), 1, "{:?}", loaded.errors);
    assert_eq!(loaded.errors[0].line, Some(3));
    assert!(loaded.errors[0].message.contains("./nowhere.bicep"));
    assert!(loaded.errors[0].path.ends_with("missing.bicep"));
    let loaded = load(&dir.path().join("deep/d0.bicep"));
    assert!(
        loaded
            .errors
            .iter()
            .any(|e| e.message.contains("more than 8 levels")),
        "{:?}",
        loaded.errors
    );
    assert!(loaded.azure.clusters.is_empty());
}

#[test]
fn each_parameter_file_beside_gives_its_own_judgement() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.bicep",
        "param name string = 'default'\nparam rbac bool = true\nparam ranges array = []\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: name\n  properties: {\n    enableRBAC: rbac\n    apiServerAccessProfile: {\n      authorizedIPRanges: ranges\n    }\n  }\n}\n",
    );
    write(
        dir.path(),
        "main.parameters.json",
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0",
  "parameters": {"name": {"value": "from-json"}, "rbac": {"value": false},
    "ranges": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}}}"#,
    );
    write(
        dir.path(),
        "prod.bicepparam",
        "using './main.bicep'\nparam name = 'from-bicepparam'\nparam ranges = [\n  '10.0.0.0/8'\n]\n",
    );
    write(
        dir.path(),
        "other.bicepparam",
        "using './elsewhere.bicep'\nparam name = 'x'\n",
    );
    let loaded = load(dir.path());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(
        loaded.azure.clusters.len(),
        2,
        "{:?}",
        loaded
            .azure
            .clusters
            .iter()
            .map(|c| &c.name)
            .collect::<Vec<_>>()
    );
    let json = cluster(&loaded, "from-json (parameters: main.parameters.json)");
    assert_eq!(json.settings.get("enableRBAC").as_bool(), Some(false));
    assert!(
        json.settings
            .get("apiServerAccessProfile.authorizedIPRanges")
            .is_unknown()
    );
    let bicepparam = cluster(&loaded, "from-bicepparam (parameters: prod.bicepparam)");
    assert_eq!(bicepparam.settings.get("enableRBAC").as_bool(), Some(true));
    let ranges = bicepparam
        .settings
        .get("apiServerAccessProfile.authorizedIPRanges")
        .node()
        .unwrap();
    assert_eq!(ranges.items()[0].as_str(), Some("10.0.0.0/8"));
    // At the Bicep property that uses the parameter.
    assert_eq!(ranges.pos.line, 9);
}

#[test]
fn parameter_file_names_follow_the_conventions() {
    for (name, yes) in [
        ("main.parameters.json", true),
        ("main.parameters.dev.json", true),
        ("parameters-main.json", true),
        ("main.json", false),
        ("mainx.parameters.json", false),
        ("other.parameters.json", false),
        ("main.parametersx.json", false),
    ] {
        assert_eq!(super::is_json_parameter_name(name, "main"), yes, "{name}");
    }
}

#[test]
fn registry_modules_are_a_notice_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.bicep",
        "module w 'br/public:deployment-scripts/wait:1.0.1' = {\n  name: 'w'\n}\nmodule s 'ts:sub/rg/spec:1' = {\n  name: 's'\n}\n",
    );
    let loaded = load(dir.path());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.notices.len(), 1, "{:?}", loaded.notices);
    assert!(loaded.notices[0].contains("br/public:deployment-scripts/wait:1.0.1"));
    assert!(loaded.notices[0].contains("ts:sub/rg/spec:1"));
    assert!(loaded.notices[0].contains("not read"));
}

#[test]
fn union_of_objects_and_ternary_objects_resolve_at_their_own_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.bicep",
        "param aad bool = true\nparam extra bool = false\nparam unknownFlag bool\nvar props = union({\n  enableRBAC: true\n  aadProfile: aad ? {\n    managed: true\n  } : null\n  securityProfile: {\n    workloadIdentity: { enabled: true }\n  }\n}, extra ? { disableLocalAccounts: true } : {}, {\n  securityProfile: {\n    defender: { securityMonitoring: { enabled: false } }\n  }\n})\nvar unknownUnion = union({ a: 1 }, unknownFlag ? { b: 1 } : {})\nresource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'u'\n  properties: props\n}\nresource aks2 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'v'\n  properties: unknownUnion\n}\n",
    );
    let loaded = load(dir.path());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let u = cluster(&loaded, "u");
    let s = &u.settings;
    assert_eq!(s.get("enableRBAC").as_bool(), Some(true));
    assert_eq!(s.get("enableRBAC").node().unwrap().pos.line, 5);
    assert_eq!(s.get("aadProfile.managed").as_bool(), Some(true));
    assert_eq!(s.get("aadProfile.managed").node().unwrap().pos.line, 7);
    assert!(s.get("disableLocalAccounts").is_absent());
    assert_eq!(
        s.get("securityProfile.workloadIdentity.enabled").as_bool(),
        Some(true)
    );
    assert_eq!(
        s.get("securityProfile.defender.securityMonitoring.enabled")
            .as_bool(),
        Some(false)
    );
    assert_eq!(
        s.get("securityProfile.defender.securityMonitoring.enabled")
            .node()
            .unwrap()
            .pos
            .line,
        14
    );
    let v = cluster(&loaded, "v");
    assert!(v.settings.get("enableRBAC").is_unknown());
}

#[test]
fn an_avm_cluster_call_is_judged_from_its_params_at_the_callers_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.bicep",
        "param name string = 'avm1'\nparam local bool = false\nmodule aks 'br/public:avm/res/container-service/managed-cluster:0.9.0' = {\n  name: 'aks'\n  params: {\n    name: name\n    disableLocalAccounts: local\n    primaryAgentPoolProfiles: [\n      {\n        name: 'sys'\n        mode: 'System'\n      }\n    ]\n  }\n}\n",
    );
    let loaded = load(dir.path());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let avm = cluster(&loaded, "avm1");
    assert_eq!(avm.format, AzureFormat::AvmBicep);
    assert!(avm.source.path.ends_with("main.bicep"));
    let local = avm.settings.get("disableLocalAccounts");
    assert_eq!(local.as_bool(), Some(false));
    // The caller's parameter is resolved in the caller's scope, at the call's input line.
    assert_eq!(local.node().unwrap().pos.line, 7);
    assert!(
        !loaded
            .notices
            .iter()
            .any(|n| n.contains("registry modules not read")),
        "{:?}",
        loaded.notices
    );
}

const SURROUNDINGS_MODULE: &str = r#"param identityName string
param principalId string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: resourceGroup().location
}

resource credential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: identity
  name: 'web'
  properties: {
    issuer: aks.properties.oidcIssuerProfile.issuerURL
    subject: 'system:serviceaccount:apps:web'
    audiences: ['api://AzureADTokenExchange']
  }
}

resource nsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: 'nsg-nodes'
  properties: {
    securityRules: [
      {
        name: 'ssh'
        properties: {
          direction: 'Inbound'
          access: 'Allow'
          priority: 100
          protocol: 'Tcp'
          sourceAddressPrefix: 'Internet'
          destinationPortRange: '22'
        }
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: 'vnet'
  properties: {
    subnets: [
      {
        name: 'nodes'
        properties: {
          networkSecurityGroup: {
            id: nsg.id
          }
        }
      }
    ]
  }
  resource nodes 'subnets' existing = {
    name: 'nodes'
  }
}

resource aks 'Microsoft.ContainerService/managedClusters@2024-09-01' = {
  name: 'aks'
  properties: {
    agentPoolProfiles: [
      {
        name: 'sys'
        mode: 'System'
        vnetSubnetID: vnet::nodes.id
      }
    ]
  }
}

resource onCluster 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(aks.id, 'owner')
  scope: aks
  properties: {
    principalId: identity.properties.principalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')
    principalType: 'ServicePrincipal'
  }
}

resource onGroup 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('group')
  scope: resourceGroup()
  properties: {
    principalId: principalId
    roleDefinitionId: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
  }
}
"#;

const SURROUNDINGS_MAIN: &str = r#"targetScope = 'subscription'

param identityName string

resource outer 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  scope: resourceGroup('rg-prod')
  name: 'id-outer'
}

module app './app.bicep' = {
  name: 'app'
  scope: resourceGroup('rg-prod')
  params: {
    identityName: identityName
    principalId: outer.properties.principalId
  }
}

resource onSubscription 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('sub')
  properties: {
    principalId: outer.properties.principalId
    roleDefinitionId: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'
  }
}
"#;

#[test]
fn bicep_surroundings_join_by_id_and_by_symbol_through_modules() {
    use aksguard_model::azure::Ref;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.bicep", SURROUNDINGS_MAIN);
    write(dir.path(), "app.bicep", SURROUNDINGS_MODULE);
    // The main file alone: the module is read through it (not also as an input of its own).
    let loaded = load_dir(&dir.path().join("main.bicep"), &LoadCache::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let azure = &loaded.azure;
    let rg = "/subscriptions/{unknown}/resourceGroups/rg-prod";
    let cluster = cluster(&loaded, "aks");
    assert_eq!(
        cluster.refs.resource_group.as_ref().and_then(Ref::id),
        Some(rg)
    );
    // The node subnet, named through `vnet::nodes.id`, has the NSG named through `nsg.id`.
    let subnet_id = cluster.node_pools[0]
        .settings
        .get("vnetSubnetID")
        .as_str()
        .unwrap();
    assert_eq!(
        subnet_id,
        format!("{rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes")
    );
    let subnet = azure.subnet(&Ref::literal(subnet_id)).unwrap();
    let nsg = azure.nsg(subnet.nsg.target().unwrap()).unwrap();
    assert_eq!(nsg.rules[0].name, "ssh");
    // The identity's name is a parameter without a value: the module's role assignment
    // still names it, by the same name expression.
    let identity = azure
        .identities
        .iter()
        .find(|i| i.meta.source.path.ends_with("app.bicep"))
        .unwrap();
    assert_eq!(identity.meta.key.id, None);
    let by_source = |suffix: &str| -> Vec<&aksguard_model::azure::RoleAssignment> {
        azure
            .role_assignments
            .iter()
            .filter(|a| a.source.path.ends_with(suffix))
            .collect()
    };
    let module_assignments = by_source("app.bicep");
    let [on_cluster, on_group] = module_assignments.as_slice() else {
        panic!("{module_assignments:?}");
    };
    let principal = on_cluster.principal.as_ref().unwrap();
    assert!(
        azure
            .identity_by_principal(principal)
            .is_some_and(|i| std::ptr::eq(i, identity)),
        "{principal:?} {:?}",
        identity.meta.key
    );
    assert!(on_cluster.scope.as_ref().unwrap().names(&cluster.key()));
    assert_eq!(on_group.scope.as_ref().and_then(Ref::id), Some(rg));
    // An existing identity's principal passed into the module keeps its ID (in the resource
    // group its `scope` names) as the key.
    let outer_id =
        format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-outer");
    assert_eq!(
        on_group.principal.as_ref().and_then(|p| p.key.clone()),
        Some(outer_id)
    );
    let main_assignments = by_source("main.bicep");
    assert_eq!(
        main_assignments[0].scope.as_ref().and_then(Ref::id),
        Some("/subscriptions/{unknown}")
    );
    let credential = &azure.federated_credentials[0];
    assert!(credential.issuer.is_none());
    // `parent: identity`, whose name is a parameter without a value, still names it.
    assert!(
        credential
            .identity
            .as_ref()
            .unwrap()
            .names(&identity.meta.key)
    );
    assert_eq!(
        credential.subject.as_deref(),
        Some("system:serviceaccount:apps:web")
    );
}
