//! Concurrent writers: runs of one target get sequences 1..N without gaps or duplicates
//! and consistent episodes; writers of different targets do not block each other out.

mod common;

use std::collections::HashSet;

use aksguard_model::Severity;
use aksguard_store::{FindingQuery, Store};
use common::{finding, run, run_bounded, stores};

const RULES: &[&str] = &["POD001"];
const TASKS: usize = 8;
const RUNS_PER_TASK: usize = 25;

/// Each writer alternates between two finding sets (so episodes open and resolve all the
/// time) and writes `RUNS_PER_TASK` runs to `key(task)`.
async fn write_concurrently(store: &Store, key: fn(usize) -> String) {
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..RUNS_PER_TASK {
                let shared = finding("00000000000000aa", "POD001", Severity::High, "shared");
                let mut findings = vec![shared];
                if (task + i) % 2 == 0 {
                    findings.push(finding(
                        "00000000000000bb",
                        "POD001",
                        Severity::Low,
                        "flapping",
                    ));
                }
                let minute = i64::try_from(task * 100 + i).unwrap();
                store
                    .record(&run(&key(task), minute, RULES, findings))
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

async fn check_target(store: &Store, target_id: i64, expected_runs: usize, engine: &str) {
    let runs = store.runs(target_id, None).await.unwrap();
    assert_eq!(runs.len(), expected_runs, "{engine}");
    let mut sequences: Vec<i64> = runs.iter().map(|r| r.sequence).collect();
    sequences.reverse();
    let expected: Vec<i64> = (1..=i64::try_from(expected_runs).unwrap()).collect();
    assert_eq!(
        sequences, expected,
        "{engine}: sequences 1..N in run ID order"
    );
    // At every run: at most one open episode per fingerprint, and the shared one open.
    for run in &runs {
        let open = store
            .findings_at(run.id, &FindingQuery::default())
            .await
            .unwrap();
        let prints: HashSet<&str> = open.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(
            prints.len(),
            open.len(),
            "{engine}: run {} lists a fingerprint twice",
            run.id
        );
        assert!(
            prints.contains("00000000000000aa"),
            "{engine}: run {}",
            run.id
        );
        assert_eq!(
            run.counts.total() as usize,
            open.len(),
            "{engine}: run {}",
            run.id
        );
    }
    // The shared finding was never resolved: one episode from the first run.
    let latest = &runs[0];
    let open = store
        .findings_at(latest.id, &FindingQuery::default())
        .await
        .unwrap();
    let shared = open
        .iter()
        .find(|f| f.fingerprint == "00000000000000aa")
        .unwrap();
    assert_eq!(shared.first_seen_run, runs.last().unwrap().id, "{engine}");
}

#[test]
fn writers_of_one_target_are_serialised() {
    run_bounded(240, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let started = std::time::Instant::now();
            write_concurrently(&store, |_| "https://one".to_string()).await;
            eprintln!(
                "{engine}: {TASKS} writers x {RUNS_PER_TASK} runs to one target in {:?}",
                started.elapsed()
            );
            let target = store.target("https://one").await.unwrap();
            check_target(&store, target.id, TASKS * RUNS_PER_TASK, engine).await;
            let (targets, runs, _) = common::exported(&store).await;
            assert_eq!((targets, runs), (1, 200), "{engine}");
        }
    });
}

#[test]
fn writers_of_different_targets_run_side_by_side() {
    run_bounded(240, async {
        for (scratch, store) in stores().await {
            let engine = scratch.engine();
            let started = std::time::Instant::now();
            write_concurrently(&store, |task| format!("https://many-{task}")).await;
            eprintln!(
                "{engine}: {TASKS} writers x {RUNS_PER_TASK} runs to {TASKS} targets in {:?}",
                started.elapsed()
            );
            let targets = store.targets().await.unwrap();
            assert_eq!(targets.len(), TASKS, "{engine}");
            for target in targets {
                check_target(&store, target.id, RUNS_PER_TASK, engine).await;
            }
            let (_, runs, _) = common::exported(&store).await;
            assert_eq!(runs, 200, "{engine}");
        }
    });
}
