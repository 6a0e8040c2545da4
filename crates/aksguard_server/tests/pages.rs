//! The dashboard's pages over HTTP, on a real store (SQLite, and PostgreSQL when
//! `AKSGUARD_TEST_POSTGRES_URL` is set): status codes, stable URLs, links and forms that work
//! without script, escaping of hostile texts, and bounded, checked query parameters.

use std::time::Duration;

use aksguard_model::Severity;
use aksguard_server::{AppState, router};
use aksguard_store::test_support::Scratch;
use aksguard_store::{
    FindingRecord, FrameworkScore, RunError, RunRecord, Store, TargetKind, TargetSpec,
};
use jiff::Timestamp;

const HOSTILE: &str = r#"<script>window.__pwned=1</script>"><img src=x onerror=alert(1)>"#;
const DAY_MS: i64 = 86_400_000;

fn finding(rule: &str, severity: Severity, name: &str, namespace: &str) -> FindingRecord {
    FindingRecord {
        fingerprint: format!(
            "{:016x}",
            fingerprint(&format!("{rule}/{namespace}/{name}"))
        ),
        rule_id: rule.to_owned(),
        severity,
        title: format!("{rule} title"),
        message: format!("{rule} says {name} is wrong"),
        api_version: "apps/v1".to_owned(),
        kind: "Deployment".to_owned(),
        namespace: Some(namespace.to_owned()),
        name: name.to_owned(),
        container: Some(format!("{name}-container")),
        path: format!("deploy/{name}.yaml"),
        line: 3,
        remediation: format!("Fix {rule} by setting it right"),
        suppression: None,
    }
}

/// A stable 64-bit hash (FNV-1a), so fingerprints are the same in every run.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn run(
    target: &TargetSpec,
    uid: &str,
    days_ago: i64,
    findings: Vec<FindingRecord>,
    score: f64,
) -> RunRecord {
    let finished =
        Timestamp::from_millisecond(Timestamp::now().as_millisecond() - days_ago * DAY_MS).unwrap();
    RunRecord {
        uid: uid.to_owned(),
        target: target.clone(),
        started_at: finished,
        finished_at: finished,
        tool_version: "0.0.0-test".to_owned(),
        ruleset_hash: "0".repeat(64),
        rules_judged: ["POD001", "POD002", "POD003", "POD004"]
            .map(str::to_owned)
            .to_vec(),
        commit: None,
        files: 2,
        objects: 5,
        findings,
        errors: vec![RunError {
            path: "deploy/broken.yaml".to_owned(),
            line: Some(1),
            message: format!("cannot parse {HOSTILE}"),
        }],
        vulnerabilities: None,
        attack_paths: None,
        frameworks: vec![FrameworkScore {
            framework: "cis-aks".to_owned(),
            score,
            assessed: 10,
            controls: 12,
            passed: 7,
            failed: 3,
        }],
    }
}

struct Seeded {
    alpha: i64,
    hostile: i64,
    alpha_runs: [i64; 2],
}

/// Target "alpha": two runs, POD002 fixed and a hostile-named POD003 finding new in the
/// second. A target whose name and findings carry markup, scanned 30 days ago (stale).
async fn seed(store: &Store) -> Seeded {
    let alpha = TargetSpec {
        kind: TargetKind::Cluster,
        key: "https://alpha.example:443".to_owned(),
        name: "alpha".to_owned(),
    };
    let first = vec![
        finding("POD001", Severity::Critical, "web", "payments"),
        finding("POD002", Severity::High, "worker", "payments"),
        finding("POD004", Severity::Medium, "cache", "shop"),
    ];
    let mut second = first.clone();
    second.remove(1);
    second.push(finding("POD003", Severity::High, HOSTILE, HOSTILE));
    let run1 = store
        .record(&run(&alpha, "alpha-1", 2, first, 60.0))
        .await
        .unwrap();
    let run2 = store
        .record(&run(&alpha, "alpha-2", 1, second, 70.0))
        .await
        .unwrap();

    let hostile = TargetSpec {
        kind: TargetKind::Repository,
        key: format!("/repos/{HOSTILE}"),
        name: HOSTILE.to_owned(),
    };
    let mut bad = finding("POD001", Severity::Critical, HOSTILE, "javascript:alert(3)");
    bad.message = HOSTILE.to_owned();
    bad.remediation = HOSTILE.to_owned();
    let hostile_run = store
        .record(&run(&hostile, "hostile-1", 30, vec![bad], 10.0))
        .await
        .unwrap();
    Seeded {
        alpha: run1.target_id,
        hostile: hostile_run.target_id,
        alpha_runs: [run1.run_id, run2.run_id],
    }
}

