//! The JSON report: a stable contract documented in the README ("JSON report").
//! Serialised straight from borrowed typed structs, never through a `serde_json::Value`
//! tree, so large reports cost one pass and no copy of the findings.

use aksguard_model::{Finding, FrameworkResult, LoadError, Severity, Suppressed};
use rayon::prelude::*;
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

/// Findings serialised per parallel task, and tasks per batch written out: bounds the memory
/// of rendered text to a batch, whatever the report's size.
const CHUNK: usize = 256;
const BATCH: usize = CHUNK * 8;

/// The findings member as the whole document's pretty printer writes it when empty.
const EMPTY_FINDINGS: &[u8] = b"\n  \"findings\": [],";

/// Writes the report to `out` as it is serialised: a report of a million findings never
/// exists as one string. Findings, almost all of a large report, are serialised on all cores
/// in order; the bytes are those of one pretty-printed document.
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
        findings: &[],
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
    let frame = serde_json::to_vec_pretty(&document).map_err(std::io::Error::from)?;
    let at = frame
        .windows(EMPTY_FINDINGS.len())
        .position(|w| w == EMPTY_FINDINGS)
        .expect("the report has a top-level findings member");
    out.write_all(&frame[..at])?;
    if report.findings.is_empty() {
        out.write_all(EMPTY_FINDINGS)?;
    } else {
        out.write_all(b"\n  \"findings\": [\n")?;
        for (index, batch) in report.findings.chunks(BATCH).enumerate() {
            let rendered: Vec<std::io::Result<Vec<u8>>> =
                batch.par_chunks(CHUNK).map(render_findings).collect();
            for (chunk, bytes) in rendered.into_iter().enumerate() {
                if index > 0 || chunk > 0 {
                    out.write_all(b",\n")?;
                }
                out.write_all(&bytes?)?;
            }
        }
        out.write_all(b"\n  ],")?;
    }
    out.write_all(&frame[at + EMPTY_FINDINGS.len()..])?;
    out.write_all(b"\n")
}

/// Findings as members of the top-level `findings` array: each pretty-printed, indented two
/// levels, separated by `,\n`. JSON strings escape newlines, so indenting after each newline
/// is exact.
fn render_findings(findings: &[Finding]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 1024);
    let mut one = Vec::with_capacity(2048);
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        one.clear();
        serde_json::to_writer_pretty(&mut one, finding).map_err(std::io::Error::from)?;
        for (n, line) in one.split(|&byte| byte == b'\n').enumerate() {
            if n > 0 {
                out.push(b'\n');
            }
            out.extend_from_slice(b"    ");
            out.extend_from_slice(line);
        }
    }
    Ok(out)
}
