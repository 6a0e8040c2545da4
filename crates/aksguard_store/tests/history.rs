//! Recording runs: episodes opened, resolved, changed and left alone; what is never
//! resolved; suppressions; duplicates; every test on SQLite and PostgreSQL.

mod common;

use aksguard_model::Severity;
use aksguard_store::{FindingQuery, StoreError};
use common::{error, finding, run, run_bounded, stores};

const RULES: &[&str] = &["POD001", "POD002", "RBAC001"];

#[test]
fn new_resolved_changed_and_still_open_across_runs() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let a = finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web");
            let b = finding("bbbbbbbbbbbbbbbb", "POD002", Severity::Medium, "api");
            let c = finding("cccccccccccccccc", "RBAC001", Severity::Critical, "admin");

            let first = store
                .record(&run("https://c1", 0, RULES, vec![a.clone(), b.clone()]))
                .await
                .unwrap();
            assert_eq!(
                (first.sequence, first.new, first.resolved, first.changed),
                (1, 2, 0, 0),
                "{engine}"
            );

            // b fixed, c new, a's message changed.
            let mut a2 = a.clone();
            a2.message = "web breaks POD001 twice".into();
            let second = store
                .record(&run("https://c1", 1, RULES, vec![a2.clone(), c.clone()]))
                .await
                .unwrap();
            assert_eq!(
                (second.sequence, second.new, second.resolved, second.changed),
                (2, 1, 1, 1),
                "{engine}"
            );
            assert_eq!(second.target_id, first.target_id, "{engine}");

            // Nothing changes: nothing is written but the run.
            let third = store
                .record(&run("https://c1", 2, RULES, vec![a2.clone(), c.clone()]))
                .await
                .unwrap();
            assert_eq!(
                (third.sequence, third.new, third.resolved, third.changed),
                (3, 0, 0, 0),
                "{engine}"
            );

            let open = store
                .findings_at(third.run_id, &FindingQuery::default())
                .await
                .unwrap();
            let prints: Vec<&str> = open.iter().map(|f| f.fingerprint.as_str()).collect();
            // Highest severity first.
            assert_eq!(prints, ["cccccccccccccccc", "aaaaaaaaaaaaaaaa"], "{engine}");
            assert_eq!(open[1].message, "web breaks POD001 twice", "{engine}");
            assert_eq!(open[1].first_seen_run, first.run_id, "{engine}");

            let summary = store.run(third.run_id).await.unwrap();
            assert_eq!(
                (
                    summary.counts.critical,
                    summary.counts.high,
                    summary.counts.total()
                ),
                (1, 1, 2),
                "{engine}"
            );
            assert_eq!(summary.frameworks.len(), 1, "{engine}");
            assert_eq!(summary.frameworks[0].passed, 15, "{engine}");

            let runs = store.runs(first.target_id, None).await.unwrap();
            let sequences: Vec<i64> = runs.iter().map(|r| r.sequence).collect();
            assert_eq!(sequences, [3, 2, 1], "{engine}: newest first");
            assert_eq!(runs[1].new, 1, "{engine}");
            assert_eq!(runs[1].resolved, 1, "{engine}");
            assert_eq!(
                store.runs(first.target_id, Some(1)).await.unwrap().len(),
                1,
                "{engine}"
            );

            let previous = store.previous_run(third.run_id).await.unwrap().unwrap();
            assert_eq!(previous.id, second.run_id, "{engine}");
            assert!(
                store.previous_run(first.run_id).await.unwrap().is_none(),
                "{engine}"
            );

            let targets = store.targets().await.unwrap();
            assert_eq!(targets.len(), 1, "{engine}");
            assert_eq!(targets[0].runs, 3, "{engine}");
            assert_eq!(
                store.target("c1").await.unwrap().id,
                first.target_id,
                "{engine}"
            );
            assert_eq!(
                store.target("https://c1").await.unwrap().id,
                first.target_id,
                "{engine}"
            );
            assert_eq!(
                store
                    .target(&first.target_id.to_string())
                    .await
                    .unwrap()
                    .key,
                "https://c1",
                "{engine}"
            );
            assert!(
                matches!(store.target("nope").await, Err(StoreError::NotFound(_))),
                "{engine}"
            );
        }
    });
}

