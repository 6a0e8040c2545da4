//! The dashboard in a real browser: seeds a SQLite history store through the store API (a
//! small fleet: a production AKS cluster with ten daily runs whose findings change, a
//! repository, a stale staging cluster, and a target whose name, objects, containers and
//! messages carry markup), starts `aksguard serve` on 127.0.0.1 and a free port, and runs
//! `tests/browser/dashboard.mjs` (playwright-core driving Debian's headless Chromium): fleet →
//! target → trend chart and new findings → filter (instant and by the form) → diff → run,
//! keyboard reach of the filters, the pages without JavaScript, no console error, no CSP
//! violation, nothing fetched from elsewhere, and an XSS probe. Screenshots are left in
//! `target/tmp/dashboard/` (the README's come from there).
//!
//! The same prerequisites as the HTML report's browser test (`browser_support`).

mod browser_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aksguard_model::Severity;
use aksguard_store::{
    FindingRecord, FrameworkScore, RunError, RunRecord, Store, StoreLocation, TargetKind,
    TargetSpec,
};
use jiff::Timestamp;

/// Texts that would run or inject markup if a page inserted them raw.
const XSS_SCRIPT: &str = "<script>window.__aksguardPwned=1</script>";
const XSS_IMG: &str = "\"><img src=x onerror=\"window.__aksguardPwned=2\">";
const XSS_JS_URL: &str = "javascript:window.__aksguardPwned=3";
const XSS_SVG: &str = "<svg onload=window.__aksguardPwned=4>";

const DAY_MS: i64 = 86_400_000;

/// One finding of the seeded fleet: present from run `from` to run `until` (1-based,
/// inclusive) of its target.
struct Seeded {
    rule: &'static str,
    severity: Severity,
    title: &'static str,
    kind: &'static str,
    namespace: Option<&'static str>,
    name: &'static str,
    container: Option<&'static str>,
    from: usize,
    until: usize,
}

const fn seeded(
    rule: &'static str,
    severity: Severity,
    title: &'static str,
    object: (
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<&'static str>,
    ),
    from: usize,
    until: usize,
) -> Seeded {
    Seeded {
        rule,
        severity,
        title,
        kind: object.0,
        namespace: object.1,
        name: object.2,
        container: object.3,
        from,
        until,
    }
}

const PROD_RUNS: usize = 10;

/// The production cluster's findings over its ten runs: some fixed on the way, two new in
/// the last run (a privileged container in `payments` among them).
const PROD: &[Seeded] = &[
    seeded(
        "POD001",
        Severity::Critical,
        "Container runs privileged",
        (
            "Deployment",
            Some("kube-system"),
            "node-agent",
            Some("agent"),
        ),
        1,
        PROD_RUNS,
    ),
    seeded(
        "POD001",
        Severity::Critical,
        "Container runs privileged",
        ("Deployment", Some("payments"), "ledger", Some("ledger")),
        PROD_RUNS,
        PROD_RUNS,
    ),
    seeded(
        "POD002",
        Severity::High,
        "Container allows privilege escalation",
        ("Deployment", Some("payments"), "checkout", Some("api")),
        1,
        6,
    ),
    seeded(
        "POD002",
        Severity::High,
        "Container allows privilege escalation",
        ("Deployment", Some("shop"), "frontend", Some("web")),
        1,
        PROD_RUNS,
    ),
    seeded(
        "POD003",
        Severity::High,
        "Pod shares the node's network namespace",
        ("DaemonSet", Some("monitoring"), "node-exporter", None),
        1,
        PROD_RUNS,
    ),
    seeded(
        "POD005",
        Severity::High,
        "Pod shares the node's IPC namespace",
        ("Deployment", Some("legacy"), "batch", None),
        1,
        3,
    ),
    seeded(
        "RBAC001",
        Severity::High,
        "Binding grants cluster-admin or an equivalent all-wildcard role",
        ("ClusterRoleBinding", None, "ci-deployer", None),
        4,
        PROD_RUNS,
    ),
    seeded(
        "POD008",
        Severity::Medium,
        "Container does not drop NET_RAW",
        ("Deployment", Some("shop"), "frontend", Some("web")),
        1,
        PROD_RUNS,
    ),
    seeded(
        "POD008",
        Severity::Medium,
        "Container does not drop NET_RAW",
        ("Deployment", Some("payments"), "checkout", Some("api")),
        1,
        8,
    ),
    seeded(
        "POD008",
        Severity::Medium,
        "Container does not drop NET_RAW",
        ("Deployment", Some("payments"), "ledger", Some("ledger")),
        PROD_RUNS,
        PROD_RUNS,
    ),
    seeded(
        "NET001",
        Severity::Medium,
        "Namespace has no default-deny ingress NetworkPolicy",
        ("Namespace", None, "shop", None),
        1,
        PROD_RUNS,
    ),
    seeded(
        "NET001",
        Severity::Medium,
        "Namespace has no default-deny ingress NetworkPolicy",
        ("Namespace", None, "payments", None),
        1,
        5,
    ),
    seeded(
        "NET001",
        Severity::Medium,
        "Namespace has no default-deny ingress NetworkPolicy",
        ("Namespace", None, "legacy", None),
        1,
        7,
    ),
    seeded(
        "AKS001",
        Severity::Critical,
        "Kubernetes RBAC disabled on the AKS cluster",
        ("ManagedCluster", None, "aks-prod-westeurope", None),
        1,
        2,
    ),
];

