//! Test harness: a store (on each engine) seeded with a small history through
//! `Store::record`, a server on 127.0.0.1:0 over it, and helpers to ask it and to check
//! answers against the OpenAPI document.

#![allow(dead_code)]

use std::time::Duration;

use aksguard_model::Severity;
use aksguard_server::{Running, ServeOptions, Token, start};
use aksguard_store::test_support::Scratch;
use aksguard_store::{
    AttackPaths, FindingRecord, FrameworkScore, RunError, RunRecord, Store, StoredPath, TargetKind,
    TargetSpec, VulnSummary,
};
use jiff::Timestamp;
use serde_json::Value;

/// The token of the servers that have one.
pub const TOKEN: &str = "s3cr3t-t0ken-for-the-tests-0123456789";

pub const DAY_MS: i64 = 86_400_000;

/// What [`seed`] wrote: IDs the tests ask for.
pub struct Seeded {
    pub alpha: i64,
    pub beta: i64,
    pub alpha_first: i64,
    pub alpha_second: i64,
    pub beta_only: i64,
}

pub fn finding(
    fingerprint: &str,
    rule: &str,
    severity: Severity,
    namespace: &str,
    name: &str,
    message: &str,
) -> FindingRecord {
    FindingRecord {
        fingerprint: fingerprint.to_owned(),
        rule_id: rule.to_owned(),
        severity,
        title: format!("{rule} title"),
        message: message.to_owned(),
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        namespace: Some(namespace.to_owned()),
        name: name.to_owned(),
        container: Some("app".into()),
        path: "deploy.yaml".into(),
        line: 7,
        remediation: format!("fix {rule}"),
        suppression: None,
    }
}

fn run(
    uid: &str,
    target: &TargetSpec,
    finished_ms: i64,
    findings: Vec<FindingRecord>,
    errors: Vec<RunError>,
) -> RunRecord {
    let finished_at = Timestamp::from_millisecond(finished_ms).unwrap();
    let started_at = Timestamp::from_millisecond(finished_ms - 2_000).unwrap();
    RunRecord {
        uid: uid.to_owned(),
        target: target.clone(),
        started_at,
        finished_at,
        tool_version: "0.1.0".into(),
        ruleset_hash: "ab".repeat(32),
        rules_judged: ["POD001", "POD006", "POD024", "NET001", "RBAC002"]
            .map(String::from)
            .to_vec(),
        commit: None,
        files: 3,
        objects: 12,
        findings,
        errors,
        vulnerabilities: None,
        attack_paths: None,
        frameworks: vec![FrameworkScore {
            framework: "cis-aks".into(),
            score: 71.5,
            assessed: 20,
            controls: 30,
            passed: 14,
            failed: 6,
        }],
    }
}

