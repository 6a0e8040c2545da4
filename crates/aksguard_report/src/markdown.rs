//! Markdown for pull-request comments: a one-line status, a summary table by severity, then
//! the most severe findings (at most [`MAX_ROWS`], then "and N more") and the load errors.
//! Cells are escaped so a message can never break the table or inject HTML.

use std::collections::HashSet;
use std::fmt::Write;

use aksguard_model::{Finding, Severity};

use crate::{ScanReport, TOOL_NAME};

/// Findings (and, separately, load errors) listed before "… and N more".
pub const MAX_ROWS: usize = 50;
const DOCS_URI: &str = "https://github.com/aksguard/aksguard/blob/main/docs/rules";

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {TOOL_NAME} security scan\n");

    let by_severity: Vec<String> = Severity::ALL_DESCENDING
        .iter()
        .filter(|s| report.count(**s) > 0)
        .map(|s| format!("{} {s}", report.count(*s)))
        .collect();
    if report.findings.is_empty() {
        let _ = writeln!(out, "**{TOOL_NAME}: no findings**\n");
    } else {
        let _ = writeln!(
            out,
            "**{TOOL_NAME}: {} ({}) in {}**\n",
            plural(report.findings.len(), "finding"),
            by_severity.join(", "),
            where_found(&report.findings),
        );
    }
    // A live scan reads no file: "from 0 files" would only confuse.
    let from_files = match report.files {
        0 => String::new(),
        n => format!(" from {}", plural(n, "file")),
    };
    let _ = writeln!(
        out,
        "Scanned {}{from_files} with {}.\n",
        plural(report.objects, "object"),
        plural(report.rules.len(), "rule"),
    );

    let _ = writeln!(out, "| severity | findings |");
    let _ = writeln!(out, "|---|---:|");
    for severity in Severity::ALL_DESCENDING {
        let _ = writeln!(out, "| {severity} | {} |", report.count(severity));
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(out, "| suppressed | {} |", report.suppressed.len());
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "| load errors | {} |", report.errors.len());
    }
    out.push('\n');

    not_judged(&mut out, report);
    if report.framework.is_some() {
        frameworks(&mut out, report);
    }

    if !report.findings.is_empty() {
        // Most severe first; within a severity, the report's order (path, line, column, rule).
        let mut findings: Vec<&Finding> = report.findings.iter().collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let _ = writeln!(
            out,
            "| severity | rule | object | location | message | fix |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for finding in findings.iter().take(MAX_ROWS) {
            let _ = writeln!(
                out,
                "| {} | [{}]({DOCS_URI}/{}.md \"{}\") | {} | {} | {} | {} |",
                finding.severity,
                cell(finding.rule_id),
                finding.rule_id,
                cell(&finding.rule.title.replace('"', "'")),
                cell(&object_label(finding)),
                code(&location_label(finding)),
                cell(&finding.message),
                fix_cell(finding),
            );
        }
        if findings.len() > MAX_ROWS {
            let more = findings.len() - MAX_ROWS;
            let _ = writeln!(
                out,
                "\n_… and {more} more {}; the full list is in the `json`, `sarif` or `html` report._",
                if more == 1 { "finding" } else { "findings" }
            );
        }
        out.push('\n');
    }

    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "**{} (these inputs were not scanned)**\n",
            if report.errors.len() == 1 {
                "Load error"
            } else {
                "Load errors"
            }
        );
        let _ = writeln!(out, "| location | error |");
        let _ = writeln!(out, "|---|---|");
        for error in report.errors.iter().take(MAX_ROWS) {
            let location = match error.line {
                Some(line) => format!("{}:{line}", error.path),
                None => error.path.clone(),
            };
            let _ = writeln!(out, "| {} | {} |", code(&location), cell(&error.message));
        }
        if report.errors.len() > MAX_ROWS {
            let more = report.errors.len() - MAX_ROWS;
            let _ = writeln!(
                out,
                "\n_… and {more} more {}._",
                if more == 1 { "error" } else { "errors" }
            );
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The fix's summary and its `az` commands (each as code), or the rule's remediation for a
/// finding without a fix.
fn fix_cell(finding: &Finding) -> String {
    let Some(fix) = &finding.fix else {
        return cell(finding.rule.remediation);
    };
    let mut text = cell(&fix.summary);
    for command in &fix.commands {
        text.push(' ');
        text.push_str(&code(command));
    }
    text
}

fn object_label(finding: &Finding) -> String {
    let object = &finding.object;
    match &object.namespace {
        Some(ns) => format!("{} {ns}/{}", object.kind, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// `2 files`, or for a live scan `3 cluster objects and 1 Azure resource`: the distinct
/// files, Kubernetes objects read from a cluster and Azure resources with findings.
fn where_found(findings: &[Finding]) -> String {
    use crate::location::Place;
    let mut seen: [HashSet<&str>; 3] = Default::default();
    for finding in findings {
        let path: &str = &finding.location.path;
        let index = match Place::of(path) {
            Place::File => 0,
            Place::Cluster => 1,
            Place::Azure => 2,
        };
        seen[index].insert(path);
    }
    let mut parts: Vec<String> = [(0, "file"), (1, "cluster object"), (2, "Azure resource")]
        .into_iter()
        .filter(|(i, _)| !seen[*i].is_empty())
        .map(|(i, word)| plural(seen[i].len(), word))
        .collect();
    match parts.len() {
        0 => plural(0, "file"),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

/// `path:line` (`path (template):line` for a rendered chart); a live object's location alone,
/// which has no line.
fn location_label(finding: &Finding) -> String {
    let location = &finding.location;
    match &location.template {
        Some(template) => format!("{} ({template}):{}", location.path, location.line),
        None => crate::location::line_position(location).into_owned(),
    }
}

/// Text for a table cell: one line; `|` escaped everywhere (GitHub splits cells before it
/// parses code spans); outside code spans, Markdown and HTML syntax is escaped so it shows
/// literally. Balanced backtick code spans in messages are kept; an unbalanced backtick is
/// escaped.
pub fn cell(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let balanced = text.matches('`').count().is_multiple_of(2);
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' if balanced => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            _ if in_code => out.push(c),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '!' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `text` as one code span in a table cell, fenced with more backticks than it contains.
pub fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// The rules that could judge nothing, one bullet per reason.
fn not_judged(out: &mut String, report: &ScanReport) {
    let groups = crate::not_judged_by_reason(report);
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "Not judged (nothing in the scan they could judge):\n");
    for (reason, ids) in groups {
        let _ = writeln!(
            out,
            "- {}: {}",
            code(&crate::compact_rule_ids(&ids)),
            cell(reason)
        );
    }
    out.push('\n');
}

/// `--framework`: each control's status, then the score with its coverage.
fn frameworks(out: &mut String, report: &ScanReport) {
    for framework in &report.frameworks {
        let _ = writeln!(
            out,
            "#### {} (`{}`): {}\n",
            cell(framework.title),
            framework.id,
            crate::score_text(framework)
        );
        let _ = writeln!(out, "| control | status | rules | findings | notes |");
        let _ = writeln!(out, "|---|---|---|---:|---|");
        for control in &framework.controls {
            let notes: Vec<String> = control
                .reason
                .iter()
                .cloned()
                .chain(
                    control
                        .exceptions
                        .iter()
                        .map(|e| format!("suppressed by {}", crate::exception_text(e))),
                )
                .collect();
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} |",
                cell(&control.id),
                cell(&control.title),
                crate::status_label(control.status),
                cell(&control.rules.join(", ")),
                control.findings,
                cell(&notes.join("; "))
            );
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_table_and_markup_syntax() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(
            cell("container `app|x` <script>"),
            "container `app\\|x` &lt;script&gt;"
        );
        assert_eq!(cell("odd ` tick *x*"), "odd \\` tick \\*x\\*");
        assert_eq!(cell("two\nlines"), "two lines");
        assert_eq!(code("a`b|c"), "`` a`b\\|c ``");
        assert_eq!(code("k8s/web.yaml:3"), "`k8s/web.yaml:3`");
    }
}
