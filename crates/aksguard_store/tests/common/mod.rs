//! Runs and findings for the store tests, and a runtime that bounds each test.

#![allow(dead_code)]

use aksguard_model::Severity;
use aksguard_store::{
    FindingRecord, FrameworkScore, RunError, RunRecord, Store, TargetKind, TargetSpec,
};
use jiff::Timestamp;

pub use aksguard_store::test_support::Scratch;

/// Runs `test` on a fresh multi-thread runtime, failing after `seconds`.
pub fn run_bounded<F: std::future::Future<Output = ()>>(seconds: u64, test: F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(seconds), test)
            .await
            .expect("the test took too long");
    });
}

/// Every scratch store (SQLite, and PostgreSQL when configured), opened.
pub async fn stores() -> Vec<(Scratch, Store)> {
    let mut out = Vec::new();
    for scratch in Scratch::all() {
        let store = Store::open(scratch.location())
            .await
            .unwrap_or_else(|err| panic!("{}: {err}", scratch.engine()));
        out.push((scratch, store));
    }
    out
}

pub fn target(key: &str) -> TargetSpec {
    TargetSpec {
        kind: TargetKind::Cluster,
        key: key.to_string(),
        name: key.trim_start_matches("https://").to_string(),
    }
}

/// A finding on `Deployment/default/<name>` in `manifests.yaml`.
pub fn finding(fingerprint: &str, rule_id: &str, severity: Severity, name: &str) -> FindingRecord {
    FindingRecord {
        fingerprint: fingerprint.to_string(),
        rule_id: rule_id.to_string(),
        severity,
        title: format!("{rule_id} title"),
        message: format!("{name} breaks {rule_id}"),
        api_version: "apps/v1".to_string(),
        kind: "Deployment".to_string(),
        namespace: Some("default".to_string()),
        name: name.to_string(),
        container: Some("app".to_string()),
        path: "manifests.yaml".to_string(),
        line: 1,
        remediation: "fix it".to_string(),
        suppression: None,
    }
}

static UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A run of `target_key` at minute `minute` that judged every rule in `rules`.
pub fn run(
    target_key: &str,
    minute: i64,
    rules: &[&str],
    findings: Vec<FindingRecord>,
) -> RunRecord {
    let n = UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let at = Timestamp::from_second(1_800_000_000 + minute * 60).unwrap();
    RunRecord {
        uid: format!(
            "{:032x}",
            (u128::from(std::process::id()) << 64) | u128::from(n)
        ),
        target: target(target_key),
        started_at: at,
        finished_at: at,
        tool_version: "0.0.0-test".to_string(),
        ruleset_hash: "0".repeat(64),
        rules_judged: rules.iter().map(|r| r.to_string()).collect(),
        commit: None,
        files: 1,
        objects: 3,
        findings,
        errors: Vec::new(),
        vulnerabilities: None,
        attack_paths: None,
        frameworks: vec![FrameworkScore {
            framework: "cis-aks".to_string(),
            score: 87.5,
            assessed: 20,
            controls: 27,
            passed: 15,
            failed: 5,
        }],
    }
}

pub fn error(path: &str) -> RunError {
    RunError {
        path: path.to_string(),
        line: Some(3),
        message: "cannot parse".to_string(),
    }
}

/// Rows of a table, counted through the store's export (targets, runs, findings).
pub async fn exported(store: &Store) -> (u64, u64, u64) {
    let mut out = Vec::new();
    let summary = store.export(&mut out).await.unwrap();
    (summary.targets, summary.runs, summary.findings)
}
