//! Results of assessing a scan against a compliance framework (CIS AKS Benchmark, Pod
//! Security Standards, AKS security practices), and what each rule could judge in the scan.
//! The engine computes them; reports render them.

use serde::Serialize;

use crate::finding::Suppression;

/// A control's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// Its rules judged something and found nothing.
    Pass,
    /// At least one of its rules has an active finding.
    Fail,
    /// Its only findings are suppressed (exceptions, annotations, the baseline).
    Excepted,
    /// None of its rules could judge anything in this scan (nothing of the kinds they read,
    /// only values the source cannot show, or the rule was not selected).
    NotAssessed,
}

impl ControlStatus {
    /// `pass`, `fail`, `excepted`, `not-assessed` (as JSON spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::Excepted => "excepted",
            ControlStatus::NotAssessed => "not-assessed",
        }
    }

    /// Counts in the score (not-assessed controls do not).
    pub fn is_assessed(self) -> bool {
        self != ControlStatus::NotAssessed
    }
}

/// One suppression reason behind an excepted control, with how many findings it covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlException {
    pub rule_id: &'static str,
    #[serde(flatten)]
    pub suppression: Suppression,
    /// Findings of the rule it suppresses.
    pub findings: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlResult {
    /// The framework's own control ID (`4.2.1`, `Privileged Containers`).
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    /// True exactly when `status` is `pass`.
    pub passed: bool,
    /// Rules mapped to this control that ran.
    pub rules: Vec<&'static str>,
    /// Rules of `rules` that could judge nothing in this scan (see [`RuleCoverage`]).
    pub not_judged: Vec<&'static str>,
    /// Why the control is not assessed (`None` unless `status` is `not-assessed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Findings of those rules (suppressed ones not counted).
    pub findings: usize,
    /// The suppressions behind an `excepted` control (also listed for a failing control
    /// that has some).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ControlException>,
    /// The control's weight in the score (from its judging rules' severities; 0 when not
    /// assessed).
    pub weight: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameworkResult {
    /// `cis-aks`, `pss-baseline`, `pss-restricted`, `aks-practices`.
    pub id: &'static str,
    pub title: &'static str,
    /// Share of assessed controls passing (or excepted), weighted by severity, 0–100
    /// (formula in the README); not-assessed controls are left out.
    pub score: f64,
    /// Controls assessed (pass, fail or excepted) of `controls.len()`.
    pub assessed: usize,
    pub controls: Vec<ControlResult>,
}

impl FrameworkResult {
    pub fn count(&self, status: ControlStatus) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }

    /// `20 of 27 controls assessed`.
    pub fn coverage_line(&self) -> String {
        let total = self.controls.len();
        let noun = if total == 1 { "control" } else { "controls" };
        format!("{} of {total} {noun} assessed", self.assessed)
    }
}

/// What one rule that ran could judge in a scan: how many targets of the kinds it reads
/// (workloads, objects of its kinds, clusters, registries) the scan held, and how many of
/// those it could not judge because the source cannot show the value (a cluster read from
/// `az aks show` JSON has no diagnostic settings) or the value was Unknown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleCoverage {
    pub rule_id: &'static str,
    /// Targets in the scan.
    pub targets: usize,
    /// Targets the rule could not judge.
    pub undecided: usize,
    /// Why the rule judged nothing (`None` when it judged at least one target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RuleCoverage {
    /// It judged at least one target.
    pub fn judged(&self) -> bool {
        self.reason.is_none()
    }
}
