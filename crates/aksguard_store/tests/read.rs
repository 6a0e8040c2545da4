//! The read side: diffs of adjacent and distant runs, findings as they stood at an old run,
//! the fleet, pruning and the export; on SQLite and PostgreSQL.

mod common;

use aksguard_model::Severity;
use aksguard_store::test_support::execute_raw;
use aksguard_store::{FindingQuery, FindingRecord, Store, StoreLocation};
use common::{finding, run, run_bounded, stores};
use jiff::Timestamp;

const RULES: &[&str] = &["POD001", "POD002"];

fn f(n: u32, severity: Severity) -> FindingRecord {
    finding(&format!("{n:016x}"), "POD001", severity, &format!("w{n}"))
}

fn prints(findings: &[aksguard_store::StoredFinding]) -> Vec<String> {
    let mut out: Vec<String> = findings
        .iter()
        .map(|f| f.fingerprint.trim_start_matches('0').to_string())
        .collect();
    out.sort();
    out
}

/// Four runs of one target: {1,2,3} → {2,3,4} → {3,4,5} → {3,5}; returns their run IDs.
async fn history(store: &Store, key: &str) -> Vec<i64> {
    let sets: [&[u32]; 4] = [&[1, 2, 3], &[2, 3, 4], &[3, 4, 5], &[3, 5]];
    let mut ids = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let findings = set
            .iter()
            .map(|&n| {
                f(
                    n,
                    if n == 3 {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                )
            })
            .collect();
        let recorded = store
            .record(&run(
                key,
                i64::try_from(i).unwrap() * 60 * 24,
                RULES,
                findings,
            ))
            .await
            .unwrap();
        ids.push(recorded.run_id);
    }
    ids
}

#[test]
fn diffs_of_adjacent_and_distant_runs() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let ids = history(&store, "https://diff").await;

            let adjacent = store.diff(ids[0], ids[1], true).await.unwrap();
            assert_eq!(prints(&adjacent.new), ["4"], "{engine}");
            assert_eq!(prints(&adjacent.fixed), ["1"], "{engine}");
            assert_eq!(prints(&adjacent.still_open), ["2", "3"], "{engine}");
            assert_eq!(adjacent.still_open_counts.total(), 2, "{engine}");
            assert_eq!(adjacent.still_open_counts.high, 1, "{engine}");
            assert_eq!(adjacent.new_counts().medium, 1, "{engine}");
            assert_eq!(adjacent.fixed_counts().total(), 1, "{engine}");

            let distant = store.diff(ids[0], ids[3], false).await.unwrap();
            assert_eq!(prints(&distant.new), ["5"], "{engine}");
            assert_eq!(prints(&distant.fixed), ["1", "2"], "{engine}");
            assert!(
                distant.still_open.is_empty(),
                "{engine}: listed only when asked"
            );
            assert_eq!(distant.still_open_counts.total(), 1, "{engine}");
            assert_eq!(
                (distant.from.id, distant.to.id),
                (ids[0], ids[3]),
                "{engine}"
            );

            assert!(
                store.diff(ids[0], 999_999, false).await.is_err(),
                "{engine}"
            );
        }
    });
}

