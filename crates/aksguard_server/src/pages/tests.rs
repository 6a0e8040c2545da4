//! Every page rendered from hand-made store data: the templates render (strict undefined:
//! a misspelt field fails here), links are the stable URLs, and hostile texts come out
//! escaped. `tests/pages.rs` does the same through HTTP over a real store.

use aksguard_model::Severity;
use aksguard_store::{
    FleetEntry, FrameworkScore, RunDiff, RunError, RunSummary, SeverityCounts, StoredFinding,
    TargetInfo, TargetKind, TrendPoint,
};
use jiff::Timestamp;

use super::diff::{TargetLink, diff_view};
use super::findings::{FindingFilter, FindingParams, build_section};
use super::fleet::{FleetFilter, FleetParams, fleet_view};
use super::render::render;
use super::run::{RunExposure, run_page_view};
use super::target::target_view;
use super::view::finding_view;

const HOSTILE: &str =
    r#"<script>window.__pwned=1</script>"><img src=x onerror=alert(1)>'javascript:alert(2)"#;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap()
}

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;

fn target(id: i64, name: &str, last_run_days_ago: Option<i64>) -> TargetInfo {
    TargetInfo {
        id,
        kind: TargetKind::Cluster,
        key: format!("https://{name}.example:443"),
        name: name.to_owned(),
        created_at: at(NOW - 100 * DAY),
        runs: 2,
        last_run_at: last_run_days_ago.map(|days| at(NOW - days * DAY)),
    }
}

fn run(
    id: i64,
    target_id: i64,
    sequence: i64,
    days_ago: i64,
    critical: u32,
    high: u32,
) -> RunSummary {
    RunSummary {
        id,
        target_id,
        sequence,
        uid: format!("uid-{id}"),
        started_at: at(NOW - days_ago * DAY - 60),
        finished_at: at(NOW - days_ago * DAY),
        recorded_at: at(NOW - days_ago * DAY),
        tool_version: "0.9.0".to_owned(),
        ruleset_hash: "ab".repeat(32),
        commit: Some("0123456789abcdef0123".to_owned()),
        files: 3,
        objects: 12,
        counts: SeverityCounts {
            critical,
            high,
            medium: 1,
            low: 0,
            info: 0,
        },
        suppressed: 1,
        errors: 1,
        new: 1,
        resolved: 1,
        frameworks: vec![
            FrameworkScore {
                framework: "pss-restricted".to_owned(),
                score: 41.2,
                assessed: 10,
                controls: 12,
                passed: 4,
                failed: 6,
            },
            FrameworkScore {
                framework: "cis-aks".to_owned(),
                score: 87.6,
                assessed: 20,
                controls: 27,
                passed: 18,
                failed: 2,
            },
        ],
    }
}

fn finding(id: i64, rule: &str, severity: Severity, text: &str) -> StoredFinding {
    StoredFinding {
        id,
        target_id: 1,
        fingerprint: format!("{id:016x}"),
        rule_id: rule.to_owned(),
        severity,
        title: format!("title {text}"),
        message: format!("message {text}"),
        api_version: "apps/v1".to_owned(),
        kind: "Deployment".to_owned(),
        namespace: Some(format!("ns-{text}")),
        name: format!("name-{text}"),
        container: Some(format!("container-{text}")),
        path: format!("deploy/{text}.yaml"),
        line: 7,
        remediation: format!("fix {text}"),
        suppression: None,
        first_seen_run: 1,
        first_seen_at: at(NOW - 2 * DAY),
        last_seen_at: None,
        resolved_run: None,
        resolved_at: None,
    }
}

fn trend(runs: &[RunSummary]) -> Vec<TrendPoint> {
    runs.iter()
        .rev()
        .map(|run| TrendPoint {
            run_id: run.id,
            finished_at: run.finished_at,
            counts: run.counts,
            scores: run
                .frameworks
                .iter()
                .map(|s| (s.framework.clone(), s.score))
                .collect(),
        })
        .collect()
}

