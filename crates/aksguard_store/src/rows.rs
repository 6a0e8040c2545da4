//! Rows to values: the column lists the read side selects and how each becomes a
//! [`RunSummary`], [`TargetInfo`] or [`StoredFinding`].

use aksguard_model::Severity;
use jiff::Timestamp;

use crate::StoreError;
use crate::db::StoreRow;
use crate::query::{RunSummary, StoredFinding, TargetInfo, TrendPoint};
use crate::record::{FrameworkScore, SeverityCounts, TargetKind};

/// The columns of `runs` a [`RunSummary`] is read from (prefix-free: select from `runs`).
pub(crate) const RUN_COLUMNS: &str = "id, target_id, sequence, uid, started_at, finished_at, \
     recorded_at, tool_version, ruleset_hash, commit_id, files, objects, critical, high, medium, \
     low, info, suppressed, errors, new_count, resolved_count, changed_count";

/// The columns of `findings` a [`StoredFinding`] is read from.
pub(crate) const FINDING_COLUMNS: &str = "id, target_id, fingerprint, rule_id, severity, title, \
     message, api_version, kind, namespace, name, container, path, line, remediation, \
     suppression, first_seen_run, first_seen_at, resolved_run, resolved_at, last_seen_at";

/// `targets` columns plus how many runs and when the last one finished.
pub(crate) const TARGET_SELECT: &str = "SELECT t.id, t.kind, t.key, t.name, t.created_at, \
     (SELECT COUNT(*) FROM runs r WHERE r.target_id = t.id) AS run_count, \
     (SELECT r.finished_at FROM runs r WHERE r.target_id = t.id ORDER BY r.id DESC LIMIT 1) \
     AS last_run_at FROM targets t";

/// Severities are stored as ranks so "at least high" and "highest first" are plain integer
/// comparisons on both engines.
pub(crate) fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

pub(crate) fn severity_from_rank(rank: i64) -> Result<Severity, StoreError> {
    Ok(match rank {
        0 => Severity::Info,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        4 => Severity::Critical,
        other => {
            return Err(StoreError::Query(format!(
                "the store holds an unknown severity rank {other}"
            )));
        }
    })
}

pub(crate) fn millis(time: Timestamp) -> i64 {
    time.as_millisecond()
}

pub(crate) fn timestamp(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms)
        .map_err(|err| StoreError::Query(format!("the store holds a time out of range: {err}")))
}

pub(crate) fn count(row: &dyn StoreRow, column: &str) -> Result<u32, StoreError> {
    u32::try_from(row.int(column)?)
        .map_err(|_| StoreError::Query(format!("the store holds a negative or huge `{column}`")))
}

fn count64(row: &dyn StoreRow, column: &str) -> Result<u64, StoreError> {
    u64::try_from(row.int(column)?)
        .map_err(|_| StoreError::Query(format!("the store holds a negative `{column}`")))
}

pub(crate) fn target_info(row: &dyn StoreRow) -> Result<TargetInfo, StoreError> {
    let kind_text = row.text("kind")?;
    Ok(TargetInfo {
        id: row.int("id")?,
        kind: TargetKind::parse(&kind_text).ok_or_else(|| {
            StoreError::Query(format!(
                "the store holds an unknown target kind `{kind_text}`"
            ))
        })?,
        key: row.text("key")?,
        name: row.text("name")?,
        created_at: timestamp(row.int("created_at")?)?,
        runs: count64(row, "run_count")?,
        last_run_at: row.opt_int("last_run_at")?.map(timestamp).transpose()?,
    })
}

/// A run without its framework scores (see [`framework_row`]).
pub(crate) fn run_summary(row: &dyn StoreRow) -> Result<RunSummary, StoreError> {
    Ok(RunSummary {
        id: row.int("id")?,
        target_id: row.int("target_id")?,
        sequence: row.int("sequence")?,
        uid: row.text("uid")?,
        started_at: timestamp(row.int("started_at")?)?,
        finished_at: timestamp(row.int("finished_at")?)?,
        recorded_at: timestamp(row.int("recorded_at")?)?,
        tool_version: row.text("tool_version")?,
        ruleset_hash: row.text("ruleset_hash")?,
        commit: row.opt_text("commit_id")?,
        files: count64(row, "files")?,
        objects: count64(row, "objects")?,
        counts: severity_counts(row)?,
        suppressed: count(row, "suppressed")?,
        errors: count(row, "errors")?,
        new: count(row, "new_count")?,
        resolved: count(row, "resolved_count")?,
        frameworks: Vec::new(),
    })
}

/// A `run_frameworks` row: (run id, score).
/// A run's open findings per severity, from its `critical` … `info` columns.
fn severity_counts(row: &dyn StoreRow) -> Result<SeverityCounts, StoreError> {
    Ok(SeverityCounts {
        critical: count(row, "critical")?,
        high: count(row, "high")?,
        medium: count(row, "medium")?,
        low: count(row, "low")?,
        info: count(row, "info")?,
    })
}

/// A trend point with its target ID, from `id, target_id, finished_at` and the severity
/// counts (its scores are attached afterwards when asked for).
pub(crate) fn trend_point(row: &dyn StoreRow) -> Result<(i64, TrendPoint), StoreError> {
    Ok((
        row.int("target_id")?,
        TrendPoint {
            run_id: row.int("id")?,
            finished_at: timestamp(row.int("finished_at")?)?,
            counts: severity_counts(row)?,
            scores: Vec::new(),
        },
    ))
}

pub(crate) fn framework_row(row: &dyn StoreRow) -> Result<(i64, FrameworkScore), StoreError> {
    Ok((
        row.int("run_id")?,
        FrameworkScore {
            framework: row.text("framework")?,
            score: row.real("score")?,
            assessed: count(row, "assessed")?,
            controls: count(row, "controls")?,
            passed: count(row, "passed")?,
            failed: count(row, "failed")?,
        },
    ))
}

/// Gives each run its scores (`scores` in any order; each run's kept in framework order).
pub(crate) fn attach_frameworks(runs: &mut [RunSummary], mut scores: Vec<(i64, FrameworkScore)>) {
    scores.sort_by(|a, b| (a.0, &a.1.framework).cmp(&(b.0, &b.1.framework)));
    for run in runs.iter_mut() {
        let start = scores.partition_point(|(id, _)| *id < run.id);
        run.frameworks = scores[start..]
            .iter()
            .take_while(|(id, _)| *id == run.id)
            .map(|(_, score)| score.clone())
            .collect();
    }
}

pub(crate) fn stored_finding(row: &dyn StoreRow) -> Result<StoredFinding, StoreError> {
    Ok(StoredFinding {
        id: row.int("id")?,
        target_id: row.int("target_id")?,
        fingerprint: row.text("fingerprint")?,
        rule_id: row.text("rule_id")?,
        severity: severity_from_rank(row.int("severity")?)?,
        title: row.text("title")?,
        message: row.text("message")?,
        api_version: row.text("api_version")?,
        kind: row.text("kind")?,
        namespace: row.opt_text("namespace")?,
        name: row.text("name")?,
        container: row.opt_text("container")?,
        path: row.text("path")?,
        line: count(row, "line")?,
        remediation: row.text("remediation")?,
        suppression: row.opt_text("suppression")?,
        first_seen_run: row.int("first_seen_run")?,
        first_seen_at: timestamp(row.int("first_seen_at")?)?,
        last_seen_at: row.opt_int("last_seen_at")?.map(timestamp).transpose()?,
        resolved_run: row.opt_int("resolved_run")?,
        resolved_at: row.opt_int("resolved_at")?.map(timestamp).transpose()?,
    })
}
