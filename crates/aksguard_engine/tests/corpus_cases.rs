//! Cases from the shared corpus (`../shared/corpus`, next to the workspace) that once went
//! wrong against checkov (issue 11 part 3): images with placeholders, objects defined in two
//! files, Kustomize patch fragments. Hand-written fixtures of each case live with the rules
//! and the loader; these tests run the real files.
//!
//! The corpus is not part of the repository: without it these tests print why and pass,
//! unless `AKSGUARD_REQUIRE_SHARED=1` (CI), where its absence fails them.

use std::io;
use std::path::{Path, PathBuf};

use aksguard_engine::{Evaluation, evaluate, select_rules};
use aksguard_load::{LoadOptions, Loaded, load_inputs_with};
use aksguard_model::{Finding, Inventory, Severity};
use aksguard_rules::RuleSettings;

/// A file or folder of the shared corpus, `None` (with a message) when the corpus is absent.
fn shared(relative: &str) -> Option<PathBuf> {
    aksguard_testkit::shared_path(&format!("corpus/{relative}"))
}

/// Every finding of `rules` (IDs or families; all when empty) over `paths`, as a scan runs
/// them, with the notes it prints about what the rules could not judge.
fn scan(paths: &[&Path], rules: &[&str]) -> (Vec<Finding>, Vec<String>, Loaded) {
    let selection: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
    let rules = select_rules(&selection, &[]).expect("known rules");
    let settings = RuleSettings::default();
    let evaluation = Evaluation::new(&rules, &settings, Severity::Info);
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut loaded = load_inputs_with(&args, &options, &mut io::empty(), &|object| {
        evaluation.on_object(object)
    });
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let inventory = Inventory::new(std::mem::take(&mut loaded.objects));
    let findings = evaluation.finish(&inventory, std::mem::take(&mut loaded.findings));
    let notes = evaluation.unknown_value_notes();
    loaded.objects = inventory.into_objects();
    (findings, notes, loaded)
}

/// `RULE line` of each finding in `file`.
fn at(findings: &[Finding], file: &str) -> Vec<String> {
    let mut found: Vec<String> = findings
        .iter()
        .filter(|f| f.location.path.ends_with(file))
        .map(|f| format!("{} {}", f.rule_id, f.location.line))
        .collect();
    found.sort();
    found
}

#[test]
fn images_with_placeholders_are_judged_by_their_literal_text() {
    let samples = "real/gke-samples";
    let (Some(t5), Some(monolith)) = (
        shared(&format!(
            "{samples}/ai-ml/t5-model-serving/kubernetes/serving-cpu.yaml"
        )),
        shared(&format!(
            "{samples}/quickstarts/monolith-to-microservices/containerized/kubernetes_manifest.yaml"
        )),
    ) else {
        return;
    };
    let (findings, notes, _) = scan(&[&t5, &monolith], &["IMG"]);
    // `us-central1-docker.pkg.dev/PROJECT_ID/models/t5-small:1.0-cpu`, IfNotPresent: the
    // registry, the tag, the missing digest and the policy are all known.
    assert_eq!(
        at(&findings, "serving-cpu.yaml"),
        ["IMG002 44", "IMG003 44", "IMG004 44"]
    );
    // `REGION-docker.pkg.dev/PROJECT_ID/REPOSITORY_NAME/home-app:v1`: the registry is a
    // placeholder (IMG003 notes it), the rest is known.
    let monolith_found = at(&findings, "kubernetes_manifest.yaml");
    assert!(
        monolith_found.contains(&"IMG002 34".to_owned())
            && monolith_found.contains(&"IMG004 34".to_owned()),
        "{monolith_found:?}"
    );
    assert!(!monolith_found.iter().any(|f| f.starts_with("IMG003")));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("IMG003 did not judge ")
            && notes[0].contains("kubernetes_manifest.yaml:34: container `home-app` image"),
        "{notes:?}"
    );
}

#[test]
fn a_duplicated_service_account_gives_the_same_findings_in_either_order() {
    let (Some(vllm), Some(kube_prometheus)) = (
        shared("real/kubernetes-examples/AI/vllm-deployment/hpa/prometheus-adapter.yaml"),
        shared("real/kube-prometheus/manifests/prometheusAdapter-serviceAccount.yaml"),
    ) else {
        return;
    };
    let (forward, _, loaded) = scan(&[&vllm, &kube_prometheus], &[]);
    let (backward, _, _) = scan(&[&kube_prometheus, &vllm], &[]);
    assert_eq!(forward, backward);
    // Cautious: the vllm definition does not disable automount, so its Deployment's pods
    // automount the token whichever definition is applied last.
    let automount: Vec<&Finding> = forward.iter().filter(|f| f.rule_id == "POD016").collect();
    assert_eq!(automount.len(), 1, "{automount:#?}");
    assert!(
        automount[0]
            .message
            .contains("is defined 2 times and the one at ")
            && automount[0].message.contains("prometheus-adapter.yaml:"),
        "{}",
        automount[0].message
    );
    let inventory = Inventory::new(loaded.objects);
    let notes: Vec<String> = inventory.duplicates().iter().map(|d| d.note()).collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(
        notes[0].starts_with("ServiceAccount `monitoring/prometheus-adapter` is defined 2 times")
            && notes[0].contains("vllm-deployment/hpa/prometheus-adapter.yaml:")
            && notes[0].contains("prometheusAdapter-serviceAccount.yaml:"),
        "{notes:?}"
    );
    // The same rules over the plain inventory agree (no input-order state in the engine).
    let rules = select_rules(&[], &[]).unwrap();
    let again = evaluate(&inventory, &rules, &RuleSettings::default(), Severity::Info);
    assert_eq!(
        again.iter().filter(|f| f.rule_id == "POD016").count(),
        automount.len()
    );
}

