//! Real Bicep from the shared corpus (`../shared/corpus/aks`): every `.bicep` file loads on
//! its own with no errors, and the managed clusters found are listed (input file, file that
//! defines the cluster, name, form) so a regression is visible. When the corpus is absent (a
//! plain clone) the test prints why and passes.

use std::path::{Path, PathBuf};

use aksguard_load::{LoadOptions, load_inputs};

fn bicep_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            bicep_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "bicep") {
            out.push(path);
        }
    }
}

/// Every cluster the corpus's Bicep files define or call, as
/// `input | defining file | name | form` (paths relative to `corpus/aks`).
const EXPECTED: &[&str] = &[
    "AKS-Construction/bicep/main.bicep | AKS-Construction/bicep/main.bicep | [format('aks-{0}', parameters('resourceName'))] | bicep",
    "AKS-Landing-Zone-Accelerator/AKS-Secure-Baseline-PrivateCluster/Bicep/06-AKS-cluster/main.bicep | AKS-Landing-Zone-Accelerator/AKS-Secure-Baseline-PrivateCluster/Bicep/06-AKS-cluster/main.bicep | aksCluster (parameters: parameters-main.json) | avm-bicep",
    "AKS-Landing-Zone-Accelerator/CosmosDB-nosql-Resiliency/Bicep/03-AKSCluster-Region1/main.bicep | AKS-Landing-Zone-Accelerator/CosmosDB-nosql-Resiliency/Bicep/03-AKSCluster-Region1/main.bicep | aksclusterregion1 | avm-bicep",
    "AKS-Landing-Zone-Accelerator/CosmosDB-nosql-Resiliency/Bicep/04-AKSCluster-Region2/main.bicep | AKS-Landing-Zone-Accelerator/CosmosDB-nosql-Resiliency/Bicep/04-AKSCluster-Region2/main.bicep | aksclusterregion2 | avm-bicep",
    "aks-baseline/workload-team/cluster-stamp.bicep | aks-baseline/workload-team/cluster-stamp.bicep | [variables('clusterName')] | bicep",
    "aks-store-demo/infra/bicep/kubernetes.bicep | aks-store-demo/infra/bicep/kubernetes.bicep | [format('aks-{0}', parameters('nameSuffix'))] | avm-bicep",
    "aks-store-demo/infra/bicep/main.bicep | aks-store-demo/infra/bicep/kubernetes.bicep | [format('aks-{0}', parameters('nameSuffix'))] (module called at aks-store-demo/infra/bicep/main.bicep:95) | avm-bicep",
    "aks-store-demo/infra/bicep/main.test.bicep | aks-store-demo/infra/bicep/kubernetes.bicep | [format('aks-{0}', parameters('nameSuffix'))] (module called at aks-store-demo/infra/bicep/main.test.bicep:11 → aks-store-demo/infra/bicep/main.bicep:95) | avm-bicep",
];

#[test]
fn corpus_bicep_files_load_without_errors_and_their_clusters_are_found() {
    let Some(corpus) = aksguard_testkit::shared_path("corpus") else {
        return;
    };
    let aks = corpus.join("aks");
    let mut files = Vec::new();
    bicep_files(&aks, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .bicep files under {}", aks.display());
    let prefix = format!("{}/", aks.display());
    let relative = |text: &str| text.replace(&prefix, "");
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let mut found = Vec::new();
    let mut syntax_notices = 0;
    for path in &files {
        let input = path.display().to_string();
        let loaded = load_inputs(
            std::slice::from_ref(&input),
            &options,
            &mut std::io::empty(),
        );
        assert!(loaded.errors.is_empty(), "{input}: {:#?}", loaded.errors);
        syntax_notices += loaded
            .notices
            .iter()
            .filter(|n| n.contains("Bicep syntax the parser cannot read"))
            .count();
        for cluster in &loaded.azure.clusters {
            found.push(format!(
                "{} | {} | {} | {}",
                relative(&input),
                relative(&cluster.source.path),
                relative(&cluster.name),
                cluster.format.label()
            ));
        }
    }
    found.sort();
    println!(
        "{} Bicep files, {} clusters, {syntax_notices} statements the grammar cannot read (outside what is judged):",
        files.len(),
        found.len()
    );
    for line in &found {
        println!("  {line}");
    }
    assert_eq!(found, EXPECTED);
}