const REPO: &[Seeded] = &[
    seeded(
        "POD002",
        Severity::High,
        "Container allows privilege escalation",
        ("Deployment", Some("payments"), "api", Some("api")),
        1,
        5,
    ),
    seeded(
        "POD008",
        Severity::Medium,
        "Container does not drop NET_RAW",
        ("Deployment", Some("payments"), "api", Some("api")),
        1,
        3,
    ),
    seeded(
        "NET001",
        Severity::Medium,
        "Namespace has no default-deny ingress NetworkPolicy",
        ("Namespace", None, "payments", None),
        2,
        5,
    ),
];

const STAGING: &[Seeded] = &[
    seeded(
        "POD001",
        Severity::Critical,
        "Container runs privileged",
        ("Deployment", Some("debug"), "toolbox", Some("shell")),
        1,
        4,
    ),
    seeded(
        "POD008",
        Severity::Medium,
        "Container does not drop NET_RAW",
        ("Deployment", Some("debug"), "toolbox", Some("shell")),
        1,
        4,
    ),
];

fn record(seeded: &Seeded) -> FindingRecord {
    let namespace = seeded.namespace.map(str::to_owned);
    FindingRecord {
        fingerprint: fingerprint(&[
            seeded.rule,
            seeded.kind,
            seeded.namespace.unwrap_or(""),
            seeded.name,
            seeded.container.unwrap_or(""),
        ]),
        rule_id: seeded.rule.to_owned(),
        severity: seeded.severity,
        title: seeded.title.to_owned(),
        message: match seeded.container {
            Some(container) => format!(
                "{}: container {container} of {} {}",
                seeded.title, seeded.kind, seeded.name
            ),
            None => format!("{}: {} {}", seeded.title, seeded.kind, seeded.name),
        },
        api_version: "apps/v1".to_owned(),
        kind: seeded.kind.to_owned(),
        namespace,
        name: seeded.name.to_owned(),
        container: seeded.container.map(str::to_owned),
        path: format!("cluster://{}/{}", seeded.kind.to_lowercase(), seeded.name),
        line: 0,
        remediation: format!(
            "See the {} documentation: change the manifest so that it passes.",
            seeded.rule
        ),
        suppression: None,
    }
}

