//! The JSON report: a stable contract documented in the README ("JSON report").
//! Serialised straight from borrowed typed structs, never through a `serde_json::Value`
//! tree, so large reports cost one pass and no copy of the findings.

use aksguard_model::{Finding, FrameworkResult, LoadError, Severity, Suppressed};
use serde::Serialize;

use crate::{ScanReport, TOOL_NAME, TOOL_VERSION};

#[derive(Serialize)]
struct Report<'a> {
    tool: Tool,
    findings: &'a [Finding],
    /// Findings an exception, annotation or baseline suppresses, each with its
    /// `suppression` (kind, reason, expires); absent when there are none.
    #[serde(skip_serializing_if = "<[Suppressed]>::is_empty")]
    suppressed: &'a [Suppressed],
    errors: &'a [LoadError],
    summary: Summary,
    /// The `--framework` assessment (per-control pass/fail and score); absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    frameworks: Option<&'a [FrameworkResult]>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    objects: usize,
    findings: usize,
    /// Suppressed findings (not in `findings`, not in `by_severity`).
    suppressed: usize,
    errors: usize,
    by_severity: BySeverity,
}

/// Every severity, always present, most severe first.
#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

pub fn render(report: &ScanReport) -> String {
    let mut bytes = Vec::new();
    write(report, &mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Writes the report to `out` as it is serialised: a report of a million findings never
/// exists as one string.
pub fn write(report: &ScanReport, mut out: impl std::io::Write) -> std::io::Result<()> {
    let mut counts = [0usize; 5];
    for finding in &report.findings {
        counts[finding.severity as usize] += 1;
    }
    let count = |s: Severity| counts[s as usize];
    let document = Report {
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        findings: &report.findings,
        suppressed: &report.suppressed,
        errors: &report.errors,
        frameworks: report.framework.map(|_| report.frameworks.as_slice()),
        summary: Summary {
            files: report.files,
            objects: report.objects,
            findings: report.findings.len(),
            suppressed: report.suppressed.len(),
            errors: report.errors.len(),
            by_severity: BySeverity {
                critical: count(Severity::Critical),
                high: count(Severity::High),
                medium: count(Severity::Medium),
                low: count(Severity::Low),
                info: count(Severity::Info),
            },
        },
    };
    serde_json::to_writer_pretty(&mut out, &document).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}
