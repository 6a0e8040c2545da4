//! `aksguard fix` through the real binary for issue 15's IaC part: `--diff` of a Terraform
//! cluster, `--az` (a script bash parses, never run), `--generate` (new files, never an
//! existing one replaced).

use std::io::Write as _;
use std::process::{Command, Stdio};

use tempfile::TempDir;

const CLUSTER: &str = r#"resource "azurerm_kubernetes_cluster" "prod" {
  name                = "prod-aks"
  location            = "westeurope"
  resource_group_name = "rg-prod"
  dns_prefix          = "prod"
  run_command_enabled = true # keep this comment

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }
}
"#;

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
";

fn aksguard(dir: &TempDir, args: &[&str]) -> (Option<i32>, String, String) {
    let output = assert_cmd::cargo::cargo_bin_cmd!("aksguard")
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("aksguard runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn diff_edits_the_terraform_attribute_and_nothing_else() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("main.tf"), CLUSTER).unwrap();
    let (code, stdout, stderr) = aksguard(
        &dir,
        &[
            "fix",
            "main.tf",
            "--select",
            "AKS031",
            "--safety",
            "review",
            "--no-config",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stdout.contains("-  run_command_enabled = true # keep this comment\n+  run_command_enabled = false # keep this comment\n"),
        "{stdout}"
    );
    let added = stdout
        .lines()
        .filter(|line| line.starts_with('+') && !line.starts_with("+++"))
        .count();
    assert_eq!(added, 1, "{stdout}");
    let (code, _, stderr) = aksguard(
        &dir,
        &[
            "fix",
            "main.tf",
            "--select",
            "AKS031",
            "--safety",
            "review",
            "--no-config",
            "--write",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let written = std::fs::read_to_string(dir.path().join("main.tf")).unwrap();
    assert_eq!(written, CLUSTER.replace("= true # keep", "= false # keep"));
}

#[test]
fn az_prints_a_script_bash_accepts() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("main.tf"), CLUSTER).unwrap();
    let (code, script, stderr) = aksguard(&dir, &["fix", "--az", "main.tf", "--no-config"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(script.starts_with("#!/usr/bin/env bash\n"), "{script}");
    assert!(script.contains("set -euo pipefail\n"));
    assert!(
        script.contains(
            "az aks update --resource-group rg-prod --name prod-aks --disable-run-command\n"
        ),
        "{script}"
    );
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash");
    bash.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = bash.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generate_writes_new_files_and_never_replaces_one() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("app.yaml"), DEPLOYMENT).unwrap();
    let args = [
        "fix",
        "--generate",
        "--out",
        "generated",
        "--complete",
        "app.yaml",
        "--no-config",
    ];
    let (code, _, stderr) = aksguard(&dir, &args);
    assert_eq!(code, Some(0), "{stderr}");
    let file = dir.path().join("generated/aksguard-generated-shop.yaml");
    let text = std::fs::read_to_string(&file).expect("generated file");
    assert!(
        text.contains("name: default-deny-ingress") && text.contains("kind: PodDisruptionBudget")
    );
    let (code, _, stderr) = aksguard(&dir, &args);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("never overwrites"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}
