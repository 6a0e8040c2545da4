//! The JSON report: a stable contract documented in the README ("JSON report").
//! Serialised straight from borrowed typed structs, never through a `serde_json::Value`
//! tree, so large reports cost one pass and no copy of the findings.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Write as _;

use aksguard_model::{Finding, FrameworkResult, LoadError, RuleText, Severity, Suppressed};
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
    /// Rules that ran but could judge nothing in this scan, with the reason (no object of
    /// the kinds they read, a source that cannot hold what they look for, only with
    /// `--complete`, Unknown values).
    not_judged: Vec<NotJudged<'a>>,
    summary: Summary,
    /// The `--framework` assessment (per-control pass/fail and score); absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    frameworks: Option<&'a [FrameworkResult]>,
}

#[derive(Serialize)]
struct NotJudged<'a> {
    rule_id: &'static str,
    reason: &'a str,
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
    /// Rules that ran, and how many of them could judge nothing (`not_judged`).
    rules: usize,
    rules_not_judged: usize,
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
        not_judged: report
            .not_judged()
            .map(|c| NotJudged {
                rule_id: c.rule_id,
                reason: c.reason.as_deref().unwrap_or_default(),
            })
            .collect(),
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
            rules: report.rules.len(),
            rules_not_judged: report.not_judged().count(),
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

/// Findings as members of the top-level `findings` array: each as the document's pretty
/// printer writes it, indented two levels, separated by `,\n`.
fn render_findings(findings: &[Finding]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(findings.len() * 1024);
    let mut rule_texts = RuleTexts::default();
    for (i, finding) in findings.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        write_finding(&mut out, finding, &mut rule_texts)?;
    }
    Ok(out)
}

/// The rendered title, remediation and references of each rule met so far. They are most of
/// a finding's bytes and the same for all of a rule's findings, so they are escaped once.
/// Keyed by the address of the rule's [`RuleText`], which all of its findings borrow.
#[derive(Default)]
struct RuleTexts {
    rules: HashMap<usize, RenderedRule>,
    /// The rendered `fix` member of fixes findings share (a rule's default fix), keyed by
    /// the fix's address; a finding's own fix is rendered each time.
    fixes: HashMap<usize, Vec<u8>>,
}

struct RenderedRule {
    title: Vec<u8>,
    /// The `remediation` and `references` members, with the separators before them.
    tail: Vec<u8>,
}

impl RuleTexts {
    fn of(&mut self, finding: &Finding) -> std::io::Result<&RenderedRule> {
        let key = std::ptr::from_ref(finding.rule) as usize;
        Ok(match self.rules.entry(key) {
            Entry::Occupied(rendered) => rendered.into_mut(),
            Entry::Vacant(slot) => slot.insert(RenderedRule::of(finding.rule)?),
        })
    }
}

impl RuleTexts {
    /// Writes `,\n      "fix": {…}` as the pretty printer writes it at depth two.
    fn write_fix(
        &mut self,
        out: &mut Vec<u8>,
        fix: &std::sync::Arc<aksguard_model::Fix>,
    ) -> std::io::Result<()> {
        // Shared fixes (more than this finding holds it) are rendered once per chunk.
        if std::sync::Arc::strong_count(fix) > 1 {
            let key = std::sync::Arc::as_ptr(fix) as usize;
            if let Some(rendered) = self.fixes.get(&key) {
                out.extend_from_slice(rendered);
                return Ok(());
            }
            let rendered = render_fix(fix)?;
            out.extend_from_slice(&rendered);
            self.fixes.insert(key, rendered);
            return Ok(());
        }
        out.extend_from_slice(&render_fix(fix)?);
        Ok(())
    }
}

/// The `fix` member, indented as a member of a finding in the `findings` array.
fn render_fix(fix: &aksguard_model::Fix) -> std::io::Result<Vec<u8>> {
    let pretty = serde_json::to_vec_pretty(fix).map_err(std::io::Error::from)?;
    let mut out = Vec::with_capacity(pretty.len() + 64);
    out.extend_from_slice(b",\n      \"fix\": ");
    for &byte in &pretty {
        out.push(byte);
        if byte == b'\n' {
            out.extend_from_slice(b"      ");
        }
    }
    Ok(out)
}

impl RenderedRule {
    fn of(rule: &RuleText) -> std::io::Result<RenderedRule> {
        let mut title = Vec::new();
        string(&mut title, rule.title)?;
        let mut tail = Vec::new();
        tail.extend_from_slice(b",\n      \"remediation\": ");
        string(&mut tail, rule.remediation)?;
        tail.extend_from_slice(b",\n      \"references\": [");
        for (i, reference) in rule.references.iter().enumerate() {
            tail.extend_from_slice(if i > 0 { b",\n        " } else { b"\n        " });
            string(&mut tail, reference)?;
        }
        if !rule.references.is_empty() {
            tail.extend_from_slice(b"\n      ");
        }
        tail.push(b']');
        Ok(RenderedRule { title, tail })
    }
}

