//! `aksguard scan --cluster` against aksguard-fakekube, a local Kubernetes API server speaking
//! the real protocol over TLS with a bearer token:
//! - equivalence: the served cluster gives the same findings (rule, object, container) as
//!   `scan --complete` over the same objects written as files, over the rule fixtures and over
//!   `../shared/corpus/real`; every excluded difference is named and counted;
//! - faults through the CLI: 403 on one kind, 410 mid-list, a 429 storm, a stalled server,
//!   401, a malformed page: each a clear error or a completed scan, nothing lost from the rest,
//!   no token in any output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aksguard_fakekube::{
    Background, Cluster, Declared, Expire, Faults, Malformed, Options, Stall, Store, StoreOptions,
    Throttle,
};
use assert_cmd::Command;
use serde_json::{Value, json};

const TOKEN: &str = "fakekube-test-token-0123456789";
const CONTEXT: &str = "equivalence";
/// Rules that judge files only (they need Secret contents, which a live scan never reads).
const FILE_ONLY_RULES: &[&str] = &["SEC003", "SEC004"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn aksguard() -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-11-24")
        .env_remove("KUBECONFIG")
        .timeout(Duration::from_secs(240));
    cmd
}

/// A served cluster, its kubeconfig and the same objects as files.
struct Served {
    server: Background,
    dir: tempfile::TempDir,
}

