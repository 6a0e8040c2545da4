//! The JSON report: a stable contract documented in the README ("JSON report").

use aksguard_model::Severity;
use serde_json::{Map, Value, json};

use crate::{ScanReport, TOOL_NAME, TOOL_VERSION};

pub fn render(report: &ScanReport) -> String {
    let mut by_severity = Map::new();
    for severity in Severity::ALL_DESCENDING {
        by_severity.insert(severity.as_str().into(), json!(report.count(severity)));
    }
    let document = json!({
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "findings": report.findings,
        "errors": report.errors,
        "summary": {
            "files": report.files,
            "objects": report.objects,
            "findings": report.findings.len(),
            "errors": report.errors.len(),
            "by_severity": Value::Object(by_severity),
        },
    });
    let mut text = serde_json::to_string_pretty(&document).expect("report serialises");
    text.push('\n');
    text
}
