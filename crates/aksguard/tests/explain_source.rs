//! `aksguard explain-source` on cluster definitions in a temporary directory: every setting
//! the AKS rules read with its state, origin line and rules; secret-like values redacted;
//! node pools; `--name` (unknown names fail closed, listing the names found); no cluster at
//! all is an error.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// An ARM template whose cluster has a Known, an Unknown and an Absent setting, secrets, and
/// a node pool; a second cluster as a bare PUT body.
const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"workspace": {"type": "string"}},
  "resources": [{
    "type": "Microsoft.ContainerService/managedClusters",
    "apiVersion": "2024-02-01",
    "name": "aks-prod",
    "location": "westeurope",
    "properties": {
      "enableRBAC": true,
      "disableLocalAccounts": "[parameters('workspace')]",
      "servicePrincipalProfile": {"clientId": "msi", "secret": "hunter2-do-not-print"},
      "windowsProfile": {"adminUsername": "azureuser", "adminPassword": "P@ssw0rd-do-not-print"},
      "aadProfile": {"managed": true, "serverAppSecret": "also-do-not-print"},
      "agentPoolProfiles": [{"name": "sys", "mode": "System", "enableNodePublicIP": true}]
    }
  }]
}
"#;

const PUT_BODY: &str = r#"{
  "location": "westeurope",
  "properties": {
    "dnsPrefix": "dev",
    "kubernetesVersion": "",
    "agentPoolProfiles": [{"name": "nodepool1", "mode": "System"}],
    "linuxProfile": {"adminUsername": "azureuser", "ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAA-do-not-print"}]}}
  }
}
"#;

fn setup() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("cluster.json"), TEMPLATE).unwrap();
    std::fs::write(dir.path().join("dev-cluster.request.json"), PUT_BODY).unwrap();
    dir
}

fn explain(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("aksguard")
        .unwrap()
        .current_dir(dir)
        .arg("explain-source")
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn setting<'a>(settings: &'a Value, path: &str) -> &'a Value {
    settings
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("no setting {path} in {settings:#}"))
}

#[test]
fn json_lists_each_setting_with_state_line_and_rules() {
    let dir = setup();
    let (code, stdout, stderr) = explain(dir.path(), &[".", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    for secret in [
        "hunter2",
        "P@ssw0rd",
        "also-do-not-print",
        "AAAA-do-not-print",
    ] {
        assert!(!stdout.contains(secret), "{secret} printed:\n{stdout}");
    }
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let clusters = report["clusters"].as_array().unwrap();
    let names: Vec<&str> = clusters
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let prod = clusters.iter().find(|c| c["name"] == "aks-prod").unwrap();
    assert_eq!(prod["form"], "arm-template");
    assert_eq!(prod["file"], "./cluster.json");
    assert_eq!(prod["line"], 5);
    let settings = &prod["settings"];
    let rbac = setting(settings, "enableRBAC");
    assert_eq!(rbac["state"], "known");
    assert_eq!(rbac["value"], "true");
    assert_eq!(rbac["line"], 11);
    assert!(
        rbac["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "AKS001"),
        "{rbac}"
    );
    let local = setting(settings, "disableLocalAccounts");
    assert_eq!(local["state"], "unknown");
    assert!(
        local["reason"]
            .as_str()
            .unwrap()
            .contains("parameter `workspace` has no default value"),
        "{local}"
    );
    assert_eq!(
        setting(settings, "autoUpgradeProfile.upgradeChannel")["state"],
        "absent"
    );
    // Read whole by a rule, the profile's secret is redacted inside the value.
    let aad = setting(settings, "aadProfile");
    assert!(
        aad["value"].as_str().unwrap().contains("<redacted>"),
        "{aad}"
    );
    let pool = &prod["node_pools"][0];
    assert_eq!(pool["name"], "sys");
    assert_eq!(pool["line"], 16);
    let public_ip = setting(&pool["settings"], "enableNodePublicIP");
    assert_eq!(public_ip["value"], "true");
    assert_eq!(public_ip["rules"][0], "AKS020");
    // The bare PUT body is named after its file and read as a REST body.
    let dev = clusters
        .iter()
        .find(|c| c["name"] == "dev-cluster.request")
        .unwrap();
    assert_eq!(dev["form"], "arm-rest");
}

#[test]
fn table_names_the_cluster_form_and_lines_and_redacts_secrets() {
    let dir = setup();
    let (code, stdout, stderr) = explain(dir.path(), &["cluster.json", "--name", "AKS-PROD"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("ManagedCluster aks-prod (arm-template) defined at cluster.json:5\n"),
        "{stdout}"
    );
    assert!(stdout.contains("known    enableRBAC"), "{stdout}");
    assert!(stdout.contains("true at line 11  [AKS001"), "{stdout}");
    assert!(
        stdout.contains("  node pool sys defined at cluster.json:16"),
        "{stdout}"
    );
    assert!(!stdout.contains("dev-cluster"), "{stdout}");
    assert!(!stdout.contains("also-do-not-print"), "{stdout}");
}

#[test]
fn unknown_names_and_inputs_without_clusters_fail_closed() {
    let dir = setup();
    let (code, stdout, stderr) = explain(dir.path(), &[".", "--name", "aks-typo"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(
            "no managed cluster named `aks-typo`; the inputs define: aks-prod, dev-cluster.request"
        ),
        "{stderr}"
    );
    std::fs::write(
        dir.path().join("deploy.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    )
    .unwrap();
    let (code, _, stderr) = explain(dir.path(), &["deploy.yaml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no AKS managed cluster definition found"),
        "{stderr}"
    );
}
