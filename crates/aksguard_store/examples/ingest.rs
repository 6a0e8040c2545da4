//! The ingest step of the history benchmark (`bench/history.sh`): records the JSON report of
//! one `aksguard scan --format json` in a store, the way `aksguard scan --store` records the
//! report it holds, and prints what that cost as one JSON line.
//!
//! ```text
//! cargo run --release -p aksguard_store --example ingest -- \
//!     --store URL --report REPORT.json --target-name NAME [--change-percent P]
//! ```
//!
//! The report is read into a [`RunRecord`] first (`load`, not part of the ingest: the CLI
//! already holds its report in memory); then [`Store::open`] and [`Store::record`] are timed
//! (`record`). `--change-percent P` changes the fingerprint of every (100 / P)-th finding
//! before recording: each such finding is one new episode and resolves the one it replaced,
//! as a re-scan where P % of the findings were fixed and as many new ones appeared.
//!
//! Printed: the findings recorded, the wall time of each phase, the process's peak resident
//! set size after loading and at the end (`VmHWM`, so `peak - loaded` is what the ingest
//! added on top of the report), what [`Store::record`] says it wrote, and the finding rows
//! the database holds before and after, with those this run inserted and resolved, counted
//! with SQL from the database itself.

use std::io::BufReader;
use std::time::Instant;

use aksguard_model::Severity;
use aksguard_store::{
    FindingRecord, RunError, RunRecord, Store, StoreLocation, TargetKind, TargetSpec,
};
use jiff::Timestamp;
use serde::Deserialize;

/// The parts of aksguard's JSON report a run record needs (README, "JSON report").
#[derive(Deserialize)]
struct Report {
    tool: Tool,
    findings: Vec<ReportFinding>,
    #[serde(default)]
    suppressed: Vec<ReportFinding>,
    #[serde(default)]
    errors: Vec<ReportError>,
    #[serde(default)]
    not_judged: Vec<NotJudged>,
    summary: Summary,
}

#[derive(Deserialize)]
struct Tool {
    version: String,
}

#[derive(Deserialize)]
struct ReportFinding {
    rule_id: String,
    severity: String,
    title: String,
    message: String,
    object: ReportObject,
    container: Option<String>,
    location: ReportLocation,
    remediation: String,
    fingerprint: String,
    suppression: Option<Suppression>,
}

#[derive(Deserialize)]
struct ReportObject {
    api_version: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

#[derive(Deserialize)]
struct ReportLocation {
    path: String,
    line: u32,
}

#[derive(Deserialize)]
struct Suppression {
    kind: String,
    reason: String,
}

#[derive(Deserialize)]
struct ReportError {
    path: String,
    line: Option<u32>,
    message: String,
}

#[derive(Deserialize)]
struct NotJudged {
    rule_id: String,
}

#[derive(Deserialize)]
struct Summary {
    files: u64,
    objects: u64,
}

struct Args {
    store: String,
    report: String,
    target_name: String,
    change_percent: Option<f64>,
}

fn parse_args() -> Result<Args, String> {
    let mut store = None;
    let mut report = None;
    let mut target_name = None;
    let mut change_percent = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--store" => store = Some(value()?),
            "--report" => report = Some(value()?),
            "--target-name" => target_name = Some(value()?),
            "--change-percent" => {
                let text = value()?;
                let percent: f64 = text
                    .parse()
                    .map_err(|_| format!("--change-percent: `{text}` is not a number"))?;
                if !(percent > 0.0 && percent <= 100.0) {
                    return Err(format!("--change-percent must be in (0, 100], got {text}"));
                }
                change_percent = Some(percent);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        store: store.ok_or("--store URL is required")?,
        report: report.ok_or("--report FILE is required")?,
        target_name: target_name.ok_or("--target-name NAME is required")?,
        change_percent,
    })
}