/// Checks that no hostile text survived unescaped.
fn assert_escaped(html: &str) {
    assert!(!html.contains("<script>window"), "raw script in:\n{html}");
    assert!(!html.contains("<img"), "raw img in:\n{html}");
    assert!(
        !html.contains("href=\"javascript"),
        "javascript link in:\n{html}"
    );
    assert!(
        !html.contains("style="),
        "inline style (the CSP forbids it) in:\n{html}"
    );
    assert!(
        !html.contains("<script>") && html.matches("<script ").count() == 1,
        "only the external script element:\n{html}"
    );
    assert!(html.contains(r#"<script src="/static/app.js" defer></script>"#));
    assert!(
        html.contains("&lt;script&gt;window.__pwned=1&lt;&#x2f;script&gt;"),
        "{html}"
    );
}

fn findings_section(action: &str, text: &str) -> super::findings::FindingsSection {
    let now = at(NOW);
    let filter = FindingFilter::parse(&FindingParams::default()).unwrap();
    let views = vec![
        finding_view(&finding(1, "POD001", Severity::Critical, text), now),
        finding_view(&finding(2, "POD002", Severity::High, "b"), now),
        finding_view(&finding(3, "POD001", Severity::Critical, "c"), now),
    ];
    build_section(views, true, &filter, action)
}

#[test]
fn the_fleet_page_lists_targets_flags_stale_ones_and_escapes_names() {
    let runs_a = vec![run(2, 1, 2, 1, 3, 4), run(1, 1, 1, 2, 5, 4)];
    let entries = vec![
        FleetEntry {
            target: target(1, HOSTILE, Some(1)),
            latest: Some(runs_a[0].clone()),
            trend: trend(&runs_a),
        },
        FleetEntry {
            target: target(2, "old-cluster", Some(30)),
            latest: Some(run(3, 2, 1, 30, 0, 0)),
            trend: trend(&[run(3, 2, 1, 30, 0, 0)]),
        },
        FleetEntry {
            target: target(3, "never", None),
            latest: None,
            trend: vec![],
        },
    ];
    let filter = FleetFilter::parse(&FleetParams::default()).unwrap();
    let view = fleet_view(entries.clone(), filter, at(NOW), 7);
    assert_eq!(view.stale_targets, 2, "30 days old and never scanned");
    assert_eq!((view.open.critical, view.open.high), (3, 4));
    let names: Vec<&str> = view.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, [HOSTILE, "never", "old-cluster"], "sorted by name");
    let html = render("fleet.html", "Fleet", &view).unwrap();
    assert_escaped(&html);
    // minijinja escapes `/` too (`&#x2f;`); the browser reads both the same.
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains(r#"<a class="target-link" href="/targets/1">"#),
        "{html}"
    );
    assert!(html.contains("not scanned for 30 days"), "{html}");
    assert!(html.contains("no run recorded"), "{html}");
    assert!(
        html.contains(">CIS AKS</th>") && html.contains(">88%</span>"),
        "{html}"
    );
    assert!(html.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="sparkline""#));
    assert!(
        html.contains(r#"<label for="fleet-q">"#),
        "every input has a label"
    );
    assert!(
        html.contains(r#"href="/?sort=critical&amp;order=desc""#),
        "{html}"
    );

    // Server-side filtering and sorting.
    let params = FleetParams {
        stale: Some("1".into()),
        sort: Some("last".into()),
        ..FleetParams::default()
    };
    let view = fleet_view(
        entries.clone(),
        FleetFilter::parse(&params).unwrap(),
        at(NOW),
        7,
    );
    let names: Vec<&str> = view.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["old-cluster", "never"],
        "stale only, newest scan first"
    );
    let params = FleetParams {
        q: Some("OLD".into()),
        ..FleetParams::default()
    };
    let view = fleet_view(entries, FleetFilter::parse(&params).unwrap(), at(NOW), 7);
    assert_eq!(view.targets.len(), 1);
    let html = render("fleet.html", "Fleet", &view).unwrap();
    assert!(html.contains("1 of 3 targets shown"), "{html}");

    for bad in [
        FleetParams {
            sort: Some("colour".into()),
            ..FleetParams::default()
        },
        FleetParams {
            kind: Some("vm".into()),
            ..FleetParams::default()
        },
        FleetParams {
            order: Some("up".into()),
            ..FleetParams::default()
        },
    ] {
        assert!(FleetFilter::parse(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn an_empty_fleet_says_how_to_record_a_scan() {
    let filter = FleetFilter::parse(&FleetParams::default()).unwrap();
    let html = render(
        "fleet.html",
        "Fleet",
        &fleet_view(vec![], filter, at(NOW), 7),
    )
    .unwrap();
    assert!(html.contains("No scan is stored yet"), "{html}");
}

#[test]
fn the_target_page_shows_trend_changes_and_grouped_findings() {
    let now = at(NOW);
    let runs = vec![run(2, 1, 2, 0, 3, 4), run(1, 1, 1, 1, 5, 4)];
    let diff = RunDiff {
        from: runs[1].clone(),
        to: runs[0].clone(),
        new: vec![finding(9, "POD009", Severity::High, HOSTILE)],
        fixed: vec![finding(8, "POD008", Severity::Low, "gone")],
        still_open: vec![],
        still_open_counts: SeverityCounts::default(),
    };
    let view = target_view(
        target(1, HOSTILE, Some(0)),
        &runs,
        Some(&diff),
        Some(findings_section("/targets/1", HOSTILE)),
        now,
        7,
    );
    assert!(!view.stale);
    let html = render("target.html", HOSTILE, &view).unwrap();
    assert_escaped(&html);
    // minijinja escapes `/` too (`&#x2f;`); the browser reads both the same.
    let html = html.replace("&#x2f;", "/");
    assert!(html.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" id="trend-severity""#));
    assert!(html.contains(r#"id="trend-scores""#), "{html}");
    assert!(
        html.contains(r#"<table class="data" id="trend-table">"#),
        "data table fallback"
    );
    assert!(html.contains(r#"href="/diff?from=1&amp;to=2""#), "{html}");
    assert!(html.contains(r#"id="new-findings""#) && html.contains("POD009"));
    assert!(html.contains(r#"id="fixed-findings""#) && html.contains("POD008"));
    assert!(
        html.contains(
            r#"href="https://github.com/aksguard/aksguard/blob/main/docs/rules/POD001.md""#
        ),
        "{html}"
    );
    assert!(html.contains("fix b"), "remediations are shown");
    // Grouped by rule: the two POD001 findings under one heading.
    assert_eq!(
        html.matches(r#"<section class="group""#).count(),
        2,
        "{html}"
    );
    for id in [
        "filter-q",
        "filter-severity",
        "filter-rule",
        "filter-namespace",
        "filter-kind",
        "filter-group",
    ] {
        assert!(
            html.contains(&format!(r#"<label for="{id}">"#)),
            "label for {id}"
        );
        assert!(html.contains(&format!(r#"id="{id}""#)), "input {id}");
    }
    assert!(html.contains(
        r#"<form id="findings-filter" class="filters" method="get" action="/targets/1""#
    ));
    assert!(
        html.contains(r#"rel="next" href="/targets/1?page=2""#),
        "{html}"
    );

    // A target without runs.
    let view = target_view(target(5, "new", None), &[], None, None, now, 7);
    assert!(view.stale);
    let html = render("target.html", "new", &view).unwrap();
    assert!(
        html.contains("No run is recorded for this target yet."),
        "{html}"
    );
}

#[test]
fn the_run_page_shows_errors_scores_and_the_diff_link() {
    let now = at(NOW);
    let runs = [run(2, 1, 2, 0, 3, 4), run(1, 1, 1, 1, 5, 4)];
    let errors = vec![RunError {
        path: HOSTILE.to_owned(),
        line: Some(3),
        message: HOSTILE.to_owned(),
    }];
    let view = run_page_view(
        &target(1, HOSTILE, Some(0)),
        &runs[0],
        Some(&runs[1]),
        errors,
        RunExposure::default(),
        findings_section("/runs/2", HOSTILE),
        now,
    );
    let html = render("run.html", "Run #2", &view).unwrap();
    assert_escaped(&html);
    // minijinja escapes `/` too (`&#x2f;`); the browser reads both the same.
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains(r#"<a id="diff-previous" href="/diff?from=1&amp;to=2">"#),
        "{html}"
    );
    assert!(html.contains("Loading errors (1)"));
    assert!(html.contains(r#"<th scope="row">CIS AKS</th>"#), "{html}");
    let cis = html.find("CIS AKS").unwrap();
    let pss = html.find("PSS restricted").unwrap();
    assert!(cis < pss, "frameworks in the fixed order");
}

#[test]
fn the_diff_page_counts_and_lists_changes() {
    let now = at(NOW);
    let diff = RunDiff {
        from: run(1, 1, 1, 1, 5, 4),
        to: run(2, 1, 2, 0, 3, 4),
        new: vec![finding(9, "POD009", Severity::High, HOSTILE)],
        fixed: vec![
            finding(8, "POD008", Severity::Low, "a"),
            finding(7, "POD007", Severity::Critical, "b"),
        ],
        still_open: vec![],
        still_open_counts: SeverityCounts {
            high: 4,
            ..SeverityCounts::default()
        },
    };
    let link = TargetLink {
        name: HOSTILE.to_owned(),
        href: "/targets/1".to_owned(),
    };
    let view = diff_view(&diff, link, None, false, now);
    let html = render("diff.html", "Diff", &view).unwrap();
    assert_escaped(&html);
    // minijinja escapes `/` too (`&#x2f;`); the browser reads both the same.
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains(r#"<h2 id="new-heading">New findings (1)</h2>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<h2 id="fixed-heading">Fixed findings (2)</h2>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<h2 id="still-open-heading">Still open (4)</h2>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/diff?from=1&amp;to=2&amp;still_open=1""#),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/diff?from=2&amp;to=1""#),
        "swap link"
    );
}

#[test]
fn error_pages_use_the_layout_and_escape_the_message() {
    use axum::response::IntoResponse;
    let response = super::PageError::BadRequest(HOSTILE.to_owned()).into_response();
    assert_eq!(response.status(), 400);
    let response = super::PageError::NotFound("gone".to_owned()).into_response();
    assert_eq!(response.status(), 404);
    let html = render(
        "error.html",
        "Bad request",
        &serde_json::json!({"status": 400, "message": HOSTILE}),
    )
    .unwrap();
    assert_escaped(&html);
    // minijinja escapes `/` too (`&#x2f;`); the browser reads both the same.
    let html = html.replace("&#x2f;", "/");
    assert!(html.contains("<main id=\"content\""));
}

#[test]
fn the_run_page_shows_attack_paths_and_vulnerabilities_escaped() {
    let now = at(NOW);
    let runs = [run(2, 1, 2, 0, 3, 4), run(1, 1, 1, 1, 5, 4)];
    let exposure = RunExposure {
        attack_paths: Some(aksguard_store::AttackPaths {
            total: 7,
            top: vec![
                aksguard_store::StoredPath {
                    risk: 0.8765,
                    chain: format!("internet → Service/shop/{HOSTILE} (NET006) → node"),
                },
                aksguard_store::StoredPath {
                    risk: 0.5,
                    chain: "internet → Ingress/shop/web → Deployment/shop/web".to_owned(),
                },
            ],
        }),
        vulnerabilities: Some(aksguard_store::VulnSummary {
            reports: 2,
            images: 3,
            critical: 4,
            high: 5,
            medium: 6,
            low: 7,
            fixable: 8,
            containers: 9,
        }),
    };
    let view = run_page_view(
        &target(1, "t", Some(0)),
        &runs[0],
        Some(&runs[1]),
        Vec::new(),
        exposure,
        findings_section("/runs/2", "x"),
        now,
    );
    let html = render("run.html", "Run #2", &view).unwrap();
    assert_escaped(&html);
    assert!(html.contains("Attack paths (7)"), "{html}");
    assert!(html.contains("risk 0.88"), "{html}");
    assert!(html.contains("5 more not listed."), "{html}");
    assert!(html.contains("<dd>4 / 5</dd>"), "{html}");
    assert!(
        html.contains("<dt>Containers reported (IMG005)</dt><dd>9</dd>"),
        "{html}"
    );
    let first = html.find("risk 0.88").unwrap();
    let second = html.find("risk 0.5").unwrap();
    assert!(first < second, "ranked order");

    // A run without them says so rather than showing zeros.
    let view = run_page_view(
        &target(1, "t", Some(0)),
        &runs[0],
        None,
        Vec::new(),
        RunExposure::default(),
        findings_section("/runs/2", "x"),
        now,
    );
    let html = render("run.html", "Run #2", &view).unwrap();
    assert!(html.contains("Attack paths were not computed for this run."));
    assert!(html.contains("No image vulnerability report was given for this run"));
}