/// `diff(a, b, false)` of a target's earlier and later run reads only what changed; it must
/// give what the general path (`diff(a, b, true)`, every open finding of both runs) gives,
/// over a history with a finding fixed and seen again, a severity change, a suppressed
/// finding and a run with nothing open.
#[test]
fn the_forward_diff_agrees_with_the_full_comparison() {
    run_bounded(120, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let suppressed = |n: u32| FindingRecord {
                suppression: Some("exception: accepted".to_string()),
                ..f(n, Severity::Low)
            };
            let runs: Vec<Vec<FindingRecord>> = vec![
                vec![f(1, Severity::High), f(2, Severity::Medium), suppressed(9)],
                vec![
                    f(2, Severity::Medium),
                    f(3, Severity::Critical),
                    suppressed(9),
                ],
                vec![
                    f(1, Severity::High),
                    f(3, Severity::Low),
                    f(4, Severity::Info),
                ],
                vec![],
                vec![
                    f(1, Severity::High),
                    f(2, Severity::Medium),
                    f(4, Severity::Info),
                ],
                vec![f(2, Severity::High), f(5, Severity::Medium), suppressed(1)],
            ];
            let mut ids = Vec::new();
            for (i, findings) in runs.into_iter().enumerate() {
                let minute = i64::try_from(i).unwrap() * 60;
                let recorded = store
                    .record(&run("https://forward", minute, RULES, findings))
                    .await
                    .unwrap();
                ids.push(recorded.run_id);
            }
            for (i, &from) in ids.iter().enumerate() {
                for &to in &ids[i + 1..] {
                    let fast = store.diff(from, to, false).await.unwrap();
                    let full = store.diff(from, to, true).await.unwrap();
                    let case = format!("{engine}: runs {from} → {to}");
                    assert_eq!(fast.new, full.new, "{case}: new");
                    assert_eq!(fast.fixed, full.fixed, "{case}: fixed");
                    assert_eq!(
                        fast.still_open_counts, full.still_open_counts,
                        "{case}: still open"
                    );
                    assert!(fast.still_open.is_empty(), "{case}");
                }
            }
        }
    });
}

#[test]
fn findings_at_an_old_run_are_that_runs_set() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let ids = history(&store, "https://old").await;
            let expected: [&[&str]; 4] = [
                &["1", "2", "3"],
                &["2", "3", "4"],
                &["3", "4", "5"],
                &["3", "5"],
            ];
            for (id, expected) in ids.iter().zip(expected) {
                let open = store
                    .findings_at(*id, &FindingQuery::default())
                    .await
                    .unwrap();
                assert_eq!(prints(&open), expected, "{engine}: run {id}");
            }
            // A resolved episode says when.
            let at_first = store
                .findings_at(ids[0], &FindingQuery::default())
                .await
                .unwrap();
            let one = at_first
                .iter()
                .find(|f| f.fingerprint.ends_with('1'))
                .unwrap();
            assert_eq!(one.resolved_run, Some(ids[1]), "{engine}");
            assert!(
                one.resolved_at.is_some() && one.last_seen_at.is_some(),
                "{engine}"
            );
            let three = at_first
                .iter()
                .find(|f| f.fingerprint.ends_with('3'))
                .unwrap();
            assert_eq!(
                (three.resolved_run, three.last_seen_at),
                (None, None),
                "{engine}"
            );
        }
    });
}

#[test]
fn the_fleet_lists_every_target_with_its_trend() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let ids = history(&store, "https://fleet-a").await;
            store
                .record(&run(
                    "https://fleet-b",
                    0,
                    RULES,
                    vec![f(9, Severity::Critical)],
                ))
                .await
                .unwrap();
            let fleet = store.fleet(3).await.unwrap();
            assert_eq!(fleet.len(), 2, "{engine}");
            let a = &fleet[0];
            assert_eq!(a.target.key, "https://fleet-a", "{engine}");
            assert_eq!(a.latest.as_ref().unwrap().id, ids[3], "{engine}");
            let trend: Vec<i64> = a.trend.iter().map(|p| p.run_id).collect();
            assert_eq!(trend, ids[1..], "{engine}: the last 3, oldest first");
            assert_eq!(a.trend[2].counts.total(), 2, "{engine}");
            assert_eq!(
                a.trend[0].scores,
                vec![("cis-aks".to_string(), 87.5)],
                "{engine}"
            );
            assert_eq!(fleet[1].trend.len(), 1, "{engine}");
            assert_eq!(
                fleet[1].latest.as_ref().unwrap().counts.critical,
                1,
                "{engine}"
            );
        }
    });
}