impl Served {
    fn start(declared: &Declared, faults: Faults) -> Served {
        aksguard_fakekube::install_crypto_provider();
        let store = Store::build(declared, StoreOptions::default());
        let server = Background::start(
            store,
            Options {
                token: Some(TOKEN.to_owned()),
                faults,
                ..Options::default()
            },
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        server
            .write_kubeconfig(&dir.path().join("kubeconfig"), CONTEXT)
            .unwrap();
        declared.write_yaml(&dir.path().join("files")).unwrap();
        Served { server, dir }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    fn files(&self) -> PathBuf {
        self.dir.path().join("files")
    }

    fn live(&self, extra: &[&str]) -> Outcome {
        let mut cmd = aksguard();
        cmd.args(["scan", "--cluster", "--kubeconfig"])
            .arg(self.kubeconfig())
            .args(["--format", "json"])
            .args(extra);
        Outcome::of(&mut cmd)
    }

    fn scan_files(&self) -> Outcome {
        let mut cmd = aksguard();
        cmd.args(["scan", "--complete", "--format", "json"])
            .arg(self.files());
        Outcome::of(&mut cmd)
    }

    fn no_secret_was_requested(&self) {
        let requests = self.server.requests();
        assert!(!requests.is_empty());
        // Core Secrets only: `/api/v1/secrets`, `/api/v1/namespaces/NS/secrets[/NAME]`
        // (secrets-store.csi.x-k8s.io's SecretProviderClasses hold no secret value).
        let secrets: Vec<_> = requests
            .iter()
            .filter(|r| {
                let segments: Vec<&str> = r.path.trim_matches('/').split('/').collect();
                segments.starts_with(&["api", "v1"]) && segments.contains(&"secrets")
            })
            .collect();
        assert!(
            secrets.is_empty(),
            "the live scan must never list Secrets: {secrets:?}"
        );
    }
}

struct Outcome {
    code: i32,
    report: Value,
    stderr: String,
}

impl Outcome {
    fn of(cmd: &mut Command) -> Outcome {
        let output = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "the token leaked"
        );
        let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        Outcome {
            code: output.status.code().unwrap_or(-1),
            report,
            stderr,
        }
    }

    fn findings(&self) -> &[Value] {
        self.report["findings"]
            .as_array()
            .map_or(&[], Vec::as_slice)
    }

    /// Errors of the report and stderr, as one text to search.
    fn errors_text(&self) -> String {
        format!("{}\n{}", self.report["errors"], self.stderr)
    }

    fn not_judged_text(&self) -> String {
        self.report["not_judged"].to_string()
    }
}

/// What makes two findings the same across sources: rule, object, container.
type Key = (String, String, String, String, String);

fn key(finding: &Value) -> Key {
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    (
        text(&finding["rule_id"]),
        text(&finding["object"]["kind"]),
        text(&finding["object"]["namespace"]),
        text(&finding["object"]["name"]),
        text(&finding["container"]),
    )
}

fn keys(findings: &[Value]) -> BTreeMap<Key, usize> {
    let mut keys = BTreeMap::new();
    for finding in findings {
        *keys.entry(key(finding)).or_insert(0) += 1;
    }
    keys
}

/// Findings only in `a` (with counts), as lines.
fn only_in(a: &BTreeMap<Key, usize>, b: &BTreeMap<Key, usize>) -> Vec<(Key, usize)> {
    a.iter()
        .filter_map(|(k, n)| {
            let m = b.get(k).copied().unwrap_or(0);
            (n > &m).then(|| (k.clone(), n - m))
        })
        .collect()
}

fn declared_from(path: &Path) -> Declared {
    let mut cluster = Cluster::new();
    cluster.load_path(path).unwrap();
    cluster.finish()
}

/// The equivalence check over one declared cluster. Returns (compared findings, excluded
/// differences by reason).
fn assert_equivalent(name: &str, declared: &Declared) {
    let served = Served::start(declared, Faults::default());
    let files = served.scan_files();
    let live = served.live(&[]);
    assert!(
        matches!(files.code, 0 | 1),
        "{name} files: {}",
        files.stderr
    );
    assert!(
        matches!(live.code, 0 | 1),
        "{name} live exited {}: {}",
        live.code,
        live.stderr
    );
    served.no_secret_was_requested();
    for finding in live.findings() {
        let path = finding["location"]["path"].as_str().unwrap_or("");
        assert!(path.starts_with(&format!("cluster://{CONTEXT}/")), "{path}");
    }
    let file_keys = keys(files.findings());
    let live_keys = keys(live.findings());
    let unlisted_objects = unlisted_custom_resources(declared, &served);
    let unlisted: std::collections::BTreeSet<String> = unlisted_objects
        .iter()
        .map(|(_, ns, _)| ns.clone())
        .collect();
    let mut excluded: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for (k, n) in only_in(&file_keys, &live_keys) {
        // The messages of this key's findings that the live scan does not have.
        let mut extra = messages_of(files.findings(), &k);
        for message in messages_of(live.findings(), &k) {
            if let Some(at) = extra.iter().position(|m| *m == message) {
                extra.remove(at);
            }
        }
        if extra.len() != n {
            unexplained.push(format!("files only: {k:?} x{n}: {extra:?}"));
            continue;
        }
        for message in extra {
            let reason = if unlisted_objects.contains(&(k.1.clone(), k.2.clone(), k.3.clone())) {
                "files only: on a custom resource the live scan does not list (no pod template; \
                 e.g. example.com `Pod`/`Deployment`, which IDN003/REL003 judge by kind alone)"
            } else if k.1 == "Secret" {
                "files only: on a Secret (Secrets are never listed live)"
            } else if FILE_ONLY_RULES.contains(&k.0.as_str()) {
                "files only: a file-only rule (needs Secret contents)"
            } else if k.0 == "REL007" && message.contains("Secret `") {
                "files only: REL007 on a reference to a Secret (Secrets are never listed live, \
                 so a live scan cannot tell a missing one)"
            } else {
                unexplained.push(format!("files only: {k:?}: {message}"));
                continue;
            };
            *excluded.entry(reason).or_insert(0) += 1;
        }
    }
    for (k, n) in only_in(&live_keys, &file_keys) {
        if ["REL006", "NET012"].contains(&k.0.as_str()) && unlisted.contains(&k.2) {
            *excluded
                .entry(
                    "live only: REL006/NET012 in a namespace holding custom resources the live \
                     scan does not list (files see the operator resources these rules count)",
                )
                .or_insert(0) += n;
        } else {
            unexplained.push(format!("live only: {k:?} x{n}"));
        }
    }
    eprintln!(
        "{name}: {} declared objects ({} duplicates kept once, {} documents skipped), {} findings from files, {} live, excluded: {excluded:?}",
        declared.objects.len(),
        declared.duplicates.len(),
        declared.skipped.len(),
        files.findings().len(),
        live.findings().len(),
    );
    assert!(
        unexplained.is_empty(),
        "{name}: {} unexplained differences:\n{}",
        unexplained.len(),
        unexplained
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(!live.findings().is_empty());
}

fn messages_of(findings: &[Value], k: &Key) -> Vec<String> {
    findings
        .iter()
        .filter(|f| key(f) == *k)
        .map(|f| f["message"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// (kind, namespace, name) of the custom resources of kinds the live scan never requested.
fn unlisted_custom_resources(
    declared: &Declared,
    served: &Served,
) -> std::collections::BTreeSet<(String, String, String)> {
    let requested: Vec<String> = served
        .server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    declared
        .objects
        .iter()
        .filter_map(|object| {
            let (group, _) = object["apiVersion"].as_str()?.split_once('/')?;
            let kind = object["kind"].as_str()?;
            let resource = declared
                .catalog
                .all()
                .find(|r| r.group == group && r.kind == kind)?;
            let listed = requested.iter().any(|p| {
                p.starts_with(&format!("/apis/{group}/"))
                    && p.ends_with(&format!("/{}", resource.plural))
            });
            (!resource.builtin && !listed).then(|| {
                (
                    kind.to_owned(),
                    object["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                    object["metadata"]["name"].as_str().unwrap_or("").to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn the_served_fixtures_give_the_same_findings_as_the_files() {
    let declared = declared_from(&workspace_root().join("crates/aksguard_rules/fixtures"));
    assert_equivalent("fixtures", &declared);
}

#[test]
fn the_served_real_corpus_gives_the_same_findings_as_the_files() {
    let Some(real) = aksguard_testkit::shared_path("corpus/real") else {
        return;
    };
    assert_equivalent("corpus/real", &declared_from(&real));
}

// ---- faults through the CLI ----

/// A small cluster: a privileged Deployment, a privileged Pod, a Service and `pods` more pods
/// (to make several pages of 500).
fn small_cluster(pods: usize) -> Declared {
    let mut cluster = Cluster::new();
    let container = |name: &str| json!({"name": name, "image": "myacr.azurecr.io/web:1.0", "securityContext": {"privileged": true}});
    cluster.add(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container("app")]}}}}),
        "test",
    );
    cluster.add(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}}),
        "test",
    );
    cluster.add(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
               "stringData": {"password": "do-not-read"}}),
        "test",
    );
    for i in 0..pods {
        cluster.add(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("pod-{i:04}"), "namespace": "batch"},
                   "spec": {"containers": [container("main")]}}),
            "test",
        );
    }
    cluster.finish()
}