#[test]
fn identical_runs_add_run_rows_and_no_finding_rows() {
    run_bounded(120, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let findings: Vec<_> = (0..50)
                .map(|i| {
                    finding(
                        &format!("{i:016x}"),
                        "POD001",
                        Severity::Low,
                        &format!("w{i}"),
                    )
                })
                .collect();
            let started = std::time::Instant::now();
            for i in 0..1_000 {
                let recorded = store
                    .record(&run("https://same", i, RULES, findings.clone()))
                    .await
                    .unwrap();
                if i > 0 {
                    assert_eq!(
                        (recorded.new, recorded.resolved, recorded.changed),
                        (0, 0, 0)
                    );
                }
            }
            eprintln!(
                "{engine}: 1,000 identical runs of 50 findings in {:?}",
                started.elapsed()
            );
            let (targets, runs, findings_rows) = common::exported(&store).await;
            assert_eq!((targets, runs, findings_rows), (1, 1_000, 50), "{engine}");
        }
    });
}

#[test]
fn a_rule_not_judged_or_a_file_that_failed_resolves_nothing() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let a = finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web");
            let mut b = finding("bbbbbbbbbbbbbbbb", "POD002", Severity::Medium, "api");
            b.path = "broken.yaml".into();
            store
                .record(&run("https://c2", 0, RULES, vec![a.clone(), b.clone()]))
                .await
                .unwrap();

            // POD001 deselected; broken.yaml failed to parse: both stay open.
            let mut second = run("https://c2", 1, &["POD002", "RBAC001"], vec![]);
            second.errors.push(error("broken.yaml"));
            let recorded = store.record(&second).await.unwrap();
            assert_eq!(recorded.resolved, 0, "{engine}");
            let open = store
                .findings_at(recorded.run_id, &FindingQuery::default())
                .await
                .unwrap();
            assert_eq!(open.len(), 2, "{engine}");
            // Counted as open at that run too.
            assert_eq!(
                store.run(recorded.run_id).await.unwrap().counts.total(),
                2,
                "{engine}"
            );
            let errors = store.run_errors(recorded.run_id).await.unwrap();
            assert_eq!(errors, vec![error("broken.yaml")], "{engine}");
            assert_eq!(
                store.run(recorded.run_id).await.unwrap().errors,
                1,
                "{engine}"
            );

            // Both judged and loaded: both resolved.
            let third = store
                .record(&run("https://c2", 2, RULES, vec![]))
                .await
                .unwrap();
            assert_eq!(third.resolved, 2, "{engine}");
            assert!(
                store
                    .findings_at(third.run_id, &FindingQuery::default())
                    .await
                    .unwrap()
                    .is_empty(),
                "{engine}"
            );
        }
    });
}

#[test]
fn a_live_scan_that_could_not_list_everything_resolves_nothing_in_that_cluster() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let mut a = finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web");
            a.path = "cluster://prod/default/Deployment/web".into();
            store
                .record(&run("https://c6", 0, RULES, vec![a.clone()]))
                .await
                .unwrap();
            // Deployments could not be listed: the error is on the cluster, not the object.
            let mut second = run("https://c6", 1, RULES, vec![]);
            second.errors.push(error("cluster://prod"));
            assert_eq!(store.record(&second).await.unwrap().resolved, 0, "{engine}");
            // The next complete listing resolves it.
            let third = store
                .record(&run("https://c6", 2, RULES, vec![]))
                .await
                .unwrap();
            assert_eq!(third.resolved, 1, "{engine}");
        }
    });
}

