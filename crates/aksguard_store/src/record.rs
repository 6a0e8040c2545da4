//! What one scan writes: a [`RunRecord`], built from the report the scan printed.

use aksguard_model::Severity;
use aksguard_report::ScanReport;
use jiff::Timestamp;
use serde::Serialize;

/// What kind of thing a target is (how its key was made).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// An AKS managed cluster read from Azure (`--azure`): key = its resource ID, lower case.
    Aks,
    /// A live cluster read through the Kubernetes API (`--cluster`): key = the API server URL
    /// (plus the namespaces when the scan was limited to some).
    Cluster,
    /// Files in a git work tree: key = the repository's top directory (+ the scanned paths
    /// relative to it); the run keeps the commit.
    Repository,
    /// Files outside git: key = the canonical scanned paths.
    Files,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Aks => "aks",
            TargetKind::Cluster => "cluster",
            TargetKind::Repository => "repository",
            TargetKind::Files => "files",
        }
    }

    pub fn parse(text: &str) -> Option<TargetKind> {
        [
            TargetKind::Aks,
            TargetKind::Cluster,
            TargetKind::Repository,
            TargetKind::Files,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// What was scanned. Runs of one `key` are one target's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetSpec {
    pub kind: TargetKind,
    /// The identity: two scans with the same key are runs of the same target. With
    /// `--target-name NAME` the key is `name:NAME` (a renamed checkout or a re-created
    /// cluster keeps its history).
    pub key: String,
    /// What people see (`--target-name`, else a short form of the key: the cluster name, the
    /// context, the repository's directory name).
    pub name: String,
}

/// One active or suppressed finding as stored. Only what the reports already show: the
/// message is the rule's (masked) message, never a value read from a Secret.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingRecord {
    /// 16 lowercase hex digits (`aksguard_model::Fingerprint`).
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
    /// File path, `cluster://…` or `azure://…`.
    pub path: String,
    pub line: u32,
    pub remediation: String,
    /// `exception: reason`, `annotation: reason`, `baseline: reason` when suppressed; such
    /// findings are kept (a suppression that expires must not look like a new finding) but
    /// never counted as open.
    pub suppression: Option<String>,
}

/// A compliance framework's score in one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameworkScore {
    /// `cis-aks`, `pss-baseline`, `pss-restricted`, `aks-practices`.
    pub framework: String,
    pub score: f64,
    pub assessed: u32,
    pub controls: u32,
    pub passed: u32,
    pub failed: u32,
}

/// A loading error of the run (a file that could not be parsed, a kind a live scan could
/// not read): kept so a finding in that file is not taken as fixed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunError {
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

/// Active findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
}

impl SeverityCounts {
    pub fn total(&self) -> u32 {
        self.critical + self.high + self.medium + self.low + self.info
    }

    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
        }
    }
}

/// One scan, as [`crate::Store::record`] writes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRecord {
    /// A unique ID made by the writer (random 128 bits, hex): a commit retried after a lost
    /// acknowledgement is recognised, never stored twice.
    pub uid: String,
    pub target: TargetSpec,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub tool_version: String,
    /// SHA-256 (hex) over the IDs and severities of the rules that ran: runs with different
    /// rule sets are not silently compared as equals.
    pub ruleset_hash: String,
    /// The rules that ran and could judge something. A finding missing from this run is
    /// resolved only if its rule is here and its path had no loading error: a rule that was
    /// deselected, or a file that failed to parse, does not "fix" anything.
    pub rules_judged: Vec<String>,
    /// The git commit of a repository target.
    pub commit: Option<String>,
    pub files: u64,
    pub objects: u64,
    /// Active and suppressed findings (see [`FindingRecord::suppression`]).
    pub findings: Vec<FindingRecord>,
    pub errors: Vec<RunError>,
    pub frameworks: Vec<FrameworkScore>,
}

impl RunRecord {
    /// The record of a scan's report (findings, suppressed findings, errors, framework scores,
    /// the rule set) for `target`.
    pub fn from_report(
        report: &ScanReport,
        target: TargetSpec,
        started_at: Timestamp,
        finished_at: Timestamp,
        commit: Option<String>,
    ) -> RunRecord {
        let _ = (report, target, started_at, finished_at, commit);
        todo!("i14-store")
    }

    /// Active (not suppressed) findings per severity.
    pub fn counts(&self) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for finding in self.findings.iter().filter(|f| f.suppression.is_none()) {
            counts.add(finding.severity);
        }
        counts
    }
}

/// What [`crate::Store::record`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordedRun {
    pub run_id: i64,
    pub target_id: i64,
    /// The run's number within its target (1, 2, …).
    pub sequence: i64,
    /// Findings first seen in this run.
    pub new: u32,
    /// Findings open before and not seen in this run (their rule ran, their file loaded).
    pub resolved: u32,
    /// Open findings whose stored attributes changed (severity, message, location,
    /// suppression) and were updated.
    pub changed: u32,
    /// The run was already stored (same `uid`): nothing was written.
    pub duplicate: bool,
}
