//! Results of assessing a scan against a compliance framework (CIS AKS Benchmark, Pod
//! Security Standards, AKS security practices). The engine computes them; reports render them.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlResult {
    /// The framework's own control ID (`4.2.1`, `Privileged Containers`).
    pub id: String,
    pub title: String,
    /// False when any rule mapped to the control has a finding.
    pub passed: bool,
    /// Rules mapped to this control that ran.
    pub rules: Vec<&'static str>,
    /// Findings of those rules (suppressed ones not counted).
    pub findings: usize,
    /// The control's weight in the score (from its rules' severities).
    pub weight: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrameworkResult {
    /// `cis-aks`, `pss-baseline`, `pss-restricted`, `aks-practices`.
    pub id: &'static str,
    pub title: &'static str,
    /// Share of controls passing, weighted by severity, 0–100 (formula in the README).
    pub score: f64,
    pub controls: Vec<ControlResult>,
}
