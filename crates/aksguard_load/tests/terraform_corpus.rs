//! Every `.tf` file of the shared AKS corpus (`../shared/corpus/aks`, next to the workspace)
//! loads, and the managed clusters each defines (directly, through a local module it calls,
//! as an azapi resource, or through the managed-cluster Azure Verified Module) are listed:
//! (file, cluster, form, file the cluster is written in). The list and the load errors are
//! compared whole, so a cluster lost or gained is a visible change. When the corpus is absent
//! (a plain clone) the test prints why and passes.

use std::path::{Path, PathBuf};

use aksguard_load::{Limits, load_text_all};

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_terraform_loads_and_its_clusters_are_listed() {
    let Some(corpus) = aksguard_testkit::shared_path("corpus/aks") else {
        return;
    };
    // Module sources resolve lexically (`examples/x/../..`), so load by a path without
    // `..` in it, as a user's own paths usually are.
    let corpus = corpus.canonicalize().expect("corpus path resolves");
    let mut files = Vec::new();
    tf_files(&corpus, &mut files);
    files.sort();
    assert!(files.len() >= 50, "{} .tf files", files.len());
    let rel = |path: &str| -> String {
        let path = Path::new(path);
        let path = path.strip_prefix(&corpus).unwrap_or(path);
        path.display().to_string()
    };
    let mut found = Vec::new();
    let mut notices = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let shown = path.display().to_string();
        let loaded = load_text_all(&shown, &text, &Limits::default());
        for error in &loaded.errors {
            errors.push(format!(
                "{}:{} {}",
                rel(&error.path),
                error.line.unwrap_or(0),
                error
                    .message
                    .replace(&corpus.display().to_string(), "<corpus>")
            ));
        }
        notices.extend(loaded.notices);
        for cluster in &loaded.azure.clusters {
            found.push(format!(
                "{} | {} | {} | {}",
                rel(&shown),
                cluster.name.replace(&*shown, "<caller>"),
                cluster.format.label(),
                rel(&cluster.source.path)
            ));
        }
    }
    for line in &found {
        eprintln!("{line}");
    }
    for notice in &notices {
        eprintln!("notice: {notice}");
    }
    let expected: Vec<&str> = EXPECTED.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(found, expected, "clusters found in the corpus changed");
    let expected: Vec<&str> = EXPECTED_ERRORS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(errors, expected, "load errors in the corpus changed");
}

/// The corpus holds the Verified Module's root files only (see corpus/SOURCES.md), not its
/// `modules/` directory: its own calls of those submodules are errors when its files are
/// loaded (a missing module directory is one), and notices for its callers.
const EXPECTED_ERRORS: &str = r#"
avm-terraform-managedcluster/main.agent_pool.tf:1 module "nodepools": source "./modules/agentpool" (<corpus>/avm-terraform-managedcluster/modules/agentpool) is not a directory
avm-terraform-managedcluster/main.default_agent_pool.tf:1 module "default_agent_pool_data": source "./modules/agentpool" (<corpus>/avm-terraform-managedcluster/modules/agentpool) is not a directory
avm-terraform-managedcluster/main.maintenanceconfiguration.tf:1 module "maintenanceconfiguration": source "./modules/maintenanceconfiguration" (<corpus>/avm-terraform-managedcluster/modules/maintenanceconfiguration) is not a directory
avm-terraform-managedcluster/main.monitoring.tf:2 module "monitoring": source "./modules/monitoring" (<corpus>/avm-terraform-managedcluster/modules/monitoring) is not a directory
avm-terraform-managedcluster/main.monitoring.tf:15 module "alerting": source "./modules/alerting" (<corpus>/avm-terraform-managedcluster/modules/alerting) is not a directory
avm-terraform-managedcluster/main.namespace.tf:1 module "namespace": source "./modules/namespace" (<corpus>/avm-terraform-managedcluster/modules/namespace) is not a directory
"#;

/// (loaded file | cluster | form | file the cluster is written in).
const EXPECTED: &str = "
AKS-Landing-Zone-Accelerator/AKS-Backup/aks-2.tf | aks-cluster | terraform | AKS-Landing-Zone-Accelerator/AKS-Backup/aks-2.tf
AKS-Landing-Zone-Accelerator/AKS-Secure-Baseline-PrivateCluster/Terraform/06-AKS-Cluster/main.tf | <azurerm_kubernetes_cluster.aks-cluster> | terraform | AKS-Landing-Zone-Accelerator/AKS-Secure-Baseline-PrivateCluster/Terraform/06-AKS-Cluster/main.tf
AKS-Landing-Zone-Accelerator/Prometheus_&_Grafana/Terraform/aks.tf | aks-cluster | terraform | AKS-Landing-Zone-Accelerator/Prometheus_&_Grafana/Terraform/aks.tf
aks-store-demo/infra/terraform/kubernetes.tf | <module.aks.azapi_resource.this> | avm-terraform | aks-store-demo/infra/terraform/kubernetes.tf
avm-terraform-managedcluster/examples/automatic/main.tf | <module.automatic.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/automatic-private/main.tf | <module.automatic.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/create-before-destroy/main.tf | <module.create_before_destroy.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/default/main.tf | <module.default.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/namespaces/main.tf | <module.namespaces.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/private/main.tf | <module.private.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/secure-baseline-private-cluster/main.tf | <module.aks.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/stateful-workloads/main.tf | <module.stateful_workloads.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/examples/waf-aligned/main.tf | <module.waf_aligned.azapi_resource.this (<caller>)> | terraform-azapi | avm-terraform-managedcluster/main.tf
avm-terraform-managedcluster/main.tf | <azapi_resource.this> | terraform-azapi | avm-terraform-managedcluster/main.tf
terraform-azurerm-aks/examples/api_server_vnet_integration/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/application_gateway_ingress/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/local_dns_config/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/multiple_node_pools/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/named_cluster/main.tf | test-cluster | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/startup/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/uai_and_assign_role_on_subnet/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/with_acr/main.tf | <module.aks.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/examples/without_monitor/main.tf | <module.aks_without_monitor.azurerm_kubernetes_cluster.main (<caller>)> | terraform | terraform-azurerm-aks/main.tf
terraform-azurerm-aks/main.tf | <azurerm_kubernetes_cluster.main> | terraform | terraform-azurerm-aks/main.tf
";