struct Server {
    base: String,
    client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(store: Store) -> Server {
        let app = router(AppState {
            store,
            stale_after_days: 7,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server {
            base: format!("http://{address}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            task,
        }
    }

    /// Status and body of `GET path`.
    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let (status, content_type, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}:\n{body}");
        assert_eq!(content_type, "text/html; charset=utf-8", "GET {path}");
        assert_escaped(path, &body);
        // minijinja escapes `/` as `&#x2f;` too; a browser reads both the same.
        body.replace("&#x2f;", "/")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// No hostile text survived as markup; the only script is the page's own file.
fn assert_escaped(path: &str, html: &str) {
    assert!(
        !html.contains("<script>"),
        "GET {path}: a raw <script>:\n{html}"
    );
    assert!(!html.contains("<img"), "GET {path}: a raw <img>:\n{html}");
    assert!(
        !html.contains("href=\"javascript"),
        "GET {path}: a javascript: link"
    );
    assert!(
        !html.contains("style="),
        "GET {path}: an inline style (the CSP forbids it)"
    );
    assert_eq!(html.matches("<script").count(), 1, "GET {path}");
    assert!(html.contains(r#"<script src="/static/app.js" defer></script>"#));
}

fn engines() -> Vec<Scratch> {
    Scratch::all()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_at_stable_urls_and_escape_everything() {
    for scratch in engines() {
        let engine = scratch.engine();
        eprintln!("engine: {engine}");
        let store = Store::open(scratch.location()).await.unwrap();
        let seeded = seed(&store).await;
        let server = Server::start(store).await;
        let [run1, run2] = seeded.alpha_runs;

        // The fleet: both targets, the hostile one stale (30 days > 7).
        let fleet = server.page("/").await;
        assert!(
            fleet.contains(&format!(r#"href="/targets/{}""#, seeded.alpha)),
            "{fleet}"
        );
        assert!(fleet.contains(&format!(r#"href="/targets/{}""#, seeded.hostile)));
        assert!(
            fleet.contains("&lt;script&gt;window.__pwned=1"),
            "{engine}: {fleet}"
        );
        assert_eq!(
            fleet.matches(r#"class="badge badge-stale""#).count(),
            1,
            "{fleet}"
        );
        assert!(fleet.contains("not scanned for 30 days"), "{fleet}");
        assert!(fleet.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="sparkline""#));
        assert!(
            fleet.contains(r#"<form id="fleet-filter" class="filters" method="get" action="/""#)
        );
        // Filters and sorting are query parameters.
        let stale_only = server.page("/?stale=1").await;
        assert!(!stale_only.contains(&format!(r#"href="/targets/{}""#, seeded.alpha)));
        let alpha_only = server.page("/?q=ALPHA&sort=critical&order=desc").await;
        assert!(alpha_only.contains("1 of 2 targets shown"), "{alpha_only}");
        assert!(alpha_only.contains(r#"aria-sort="descending""#));

        // The target: trend chart, what changed, findings with their fix and docs.
        let target_url = format!("/targets/{}", seeded.alpha);
        let target = server.page(&target_url).await;
        assert!(target.contains(r#"id="trend-severity""#), "{target}");
        assert!(target.contains(r#"id="trend-scores""#));
        assert!(target.contains(r#"id="trend-table""#));
        assert!(
            target.contains(r#"<strong id="changes-new-count">1 new</strong>"#),
            "{target}"
        );
        assert!(target.contains(r#"<strong id="changes-fixed-count">1 fixed</strong>"#));
        assert!(target.contains(&format!(r#"href="/diff?from={run1}&amp;to={run2}""#)));
        assert!(target.contains("Fix POD001 by setting it right"));
        assert!(target.contains("docs/rules/POD001.md"));
        // Findings at the latest run: POD001, POD003 (new), POD004; POD002 was fixed.
        let listed = |html: &str| -> Vec<String> {
            let section = &html[html.find(r#"id="findings-list""#).expect("a findings list")..];
            let mut rules: Vec<String> = section
                .match_indices(r#"data-rule=""#)
                .map(|(at, m)| {
                    section[at + m.len()..]
                        .split('"')
                        .next()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            rules.dedup();
            rules
        };
        assert_eq!(listed(&target), ["POD001", "POD003", "POD004"], "{target}");
        let high = server.page(&format!("{target_url}?severity=high")).await;
        assert_eq!(listed(&high), ["POD001", "POD003"]);
        let by_rule = server.page(&format!("{target_url}?rule=POD004")).await;
        assert_eq!(listed(&by_rule), ["POD004"]);
        let by_namespace = server
            .page(&format!("{target_url}?namespace=shop&group=namespace"))
            .await;
        assert_eq!(listed(&by_namespace), ["POD004"]);
        let by_text = server
            .page(&format!("{target_url}?q=WEB&group=object"))
            .await;
        assert_eq!(listed(&by_text), ["POD001"]);
        let none = server.page(&format!("{target_url}?kind=Pod")).await;
        assert!(
            none.contains("No open finding matches the filter."),
            "{none}"
        );

        // Runs: the second links to its diff, the first has none.
        let second = server.page(&format!("/runs/{run2}")).await;
        assert!(second.contains(&format!(
            r#"<a id="diff-previous" href="/diff?from={run1}&amp;to={run2}">"#
        )));
        assert!(second.contains("Loading errors (1)"), "{second}");
        assert!(second.contains("cannot parse &lt;script&gt;"));
        let first = server.page(&format!("/runs/{run1}")).await;
        assert!(!first.contains("diff-previous"));
        assert!(
            first.contains("none (the target&#x27;s first run)")
                || first.contains("none (the target's first run)"),
            "{first}"
        );
        assert!(first.contains("POD002"), "POD002 was open at the first run");

        // The diff.
        let diff = server.page(&format!("/diff?from={run1}&to={run2}")).await;
        assert!(
            diff.contains(r#"<h2 id="new-heading">New findings (1)</h2>"#),
            "{diff}"
        );
        assert!(diff.contains(r#"<h2 id="fixed-heading">Fixed findings (1)</h2>"#));
        assert!(diff.contains(r#"<h2 id="still-open-heading">Still open (2)</h2>"#));
        let listed_open = server
            .page(&format!("/diff?from={run1}&to={run2}&still_open=1"))
            .await;
        assert!(listed_open.contains(r#"id="still-open-findings""#));

        // The hostile target's own page.
        server.page(&format!("/targets/{}", seeded.hostile)).await;

        // Errors: in the layout, with the right status.
        for (path, status) in [
            ("/targets/999999", 404),
            ("/runs/999999", 404),
            ("/no/such/page", 404),
            ("/targets/abc", 400),
            ("/runs/-1", 400),
            ("/?sort=colour", 400),
            ("/?kind=vm", 400),
            (&format!("{target_url}?severity=urgent") as &str, 400),
            (&format!("{target_url}?group=colour"), 400),
            (&format!("{target_url}?page=0"), 400),
            (&format!("{target_url}?page=99999999"), 400),
            ("/diff", 400),
            ("/diff?from=1", 400),
            ("/diff?from=x&to=1", 400),
            (&format!("/diff?from=999999&to={run2}"), 404),
            (&format!("/diff?from={run1}&to={run2}&still_open=yes"), 400),
        ] {
            let (got, content_type, body) = server.get(path).await;
            assert_eq!(got, status, "{engine}: GET {path}:\n{body}");
            assert_eq!(content_type, "text/html; charset=utf-8", "GET {path}");
            assert!(body.contains(r#"<main id="content""#), "GET {path}: {body}");
            assert!(
                body.contains(&format!("Error {status}")),
                "GET {path}: {body}"
            );
        }

        // The assets come from the binary.
        let (status, content_type, css) = server.get("/static/app.css").await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "text/css; charset=utf-8")
        );
        assert!(css.contains(".series-critical"));
        let (status, content_type, js) = server.get("/static/app.js").await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "text/javascript; charset=utf-8")
        );
        assert!(js.contains("findings-filter"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_store_has_a_fleet_page_that_says_so() {
    let scratch = Scratch::sqlite();
    let store = Store::open(scratch.location()).await.unwrap();
    let server = Server::start(store).await;
    let fleet = server.page("/").await;
    assert!(fleet.contains("No scan is stored yet"), "{fleet}");
}