fn rules_of(outcome: &Outcome, kind: &str) -> usize {
    outcome
        .findings()
        .iter()
        .filter(|f| f["object"]["kind"] == kind)
        .count()
}

#[test]
fn a_forbidden_kind_is_an_error_naming_it_and_the_rest_is_scanned() {
    let declared = small_cluster(3);
    let baseline = Served::start(&declared, Faults::default()).live(&[]);
    assert!(rules_of(&baseline, "Deployment") > 0);
    let served = Served::start(
        &declared,
        Faults {
            forbidden: vec!["deployments.apps".into()],
            ..Faults::default()
        },
    );
    let live = served.live(&[]);
    assert_eq!(live.code, 2, "{}", live.stderr);
    let errors = live.errors_text();
    assert!(
        errors.contains("deployments") && errors.contains("list"),
        "{errors}"
    );
    assert_eq!(rules_of(&live, "Deployment"), 0);
    assert_eq!(
        rules_of(&live, "Pod"),
        rules_of(&baseline, "Pod"),
        "the other kinds' findings remain"
    );
    assert_eq!(rules_of(&live, "Service"), rules_of(&baseline, "Service"));
    assert!(
        live.not_judged_text().contains("eployment"),
        "a note for the rules needing Deployments: {}",
        live.not_judged_text()
    );
    served.no_secret_was_requested();
}

#[test]
fn an_expired_continue_token_restarts_the_list_with_the_same_findings() {
    let declared = small_cluster(1_200);
    let baseline = Served::start(&declared, Faults::default()).live(&[]);
    let served = Served::start(
        &declared,
        Faults {
            expire: vec![Expire {
                resource: "pods".into(),
                page: 2,
                always: false,
            }],
            ..Faults::default()
        },
    );
    let live = served.live(&[]);
    assert!(matches!(live.code, 0 | 1), "{}", live.stderr);
    assert_eq!(keys(live.findings()), keys(baseline.findings()));
    let pods: Vec<_> = served
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/pods")
        .collect();
    let gone = pods
        .iter()
        .position(|r| r.status == 410)
        .expect("the 410 was served");
    assert!(
        !pods[gone + 1].query.contains("continue="),
        "the list restarts from the first page"
    );
    assert!(rules_of(&live, "Pod") >= 1_200);
}