fn finding_record(finding: ReportFinding) -> Result<FindingRecord, String> {
    let severity = Severity::parse(&finding.severity)
        .ok_or_else(|| format!("unknown severity `{}`", finding.severity))?;
    Ok(FindingRecord {
        fingerprint: finding.fingerprint,
        rule_id: finding.rule_id,
        severity,
        title: finding.title,
        message: finding.message,
        api_version: finding.object.api_version,
        kind: finding.object.kind,
        namespace: finding.object.namespace,
        name: finding.object.name,
        container: finding.container,
        path: finding.location.path,
        line: finding.location.line,
        remediation: finding.remediation,
        suppression: finding
            .suppression
            .map(|s| format!("{}: {}", s.kind, s.reason)),
    })
}

/// The record `aksguard scan --store` would write for this report: every rule ran (the
/// benchmark scans with all rules) except those the report says judged nothing.
fn run_record(report: Report, target_name: &str) -> Result<RunRecord, String> {
    let not_judged: Vec<String> = report.not_judged.into_iter().map(|n| n.rule_id).collect();
    let rules_judged: Vec<String> = aksguard_rules::all_rules()
        .iter()
        .map(|rule| rule.id.to_owned())
        .filter(|id| !not_judged.contains(id))
        .collect();
    let mut findings = Vec::with_capacity(report.findings.len() + report.suppressed.len());
    for finding in report.findings.into_iter().chain(report.suppressed) {
        findings.push(finding_record(finding)?);
    }
    let now = Timestamp::now();
    Ok(RunRecord {
        uid: unique_id(),
        target: TargetSpec {
            kind: TargetKind::Files,
            key: format!("name:{target_name}"),
            name: target_name.to_owned(),
        },
        started_at: now,
        finished_at: now,
        tool_version: report.tool.version,
        ruleset_hash: format!("bench-{}", rules_judged.len()),
        rules_judged,
        commit: None,
        files: report.summary.files,
        objects: report.summary.objects,
        findings,
        errors: report
            .errors
            .into_iter()
            .map(|e| RunError {
                path: e.path,
                line: e.line,
                message: e.message,
            })
            .collect(),
        vulnerabilities: None,
        attack_paths: None,
        frameworks: Vec::new(),
    })
}

/// 128 bits that differ per invocation (time, process ID, an address), hex: a benchmark run
/// needs no cryptographic randomness, only a `uid` no earlier run has.
fn unique_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Timestamp::now().as_nanosecond() as u128);
    hasher.write_u32(std::process::id());
    let high = hasher.finish();
    hasher.write_u64(high);
    format!("{high:016x}{:016x}", hasher.finish())
}

/// Gives every (100 / percent)-th finding another fingerprint; returns how many changed.
fn change_fingerprints(record: &mut RunRecord, percent: f64) -> usize {
    let every = (100.0 / percent).round().max(1.0) as usize;
    let mut changed = 0;
    for finding in record.findings.iter_mut().step_by(every) {
        let value = u64::from_str_radix(&finding.fingerprint, 16).unwrap_or_default();
        finding.fingerprint = format!("{:016x}", value ^ 0x5a5a_5a5a_5a5a_5a5a);
        changed += 1;
    }
    changed
}

/// `VmHWM` (peak resident set size) of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("ingest: {message}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let location = StoreLocation::parse(&args.store).map_err(|e| e.to_string())?;

    let started = Instant::now();
    let file = std::fs::File::open(&args.report)
        .map_err(|e| format!("cannot open {}: {e}", args.report))?;
    let report: Report = serde_json::from_reader(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| format!("{}: not an aksguard JSON report: {e}", args.report))?;
    let mut record = run_record(report, &args.target_name)?;
    let changed_fingerprints = args
        .change_percent
        .map(|percent| change_fingerprints(&mut record, percent))
        .unwrap_or(0);
    let load_seconds = started.elapsed().as_secs_f64();
    let loaded_rss = peak_rss_kib();

    let started = Instant::now();
    let store = Store::open(&location).await.map_err(|e| e.to_string())?;
    let open_seconds = started.elapsed().as_secs_f64();
    let before = rows::count(&location, None).await?;
    let started = Instant::now();
    let recorded = store.record(&record).await.map_err(|e| e.to_string())?;
    let record_seconds = started.elapsed().as_secs_f64();
    let peak_rss = peak_rss_kib();
    let after = rows::count(&location, Some(recorded.run_id)).await?;

    let line = serde_json::json!({
        "engine": match location { StoreLocation::Sqlite(_) => "sqlite", StoreLocation::Postgres(_) => "postgres" },
        "findings": record.findings.len(),
        "changed_fingerprints": changed_fingerprints,
        "load_seconds": load_seconds,
        "open_seconds": open_seconds,
        "record_seconds": record_seconds,
        "loaded_peak_rss_kib": loaded_rss,
        "peak_rss_kib": peak_rss,
        "run_id": recorded.run_id,
        "new": recorded.new,
        "resolved": recorded.resolved,
        "changed": recorded.changed,
        "duplicate": recorded.duplicate,
        "finding_rows_before": before.findings,
        "finding_rows_after": after.findings,
        "finding_rows_inserted": after.findings - before.findings,
        "finding_rows_resolved_by_run": after.resolved_by_run,
        "run_rows_after": after.runs,
        "database_bytes": after.database_bytes,
    });
    println!("{line}");
    Ok(())
}

