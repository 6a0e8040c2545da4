//! The read side on a fleet's history: 200 targets × 90 runs (18,000 runs, 28,000 finding
//! episodes, written directly in SQL so the test stays quick), with the fleet page, a
//! target's history and the findings at old and new runs answered through indexes.

mod common;

use std::time::{Duration, Instant};

use aksguard_store::test_support::execute_raw;
use aksguard_store::{FindingQuery, Store};
use common::{Scratch, run_bounded};

const TARGETS: i64 = 200;
const RUNS: i64 = 90;
/// Episodes open from each target's first run, never resolved.
const STEADY: i64 = 50;

/// Targets 1..200; target t's runs have IDs (t-1)*90+1 .. t*90; each target has 50 steady
/// episodes and one short episode per run (opened at run k, resolved at k+1).
fn fleet_sql() -> String {
    let finding_columns = "target_id, fingerprint, rule_id, severity, title, message, \
        api_version, kind, namespace, name, container, path, line, remediation, suppression, \
        first_seen_run, first_seen_at, resolved_run, resolved_at, last_seen_at";
    format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {TARGETS}) \
         INSERT INTO targets (id, kind, key, name, created_at) \
         SELECT i, 'cluster', 'https://c' || i, 'c' || i, 0 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total_runs}) \
         INSERT INTO runs (id, target_id, sequence, uid, started_at, finished_at, recorded_at, \
         tool_version, ruleset_hash, commit_id, files, objects, critical, high, medium, low, info, \
         suppressed, errors, new_count, resolved_count, changed_count) \
         SELECT i, (i - 1) / {RUNS} + 1, (i - 1) % {RUNS} + 1, 'u' || i, i * 1000, i * 1000, \
         i * 1000, 't', 'h', NULL, 1, 1, 0, {STEADY}, 1, 0, 0, 0, 0, 1, 1, 0 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total_runs}) \
         INSERT INTO run_frameworks (run_id, framework, score, assessed, controls, passed, failed) \
         SELECT i, 'cis-aks', 80.0, 10, 20, 8, 2 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {steady_rows} - 1) \
         INSERT INTO findings ({finding_columns}) \
         SELECT i / {STEADY} + 1, 's' || i, 'POD001', 3, 't', 'm', 'v1', 'Pod', 'ns', 'p' || i, \
         NULL, 'f.yaml', 1, 'r', NULL, (i / {STEADY}) * {RUNS} + 1, 0, NULL, NULL, NULL FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total_runs}) \
         INSERT INTO findings ({finding_columns}) \
         SELECT (i - 1) / {RUNS} + 1, 'x' || i, 'POD002', 2, 't', 'm', 'v1', 'Pod', 'ns', \
         'x' || i, NULL, 'f.yaml', 1, 'r', NULL, i, 0, \
         CASE WHEN i % {RUNS} = 0 THEN NULL ELSE i + 1 END, NULL, NULL FROM n",
        total_runs = TARGETS * RUNS,
        steady_rows = TARGETS * STEADY,
    )
}

fn timed<T>(label: &str, engine: &str, started: Instant, value: T) -> T {
    let elapsed = started.elapsed();
    eprintln!("{engine}: {label} in {elapsed:?}");
    // Generous (debug build, shared CI machine): a scan of all rows per target would be
    // far slower than this.
    assert!(
        elapsed < Duration::from_secs(3),
        "{engine}: {label} took {elapsed:?}"
    );
    value
}

#[test]
fn fleet_and_findings_at_stay_fast_on_200_targets_by_90_runs() {
    run_bounded(240, async {
        for scratch in Scratch::all() {
            let engine = scratch.engine();
            let location = scratch.location();
            Store::open(location).await.unwrap();
            let started = Instant::now();
            execute_raw(location, &fleet_sql()).await.unwrap();
            if engine == "postgres" {
                execute_raw(location, "ANALYZE").await.unwrap();
            }
            eprintln!("{engine}: wrote the fleet in {:?}", started.elapsed());
            let store = Store::open(location).await.unwrap();

            let fleet = timed(
                "fleet(30)",
                engine,
                Instant::now(),
                store.fleet(30).await.unwrap(),
            );
            assert_eq!(fleet.len(), 200, "{engine}");
            assert!(
                fleet.iter().all(|entry| entry.trend.len() == 30),
                "{engine}"
            );
            let last = fleet
                .iter()
                .find(|e| e.target.key == "https://c200")
                .unwrap();
            assert_eq!(last.latest.as_ref().unwrap().id, TARGETS * RUNS, "{engine}");
            assert_eq!(last.target.runs, 90, "{engine}");

            let target = store.target("c150").await.unwrap();
            let runs = timed(
                "runs(target, 90)",
                engine,
                Instant::now(),
                store.runs(target.id, Some(90)).await.unwrap(),
            );
            assert_eq!(runs.len(), 90, "{engine}");

            let newest = runs[0].id;
            let oldest = runs[89].id;
            let at_newest = timed(
                "findings_at(newest)",
                engine,
                Instant::now(),
                store
                    .findings_at(newest, &FindingQuery::default())
                    .await
                    .unwrap(),
            );
            // 50 steady + the one opened at the newest run.
            assert_eq!(at_newest.len(), 51, "{engine}");
            let at_oldest = timed(
                "findings_at(oldest)",
                engine,
                Instant::now(),
                store
                    .findings_at(oldest, &FindingQuery::default())
                    .await
                    .unwrap(),
            );
            assert_eq!(at_oldest.len(), 51, "{engine}");
            let diff = timed(
                "diff(oldest, newest)",
                engine,
                Instant::now(),
                store.diff(oldest, newest, false).await.unwrap(),
            );
            assert_eq!(
                (
                    diff.new.len(),
                    diff.fixed.len(),
                    diff.still_open_counts.total()
                ),
                (1, 1, 50),
                "{engine}"
            );
        }
    });
}