#[test]
fn a_429_storm_is_waited_out_honouring_retry_after() {
    let declared = small_cluster(3);
    let baseline = Served::start(&declared, Faults::default()).live(&[]);
    let served = Served::start(
        &declared,
        Faults {
            throttle: vec![
                // Discovery's first requests, then the pods list's.
                Throttle {
                    resource: None,
                    first: 4,
                    retry_after_seconds: 1,
                },
                Throttle {
                    resource: Some("pods".into()),
                    first: 2,
                    retry_after_seconds: 1,
                },
            ],
            ..Faults::default()
        },
    );
    let live = served.live(&[]);
    assert!(matches!(live.code, 0 | 1), "{}", live.stderr);
    assert_eq!(keys(live.findings()), keys(baseline.findings()));
    let requests = served.server.requests();
    assert_eq!(requests.iter().filter(|r| r.status == 429).count(), 6);
    // After a 429 on a path, the next request to that path waited Retry-After (1 s).
    for (i, throttled) in requests.iter().enumerate().filter(|(_, r)| r.status == 429) {
        if let Some(next) = requests[i + 1..].iter().find(|r| r.path == throttled.path) {
            let waited = next.at.duration_since(throttled.at);
            assert!(
                waited >= Duration::from_millis(900),
                "{} retried after {waited:?}",
                throttled.path
            );
        }
    }
}

#[test]
fn a_kind_throttled_beyond_the_retry_budget_is_an_error_and_the_rest_is_kept() {
    let declared = small_cluster(3);
    let baseline = Served::start(&declared, Faults::default()).live(&[]);
    let served = Served::start(
        &declared,
        Faults {
            throttle: vec![Throttle {
                resource: Some("services".into()),
                first: u32::MAX,
                retry_after_seconds: 1,
            }],
            ..Faults::default()
        },
    );
    let live = served.live(&[]);
    assert_eq!(live.code, 2, "{}", live.stderr);
    let errors = live.errors_text();
    assert!(
        errors.contains("services") && errors.contains("throttled"),
        "{errors}"
    );
    assert_eq!(rules_of(&live, "Service"), 0);
    assert_eq!(rules_of(&live, "Pod"), rules_of(&baseline, "Pod"));
}

#[test]
fn a_stalled_server_times_out_with_a_clear_error() {
    let declared = small_cluster(3);
    let served = Served::start(
        &declared,
        Faults {
            stall: vec![Stall {
                resource: None,
                delay_ms: None,
            }],
            ..Faults::default()
        },
    );
    let started = std::time::Instant::now();
    let live = served.live(&["--live-timeout", "3"]);
    assert_eq!(live.code, 2, "{}", live.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "bounded: {:?}",
        started.elapsed()
    );
    let errors = live.errors_text().to_lowercase();
    assert!(
        errors.contains("timed out")
            || errors.contains("timeout")
            || errors.contains("no answer in time"),
        "{errors}"
    );
}

#[test]
fn a_rejected_token_is_a_clear_error() {
    let declared = small_cluster(1);
    let served = Served::start(&declared, Faults::default());
    // The kubeconfig's token is not the server's.
    aksguard_fakekube::tls::write_kubeconfig(
        &served.kubeconfig(),
        &aksguard_fakekube::tls::KubeconfigSpec {
            server: &served.server.url(),
            ca_pem: served.server.ca_pem.as_deref(),
            token: Some("expired-token-value"),
            context: CONTEXT,
        },
    )
    .unwrap();
    let live = served.live(&[]);
    assert_eq!(live.code, 2, "{}", live.stderr);
    let errors = live.errors_text();
    assert!(
        errors.contains("401") || errors.to_lowercase().contains("unauthorized"),
        "{errors}"
    );
    assert!(!errors.contains("expired-token-value"));
    assert!(live.findings().is_empty());
}

#[test]
fn a_malformed_page_is_an_error_naming_the_resource_and_the_rest_is_kept() {
    let declared = small_cluster(3);
    let baseline = Served::start(&declared, Faults::default()).live(&[]);
    let served = Served::start(
        &declared,
        Faults {
            malformed: vec![Malformed {
                resource: "services".into(),
                page: 1,
            }],
            ..Faults::default()
        },
    );
    let live = served.live(&[]);
    assert_eq!(live.code, 2, "{}", live.stderr);
    assert!(
        live.errors_text().contains("services"),
        "{}",
        live.errors_text()
    );
    assert_eq!(rules_of(&live, "Service"), 0);
    assert_eq!(rules_of(&live, "Pod"), rules_of(&baseline, "Pod"));
    assert_eq!(
        rules_of(&live, "Deployment"),
        rules_of(&baseline, "Deployment")
    );
}
