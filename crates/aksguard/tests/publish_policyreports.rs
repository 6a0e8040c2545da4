//! `aksguard scan --cluster --publish-policyreports` against aksguard-fakekube (TLS, bearer
//! token): the reports are applied by server-side apply and read back with GETs, a namespace
//! that is clean on the next run loses its stale report while other tools' reports stay, and a
//! missing CRD or a 403 is a clear error (exit 2) that leaves the report on stdout whole.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aksguard_fakekube::{Background, Cluster, Declared, Faults, Options, Store, StoreOptions};
use assert_cmd::Command;
use serde_json::{Value, json};

const TOKEN: &str = "fakekube-publish-token-0123456789";
const CONTEXT: &str = "publish";
const REPORTS: &str = "/apis/wgpolicyk8s.io/v1alpha2";

fn aksguard() -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-11-24")
        .env_remove("KUBECONFIG")
        .timeout(Duration::from_secs(120));
    cmd
}

/// `shop`: a privileged Deployment (POD001 and more); `batch`: a Pod that escalates privileges
/// but is not privileged (no POD001).
fn cluster() -> Declared {
    let mut cluster = Cluster::new();
    cluster.add(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"containers": [{"name": "app", "image": "myacr.azurecr.io/web:1.0",
                                                              "securityContext": {"privileged": true}}]}}}}),
        "test",
    );
    cluster.add(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "job", "namespace": "batch"},
               "spec": {"containers": [{"name": "main", "image": "myacr.azurecr.io/job:1.0",
                                        "securityContext": {"allowPrivilegeEscalation": true}}]}}),
        "test",
    );
    cluster.finish()
}

struct Served {
    server: Background,
    dir: tempfile::TempDir,
}

impl Served {
    fn start(policy_reports: bool, faults: Faults) -> Served {
        aksguard_fakekube::install_crypto_provider();
        let server = Background::start(
            Store::build(&cluster(), StoreOptions::default()),
            Options {
                token: Some(TOKEN.to_owned()),
                faults,
                policy_reports,
                ..Options::default()
            },
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        server
            .write_kubeconfig(&dir.path().join("kubeconfig"), CONTEXT)
            .unwrap();
        Served { server, dir }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// `scan --cluster --publish-policyreports` with `extra`: (exit code, stdout, stderr).
    fn publish(&self, extra: &[&str]) -> (i32, String, String) {
        let output = aksguard()
            .args([
                "scan",
                "--cluster",
                "--publish-policyreports",
                "--kubeconfig",
            ])
            .arg(self.kubeconfig())
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "the token leaked"
        );
        (output.status.code().unwrap_or(-1), stdout, stderr)
    }

    /// A request to the server as any client makes it (HTTPS, its CA, the bearer token).
    fn request(&self, method: &str, path: &str, body: Option<String>) -> (u16, Value) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let ca = self.server.ca_pem.as_ref().unwrap();
            let client = reqwest::Client::builder()
                .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()])
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let url = format!("{}{path}", self.server.url());
            let mut request = client
                .request(method.parse().unwrap(), url)
                .bearer_auth(TOKEN);
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/apply-patch+yaml")
                    .body(body);
            }
            let response = request.send().await.unwrap();
            let code = response.status().as_u16();
            let body = response.bytes().await.unwrap();
            (code, serde_json::from_slice(&body).unwrap_or(Value::Null))
        })
    }

    fn get(&self, path: &str) -> (u16, Value) {
        self.request("GET", path, None)
    }

    /// Names of the requests with `method` whose path contains `part`.
    fn requests(&self, method: &str, part: &str) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.contains(part))
            .map(|r| format!("{}?{} -> {}", r.path, r.query, r.status))
            .collect()
    }
}

