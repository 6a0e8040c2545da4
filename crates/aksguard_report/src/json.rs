//! The JSON report: a stable contract documented in the README ("JSON report").
//! Serialised straight from borrowed typed structs, never through a `serde_json::Value`
//! tree, so large reports cost one pass and no copy of the findings.

use aksguard_model::{Finding, LoadError, Severity};
use serde::Serialize;

use crate::{ScanReport, TOOL_NAME, TOOL_VERSION};

#[derive(Serialize)]
struct Report<'a> {
    tool: Tool,
    findings: &'a [Finding],
    errors: &'a [LoadError],
    summary: Summary,
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
        errors: &report.errors,
        summary: Summary {
            files: report.files,
            objects: report.objects,
            findings: report.findings.len(),
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
    let mut text = serde_json::to_string_pretty(&document).expect("report serialises");
    text.push('\n');
    text
}
