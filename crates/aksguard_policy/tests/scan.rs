//! Policies through the one scan pipeline: findings `GK.<Kind>` with the object's file:line,
//! severities from the annotation and the enforcement action, exceptions and `[severity]` by
//! policy rule ID, referential templates and namespace selectors over the scan's objects, and
//! errors (a template that does not compile, a constraint without its template) that name
//! the file and line while the other policies still run.

use std::path::Path;
use std::sync::Arc;

use aksguard_config::ConfigSource;
use aksguard_model::{Finding, Severity};
use aksguard_policy::{PolicyRules, PolicySet, load_policies};
use aksguard_scan::{Outcome, ScanSettings, SettingsRequest, scan_objects_with};

const TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8snohostnetwork
  annotations:
    metadata.gatekeeper.sh/title: "No host network"
    description: Pods must not share the node's network namespace.
spec:
  crd:
    spec:
      names:
        kind: K8sNoHostNetwork
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8snohostnetwork
        violation[{"msg": msg}] {
          input.review.object.spec.hostNetwork
          msg := sprintf("%v shares the host network (%v)", [input.review.object.metadata.name, input.parameters.why])
        }
"#;

const CONSTRAINTS: &str = r#"apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoHostNetwork
metadata:
  name: deny-host-network
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
    excludedNamespaces: ["kube-*"]
  parameters: {why: "policy"}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoHostNetwork
metadata:
  name: warn-host-network
  annotations:
    aksguard.io/severity: critical
spec:
  enforcementAction: warn
  match:
    namespaceSelector: {matchLabels: {tier: prod}}
  parameters: {why: "prod"}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sMissingTemplate
metadata:
  name: orphan
"#;

const BROKEN: &str = r#"apiVersion: templates.gatekeeper.sh/v1beta1
kind: ConstraintTemplate
metadata:
  name: k8sbroken
spec:
  crd:
    spec:
      names:
        kind: K8sBroken
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sbroken
        violation[{"msg": msg}] {
          msg :=
        }
"#;

const UNIQUE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8suniquename
spec:
  crd:
    spec:
      names:
        kind: K8sUniqueServiceName
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8suniquename
        violation[{"msg": msg}] {
          name := input.review.object.metadata.name
          other := data.inventory.namespace[ns][_]["Service"][name]
          ns != input.review.object.metadata.namespace
          msg := sprintf("service %v also exists in namespace %v", [name, ns])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sUniqueServiceName
metadata:
  name: unique-service-names
spec:
  enforcementAction: dryrun
  match:
    kinds: [{apiGroups: [""], kinds: ["Service"]}]
"#;

const OBJECTS: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {tier: prod}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  hostNetwork: true
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: kube-system
spec:
  hostNetwork: true
  containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: staging}
spec: {ports: [{port: 80}]}
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn scan(config: Option<&str>) -> (Outcome, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    write(&policies, "template.yaml", TEMPLATE);
    write(&policies, "constraints.yaml", CONSTRAINTS);
    write(&policies, "broken.yaml", BROKEN);
    write(&policies, "unique.yaml", UNIQUE);
    let (documents, mut errors) = load_policies(&[policies]);
    let (set, build_errors) = PolicySet::build(&documents);
    errors.extend(build_errors);
    let source = match config {
        None => ConfigSource::Disabled,
        Some(text) => {
            let path = dir.path().join("aksguard.toml");
            write(dir.path(), "aksguard.toml", text);
            ConfigSource::Explicit(path)
        }
    };
    let settings = ScanSettings::resolve(&SettingsRequest {
        source,
        overrides: Default::default(),
        as_of: Some(aksguard_config::parse_date("2026-12-01").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let (objects, load_errors) =
        aksguard_load::load_text("k8s/objects.yaml", OBJECTS, &Default::default());
    assert!(load_errors.is_empty());
    let extra = Arc::new(PolicyRules::new(Arc::new(set)));
    let (_, outcome) = scan_objects_with(
        objects,
        Default::default(),
        &[],
        &settings,
        "k8s",
        Some(extra),
    );
    let shown = errors.iter().map(ToString::to_string).collect();
    (outcome, shown)
}

fn summary(findings: &[Finding]) -> Vec<(String, Severity, u32, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule_id.to_owned(),
                f.severity,
                f.location.line,
                f.message.to_string(),
            )
        })
        .collect()
}

#[test]
fn policy_findings_go_through_the_pipeline() {
    let (outcome, errors) = scan(None);
    let mut found = summary(&outcome.findings);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "GK.K8sNoHostNetwork".into(),
                Severity::High,
                7,
                "web shares the host network (policy)".into()
            ),
            (
                "GK.K8sNoHostNetwork".into(),
                Severity::Critical,
                7,
                "web shares the host network (prod)".into()
            ),
            (
                "GK.K8sUniqueServiceName".into(),
                Severity::Low,
                25,
                "service api also exists in namespace staging".into()
            ),
            (
                "GK.K8sUniqueServiceName".into(),
                Severity::Low,
                30,
                "service api also exists in namespace shop".into()
            ),
        ],
        "{errors:?}"
    );
    let web = outcome
        .findings
        .iter()
        .find(|f| f.location.line == 7)
        .unwrap();
    assert_eq!(&*web.location.path, "k8s/objects.yaml");
    assert_eq!(web.rule.title, "No host network");
    let rule = aksguard_model::find_dynamic_rule("GK.K8sNoHostNetwork").unwrap();
    assert_eq!(
        rule.description,
        "Pods must not share the node's network namespace."
    );
    // The two errors name their file and line; the other policies ran.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("broken.yaml:14:") && e.contains("does not compile")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("constraints.yaml:24:")
                && e.contains("no ConstraintTemplate defines")),
        "{errors:?}"
    );
}

#[test]
fn exceptions_and_severity_overrides_name_policy_rules() {
    let (outcome, _) = scan(Some(
        "[severity]\n\"GK.K8sUniqueServiceName\" = \"medium\"\n\n[[exception]]\nrules = [\"GK.K8sNoHostNetwork\"]\nnamespace = \"shop\"\nreason = \"the CNI runs here\"\n",
    ));
    let found = summary(&outcome.findings);
    assert!(
        found
            .iter()
            .all(|f| f.0 == "GK.K8sUniqueServiceName" && f.1 == Severity::Medium),
        "{found:?}"
    );
    assert_eq!(outcome.suppressed.len(), 2);
    assert!(
        outcome
            .suppressed
            .iter()
            .all(|s| s.finding.rule_id == "GK.K8sNoHostNetwork")
    );
}