/// Two targets: `alpha` (two runs a day apart, scanned an hour ago: one finding fixed, one
/// new whose message holds markup, a loading error, a suppressed finding; the second run
/// has attack paths, one of them with markup, and a vulnerability report) and `beta` (one
/// run thirty days ago: stale).
pub async fn seed(store: &Store) -> Seeded {
    let now = Timestamp::now().as_millisecond();
    let alpha = TargetSpec {
        kind: TargetKind::Cluster,
        key: "https://alpha.example:443".into(),
        name: "alpha".into(),
    };
    let beta = TargetSpec {
        kind: TargetKind::Repository,
        key: "/src/beta".into(),
        name: "beta".into(),
    };
    let mut suppressed = finding(
        "00000000000000a4",
        "POD024",
        Severity::Low,
        "db",
        "store",
        "low",
    );
    suppressed.suppression = Some("exception: accepted until June".into());
    let first = vec![
        finding(
            "00000000000000a1",
            "POD001",
            Severity::Critical,
            "web",
            "api",
            "privileged container",
        ),
        finding(
            "00000000000000a2",
            "POD006",
            Severity::High,
            "web",
            "api",
            "no resource limits",
        ),
        finding(
            "00000000000000a3",
            "POD024",
            Severity::Low,
            "db",
            "store",
            "no probes",
        ),
        suppressed.clone(),
    ];
    let second = vec![
        finding(
            "00000000000000a1",
            "POD001",
            Severity::Critical,
            "web",
            "api",
            "privileged container",
        ),
        finding(
            "00000000000000a3",
            "POD024",
            Severity::Low,
            "db",
            "store",
            "no probes",
        ),
        finding(
            "00000000000000a5",
            "NET001",
            Severity::Medium,
            "db",
            "<script>alert(1)</script>",
            "namespace has no NetworkPolicy <b>x</b>",
        ),
        suppressed,
    ];
    let errors = vec![RunError {
        path: "broken.yaml".into(),
        line: Some(3),
        message: "not YAML".into(),
    }];
    let a1 = store
        .record(&run(
            "uid-alpha-1",
            &alpha,
            now - DAY_MS - 3_600_000,
            first,
            vec![],
        ))
        .await
        .expect("record alpha 1");
    // Only the second run computed attack paths and had a `--vulns` report: the first
    // answers "not computed" / "no report", never zeros.
    let mut second_run = run("uid-alpha-2", &alpha, now - 3_600_000, second, errors);
    second_run.attack_paths = Some(AttackPaths {
        total: 3,
        top: vec![
            StoredPath {
                risk: 10.0,
                chain: "internet → Service/web/<script>alert(1)</script> (NET006) → \
                        Permission/cluster-admin (RBAC001)"
                    .into(),
            },
            StoredPath {
                risk: 8.0,
                chain: "internet → Service/web/api (NET006) → Node/host (POD001)".into(),
            },
        ],
    });
    second_run.vulnerabilities = Some(VulnSummary {
        reports: 1,
        images: 2,
        critical: 1,
        high: 3,
        medium: 4,
        low: 5,
        fixable: 2,
        containers: 1,
    });
    let a2 = store.record(&second_run).await.expect("record alpha 2");
    let b1 = store
        .record(&run(
            "uid-beta-1",
            &beta,
            now - 30 * DAY_MS,
            vec![finding(
                "00000000000000b1",
                "RBAC002",
                Severity::High,
                "kube-system",
                "admin",
                "wildcard verbs",
            )],
            vec![],
        ))
        .await
        .expect("record beta 1");
    Seeded {
        alpha: a1.target_id,
        beta: b1.target_id,
        alpha_first: a1.run_id,
        alpha_second: a2.run_id,
        beta_only: b1.run_id,
    }
}

/// A seeded store of `scratch`.
pub async fn seeded(scratch: &Scratch) -> (Store, Seeded) {
    let store = Store::open(scratch.location())
        .await
        .unwrap_or_else(|e| panic!("{}: open: {e}", scratch.engine()));
    let seeded = seed(&store).await;
    (store, seeded)
}

/// Serves `store` on 127.0.0.1:0 with `adjust` applied to the options.
pub async fn serve(store: Store, adjust: impl FnOnce(&mut ServeOptions)) -> Running {
    let mut options = ServeOptions::new("127.0.0.1:0".parse().unwrap());
    options.grace = Duration::from_secs(2);
    adjust(&mut options);
    tokio::time::timeout(Duration::from_secs(10), start(options, store))
        .await
        .expect("server starts in time")
        .expect("server starts")
}

pub fn with_token(options: &mut ServeOptions) {
    options.token = Some(Token::new(TOKEN).unwrap());
}

/// A client that follows no redirects (the tests look at them) and gives up after 10 s.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// GET `path` → status, headers and body (JSON when it parses, else a string).
pub async fn get(
    client: &reqwest::Client,
    base: &str,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = client.get(format!("{base}{path}")).send().await.unwrap();
    answer(response).await
}

pub async fn answer(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

/// The served OpenAPI document.
pub fn openapi() -> Value {
    serde_json::from_str(aksguard_server::api::OPENAPI).unwrap()
}

/// Checks `instance` against the document's schema `name` (components/schemas), listing
/// every violation.
pub fn assert_valid(document: &Value, name: &str, instance: &Value) {
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document["components"],
        "$ref": format!("#/components/schemas/{name}"),
    });
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "answer does not match schema {name}:\n{}\n{instance:#}",
        errors.join("\n")
    );
}
