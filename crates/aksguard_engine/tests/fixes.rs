//! Every finding leaves the engine with a fix: its violation's own (AKS/ACR findings: `az`
//! commands and IaC spelled for the cluster), else its rule's default, which all findings of
//! the rule share (one allocation per rule, however many findings: large scans hold ~800k).

use std::sync::Arc;

use aksguard_engine::evaluate;
use aksguard_load::{Limits, load_text_all};
use aksguard_model::{FixSafety, Inventory, Severity};
use aksguard_rules::{RuleSettings, all_rules};

const MANIFESTS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop}
spec:
  containers:
  - {name: app, image: nginx:latest, securityContext: {privileged: true}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: shop}
spec:
  containers:
  - {name: app, image: nginx:latest, securityContext: {privileged: true}}
";

const CLUSTER: &str = r#"
resource "azurerm_kubernetes_cluster" "main" {
  name                = "aks-prod"
  location            = "westeurope"
  resource_group_name = "rg-prod"
  dns_prefix          = "aks-prod"
  run_command_enabled = true
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
  identity {
    type = "SystemAssigned"
  }
}
"#;

#[test]
fn every_finding_has_a_fix_and_rule_defaults_are_shared() {
    let loaded = load_text_all("pods.yaml", MANIFESTS, &Limits::default());
    let inventory = Inventory::new(loaded.objects);
    let findings = evaluate(
        &inventory,
        all_rules(),
        &RuleSettings::default(),
        Severity::Info,
    );
    assert!(findings.len() > 4, "{findings:?}");
    for finding in &findings {
        let fix = finding.fix.as_ref().expect("every finding has a fix");
        assert!(
            fix.summary.ends_with('.'),
            "{}: {}",
            finding.rule_id,
            fix.summary
        );
    }
    let privileged: Vec<_> = findings.iter().filter(|f| f.rule_id == "POD001").collect();
    assert_eq!(privileged.len(), 2);
    let (a, b) = (
        privileged[0].fix.as_ref().unwrap(),
        privileged[1].fix.as_ref().unwrap(),
    );
    // Without a fix of its own (i15-apply adds patches), the rule's default is one Arc.
    if a.patch.is_empty() && b.patch.is_empty() {
        assert!(
            Arc::ptr_eq(a, b),
            "findings of one rule share its default fix"
        );
        assert_eq!(a.safety, FixSafety::Safe);
    }
}

#[test]
fn a_terraform_cluster_finding_names_the_attribute_and_the_command() {
    let loaded = load_text_all("main.tf", CLUSTER, &Limits::default());
    let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
    let findings = evaluate(
        &inventory,
        all_rules(),
        &RuleSettings::default(),
        Severity::Info,
    );
    let run_command = findings
        .iter()
        .find(|f| f.rule_id == "AKS031")
        .expect("run command is enabled");
    let fix = run_command.fix.as_ref().unwrap();
    assert_eq!(
        fix.commands,
        ["az aks update --resource-group rg-prod --name aks-prod --disable-run-command"]
    );
    assert_eq!(fix.iac.len(), 1);
    assert_eq!(fix.iac[0].language, "terraform");
    assert_eq!(fix.iac[0].attribute, "run_command_enabled");
    assert_eq!(fix.iac[0].value, "false");
    assert!(!run_command.message.contains("az aks update"));
    for finding in findings.iter().filter(|f| f.rule_id.starts_with("AKS")) {
        let fix = finding.fix.as_ref().unwrap();
        assert!(
            !fix.commands.is_empty() || !fix.iac.is_empty(),
            "{} has neither commands nor IaC",
            finding.rule_id
        );
    }
}
