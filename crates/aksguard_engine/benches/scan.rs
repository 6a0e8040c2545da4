//! Micro-benchmarks: the loader alone (`parse_only`, the floor), the rule engine over loaded
//! objects, a full in-process scan (load + rules), and report rendering.
//!
//! Inputs are generated here, never read from the corpus, so numbers are comparable across
//! machines and commits. `cargo bench -p aksguard_engine -- --quick` for a fast pass;
//! compare `full_scan/*` with `parse_only/*` for the cost of the rules.

use std::hint::black_box;

use aksguard_engine::{evaluate, select_rules};
use aksguard_load::{Limits, load_text};
use aksguard_model::{Finding, Fingerprint, Inventory, Location, ObjectRef, Severity};
use aksguard_report::table::TableOptions;
use aksguard_report::{ScanReport, json, table};
use aksguard_rules::{Rule, RuleSettings, all_rules};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const STREAM_DEPLOYMENTS: usize = 1_000;
const BIG_DEPLOYMENT_CONTAINERS: usize = 500;
const REPORT_FINDINGS: usize = 3_000;

/// One container, varied so rules take different paths (some hardened, some not).
fn container(out: &mut String, indent: &str, i: usize) {
    let image = match i % 4 {
        0 => format!("myregistry.azurecr.io/team/app-{i}:1.{i}.0"),
        1 => format!("nginx:1.{}", i % 30),
        2 => "busybox:latest".to_owned(),
        _ => format!(
            "mcr.microsoft.com/oss/app-{i}@sha256:{}",
            "0123456789abcdef".repeat(4)
        ),
    };
    out.push_str(&format!(
        "{indent}- name: c{i}
{indent}  image: {image}
{indent}  imagePullPolicy: IfNotPresent
{indent}  ports:
{indent}  - containerPort: {port}
{indent}    protocol: TCP
{indent}  env:
{indent}  - name: MODE
{indent}    value: production
{indent}  - name: DB_PASSWORD
{indent}    valueFrom:
{indent}      secretKeyRef: {{name: db, key: password}}
{indent}  resources:
{indent}    requests: {{cpu: 100m, memory: 128Mi}}
{indent}    limits: {{cpu: 500m, memory: 256Mi}}
{indent}  readinessProbe:
{indent}    httpGet: {{path: /healthz, port: {port}}}
{indent}  volumeMounts:
{indent}  - name: data
{indent}    mountPath: /data
",
        port = 8000 + i % 1000,
    ));
    if i.is_multiple_of(3) {
        out.push_str(&format!(
            "{indent}  securityContext:
{indent}    privileged: {privileged}
{indent}    allowPrivilegeEscalation: false
{indent}    readOnlyRootFilesystem: true
{indent}    runAsNonRoot: true
{indent}    capabilities:
{indent}      drop: [ALL]
{indent}      add: [NET_BIND_SERVICE]
",
            privileged = i.is_multiple_of(9)
        ));
    }
}

/// A Deployment with `containers` containers.
fn deployment(out: &mut String, i: usize, containers: usize) {
    out.push_str(&format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels: {{app: app-{i}, tier: backend}}
  annotations:
    description: generated for benchmarks
spec:
  replicas: 3
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      serviceAccountName: app-{i}
      hostNetwork: {host}
      securityContext:
        runAsUser: {uid}
        fsGroup: 2000
        seccompProfile: {{type: RuntimeDefault}}
      volumes:
      - name: data
        emptyDir: {{}}
      containers:
",
        ns = i % 20,
        host = i.is_multiple_of(50),
        uid = if i.is_multiple_of(7) { 0 } else { 10_000 + i },
    ));
    for c in 0..containers {
        container(out, "      ", i * containers + c);
    }
}

/// `n` Deployments of two containers each, as one `---`-separated stream.
fn deployment_stream(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str("---\n");
        deployment(&mut out, i, 2);
    }
    out
}

fn load(text: &str) -> Inventory {
    let (objects, errors) = load_text("bench.yaml", text, &Limits::default());
    assert!(errors.is_empty(), "generated YAML must load: {errors:?}");
    Inventory::new(objects)
}

