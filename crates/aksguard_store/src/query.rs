//! What the read side returns: targets, runs, findings as they stood at a run, diffs.

use aksguard_model::Severity;
use jiff::Timestamp;
use serde::Serialize;

use crate::record::{FrameworkScore, SeverityCounts, TargetKind};

/// A target and how much history it has.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetInfo {
    pub id: i64,
    pub kind: TargetKind,
    pub key: String,
    pub name: String,
    pub created_at: Timestamp,
    pub runs: u64,
    pub last_run_at: Option<Timestamp>,
}

/// One run as listed (history, trend charts): counts and scores, no findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub target_id: i64,
    /// The run's number within its target (1, 2, …).
    pub sequence: i64,
    pub uid: String,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub recorded_at: Timestamp,
    pub tool_version: String,
    pub ruleset_hash: String,
    pub commit: Option<String>,
    pub files: u64,
    pub objects: u64,
    /// Active findings open at this run, per severity.
    pub counts: SeverityCounts,
    /// Suppressed findings at this run.
    pub suppressed: u32,
    /// Loading errors of this run ([`crate::Store::run_errors`] lists them).
    pub errors: u32,
    /// Findings first seen in this run, and findings this run resolved.
    pub new: u32,
    pub resolved: u32,
    pub frameworks: Vec<FrameworkScore>,
}

/// One row of the fleet page (and of `/metrics`): a target with its latest run and the
/// open counts of its last runs, oldest first, for the sparkline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FleetEntry {
    pub target: TargetInfo,
    pub latest: Option<RunSummary>,
    pub trend: Vec<TrendPoint>,
}

/// One run's point on a trend line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendPoint {
    pub run_id: i64,
    pub finished_at: Timestamp,
    pub counts: SeverityCounts,
    /// Scores per framework ID.
    pub scores: Vec<(String, f64)>,
}

/// A finding episode: one fingerprint of one target from the run that first saw it to the
/// run that no longer did. Attributes are as last seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredFinding {
    pub id: i64,
    pub target_id: i64,
    pub fingerprint: String,
    pub rule_id: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub container: Option<String>,
    pub path: String,
    pub line: u32,
    pub remediation: String,
    pub suppression: Option<String>,
    pub first_seen_run: i64,
    pub first_seen_at: Timestamp,
    /// The last run that saw it (`None` while it is open at the target's latest run).
    pub last_seen_at: Option<Timestamp>,
    pub resolved_run: Option<i64>,
    pub resolved_at: Option<Timestamp>,
}

/// Filters for [`crate::Store::findings_at`] (the target page, `/api/v1/…/findings`). Every
/// filter is exact except `text` (a case-insensitive substring of the message, object name
/// or rule title). Results are ordered by severity (highest first), rule, namespace, kind,
/// name, container.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindingQuery {
    pub rule_id: Option<String>,
    /// At least this severity.
    pub min_severity: Option<Severity>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub text: Option<String>,
    /// Also suppressed findings.
    pub include_suppressed: bool,
    /// At most this many (the caller bounds it; `None` = all).
    pub limit: Option<u64>,
    pub offset: u64,
}

/// What changed between two runs, compared by fingerprint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunDiff {
    pub from: RunSummary,
    pub to: RunSummary,
    /// Open at `to`, not at `from`.
    pub new: Vec<StoredFinding>,
    /// Open at `from`, not at `to`.
    pub fixed: Vec<StoredFinding>,
    /// Open at both (listed only when asked; always counted).
    pub still_open: Vec<StoredFinding>,
    pub still_open_counts: SeverityCounts,
}

impl RunDiff {
    pub fn new_counts(&self) -> SeverityCounts {
        count(&self.new)
    }

    pub fn fixed_counts(&self) -> SeverityCounts {
        count(&self.fixed)
    }
}

fn count(findings: &[StoredFinding]) -> SeverityCounts {
    let mut counts = SeverityCounts::default();
    for finding in findings {
        counts.add(finding.severity);
    }
    counts
}

/// What `aksguard store prune` removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PruneSummary {
    pub cutoff: Option<Timestamp>,
    pub runs_deleted: u64,
    pub findings_deleted: u64,
}

/// What `aksguard store export` wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub targets: u64,
    pub runs: u64,
    pub findings: u64,
}
