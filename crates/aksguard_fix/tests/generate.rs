//! `--generate` through the real scan pipeline: the generated objects clear the absence
//! findings they answer when the scan is run again with them, nothing is generated that a
//! namespace already has, and a written file is never replaced.

use aksguard_config::{CliOverrides, ConfigSource, parse_date};
use aksguard_fix::generate::{generate, write};
use aksguard_load::{Limits, load_text};
use aksguard_model::{Finding, Object};
use aksguard_scan::{ScanSettings, SettingsRequest, scan_objects};

const RULES: &[&str] = &[
    "NET001", "NET002", "NET003", "NS003", "POD016", "IDN003", "IDN004", "REL004",
];

const MANIFESTS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example/api:1.0
---
apiVersion: v1
kind: Pod
metadata:
  name: loose
spec:
  containers:
    - name: loose
      image: registry.example/loose:1.0
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: billing
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: billing
spec:
  replicas: 1
  selector:
    matchLabels: {app: ledger}
  template:
    metadata:
      labels: {app: ledger}
    spec:
      automountServiceAccountToken: true
      serviceAccountName: ledger
      containers:
        - name: ledger
          image: registry.example/ledger:1.0
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ledger
  namespace: billing
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: q
  namespace: billing
spec:
  hard: {pods: \"10\"}
";

fn settings() -> ScanSettings {
    ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides {
            select: RULES.iter().map(|r| r.to_string()).collect(),
            complete: true,
            ..CliOverrides::default()
        },
        as_of: Some(parse_date("2026-12-06").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap()
}

fn objects(path: &str, text: &str) -> Vec<Object> {
    let (objects, errors) = load_text(path, text, &Limits::default());
    assert!(errors.is_empty(), "{path}: {errors:?}");
    objects
}

fn scan(objects: Vec<Object>) -> (aksguard_model::Inventory, Vec<Finding>) {
    let settings = settings();
    let rules = settings.effective.rules.clone();
    let (inventory, outcome) = scan_objects(objects, Default::default(), &rules, &settings, "test");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    (inventory, outcome.findings)
}

fn ids(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}/{}", f.rule_id, f.object.kind, f.object.name))
        .collect();
    out.sort();
    out
}

#[test]
fn generated_objects_clear_the_absence_findings_on_a_rescan() {
    let (inventory, before) = scan(objects("app.yaml", MANIFESTS));
    let before_ids = ids(&before);
    for expected in [
        "NET001 Namespace/shop",
        "NET002 Namespace/shop",
        "NET003 Namespace/shop",
        "NS003 Namespace/shop",
        "POD016 Deployment/web",
        "IDN003 Deployment/web",
        "IDN004 Deployment/api",
        "REL004 Deployment/web",
        "REL004 Deployment/api",
        "NET001 Namespace/(unspecified)",
        "NET002 Namespace/billing",
        "POD016 Deployment/ledger",
    ] {
        assert!(
            before_ids.iter().any(|i| i == expected),
            "{expected} in {before_ids:#?}"
        );
    }
    assert!(!before_ids.iter().any(|i| i == "NET001 Namespace/billing"));

    let generated = generate(&inventory, &before);
    let names: Vec<&str> = generated
        .files
        .iter()
        .map(|f| f.file_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "aksguard-generated-unspecified-namespace.yaml",
            "aksguard-generated-billing.yaml",
            "aksguard-generated-shop.yaml"
        ]
    );
    let billing = &generated.files[1];
    assert_eq!(
        billing.objects,
        ["NetworkPolicy/default-deny-egress"],
        "billing has the rest"
    );
    let shop = &generated.files[2];
    assert_eq!(
        shop.objects,
        [
            "NetworkPolicy/default-deny-egress",
            "NetworkPolicy/default-deny-ingress",
            "ResourceQuota/compute-quota",
            "LimitRange/container-defaults",
            "ServiceAccount/api",
            "ServiceAccount/default",
            "ServiceAccount/web",
            "PodDisruptionBudget/api-pdb",
            "PodDisruptionBudget/web-pdb",
        ]
    );
    assert!(shop.text.contains("169.254.169.254/32"));
    assert!(
        shop.text
            .contains("protocol: UDP\n          port: 53\n        - protocol: TCP")
    );
    assert!(
        !generated.files[0].text.contains("\n  namespace:"),
        "{}",
        generated.files[0].text
    );
    let notes = generated.notes.join("\n");
    assert!(notes.contains("serviceAccountName: web"), "{notes}");
    assert!(
        notes.contains("automountServiceAccountToken: true on the pod"),
        "{notes}"
    );

    let dir = tempfile::tempdir().unwrap();
    let written = write(dir.path(), &generated).unwrap();
    assert_eq!(written.len(), 3);
    let mut all = objects("app.yaml", MANIFESTS);
    for path in &written {
        let text = std::fs::read_to_string(path).unwrap();
        all.extend(objects(&path.display().to_string(), &text));
    }
    let (_, after) = scan(all);
    let left = ids(&after);
    // What stays: the workload must name its new account (a manifest edit, not a new
    // object), and a pod that forces its token on overrides any account.
    assert_eq!(
        left,
        [
            "IDN003 Deployment/web",
            "IDN003 Pod/loose",
            "POD016 Deployment/ledger"
        ],
        "{left:#?}"
    );

    let again = write(dir.path(), &generated).expect_err("files exist");
    assert!(again.contains("never overwrites"), "{again}");
}

#[test]
fn nothing_is_generated_without_findings() {
    let (inventory, _) = scan(objects("app.yaml", MANIFESTS));
    assert_eq!(generate(&inventory, &[]), Default::default());
}