fn rules() -> Vec<&'static Rule> {
    select_rules(&[], &[]).expect("all rules")
}

fn scan(inventory: &Inventory, rules: &[&'static Rule], settings: &RuleSettings) -> Vec<Finding> {
    evaluate(inventory, rules, settings, Severity::Info)
}

fn bench_stream(c: &mut Criterion) {
    let text = deployment_stream(STREAM_DEPLOYMENTS);
    let objects = load(&text);
    assert_eq!(objects.len(), STREAM_DEPLOYMENTS);
    let rules = rules();
    let settings = RuleSettings::default();
    let label = format!("{STREAM_DEPLOYMENTS}_deployments");

    let mut group = c.benchmark_group("stream");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(BenchmarkId::new("parse_only", &label), |b| {
        b.iter(|| load(black_box(&text)))
    });
    group.bench_function(BenchmarkId::new("rules_only", &label), |b| {
        b.iter(|| scan(black_box(&objects), &rules, &settings))
    });
    group.bench_function(BenchmarkId::new("full_scan", &label), |b| {
        b.iter(|| scan(&load(black_box(&text)), &rules, &settings))
    });
    group.finish();
}

fn bench_big_deployment(c: &mut Criterion) {
    let mut text = String::new();
    deployment(&mut text, 1, BIG_DEPLOYMENT_CONTAINERS);
    let objects = load(&text);
    let rules = rules();
    let settings = RuleSettings::default();
    let label = format!("{BIG_DEPLOYMENT_CONTAINERS}_containers");

    let mut group = c.benchmark_group("big_deployment");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(BenchmarkId::new("parse_only", &label), |b| {
        b.iter(|| load(black_box(&text)))
    });
    group.bench_function(BenchmarkId::new("rules_only", &label), |b| {
        b.iter(|| scan(black_box(&objects), &rules, &settings))
    });
    group.bench_function(BenchmarkId::new("full_scan", &label), |b| {
        b.iter(|| scan(&load(black_box(&text)), &rules, &settings))
    });
    group.finish();
}

/// `n` findings spread over files and objects like a large real scan.
fn synthetic_report(n: usize) -> ScanReport {
    let rules = all_rules();
    let findings = (0..n)
        .map(|i| {
            let rule = rules[i % rules.len()];
            Finding {
                rule_id: rule.id,
                severity: rule.severity,
                rule: rule.text(),
                message: format!("container `c{i}` breaks {} (finding {i})", rule.slug).into(),
                object: std::sync::Arc::new(ObjectRef {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into(),
                    namespace: Some(format!("team-{}", i % 20).into()),
                    name: format!("app-{}", i / 10).into(),
                }),
                container: Some(format!("c{i}").into()),
                location: Location {
                    path: format!("manifests/app-{}.yaml", i / 50).into(),
                    line: u32::try_from(i % 400 + 1).unwrap(),
                    column: 7,
                    template: i
                        .is_multiple_of(3)
                        .then(|| "chart/templates/deployment.yaml".into()),
                },
                fingerprint: Fingerprint(i as u64),
                fix: None,
                on_attack_path: false,
            }
        })
        .collect();
    ScanReport {
        findings,
        errors: Vec::new(),
        files: n / 50 + 1,
        objects: n / 10 + 1,
        rules: all_rules().to_vec(),
        ..ScanReport::default()
    }
}

fn bench_reports(c: &mut Criterion) {
    let report = synthetic_report(REPORT_FINDINGS);
    let label = format!("{REPORT_FINDINGS}_findings");
    let mut group = c.benchmark_group("report");
    group.throughput(Throughput::Elements(REPORT_FINDINGS as u64));
    group.bench_function(BenchmarkId::new("json", &label), |b| {
        b.iter(|| json::render(black_box(&report)))
    });
    group.bench_function(BenchmarkId::new("table", &label), |b| {
        b.iter(|| {
            table::render(
                black_box(&report),
                TableOptions {
                    color: false,
                    compact: false,
                    show_suppressed: false,
                },
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_stream, bench_big_deployment, bench_reports);
criterion_main!(benches);
