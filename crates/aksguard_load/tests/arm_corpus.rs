//! Real ARM JSON from the shared corpus (`../shared/corpus`, next to the workspace) loads with
//! no errors: every JSON file under `corpus/aks` (REST examples; compiled ARM templates when
//! present) and every checkov ARM fixture under `corpus/peers/checkov/arm/*/`. Clusters are
//! found where the file defines one. When the corpus is absent (a plain clone) the test prints
//! why and passes.

use std::path::{Path, PathBuf};

use aksguard_load::{Limits, load_text_all};

fn corpus_dir() -> Option<PathBuf> {
    aksguard_testkit::shared_path("corpus")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Whether the raw JSON defines a managed cluster (a resource of that type that is not a
/// reference to an existing one), by a plain text search independent of the loader; or is a
/// bare PUT body of one (a top-level object without `type`, with `location` and
/// `properties.agentPoolProfiles`).
fn defines_cluster(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("\"microsoft.containerservice/managedclusters\"") {
        return true;
    }
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str(text) else {
        return false;
    };
    !root.contains_key("type")
        && root.contains_key("location")
        && root
            .get("properties")
            .and_then(|p| p.get("agentPoolProfiles"))
            .is_some_and(serde_json::Value::is_array)
}

#[test]
fn corpus_arm_json_loads_without_errors() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let mut files = Vec::new();
    json_files(&corpus.join("aks"), &mut files);
    let checkov = corpus.join("peers/checkov/arm");
    for entry in std::fs::read_dir(&checkov).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            json_files(&entry.path(), &mut files);
        }
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "no JSON files under {}",
        corpus.display()
    );
    let mut templates = 0;
    let mut clusters = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
        assert!(
            loaded.errors.is_empty(),
            "{} does not load: {:?}",
            path.display(),
            loaded.errors
        );
        let is_template = text.contains("deploymentTemplate");
        templates += usize::from(is_template);
        clusters += loaded.azure.clusters.len();
        let rel = path.strip_prefix(&corpus).unwrap_or(path).display();
        eprintln!(
            "{rel}: {} cluster(s) [{}], {} pool(s), {} diagnostic setting(s), {} unknown path(s)",
            loaded.azure.clusters.len(),
            loaded
                .azure
                .clusters
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            loaded
                .azure
                .clusters
                .iter()
                .map(|c| c.node_pools.len())
                .sum::<usize>(),
            loaded
                .azure
                .clusters
                .iter()
                .map(|c| c.diagnostic_settings.len())
                .sum::<usize>(),
            loaded
                .azure
                .clusters
                .iter()
                .map(|c| c.settings.unknown.len())
                .sum::<usize>(),
        );
        if defines_cluster(&text) {
            assert!(
                !loaded.azure.clusters.is_empty(),
                "{} defines a managed cluster but none was found",
                path.display()
            );
        } else {
            assert!(
                loaded.azure.clusters.is_empty(),
                "{} defines no managed cluster but one was found",
                path.display()
            );
        }
    }
    eprintln!(
        "{} JSON files ({templates} ARM templates): {clusters} clusters",
        files.len()
    );
}

/// Spot checks on what the checkov fixtures hold, as the loader must read them.
#[test]
fn checkov_fixtures_read_as_written() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let arm = corpus.join("peers/checkov/arm");
    let load = |rel: &str| {
        let path = arm.join(rel);
        let text = std::fs::read_to_string(&path).expect("readable");
        load_text_all(&path.display().to_string(), &text, &Limits::default()).azure
    };
    // Cluster name from a parameter default; a child diagnostic setting (old
    // `providers/diagnosticSettings` form) joins it; addonProfiles is an `if()`: unknown.
    let logging = load("AKSLoggingEnabled/aksLoggingEnabled-FAILED3.json");
    let cluster = &logging.clusters[0];
    assert_eq!(cluster.name, "[parameters('aksClusterName')]");
    assert_eq!(cluster.diagnostic_settings.len(), 1);
    assert_eq!(
        cluster.diagnostic_settings[0].categories.as_deref(),
        Some(
            &[
                "kube-apiserver",
                "kube-controller-manager",
                "cluster-autoscaler",
                "kube-scheduler",
                "kube-audit"
            ]
            .map(String::from)[..]
        )
    );
    assert!(
        cluster
            .settings
            .get("addonProfiles.omsagent.enabled")
            .is_unknown()
    );
    assert_eq!(cluster.settings.get("enableRBAC").as_bool(), Some(true));
    // A lone agentPools resource names no cluster of the template: unjoined.
    let pool_only = load("AKSEncryptionAtHostEnabled/failA1.json");
    assert!(pool_only.clusters.is_empty());
    // Variables resolve.
    let rbac = load("AKSRbacEnabled/aksEnableRbac-PASSED.json");
    assert_eq!(
        rbac.clusters[0].settings.get("enableRBAC").as_bool(),
        Some(true)
    );
}