/// 16 hex digits (FNV-1a over the parts), stable across runs like aksguard's fingerprints.
fn fingerprint(parts: &[&str]) -> String {
    let hash = parts
        .iter()
        .flat_map(|p| p.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{hash:016x}")
}

fn at_days_ago(days: f64) -> Timestamp {
    let ms = Timestamp::now().as_millisecond() - (days * DAY_MS as f64) as i64;
    Timestamp::from_millisecond(ms).unwrap()
}

/// Scores that move with the open findings (fewer findings, better score).
fn scores(open: usize, critical: usize) -> Vec<FrameworkScore> {
    let base = 100.0 - 4.0 * open as f64 - 10.0 * critical as f64;
    [
        ("cis-aks", 0.0),
        ("pss-baseline", 8.0),
        ("pss-restricted", -12.0),
        ("aks-practices", 4.0),
    ]
    .into_iter()
    .map(|(framework, shift)| FrameworkScore {
        framework: framework.to_owned(),
        score: (base + shift).clamp(0.0, 100.0),
        assessed: 20,
        controls: 24,
        passed: 14,
        failed: 6,
    })
    .collect()
}

fn run_record(
    target: &TargetSpec,
    sequence: usize,
    days_ago: f64,
    findings: Vec<FindingRecord>,
    errors: Vec<RunError>,
) -> RunRecord {
    let finished = at_days_ago(days_ago);
    let critical = findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .count();
    RunRecord {
        uid: format!("{}-{sequence}", fingerprint(&[&target.key])),
        target: target.clone(),
        started_at: Timestamp::from_millisecond(finished.as_millisecond() - 42_000).unwrap(),
        finished_at: finished,
        tool_version: "0.9.0".to_owned(),
        ruleset_hash: "5f1c".repeat(16),
        rules_judged: [
            "AKS001", "NET001", "POD001", "POD002", "POD003", "POD005", "POD008", "RBAC001",
        ]
        .map(str::to_owned)
        .to_vec(),
        commit: (target.kind == TargetKind::Repository)
            .then(|| format!("{:040x}", sequence * 7919)),
        files: 24,
        objects: 180,
        vulnerabilities: None,
        attack_paths: None,
        frameworks: scores(findings.len(), critical),
        findings,
        errors,
    }
}

/// The runs of a target over `runs` days, the last `last_days_ago` days ago.
async fn seed_target(
    store: &Store,
    target: &TargetSpec,
    pool: &[Seeded],
    runs: usize,
    last_days_ago: f64,
) -> (i64, Vec<i64>) {
    let mut ids = Vec::new();
    let mut target_id = 0;
    for sequence in 1..=runs {
        let findings = pool
            .iter()
            .filter(|s| (s.from..=s.until).contains(&sequence))
            .map(record)
            .collect();
        let days_ago = last_days_ago + (runs - sequence) as f64;
        let recorded = store
            .record(&run_record(target, sequence, days_ago, findings, vec![]))
            .await
            .expect("record a seeded run");
        target_id = recorded.target_id;
        ids.push(recorded.run_id);
    }
    (target_id, ids)
}

/// The hostile target: markup in its name and key, and in a finding's namespace, object,
/// container, message, title, remediation and path, and in a loading error.
async fn seed_hostile(store: &Store) -> i64 {
    let target = TargetSpec {
        kind: TargetKind::Files,
        key: format!("/srv/{XSS_IMG}"),
        name: format!("{XSS_SCRIPT}{XSS_IMG}"),
    };
    let finding = FindingRecord {
        fingerprint: fingerprint(&["hostile"]),
        rule_id: "POD001".to_owned(),
        severity: Severity::Critical,
        title: XSS_SVG.to_owned(),
        message: format!("{XSS_SCRIPT} {XSS_IMG} {XSS_SVG}"),
        api_version: "apps/v1".to_owned(),
        kind: "Deployment".to_owned(),
        namespace: Some(XSS_SCRIPT.to_owned()),
        name: XSS_IMG.to_owned(),
        container: Some(XSS_JS_URL.to_owned()),
        path: format!("{XSS_IMG}.yaml"),
        line: 1,
        remediation: XSS_JS_URL.to_owned(),
        suppression: None,
    };
    let errors = vec![RunError {
        path: format!("{XSS_SCRIPT}.yaml"),
        line: Some(2),
        message: XSS_IMG.to_owned(),
    }];
    let mut second = finding.clone();
    second.fingerprint = fingerprint(&["hostile", "2"]);
    second.rule_id = "POD002".to_owned();
    let first = store
        .record(&run_record(
            &target,
            1,
            3.0,
            vec![finding.clone()],
            errors.clone(),
        ))
        .await
        .expect("record the hostile run");
    store
        .record(&run_record(&target, 2, 2.0, vec![finding, second], errors))
        .await
        .expect("record the hostile run");
    first.target_id
}

struct Fleet {
    prod: i64,
    prod_runs: Vec<i64>,
    hostile: i64,
}

async fn seed(location: &StoreLocation) -> Fleet {
    let store = Store::open(location).await.expect("open the store");
    let prod = TargetSpec {
        kind: TargetKind::Aks,
        key: "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/prod/providers/microsoft.containerservice/managedclusters/aks-prod-westeurope".to_owned(),
        name: "aks-prod-westeurope".to_owned(),
    };
    let repo = TargetSpec {
        kind: TargetKind::Repository,
        key: "/src/payments-deploy".to_owned(),
        name: "payments-deploy".to_owned(),
    };
    let staging = TargetSpec {
        kind: TargetKind::Aks,
        key: "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/staging/providers/microsoft.containerservice/managedclusters/aks-staging-northeurope".to_owned(),
        name: "aks-staging-northeurope".to_owned(),
    };
    let (prod_id, prod_runs) = seed_target(&store, &prod, PROD, PROD_RUNS, 0.1).await;
    seed_target(&store, &repo, REPO, 5, 0.5).await;
    // Last scanned 40 days ago: stale under any sensible --stale-after-days.
    seed_target(&store, &staging, STAGING, 4, 40.0).await;
    let hostile = seed_hostile(&store).await;
    Fleet {
        prod: prod_id,
        prod_runs,
        hostile,
    }
}

/// `aksguard serve`, stopped (killed) on drop.
struct Serve {
    child: Child,
    address: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

fn serve(location: &str) -> Serve {
    let address = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["serve", "--store", location, "--listen"])
        .arg(address.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start aksguard serve");
    let mut serve = Serve { child, address };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            panic!("aksguard serve exited early: {status}");
        }
        if get(address, "/").is_ok_and(|(status, _)| status == 200) {
            return serve;
        }
        assert!(
            Instant::now() < deadline,
            "aksguard serve did not answer on {address} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A plain HTTP/1.1 GET (`Connection: close`): status and body.
fn get(address: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:.200}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The hostile texts appear only escaped in the HTML the server sent.
fn assert_only_escaped(path: &str, html: &str) {
    for raw in ["<script>window", "<img", "<svg onload", "href=\"javascript"] {
        assert!(!html.contains(raw), "GET {path}: {raw:?} unescaped");
    }
    assert!(
        html.contains("&lt;script&gt;window.__aksguardPwned=1"),
        "GET {path}: the escaped name is shown"
    );
    assert!(
        html.contains("&quot;&gt;&lt;img src=x onerror="),
        "GET {path}"
    );
}

#[test]
fn dashboard_works_in_headless_chromium() {
    if browser_support::skip_reason("dashboard").is_some() {
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let location = format!("sqlite://{}", dir.path().join("history.sqlite3").display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fleet = runtime.block_on(seed(&StoreLocation::parse(&location).unwrap()));
    let server = serve(&location);
    let base = format!("http://{}", server.address);

    // The HTML itself holds only escaped forms of the hostile texts.
    for path in ["/".to_owned(), format!("/targets/{}", fleet.hostile)] {
        let (status, html) = get(server.address, &path).unwrap();
        assert_eq!(status, 200, "GET {path}");
        assert_only_escaped(&path, &html);
    }

    let prod_latest = *fleet.prod_runs.last().unwrap();
    let prod_previous = fleet.prod_runs[fleet.prod_runs.len() - 2];
    let output = Command::new("node")
        .arg("dashboard.mjs")
        .arg(&base)
        .arg(&out)
        .env("CHROMIUM", browser_support::chromium())
        .env("PROD_TARGET", fleet.prod.to_string())
        .env("PROD_LATEST_RUN", prod_latest.to_string())
        .env("PROD_PREVIOUS_RUN", prod_previous.to_string())
        .env("HOSTILE_TARGET", fleet.hostile.to_string())
        .current_dir(browser_support::browser_dir())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success() && stdout.contains(" passed, 0 failed"),
        "the dashboard browser checks failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for name in [
        "dashboard-fleet.png",
        "dashboard-target.png",
        "dashboard-target-full.png",
        "dashboard-filtered.png",
        "dashboard-diff.png",
        "dashboard-run.png",
        "dashboard-hostile.png",
        "dashboard-nojs.png",
    ] {
        browser_support::assert_png(&out.join(name), 10_000);
    }
    drop(server);
    eprintln!("screenshots: {}", out.display());
}