fn policies(report: &Value) -> Vec<&str> {
    report["results"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .filter_map(|r| r["policy"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn reports_are_applied_and_stale_ones_deleted_on_the_next_run() {
    let served = Served::start(true, Faults::default());
    // Another tool's report, which no aksguard run may touch.
    let (code, _) = served.request(
        "PATCH",
        &format!("{REPORTS}/namespaces/batch/policyreports/kyverno-batch?fieldManager=kyverno"),
        Some(
            "apiVersion: wgpolicyk8s.io/v1alpha2\nkind: PolicyReport\nmetadata: {name: kyverno-batch, labels: {app.kubernetes.io/managed-by: kyverno}}\nresults: []\n"
                .to_owned(),
        ),
    );
    assert_eq!(code, 201);

    let (code, stdout, stderr) = served.publish(&["--format", "policyreport"]);
    assert_eq!(code, 1, "findings at high and above: {stderr}");
    // The report on stdout is --format's, the same objects.
    for name in ["aksguard-shop", "aksguard-batch", "aksguard-cluster"] {
        assert!(stdout.contains(&format!("name: {name}")), "{stdout}");
    }
    assert!(
        stderr.contains(&format!(
            "note: applied 3 PolicyReport object(s) to cluster `{CONTEXT}`"
        )),
        "{stderr}"
    );
    let patches = served.requests("PATCH", "aksguard-");
    assert_eq!(patches.len(), 3, "{patches:?}");
    for patch in &patches {
        assert!(
            patch.contains("fieldManager=aksguard&force=true") && patch.ends_with("-> 201"),
            "{patch}"
        );
    }

    // Readable back, as any client reads them.
    let (code, shop) = served.get(&format!(
        "{REPORTS}/namespaces/shop/policyreports/aksguard-shop"
    ));
    assert_eq!(code, 200, "{shop}");
    assert_eq!(shop["kind"], "PolicyReport");
    assert_eq!(
        shop["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "aksguard"
    );
    assert_eq!(shop["metadata"]["managedFields"][0]["manager"], "aksguard");
    assert!(policies(&shop).contains(&"POD001"), "{shop}");
    assert!(shop["results"][0]["resources"][0]["name"] == "web");
    let (code, batch) = served.get(&format!(
        "{REPORTS}/namespaces/batch/policyreports/aksguard-batch"
    ));
    assert_eq!(code, 200);
    assert!(!policies(&batch).contains(&"POD001"), "{batch}");
    assert!(policies(&batch).contains(&"POD002"), "{batch}");
    let (code, cluster) = served.get(&format!("{REPORTS}/clusterpolicyreports/aksguard-cluster"));
    assert_eq!(code, 200);
    assert_eq!(cluster["kind"], "ClusterPolicyReport");

    // Next run: only POD001, so `batch` is clean now and its report is stale.
    let (code, _, stderr) = served.publish(&["--format", "json", "--select", "POD001"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("deleted 1 stale: batch/aksguard-batch"),
        "{stderr}"
    );
    let (code, _) = served.get(&format!(
        "{REPORTS}/namespaces/batch/policyreports/aksguard-batch"
    ));
    assert_eq!(code, 404, "the stale report is gone");
    let deletes = served.requests("DELETE", "");
    assert_eq!(
        deletes,
        [format!(
            "{REPORTS}/namespaces/batch/policyreports/aksguard-batch? -> 200"
        )]
    );
    let (code, shop) = served.get(&format!(
        "{REPORTS}/namespaces/shop/policyreports/aksguard-shop"
    ));
    assert_eq!(code, 200);
    assert_eq!(
        policies(&shop).iter().filter(|p| **p != "POD001").count(),
        0
    );
    let (code, kyverno) = served.get(&format!(
        "{REPORTS}/namespaces/batch/policyreports/kyverno-batch"
    ));
    assert_eq!(code, 200, "another tool's report stays: {kyverno}");
    // The stale ones were found by their label, across namespaces.
    let lists = served.requests("GET", "/policyreports");
    assert!(
        lists.iter().any(|l| l.contains(&format!(
            "{REPORTS}/policyreports?labelSelector=app.kubernetes.io%2Fmanaged-by%3Daksguard&limit=500"
        ))),
        "{lists:?}"
    );
}

#[test]
fn a_namespace_scan_deletes_stale_reports_only_in_its_namespaces() {
    let served = Served::start(true, Faults::default());
    let (code, _, stderr) = served.publish(&["--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    // `-n shop` says nothing about `batch`: its report stays.
    let (code, _, stderr) = served.publish(&["--format", "json", "-n", "shop"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("stale"), "{stderr}");
    let (code, _) = served.get(&format!(
        "{REPORTS}/namespaces/batch/policyreports/aksguard-batch"
    ));
    assert_eq!(code, 200);
}

#[test]
fn missing_crds_are_a_clear_error_and_the_report_stays_whole() {
    let served = Served::start(false, Faults::default());
    let (code, stdout, stderr) = served.publish(&["--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: cannot publish the PolicyReports: the wgpolicyk8s.io/v1alpha2 PolicyReport CRD is not installed"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).expect("the JSON report is whole");
    assert!(
        report["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["rule_id"] == "POD001")),
        "{stdout}"
    );
    assert!(served.requests("PATCH", "").is_empty());
}

#[test]
fn a_forbidden_patch_is_a_clear_error_and_the_report_stays_whole() {
    let served = Served::start(
        true,
        Faults {
            forbidden: vec!["policyreports.wgpolicyk8s.io".to_owned()],
            ..Faults::default()
        },
    );
    let (code, stdout, stderr) = served.publish(&["--format", "policyreport"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot patch PolicyReport batch/aksguard-batch: the credentials may not `patch` policyreports.wgpolicyk8s.io in namespace `batch`"),
        "{stderr}"
    );
    assert!(stderr.contains("403 Forbidden"), "{stderr}");
    assert!(stdout.contains("name: aksguard-cluster"), "{stdout}");
    // Nothing deleted after a failed apply.
    assert!(served.requests("DELETE", "").is_empty());
}

#[test]
fn publishing_needs_the_cluster_flag() {
    let output = aksguard()
        .args([
            "scan",
            "--publish-policyreports",
            "crates/aksguard_rules/fixtures",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--cluster"), "{stderr}");
}

#[test]
fn a_partial_scan_applies_its_reports_but_deletes_none() {
    // Deployments may not be listed: the scan is partial, so a namespace that looks clean may
    // only be unseen, and an earlier report of aksguard's must stay.
    let served = Served::start(
        true,
        Faults {
            forbidden: vec!["deployments.apps".to_owned()],
            ..Faults::default()
        },
    );
    let (code, _) = served.request(
        "PATCH",
        &format!("{REPORTS}/namespaces/batch/policyreports/aksguard-old?fieldManager=aksguard"),
        Some(
            "apiVersion: wgpolicyk8s.io/v1alpha2\nkind: PolicyReport\nmetadata: {name: aksguard-old, labels: {app.kubernetes.io/managed-by: aksguard}}\nresults: []\n"
                .to_owned(),
        ),
    );
    assert_eq!(code, 201);
    let (code, _, stderr) = served.publish(&["--format", "json"]);
    assert_eq!(code, 2, "the forbidden kind is an error: {stderr}");
    assert!(stderr.contains("stale reports kept"), "{stderr}");
    assert!(served.requests("DELETE", "").is_empty());
    let (code, _) = served.get(&format!(
        "{REPORTS}/namespaces/batch/policyreports/aksguard-old"
    ));
    assert_eq!(code, 200, "the earlier report stays");
}