/// The corpus copy of gke-samples' migrate-x86-app-to-multi-arch overlay has no
/// kustomization (only manifests were kept), so the test lays out the overlay in a temporary
/// folder as upstream has it: the corpus file as a patch of the base.
#[test]
fn a_kustomize_patch_of_the_corpus_is_not_judged_as_a_whole_object() {
    let dir = "real/gke-samples/workloads/migrate-x86-app-to-multi-arch/k8s";
    let (Some(patch), Some(base)) = (
        shared(&format!("{dir}/overlays/arm/add_arm_support.yaml")),
        shared(&format!("{dir}/base/hello-deployment.yaml")),
    ) else {
        return;
    };
    // Judged alone (as before), the fragment draws REL003 at line 19.
    let (alone, _, _) = scan(&[&patch], &["REL003"]);
    assert_eq!(at(&alone, "add_arm_support.yaml"), ["REL003 19"]);

    let root = std::env::temp_dir().join(format!("aksguard-kustomize-{}", std::process::id()));
    let overlay = root.join("overlays/arm");
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::create_dir_all(root.join("base")).unwrap();
    std::fs::copy(&patch, overlay.join("add_arm_support.yaml")).unwrap();
    std::fs::copy(&base, root.join("base/hello-deployment.yaml")).unwrap();
    std::fs::write(
        root.join("base/kustomization.yaml"),
        "resources:\n  - hello-deployment.yaml\n",
    )
    .unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources:\n  - ../../base\npatches:\n  - path: add_arm_support.yaml\n",
    )
    .unwrap();
    let (findings, _, loaded) = scan(&[&root], &["REL"]);
    std::fs::remove_dir_all(&root).ok();
    assert!(
        at(&findings, "add_arm_support.yaml").is_empty(),
        "{findings:#?}"
    );
    assert_eq!(loaded.notices.len(), 1, "{:?}", loaded.notices);
    assert!(
        loaded.notices[0].contains("add_arm_support.yaml: a Kustomize patch (listed in "),
        "{:?}",
        loaded.notices
    );
    // The base Deployment is still judged.
    assert!(
        loaded
            .objects
            .iter()
            .any(|o| o.source.path.ends_with("base/hello-deployment.yaml"))
    );
}

/// The duplicate case without the corpus: two files define ServiceAccount
/// `monitoring/prometheus-adapter`, one disabling automount, one not (as kube-prometheus and
/// kubernetes-examples' vllm HPA do); the Deployment using it is reported in both orders.
#[test]
fn a_duplicated_service_account_is_judged_on_the_cautious_side() {
    let root = std::env::temp_dir().join(format!("aksguard-duplicate-sa-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let kube_prometheus = root.join("a-kube-prometheus-sa.yaml");
    let vllm = root.join("b-vllm-adapter.yaml");
    std::fs::write(
        &kube_prometheus,
        "apiVersion: v1\nautomountServiceAccountToken: false\nkind: ServiceAccount\nmetadata:\n  \
         name: prometheus-adapter\n  namespace: monitoring\n",
    )
    .unwrap();
    std::fs::write(
        &vllm,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: prometheus-adapter\n  \
         namespace: monitoring\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  \
         name: prometheus-adapter\n  namespace: monitoring\nspec:\n  template:\n    spec:\n      \
         serviceAccountName: prometheus-adapter\n      containers:\n        - name: adapter\n          \
         image: registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0\n",
    )
    .unwrap();
    let (forward, _, loaded) = scan(&[&kube_prometheus, &vllm], &["POD016"]);
    let (backward, _, _) = scan(&[&vllm, &kube_prometheus], &["POD016"]);
    std::fs::remove_dir_all(&root).ok();
    assert_eq!(forward, backward);
    assert_eq!(at(&forward, "b-vllm-adapter.yaml"), ["POD016 14"]);
    assert!(
        forward[0].message.contains(
            "ServiceAccount `monitoring/prometheus-adapter` is defined 2 times and the one at "
        ) && forward[0]
            .message
            .contains("b-vllm-adapter.yaml:1 does not set"),
        "{}",
        forward[0].message
    );
    let inventory = Inventory::new(loaded.objects);
    assert_eq!(inventory.duplicates().len(), 1);
}
