//! The terminal report: findings grouped by file (for a live scan: by cluster, or by Azure
//! resource) and object, optional colour, and a one-line summary by severity. Live findings
//! print no `line:column` (see [`crate::location`]).

use std::fmt::Write;

use aksguard_model::{ControlStatus, Finding, Severity, Suppressed, SuppressionKind};

use crate::ScanReport;

#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions {
    pub color: bool,
    /// Omit fix lines.
    pub compact: bool,
    /// List suppressed findings (with their reason) after the active ones.
    pub show_suppressed: bool,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &format!("{:<8}", severity.as_str().to_uppercase()))
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}

fn object_key(f: &Finding) -> (String, String) {
    let name = match &f.object.namespace {
        Some(ns) => format!("{} {ns}/{}", f.object.kind, f.object.name),
        None => format!("{} {}", f.object.kind, f.object.name),
    };
    (crate::location::origin(f).into_owned(), name)
}

pub fn render(report: &ScanReport, options: TableOptions) -> String {
    let paint = Paint(options.color);
    let mut out = String::new();
    write_findings(
        &mut out,
        &paint,
        options,
        report.findings.iter().map(|f| (f, None)),
    );
    if options.show_suppressed && !report.suppressed.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}",
            paint.bold(&format!(
                "Suppressed ({}, not counted):",
                report.suppressed.len()
            ))
        );
        write_findings(
            &mut out,
            &paint,
            options,
            report.suppressed.iter().map(|s| (&s.finding, Some(s))),
        );
    }
    if !report.errors.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", paint.wrap("1;31", "Errors:"));
        for error in &report.errors {
            let _ = writeln!(out, "  {error}");
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    if !options.compact {
        out.push_str(&not_judged_section(report, &paint));
    }
    if report.framework.is_some() {
        out.push('\n');
        out.push_str(&framework_section(report, &paint));
    }
    out
}

/// Findings grouped by file and object, each with one fix line (`crate::fix_text::line`);
/// `Some` marks a suppressed one (its reason replaces the fix line).
fn write_findings<'a>(
    out: &mut String,
    paint: &Paint,
    options: TableOptions,
    findings: impl Iterator<Item = (&'a Finding, Option<&'a Suppressed>)>,
) {
    let mut current_file = String::new();
    let mut current_object = String::new();
    for (finding, suppressed) in findings {
        let (file, object) = object_key(finding);
        if file != current_file {
            if !current_file.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", paint.bold(&file));
            current_file = file;
            current_object.clear();
        }
        if object != current_object {
            let _ = writeln!(out, "  {object}");
            current_object = object;
        }
        let container = finding
            .container
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        // A live object has no position: blanks keep the columns of file findings.
        let position = if crate::location::is_live(&finding.location.path) {
            " ".repeat(9)
        } else {
            format!(
                "{:>5}:{:<3}",
                finding.location.line, finding.location.column
            )
        };
        // Findings on an attack path are the ones to fix first (`aksguard paths` shows why).
        let on_path = if finding.on_attack_path {
            format!(" {}", paint.bold("[on an attack path]"))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "    {position} {} {}{container} {}{on_path}",
            paint.severity(finding.severity),
            paint.bold(finding.rule_id),
            finding.message
        );
        if let Some(suppressed) = suppressed {
            let suppression = &suppressed.suppression;
            let kind = match suppression.kind {
                SuppressionKind::Exception => "exception",
                SuppressionKind::Annotation => "annotation",
                SuppressionKind::Baseline => "baseline",
            };
            let until = suppression
                .expires
                .as_deref()
                .map(|date| format!(" (until {date})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "               {}",
                paint.dim(&format!(
                    "suppressed by {kind}: {}{until}",
                    suppression.reason
                ))
            );
        } else if !options.compact {
            let _ = writeln!(
                out,
                "               {}",
                paint.dim(&format!("fix: {}", crate::fix_text::line(finding)))
            );
        }
    }
}

/// `3 findings (1 critical, 2 high, 0 medium, 0 low, 0 info) in 4 objects from 2 files; 1 error`
/// (then `; 2 suppressed` when findings were suppressed).
pub fn summary_line(report: &ScanReport) -> String {
    let by_severity: Vec<String> = Severity::ALL_DESCENDING
        .iter()
        .map(|s| format!("{} {s}", report.count(*s)))
        .collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    // A live scan reads no file: "from 0 files" would only confuse.
    let from_files = match report.files {
        0 => String::new(),
        n => format!(" from {}", plural(n, "file")),
    };
    let mut line = format!(
        "{} ({}) in {}{from_files}; {}",
        plural(report.findings.len(), "finding"),
        by_severity.join(", "),
        plural(report.objects, "object"),
        plural(report.errors.len(), "error"),
    );
    if !report.suppressed.is_empty() {
        let _ = write!(line, "; {} suppressed", report.suppressed.len());
    }
    line
}

/// The rules that judged nothing, by reason, compacted (`AKS001-AKS042`): a manifests-only
/// scan gets a line or two.
fn not_judged_section(report: &ScanReport, paint: &Paint) -> String {
    let mut out = String::new();
    for (reason, ids) in crate::not_judged_by_reason(report) {
        let count = match ids.len() {
            1 => "1 rule".to_owned(),
            n => format!("{n} rules"),
        };
        let _ = writeln!(
            out,
            "{} {} ({count}): {reason}",
            paint.dim("not judged:"),
            crate::compact_rule_ids(&ids),
        );
    }
    out
}

/// `--framework`: each control's status (pass, FAIL, excepted with its exceptions, not
/// assessed with the reason) with its rules and findings, then the score and its coverage.
/// Printed only when a framework limited the run.
fn framework_section(report: &ScanReport, paint: &Paint) -> String {
    let mut out = String::new();
    for framework in &report.frameworks {
        let _ = writeln!(
            out,
            "{}",
            paint.bold(&format!("{} ({})", framework.title, framework.id))
        );
        for control in &framework.controls {
            let label = format!("{:<12}", crate::status_label(control.status));
            let status = match control.status {
                ControlStatus::Pass => paint.wrap("32", &label),
                ControlStatus::Fail => paint.wrap("1;31", &label),
                ControlStatus::Excepted => paint.wrap("33", &label),
                ControlStatus::NotAssessed => paint.dim(&label),
            };
            let found = match control.findings {
                0 => String::new(),
                1 => "; 1 finding".to_owned(),
                n => format!("; {n} findings"),
            };
            let rules = if control.rules.is_empty() {
                "no rule selected".to_owned()
            } else {
                control.rules.join(", ")
            };
            let _ = writeln!(
                out,
                "  {status}  {}: {} [{rules}{found}]",
                control.id, control.title,
            );
            if let Some(reason) = &control.reason {
                let _ = writeln!(out, "                {}", paint.dim(reason));
            }
            for exception in &control.exceptions {
                let _ = writeln!(
                    out,
                    "                {}",
                    paint.dim(&format!(
                        "suppressed by {}",
                        crate::exception_text(exception)
                    ))
                );
            }
        }
        let _ = writeln!(
            out,
            "{} score: {}",
            framework.id,
            crate::score_text(framework)
        );
    }
    if report.frameworks.is_empty() {
        let _ = writeln!(out, "no framework control was assessed");
    }
    out
}