/// One finding, byte for byte as `serde_json`'s pretty printer writes it at depth two (the
/// field order and shape of [`Finding`]'s `Serialize`; `tests/json.rs` holds the two equal).
fn write_finding(
    out: &mut Vec<u8>,
    finding: &Finding,
    rule_texts: &mut RuleTexts,
) -> std::io::Result<()> {
    let rule = rule_texts.of(finding)?;
    out.extend_from_slice(b"    {\n      \"rule_id\": ");
    string(out, finding.rule_id)?;
    out.extend_from_slice(b",\n      \"severity\": \"");
    out.extend_from_slice(finding.severity.as_str().as_bytes());
    out.extend_from_slice(b"\",\n      \"title\": ");
    out.extend_from_slice(&rule.title);
    out.extend_from_slice(b",\n      \"message\": ");
    string(out, &finding.message)?;
    let object = &finding.object;
    out.extend_from_slice(b",\n      \"object\": {\n        \"api_version\": ");
    string(out, &object.api_version)?;
    out.extend_from_slice(b",\n        \"kind\": ");
    string(out, &object.kind)?;
    out.extend_from_slice(b",\n        \"namespace\": ");
    optional_string(out, object.namespace.as_deref())?;
    out.extend_from_slice(b",\n        \"name\": ");
    string(out, &object.name)?;
    out.extend_from_slice(b"\n      },\n      \"container\": ");
    optional_string(out, finding.container.as_deref())?;
    let location = &finding.location;
    out.extend_from_slice(b",\n      \"location\": {\n        \"path\": ");
    string(out, &location.path)?;
    write!(
        out,
        ",\n        \"line\": {},\n        \"column\": {}",
        location.line, location.column
    )?;
    if let Some(template) = &location.template {
        out.extend_from_slice(b",\n        \"template\": ");
        string(out, template)?;
    }
    out.extend_from_slice(b"\n      }");
    out.extend_from_slice(&rule.tail);
    out.extend_from_slice(b",\n      \"fingerprint\": ");
    string(out, &finding.fingerprint.to_hex())?;
    if let Some(fix) = &finding.fix {
        rule_texts.write_fix(out, fix)?;
    }
    if finding.on_attack_path {
        out.extend_from_slice(b",\n      \"on_attack_path\": true");
    }
    out.extend_from_slice(b"\n    }");
    Ok(())
}

/// A JSON string literal, escaped as `serde_json` escapes it.
fn string(out: &mut Vec<u8>, text: &str) -> std::io::Result<()> {
    // serde_json escapes only control bytes, `"` and `\`, which most texts lack: then the
    // literal is the text in quotes. The check has no early exit, so it vectorises, and is
    // cheaper than serde_json's byte-by-byte escape loop.
    let plain = !text.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(out, text).map_err(std::io::Error::from)
}

fn optional_string(out: &mut Vec<u8>, text: Option<&str>) -> std::io::Result<()> {
    match text {
        Some(text) => string(out, text),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aksguard_model::{Fingerprint, Location, ObjectRef};

    use super::*;

    static AWKWARD: RuleText = RuleText {
        title: "tab\there \"quoted\" \\ back\u{1}slash",
        remediation: "line\nbreak </script>",
        references: Vec::new(),
    };

    fn finding(
        namespace: Option<&str>,
        container: Option<&str>,
        template: Option<&str>,
    ) -> Finding {
        let rule = aksguard_rules::find_rule("POD001").expect("a real rule");
        Finding {
            rule_id: rule.id,
            severity: rule.severity,
            rule: rule.text(),
            message: "line\nbreak, unicode é, <html> & 'single' \u{7f}".into(),
            object: Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: namespace.map(Into::into),
                name: "n\"ame".into(),
            }),
            container: container.map(Into::into),
            location: Location {
                path: "dir with space/ü.yaml".into(),
                line: 4_000_000_000,
                column: 0,
                template: template.map(Into::into),
            },
            fingerprint: Fingerprint(0xff),
            fix: None,
            on_attack_path: false,
        }
    }

    #[test]
    fn hand_written_finding_equals_the_pretty_printer() {
        let mut awkward = finding(None, None, None);
        awkward.rule = &AWKWARD;
        let cases = [
            finding(Some("ns"), Some("app"), Some("chart/templates/a.yaml")),
            finding(None, None, None),
            finding(Some(""), Some(""), None),
            awkward,
        ];
        for case in cases {
            // The pretty printer at depth two: inside the document and its findings array.
            let mut expected = Vec::new();
            serde_json::to_writer_pretty(&mut expected, &serde_json::json!({ "f": [&case] }))
                .unwrap();
            let expected = String::from_utf8(expected).unwrap();
            let inner = expected
                .strip_prefix("{\n  \"f\": [\n")
                .and_then(|s| s.strip_suffix("\n  ]\n}"))
                .expect("one finding in one array");
            let mut written = Vec::new();
            write_finding(&mut written, &case, &mut RuleTexts::default()).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), inner);
        }
    }
}