/// The fleet view is kept between calls (a dashboard reads it on every page view) but never
/// outlives a write: a run recorded by another process, or a prune, shows at once.
#[test]
fn the_fleet_view_follows_every_write_from_any_process() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let ids = history(&store, "https://kept").await;
            let before = store.fleet_counts(3).await.unwrap();
            assert_eq!(before[0].latest.as_ref().unwrap().id, ids[3], "{engine}");
            assert!(
                before[0].trend.iter().all(|p| p.scores.is_empty()),
                "{engine}"
            );
            // The same view again comes from the cache, equal to a fresh read.
            assert_eq!(store.fleet_counts(3).await.unwrap(), before, "{engine}");
            let with_scores = store.fleet(3).await.unwrap();
            assert_eq!(with_scores[0].trend[0].scores.len(), 1, "{engine}");

            // Another process (its own pool) records a run.
            let other = Store::open(scratch.location()).await.unwrap();
            let day = 24 * 60;
            let newer = other
                .record(&run(
                    "https://kept",
                    10 * day,
                    RULES,
                    vec![f(8, Severity::High)],
                ))
                .await
                .unwrap();
            let after = store.fleet_counts(3).await.unwrap();
            assert_eq!(
                after[0].latest.as_ref().unwrap().id,
                newer.run_id,
                "{engine}: a run recorded elsewhere shows at once"
            );
            assert_eq!(after[0].target.runs, 5, "{engine}");
            assert_eq!(
                store.fleet(3).await.unwrap()[0].trend[2].run_id,
                newer.run_id
            );

            // A prune elsewhere shows too.
            let now = other.run(newer.run_id).await.unwrap().finished_at;
            let pruned = other.prune(1, now).await.unwrap();
            assert!(pruned.runs_deleted > 0, "{engine}");
            let after_prune = store.fleet_counts(3).await.unwrap();
            assert_eq!(
                after_prune[0].target.runs,
                5 - pruned.runs_deleted,
                "{engine}: a prune elsewhere shows at once"
            );
        }
    });
}

#[test]
fn prune_keeps_latest_runs_and_open_episodes() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            // Runs one day apart: days 0, 1, 2, 3.
            let ids = history(&store, "https://prune").await;
            // Another target with one old run: its latest run is never pruned.
            let lonely = store
                .record(&run("https://lonely", 0, RULES, vec![f(7, Severity::Low)]))
                .await
                .unwrap();
            let day3 = store.run(ids[3]).await.unwrap().finished_at;
            // Keep one day back from day 3 - 1h: runs of days 0 and 1 go.
            let now = day3
                .checked_sub(jiff::SignedDuration::from_hours(1))
                .unwrap();
            let summary = store.prune(1, now).await.unwrap();
            assert_eq!(summary.runs_deleted, 2, "{engine}");
            // Episodes 1 (resolved at run 2) and 2 (resolved at run 3, the oldest kept) go;
            // 4 (resolved at run 4, open at run 3) stays.
            assert_eq!(summary.findings_deleted, 2, "{engine}");
            assert!(store.run(ids[0]).await.is_err(), "{engine}");
            let kept: Vec<i64> = store
                .runs(store.target("https://prune").await.unwrap().id, None)
                .await
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(kept, [ids[3], ids[2]], "{engine}");
            let open = store
                .findings_at(ids[2], &FindingQuery::default())
                .await
                .unwrap();
            assert_eq!(
                prints(&open),
                ["3", "4", "5"],
                "{engine}: runs kept read as before"
            );
            assert_eq!(
                store.run(lonely.run_id).await.unwrap().id,
                lonely.run_id,
                "{engine}"
            );
            // History continues after a prune.
            let next = store
                .record(&run("https://prune", 10_000, RULES, vec![]))
                .await
                .unwrap();
            assert_eq!((next.sequence, next.resolved), (5, 2), "{engine}");
            let _: Timestamp = summary.cutoff.unwrap();
            // Scores and errors go with their runs because foreign keys are enforced (on
            // SQLite only when the connection asks for it): a score of no run is refused.
            let orphan = execute_raw(
                scratch.location(),
                "INSERT INTO run_frameworks (run_id, framework, score, assessed, controls, \
                 passed, failed) VALUES (999999, 'cis-aks', 1.0, 1, 1, 1, 0)",
            )
            .await;
            assert!(orphan.is_err(), "{engine}: foreign keys are not enforced");
        }
    });
}