/// Row counts read from the database itself, not from what [`Store::record`] reports.
mod rows {
    use aksguard_store::StoreLocation;
    use sqlx::Row;

    /// Over the schema's finding-episode and run tables (crates/aksguard_store/migrations).
    const COUNT_FINDINGS: &str = "SELECT COUNT(*) FROM findings";
    const COUNT_RUNS: &str = "SELECT COUNT(*) FROM runs";
    const RESOLVED_BY_RUN: &str = "SELECT COUNT(*) FROM findings WHERE resolved_run = $1";
    const DATABASE_SIZE: &str = "SELECT pg_database_size(current_database())";

    pub struct Counts {
        pub findings: i64,
        pub runs: i64,
        /// Episodes whose `resolved_run` is the given run.
        pub resolved_by_run: i64,
        pub database_bytes: i64,
    }

    fn failed(e: sqlx::Error) -> String {
        format!("counting rows: {e}")
    }

    /// SQLite's write-ahead log beside `path`: `PATH-wal`.
    fn wal_of(path: &std::path::Path) -> std::path::PathBuf {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        wal.into()
    }

    pub async fn count(location: &StoreLocation, run: Option<i64>) -> Result<Counts, String> {
        let run = run.unwrap_or(-1);
        match location {
            StoreLocation::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true);
                let pool = sqlx::SqlitePool::connect_with(options)
                    .await
                    .map_err(failed)?;
                let one = |sql: &'static str, bind: bool| {
                    let pool = pool.clone();
                    async move {
                        let query = sqlx::query(sql);
                        let query = if bind { query.bind(run) } else { query };
                        query
                            .fetch_one(&pool)
                            .await
                            .map(|row| row.get::<i64, _>(0))
                            .map_err(failed)
                    }
                };
                let counts = Counts {
                    findings: one(COUNT_FINDINGS, false).await?,
                    runs: one(COUNT_RUNS, false).await?,
                    resolved_by_run: one(RESOLVED_BY_RUN, true).await?,
                    // The file and its write-ahead log (WAL mode keeps recent pages there).
                    database_bytes: [path.clone(), wal_of(path)]
                        .iter()
                        .filter_map(|file| std::fs::metadata(file).ok())
                        .map(|m| m.len() as i64)
                        .sum(),
                };
                pool.close().await;
                Ok(counts)
            }
            StoreLocation::Postgres(url) => {
                let pool = sqlx::PgPool::connect(url).await.map_err(failed)?;
                let one = |sql: &'static str, bind: bool| {
                    let pool = pool.clone();
                    async move {
                        let query = sqlx::query(sql);
                        let query = if bind { query.bind(run) } else { query };
                        query
                            .fetch_one(&pool)
                            .await
                            .map(|row| row.get::<i64, _>(0))
                            .map_err(failed)
                    }
                };
                let counts = Counts {
                    findings: one(COUNT_FINDINGS, false).await?,
                    runs: one(COUNT_RUNS, false).await?,
                    resolved_by_run: one(RESOLVED_BY_RUN, true).await?,
                    database_bytes: one(DATABASE_SIZE, false).await?,
                };
                pool.close().await;
                Ok(counts)
            }
        }
    }
}
