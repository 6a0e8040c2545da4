//! What one scan writes: a [`RunRecord`], built from the report the scan printed.

use aksguard_model::{ControlStatus, Finding, Severity, Suppression, SuppressionKind};
use aksguard_report::ScanReport;
use aksguard_rules::Rule;
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
        *self.count_mut(severity) += 1;
    }

    /// Takes one away (saturating: never below zero).
    pub fn remove(&mut self, severity: Severity) {
        let count = self.count_mut(severity);
        *count = count.saturating_sub(1);
    }

    pub(crate) fn count_mut(&mut self, severity: Severity) -> &mut u32 {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
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
    /// resolved only if its rule is here and neither its path nor anything above it had a
    /// loading error (`cluster://<context>` for a kind a live scan could not list): a rule
    /// that was deselected, or a file that failed to parse, does not "fix" anything.
    pub rules_judged: Vec<String>,
    /// The git commit of a repository target.
    pub commit: Option<String>,
    pub files: u64,
    pub objects: u64,
    /// Active and suppressed findings (see [`FindingRecord::suppression`]).
    pub findings: Vec<FindingRecord>,
    pub errors: Vec<RunError>,
    pub frameworks: Vec<FrameworkScore>,
    /// What the scan's image vulnerability reports held (`scan --vulns`); `None` without.
    pub vulnerabilities: Option<VulnSummary>,
    /// The scan's attack paths; `None` when they were not computed.
    pub attack_paths: Option<AttackPaths>,
}

/// A run's image vulnerabilities (`run_vulnerabilities`): distinct vulnerability IDs over
/// the images of its `--vulns` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VulnSummary {
    pub reports: u32,
    pub images: u32,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    /// Critical and high ones with a fixed version.
    pub fixable: u32,
    /// Containers IMG005 reported (active findings).
    pub containers: u32,
}

/// A run's attack paths: how many, and the top ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AttackPaths {
    pub total: u32,
    /// Highest risk first, at most [`AttackPaths::TOP`].
    pub top: Vec<StoredPath>,
}

impl AttackPaths {
    /// How many paths a run keeps.
    pub const TOP: usize = 10;
}

/// One attack path as stored: its risk and its readable chain (`internet → Service/shop/web
/// (NET006) → …`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredPath {
    pub risk: f64,
    pub chain: String,
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
        let mut findings: Vec<FindingRecord> = report
            .findings
            .iter()
            .map(|finding| finding_record(finding, None))
            .collect();
        findings.extend(report.suppressed.iter().map(|suppressed| {
            finding_record(
                &suppressed.finding,
                Some(suppression_text(&suppressed.suppression)),
            )
        }));
        // A rule that ran but could judge nothing (no objects of its kinds, values the
        // source cannot show) resolves nothing.
        let not_judged: std::collections::HashSet<&str> = report
            .not_judged()
            .map(|coverage| coverage.rule_id)
            .collect();
        let rules_judged = report
            .rules
            .iter()
            .map(|rule| rule.id)
            .filter(|id| !not_judged.contains(id))
            .map(str::to_string)
            .collect();
        RunRecord {
            uid: new_uid(),
            target,
            started_at,
            finished_at,
            tool_version: aksguard_report::TOOL_VERSION.to_string(),
            ruleset_hash: ruleset_hash(&report.rules),
            rules_judged,
            commit,
            files: report.files as u64,
            objects: report.objects as u64,
            findings,
            errors: report
                .errors
                .iter()
                .map(|error| RunError {
                    path: error.path.clone(),
                    line: error.line,
                    message: error.message.clone(),
                })
                .collect(),
            frameworks: report
                .frameworks
                .iter()
                .map(|framework| FrameworkScore {
                    framework: framework.id.to_string(),
                    score: framework.score,
                    assessed: to_u32(framework.assessed),
                    controls: to_u32(framework.controls.len()),
                    passed: to_u32(framework.count(ControlStatus::Pass)),
                    failed: to_u32(framework.count(ControlStatus::Fail)),
                })
                .collect(),
            vulnerabilities: None,
            attack_paths: None,
        }
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

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn finding_record(finding: &Finding, suppression: Option<String>) -> FindingRecord {
    FindingRecord {
        fingerprint: finding.fingerprint.to_string(),
        rule_id: finding.rule_id.to_string(),
        severity: finding.severity,
        title: finding.rule.title.to_string(),
        message: finding.message.to_string(),
        api_version: finding.object.api_version.to_string(),
        kind: finding.object.kind.to_string(),
        namespace: finding.object.namespace.as_ref().map(|ns| ns.to_string()),
        name: finding.object.name.to_string(),
        container: finding.container.as_ref().map(|c| c.to_string()),
        path: finding.location.path.to_string(),
        line: finding.location.line,
        remediation: finding.rule.remediation.to_string(),
        suppression,
    }
}

/// `exception: reason` (the form [`FindingRecord::suppression`] documents).
fn suppression_text(suppression: &Suppression) -> String {
    let kind = match suppression.kind {
        SuppressionKind::Exception => "exception",
        SuppressionKind::Annotation => "annotation",
        SuppressionKind::Baseline => "baseline",
    };
    format!("{kind}: {}", suppression.reason)
}

/// SHA-256 over `ID:severity` lines of the rules that ran, in ID order.
pub(crate) fn ruleset_hash(rules: &[&'static Rule]) -> String {
    let mut lines: Vec<String> = rules
        .iter()
        .map(|rule| format!("{}:{}\n", rule.id, rule.severity.as_str()))
        .collect();
    lines.sort();
    let digest = Sha256::digest(lines.concat().as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// 128 random bits as 32 hex digits. The randomness comes from the standard library's
/// per-process random hash keys mixed with the time, the process and a counter: unique
/// per run, which is all a uid needs (it is not a secret).
fn new_uid() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let half = |salt: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(salt);
        hasher.write_u64(count);
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}
