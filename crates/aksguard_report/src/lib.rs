//! Rendering a scan for people (table) and pipelines (JSON), and rule documentation.
//! Reports never know which rule produced a finding beyond its metadata.

pub mod attack_paths;
pub mod explain_source;
pub mod fix_text;
pub mod html;
pub mod json;
pub mod junit;
pub mod location;
pub mod markdown;
pub mod policyreport;
mod quoted_yaml;
pub mod rule_doc;
pub mod sarif;
pub mod table;
pub mod who_can;

use aksguard_model::{
    ControlException, ControlStatus, Finding, FrameworkResult, LoadError, RuleCoverage, Severity,
    Suppressed, SuppressionKind,
};
use aksguard_rules::Rule;

/// Everything a report needs about one scan.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// Active findings (what counts for the exit code).
    pub findings: Vec<Finding>,
    /// Findings an exception, annotation or baseline suppresses (counted, listed on demand).
    pub suppressed: Vec<Suppressed>,
    pub errors: Vec<LoadError>,
    pub files: usize,
    pub objects: usize,
    /// The rules that ran, in ID order (SARIF rule metadata, JUnit passing cases).
    pub rules: Vec<&'static Rule>,
    /// What each rule that ran could judge, in rule ID order (rules not judged and why).
    pub coverage: Vec<RuleCoverage>,
    /// Compliance framework assessments (`--framework`, HTML scores).
    pub frameworks: Vec<FrameworkResult>,
    /// The framework `--framework` limited the run to (`frameworks` then holds only its
    /// result): the table prints its per-control results and JSON adds `frameworks`.
    pub framework: Option<&'static str>,
}

impl ScanReport {
    /// The rules that ran and could judge nothing, with the reason.
    pub fn not_judged(&self) -> impl Iterator<Item = &RuleCoverage> + '_ {
        self.coverage.iter().filter(|c| !c.judged())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// The tool's name and version, as reports print it.
pub const TOOL_NAME: &str = "aksguard";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a rule's documentation is published (`docs/rules/<ID>.md` in the repository).
pub fn rule_doc_url(rule_id: &str) -> String {
    format!("https://github.com/aksguard/aksguard/blob/main/docs/rules/{rule_id}.md")
}

/// The rules that could judge nothing, grouped by reason (in the order reasons first
/// appear; rule IDs in ID order).
pub fn not_judged_by_reason(report: &ScanReport) -> Vec<(&str, Vec<&'static str>)> {
    let mut groups: Vec<(&str, Vec<&'static str>)> = Vec::new();
    for coverage in report.not_judged() {
        let reason = coverage.reason.as_deref().unwrap_or_default();
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, ids)) => ids.push(coverage.rule_id),
            None => groups.push((reason, vec![coverage.rule_id])),
        }
    }
    groups
}

/// Rule IDs with runs of consecutive numbers of one family shortened: `AKS001-AKS042,
/// ACR004`.
pub fn compact_rule_ids(ids: &[&str]) -> String {
    fn split(id: &str) -> Option<(&str, u32)> {
        let at = id.find(|c: char| c.is_ascii_digit())?;
        Some((&id[..at], id[at..].parse().ok()?))
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while let (Some((family, n)), Some((next_family, next))) =
            (split(ids[j]), ids.get(j + 1).and_then(|id| split(id)))
        {
            if family != next_family || next != n + 1 {
                break;
            }
            j += 1;
        }
        parts.push(match j - i {
            0 => ids[i].to_owned(),
            1 => format!("{}, {}", ids[i], ids[j]),
            _ => format!("{}-{}", ids[i], ids[j]),
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// `exception "vendor agent" until 2027-03-31 (POD001, 2 findings)`.
pub fn exception_text(exception: &ControlException) -> String {
    let kind = match exception.suppression.kind {
        SuppressionKind::Exception => "exception",
        SuppressionKind::Annotation => "annotation",
        SuppressionKind::Baseline => "baseline",
    };
    let until = exception
        .suppression
        .expires
        .as_deref()
        .map(|date| format!(" until {date}"))
        .unwrap_or_default();
    let findings = match exception.findings {
        1 => "1 finding".to_owned(),
        n => format!("{n} findings"),
    };
    format!(
        "{kind} \"{}\"{until} ({}, {findings})",
        exception.suppression.reason, exception.rule_id
    )
}

/// `pass`, `FAIL`, `excepted`, `not assessed`: a control's status for people.
pub fn status_label(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Pass => "pass",
        ControlStatus::Fail => "FAIL",
        ControlStatus::Excepted => "excepted",
        ControlStatus::NotAssessed => "not assessed",
    }
}

/// `80.4/100 (20 of 27 controls assessed: 15 pass, 4 fail, 1 excepted; weighted by
/// severity)`, or `not scored (0 of 27 controls assessed)`.
pub fn score_text(framework: &FrameworkResult) -> String {
    if framework.assessed == 0 {
        return format!("not scored ({})", framework.coverage_line());
    }
    let mut counts = vec![
        format!("{} pass", framework.count(ControlStatus::Pass)),
        format!("{} fail", framework.count(ControlStatus::Fail)),
    ];
    let excepted = framework.count(ControlStatus::Excepted);
    if excepted > 0 {
        counts.push(format!("{excepted} excepted"));
    }
    format!(
        "{:.1}/100 ({}: {}; weighted by severity)",
        framework.score,
        framework.coverage_line(),
        counts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_id_runs_are_compacted() {
        assert_eq!(
            compact_rule_ids(&[
                "AKS001", "AKS002", "AKS003", "AKS005", "AKS006", "ACR001", "POD009"
            ]),
            "AKS001-AKS003, AKS005, AKS006, ACR001, POD009"
        );
        assert_eq!(compact_rule_ids(&[]), "");
    }
}