#[test]
fn suppression_changes_update_the_episode() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let a = finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web");
            let first = store
                .record(&run("https://c3", 0, RULES, vec![a.clone()]))
                .await
                .unwrap();

            let mut suppressed = a.clone();
            suppressed.suppression = Some("exception: accepted until the migration".into());
            let second = store
                .record(&run("https://c3", 1, RULES, vec![suppressed]))
                .await
                .unwrap();
            assert_eq!(
                (second.new, second.changed, second.resolved),
                (0, 1, 0),
                "{engine}"
            );
            let summary = store.run(second.run_id).await.unwrap();
            assert_eq!(
                (summary.counts.total(), summary.suppressed),
                (0, 1),
                "{engine}"
            );
            assert!(
                store
                    .findings_at(second.run_id, &FindingQuery::default())
                    .await
                    .unwrap()
                    .is_empty(),
                "{engine}"
            );
            let with = FindingQuery {
                include_suppressed: true,
                ..FindingQuery::default()
            };
            let listed = store.findings_at(second.run_id, &with).await.unwrap();
            assert_eq!(listed.len(), 1, "{engine}");
            assert_eq!(
                listed[0].suppression.as_deref(),
                Some("exception: accepted until the migration"),
                "{engine}"
            );

            // The exception expires: the same episode is active again, not a new finding.
            let third = store
                .record(&run("https://c3", 2, RULES, vec![a.clone()]))
                .await
                .unwrap();
            assert_eq!((third.new, third.changed), (0, 1), "{engine}");
            let open = store
                .findings_at(third.run_id, &FindingQuery::default())
                .await
                .unwrap();
            assert_eq!(open.len(), 1, "{engine}");
            assert_eq!(open[0].first_seen_run, first.run_id, "{engine}");
        }
    });
}

#[test]
fn a_duplicate_uid_returns_the_stored_run() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let record = run(
                "https://c4",
                0,
                RULES,
                vec![finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web")],
            );
            let first = store.record(&record).await.unwrap();
            assert!(!first.duplicate, "{engine}");
            let again = store.record(&record).await.unwrap();
            assert!(again.duplicate, "{engine}");
            assert_eq!(
                (again.run_id, again.sequence, again.new),
                (first.run_id, 1, 1),
                "{engine}"
            );
            let (_, runs, findings) = common::exported(&store).await;
            assert_eq!((runs, findings), (1, 1), "{engine}");
        }
    });
}

#[test]
fn finding_queries_filter_in_the_database() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let mut findings = vec![
                finding("0000000000000001", "POD001", Severity::High, "web"),
                finding("0000000000000002", "POD002", Severity::Low, "api"),
                finding(
                    "0000000000000003",
                    "RBAC001",
                    Severity::Critical,
                    "admin_100%",
                ),
            ];
            findings[1].namespace = Some("prod".into());
            findings[2].kind = "ClusterRole".into();
            findings[2].namespace = None;
            let recorded = store
                .record(&run("https://c5", 0, RULES, findings))
                .await
                .unwrap();
            let ids = |query: FindingQuery| {
                let store = store.clone();
                async move {
                    store
                        .findings_at(recorded.run_id, &query)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|f| f.fingerprint[15..].to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                }
            };
            assert_eq!(ids(FindingQuery::default()).await, "3,1,2", "{engine}");
            assert_eq!(
                ids(FindingQuery {
                    rule_id: Some("POD002".into()),
                    ..Default::default()
                })
                .await,
                "2",
                "{engine}"
            );
            assert_eq!(
                ids(FindingQuery {
                    min_severity: Some(Severity::High),
                    ..Default::default()
                })
                .await,
                "3,1",
                "{engine}"
            );
            assert_eq!(
                ids(FindingQuery {
                    namespace: Some("prod".into()),
                    ..Default::default()
                })
                .await,
                "2",
                "{engine}"
            );
            assert_eq!(
                ids(FindingQuery {
                    kind: Some("ClusterRole".into()),
                    ..Default::default()
                })
                .await,
                "3",
                "{engine}"
            );
            assert_eq!(
                ids(FindingQuery {
                    text: Some("ADMIN_100%".into()),
                    ..Default::default()
                })
                .await,
                "3",
                "{engine}"
            );
            // `_` and `%` are literal, not wildcards.
            assert_eq!(
                ids(FindingQuery {
                    text: Some("n_1".into()),
                    ..Default::default()
                })
                .await,
                "3",
                "{engine}"
            );
            assert_eq!(
                ids(FindingQuery {
                    text: Some("a%n".into()),
                    ..Default::default()
                })
                .await,
                "",
                "{engine}"
            );
            assert_eq!(
                ids(FindingQuery {
                    limit: Some(1),
                    offset: 1,
                    ..Default::default()
                })
                .await,
                "1",
                "{engine}"
            );
        }
    });
}
