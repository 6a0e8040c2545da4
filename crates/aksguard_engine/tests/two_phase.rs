//! The scan's two phases (per-object rules while loading, then shedding each object's bulk,
//! then the rest over the inventory) find exactly what one pass over untouched objects finds:
//! on every rule fixture in the repository, and on the shared real-world corpus when present.

use std::io;
use std::path::{Path, PathBuf};

use aksguard_engine::{Evaluation, evaluate, select_rules};
use aksguard_load::{Limits, LoadOptions, load_inputs, load_inputs_with, load_text};
use aksguard_model::{Finding, Inventory, Severity};
use aksguard_rules::RuleSettings;

fn settings() -> RuleSettings {
    RuleSettings {
        complete: true,
        ..RuleSettings::default()
    }
}

/// Findings of one pass over objects that keep their bulk.
fn in_one_pass(paths: &[String], settings: &RuleSettings) -> Vec<Finding> {
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(paths, &options, &mut io::empty());
    let rules = select_rules(&[], &[]).expect("all rules");
    let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
    evaluate(&inventory, &rules, settings, Severity::Info)
}

/// Findings of the scan's path: per-object rules as files load, shedding, then the rest.
fn in_two_phases(paths: &[String], settings: &RuleSettings) -> Vec<Finding> {
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let rules = select_rules(&[], &[]).expect("all rules");
    let evaluation = Evaluation::new(&rules, settings, Severity::Info);
    let loaded = load_inputs_with(paths, &options, &mut io::empty(), &|object| {
        evaluation.on_object(object)
    });
    let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
    evaluation.finish(&inventory, loaded.findings)
}

fn assert_same(paths: &[String]) {
    let settings = settings();
    let one = in_one_pass(paths, &settings);
    let two = in_two_phases(paths, &settings);
    assert!(!one.is_empty(), "the inputs produce findings");
    assert_eq!(one.len(), two.len(), "finding counts differ");
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a, b);
    }
}

#[test]
fn shedding_changes_no_finding_on_the_rule_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../aksguard_rules/fixtures");
    // One rule's fixtures at a time: fixtures of different rules reuse names and namespaces.
    let mut dirs: Vec<PathBuf> = Vec::new();
    for family in std::fs::read_dir(&fixtures).expect("fixtures exist") {
        for rule in std::fs::read_dir(family.unwrap().path()).unwrap() {
            dirs.push(rule.unwrap().path());
        }
    }
    dirs.sort();
    assert!(dirs.len() > 100, "found the rule fixtures");
    for dir in dirs {
        let paths = vec![dir.display().to_string()];
        let settings = settings();
        let one = in_one_pass(&paths, &settings);
        let two = in_two_phases(&paths, &settings);
        assert_eq!(one, two, "{}", dir.display());
    }
}

/// A folder of the shared corpus, or None (with a note) where it is absent.
fn shared_corpus(sub: &str) -> Option<String> {
    aksguard_testkit::shared_path(&format!("corpus/{sub}")).map(|dir| dir.display().to_string())
}

#[test]
fn shedding_changes_no_finding_on_the_real_corpus() {
    if let Some(dir) = shared_corpus("real") {
        assert_same(&[dir]);
    }
}

#[test]
fn shedding_changes_no_finding_on_the_peer_fixtures() {
    if let Some(dir) = shared_corpus("peers") {
        assert_same(&[dir]);
    }
}

#[test]
fn shed_bulk_keeps_what_cross_resource_rules_read() {
    let text = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  managedFields:
  - manager: kubectl
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"big": "json"}'
    keep: me
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object}
status:
  acceptedNames: {kind: Widget}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  AZURE_CLIENT_ID: 00000000-0000-0000-0000-000000000000
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx
        securityContext: {privileged: true}
        env: [{name: A, value: b}]
        envFrom: [{configMapRef: {name: settings}}]
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s}
spec:
  podMetadata: {labels: {app: prometheus}}
  retention: 30d
  ruleSelector: {matchLabels: {role: alert-rules}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 2
"#;
    let (mut objects, errors) = load_text("t.yaml", text, &Limits::default());
    assert!(errors.is_empty(), "{errors:?}");
    objects.iter_mut().for_each(|o| o.shed_bulk());
    let crd = &objects[0].root;
    assert!(crd.get("status").is_none());
    assert!(crd.at("metadata.managedFields").is_none());
    let annotations = crd.at("metadata.annotations").unwrap();
    assert_eq!(
        annotations
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .and_then(|n| n.as_str()),
        Some("")
    );
    assert_eq!(annotations.get("keep").and_then(|n| n.as_str()), Some("me"));
    assert_eq!(
        crd.at("spec.scope").and_then(|n| n.as_str()),
        Some("Namespaced")
    );
    assert_eq!(
        crd.at("spec.group").and_then(|n| n.as_str()),
        Some("example.com")
    );
    assert!(crd.at("spec.names.plural").is_some());
    let version = &crd.at("spec.versions").unwrap().items()[0];
    assert_eq!(version.get("name").and_then(|n| n.as_str()), Some("v1"));
    assert!(version.get("schema").is_none());
    let data = objects[1].root.get("data").unwrap();
    let entry = data.entry("AZURE_CLIENT_ID").expect("keys stay");
    assert_eq!(entry.value.as_str(), Some(""));
    assert!(entry.value.pos.line > 0, "positions stay");
    let pod = objects[2].root.at("spec.template.spec").unwrap();
    assert_eq!(
        pod.get("serviceAccountName").and_then(|n| n.as_str()),
        Some("web"),
        "pod-level fields stay"
    );
    let container = &pod.get("containers").unwrap().items()[0];
    let kept: Vec<&str> = container.entries().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(kept, ["name", "env", "envFrom"]);
    let operator_spec = objects[3].root.get("spec").unwrap();
    let kept: Vec<&str> = operator_spec
        .entries()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(
        kept,
        ["podMetadata"],
        "custom resources keep their pods' labels"
    );
    let scaler = objects[4].root.get("spec").unwrap();
    assert!(
        scaler.get("minReplicaCount").is_some(),
        "custom resources read across objects keep their spec"
    );
}