#[test]
fn export_writes_one_line_per_row_and_no_password() {
    run_bounded(60, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            history(&store, "https://export").await;
            let mut out = Vec::new();
            let summary = store.export(&mut out).await.unwrap();
            assert_eq!(
                (summary.targets, summary.runs, summary.findings),
                (1, 4, 5),
                "{engine}"
            );
            let text = String::from_utf8(out).unwrap();
            let lines: Vec<serde_json::Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(lines.len(), 10, "{engine}");
            let count = |kind: &str| lines.iter().filter(|l| l["type"] == kind).count();
            assert_eq!(
                (count("target"), count("run"), count("finding")),
                (1, 4, 5),
                "{engine}"
            );
            assert_eq!(
                lines[1]["frameworks"][0]["framework"], "cis-aks",
                "{engine}"
            );
            if let StoreLocation::Postgres(url) = scratch.location() {
                // The scratch URL has no password; a user's might: nothing of the URL is
                // exported at all.
                assert!(!text.contains(url.as_str()), "{engine}");
            }
            assert!(!text.to_lowercase().contains("password"), "{engine}");
        }
    });
}

#[test]
fn vulnerabilities_and_attack_paths_round_trip_and_go_with_their_run() {
    run_bounded(120, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let mut with = run("https://paths", 0, RULES, vec![f(1, Severity::High)]);
            with.vulnerabilities = Some(aksguard_store::VulnSummary {
                reports: 2,
                images: 3,
                critical: 4,
                high: 5,
                medium: 6,
                low: 7,
                fixable: 8,
                containers: 1,
            });
            // More than the kept top: only the first ten are stored, in rank order.
            with.attack_paths = Some(aksguard_store::AttackPaths {
                total: 42,
                top: (0..12)
                    .map(|i| aksguard_store::StoredPath {
                        risk: 1.0 - f64::from(i) / 100.0,
                        chain: format!("internet → Service/shop/web{i} (NET006) → node <&>"),
                    })
                    .collect(),
            });
            let first = store.record(&with).await.unwrap();
            let second = store
                .record(&run("https://paths", 60, RULES, vec![f(1, Severity::High)]))
                .await
                .unwrap();
            let vulns = store.run_vulnerabilities(first.run_id).await.unwrap();
            assert_eq!(vulns, with.vulnerabilities, "{engine}");
            let paths = store.run_attack_paths(first.run_id).await.unwrap().unwrap();
            assert_eq!(paths.total, 42, "{engine}");
            assert_eq!(paths.top.len(), 10, "{engine}");
            assert_eq!(
                paths.top,
                with.attack_paths.as_ref().unwrap().top[..10],
                "{engine}"
            );
            // A run without them has none (not zeros).
            assert_eq!(
                store.run_vulnerabilities(second.run_id).await.unwrap(),
                None
            );
            assert_eq!(store.run_attack_paths(second.run_id).await.unwrap(), None);
            assert!(
                store.run_vulnerabilities(9_999).await.is_err(),
                "{engine}: no such run"
            );
            // Pruning deletes the old run with its rows: a foreign key without the cascade
            // would refuse the delete (PostgreSQL; SQLite with foreign keys on).
            let now = Timestamp::from_second(1_900_000_000).unwrap();
            let pruned = store.prune(1, now).await.unwrap();
            assert_eq!(pruned.runs_deleted, 1, "{engine}");
            assert!(
                store.run_attack_paths(first.run_id).await.is_err(),
                "{engine}"
            );
        }
    });
}
