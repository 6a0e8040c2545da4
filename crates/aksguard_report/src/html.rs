//! The HTML report: one self-contained page for people reading a scan in a browser.
//!
//! - **Self-contained**: no network fetch at all. The CSS and the small filter script are
//!   inline, the severity chart is hand-drawn inline SVG, there are no images or fonts. The
//!   only URLs are plain links to the rule documentation.
//! - **Strict CSP**: a `<meta http-equiv="Content-Security-Policy">` with `default-src 'none'`
//!   allows exactly the inline `<style>` and `<script>` of this page by their SHA-256 hashes
//!   (computed here from the embedded assets), so nothing else can run or load even if a
//!   finding's text were to slip through unescaped. There is no `style="…"` attribute (the hash
//!   would not cover it); geometry is SVG attributes.
//! - **Escaping**: the page is a minijinja template named `report.html`, so every value is
//!   HTML-escaped automatically; nothing from a finding is ever marked safe. Only the static,
//!   embedded CSS and script are inserted raw.
//! - **Works without script**: all findings are shown; the filter box appears only when the
//!   script runs (under a stricter CSP of a server, the page still reads fine).

use std::collections::BTreeMap;

use aksguard_model::{
    ControlStatus, Finding, FrameworkResult, LoadError, Severity, SuppressionKind,
};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, syntax::SyntaxConfig};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{ScanReport, TOOL_NAME, TOOL_VERSION, rule_doc_url};

const TEMPLATE: &str = include_str!("../templates/report.html");
/// The page's stylesheet, inserted raw into `<style>` (static; hashed for the CSP).
pub const CSS: &str = include_str!("../templates/report.css");
/// The page's filter script, inserted raw into `<script>` (static; hashed for the CSP).
pub const SCRIPT: &str = include_str!("../templates/report.js");

/// Heading of findings whose object has no namespace (cluster-scoped objects, and namespaced
/// ones that set no `metadata.namespace`).
pub const NO_NAMESPACE: &str = "(no namespace)";

pub fn render(report: &ScanReport) -> String {
    render_page(Page::new(report))
}

/// The report with an "Attack paths" section before the findings (`aksguard paths --format
/// html`): each path drawn as inline SVG boxes and arrows, then the ranked fixes.
pub fn render_with_attack_paths(
    report: &ScanReport,
    paths: &crate::attack_paths::Limited<'_>,
) -> String {
    let mut page = Page::new(report);
    page.attack_paths = Some(crate::attack_paths::section(paths));
    render_page(page)
}

fn render_page(page: Page) -> String {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("static syntax config"),
    );
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("report.html", TEMPLATE)
        .expect("the embedded HTML template parses");
    env.get_template("report.html")
        .and_then(|template| template.render(Value::from(Serde(&page))))
        .expect("the embedded HTML template renders")
}

/// The `Content-Security-Policy` the page declares.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(SCRIPT)
    )
}

/// `sha256-<base64>` of an inline element's text, as CSP expects.
fn csp_hash(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Serialize)]
struct Page {
    tool: &'static str,
    version: &'static str,
    csp: String,
    css: Value,
    script: Value,
    files: usize,
    objects: usize,
    rules: usize,
    findings: usize,
    errors: usize,
    suppressed: usize,
    chart: Chart,
    /// Objects with at least one finding.
    affected_objects: usize,
    /// The most frequent rules, `(ID, count)`, at most three.
    top_rules: Vec<(&'static str, usize)>,
    frameworks: Vec<FrameworkView>,
    namespaces: Vec<NamespaceView>,
    load_errors: Vec<ErrorView>,
    suppressed_findings: Vec<SuppressedView>,
    /// Only in `aksguard paths --format html`.
    attack_paths: Option<crate::attack_paths::SectionView>,
}

impl Page {
    fn new(report: &ScanReport) -> Page {
        Page {
            tool: TOOL_NAME,
            version: TOOL_VERSION,
            csp: content_security_policy(),
            css: Value::from_safe_string(CSS.to_owned()),
            script: Value::from_safe_string(SCRIPT.to_owned()),
            files: report.files,
            objects: report.objects,
            rules: report.rules.len(),
            findings: report.findings.len(),
            errors: report.errors.len(),
            suppressed: report.suppressed.len(),
            chart: Chart::new(&counts(report.findings.iter())),
            affected_objects: report
                .findings
                .iter()
                .map(|f| (&f.object.namespace, &f.object.kind, &f.object.name))
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            top_rules: top_rules(&report.findings, 3),
            frameworks: report.frameworks.iter().map(FrameworkView::new).collect(),
            namespaces: group(&report.findings),
            load_errors: report.errors.iter().map(ErrorView::new).collect(),
            suppressed_findings: report
                .suppressed
                .iter()
                .map(|s| SuppressedView {
                    finding: FindingView::new(&s.finding),
                    object: object_label(&s.finding),
                    kind: match s.suppression.kind {
                        SuppressionKind::Exception => "exception",
                        SuppressionKind::Annotation => "annotation",
                        SuppressionKind::Baseline => "baseline",
                    },
                    reason: s.suppression.reason.clone(),
                    expires: s.suppression.expires.clone(),
                })
                .collect(),
            attack_paths: None,
        }
    }
}

/// Findings per severity, indexed by `Severity as usize`.
fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> [usize; 5] {
    let mut counts = [0usize; 5];
    for finding in findings {
        counts[finding.severity as usize] += 1;
    }
    counts
}

/// `[{severity, count}]` for the severities present, most severe first (header badges).
fn badges(counts: &[usize; 5]) -> Vec<Badge> {
    Severity::ALL_DESCENDING
        .iter()
        .filter(|s| counts[**s as usize] > 0)
        .map(|s| Badge {
            severity: s.as_str(),
            count: counts[*s as usize],
        })
        .collect()
}

#[derive(Serialize)]
struct Badge {
    severity: &'static str,
    count: usize,
}

/// Geometry of the severity chart: a donut of the shares and a bar per severity, as numbers
/// the template writes into SVG attributes (formatted here, so output is deterministic).
#[derive(Serialize)]
struct Chart {
    total: usize,
    /// Donut arcs: `stroke-dasharray` / `stroke-dashoffset` on a circle of radius
    /// [`DONUT_RADIUS`], starting at twelve o'clock, clockwise.
    arcs: Vec<Arc>,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct Arc {
    severity: &'static str,
    dasharray: String,
    dashoffset: String,
}

#[derive(Serialize)]
struct Bar {
    severity: &'static str,
    count: usize,
    /// Top of the row.
    y: usize,
    width: String,
    /// Where the count is written (after the bar).
    label_x: String,
}

const DONUT_RADIUS: f64 = 60.0;
const BAR_X: f64 = 250.0;
const BAR_MAX: f64 = 240.0;
const BAR_ROW: usize = 30;

impl Chart {
    fn new(counts: &[usize; 5]) -> Chart {
        let total: usize = counts.iter().sum();
        let circumference = 2.0 * std::f64::consts::PI * DONUT_RADIUS;
        let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let mut arcs = Vec::new();
        let mut bars = Vec::new();
        // A quarter turn back so the first arc starts at the top.
        let mut offset = circumference / 4.0;
        for (row, severity) in Severity::ALL_DESCENDING.iter().enumerate() {
            let count = counts[*severity as usize];
            if count > 0 && total > 0 {
                let length = circumference * count as f64 / total as f64;
                arcs.push(Arc {
                    severity: severity.as_str(),
                    dasharray: format!("{length:.2} {:.2}", circumference - length),
                    dashoffset: format!("{offset:.2}"),
                });
                offset -= length;
            }
            // A present severity always shows at least a sliver.
            let width = if count == 0 {
                0.0
            } else {
                (BAR_MAX * count as f64 / max).max(3.0)
            };
            bars.push(Bar {
                severity: severity.as_str(),
                count,
                y: 10 + row * BAR_ROW,
                width: format!("{width:.1}"),
                label_x: format!("{:.1}", BAR_X + width + 8.0),
            });
        }
        Chart { total, arcs, bars }
    }
}

#[derive(Serialize)]
struct FrameworkView {
    id: &'static str,
    title: &'static str,
    score: String,
    /// `good` (80 and up), `fair` (50 and up) or `poor`.
    grade: &'static str,
    /// Width of the score bar, 0–100.
    width: String,
    passed: usize,
    failed: usize,
    excepted: usize,
    not_assessed: usize,
    /// `20 of 27 controls assessed`.
    coverage: String,
    /// Nothing was assessed: the card shows no score.
    unscored: bool,
    controls: Vec<ControlView>,
}

#[derive(Serialize)]
struct ControlView {
    id: String,
    title: String,
    passed: bool,
    /// `pass`, `fail`, `excepted`, `not-assessed` (CSS class and data attribute).
    status: &'static str,
    /// `pass`, `fail`, `excepted`, `not assessed`.
    label: &'static str,
    /// Why not assessed, or the suppressions behind an excepted control.
    notes: Vec<String>,
    rules: Vec<RuleLink>,
    findings: usize,
    weight: String,
}

#[derive(Serialize)]
struct RuleLink {
    id: &'static str,
    url: String,
}

impl FrameworkView {
    fn new(framework: &FrameworkResult) -> FrameworkView {
        let score = if framework.score.is_finite() {
            framework.score.clamp(0.0, 100.0)
        } else {
            0.0
        };
        let passed = framework.count(ControlStatus::Pass);
        FrameworkView {
            id: framework.id,
            title: framework.title,
            score: format!("{:.0}", score.round()),
            grade: if score >= 80.0 {
                "good"
            } else if score >= 50.0 {
                "fair"
            } else {
                "poor"
            },
            width: format!("{score:.1}"),
            passed,
            failed: framework.count(ControlStatus::Fail),
            excepted: framework.count(ControlStatus::Excepted),
            not_assessed: framework.count(ControlStatus::NotAssessed),
            coverage: framework.coverage_line(),
            unscored: framework.assessed == 0,
            controls: framework
                .controls
                .iter()
                .map(|c| ControlView {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    passed: c.passed,
                    status: c.status.as_str(),
                    label: match c.status {
                        ControlStatus::NotAssessed => "not assessed",
                        other => other.as_str(),
                    },
                    notes: c
                        .reason
                        .iter()
                        .cloned()
                        .chain(
                            c.exceptions
                                .iter()
                                .map(|e| format!("suppressed by {}", crate::exception_text(e))),
                        )
                        .collect(),
                    rules: c
                        .rules
                        .iter()
                        .map(|id| RuleLink {
                            id,
                            url: rule_doc_url(id),
                        })
                        .collect(),
                    findings: c.findings,
                    weight: format!("{}", c.weight),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct NamespaceView {
    name: String,
    /// False for the group of objects without a namespace.
    named: bool,
    total: usize,
    badges: Vec<Badge>,
    objects: Vec<ObjectView>,
}

#[derive(Serialize)]
struct ObjectView {
    kind: String,
    name: String,
    api_version: String,
    /// The most severe finding's severity (the object's accent colour).
    worst: &'static str,
    badges: Vec<Badge>,
    findings: Vec<FindingView>,
}

#[derive(Serialize)]
struct FindingView {
    rule_id: &'static str,
    title: &'static str,
    doc_url: String,
    severity: &'static str,
    message: Vec<Segment>,
    container: Option<String>,
    location: String,
    template: Option<String>,
    /// The fix's summary (or the rule's remediation for a finding without a fix).
    remediation: Vec<Segment>,
    /// `az` commands that fix it.
    commands: Vec<String>,
    /// IaC settings that fix it, as the source's language writes them.
    iac: Vec<String>,
}

/// A run of text, `code` when it stood between backticks (messages and remediations quote
/// fields and values that way). The template escapes both kinds alike.
#[derive(Serialize, Debug, PartialEq)]
struct Segment {
    code: bool,
    text: String,
}

/// Splits `` a `b` c `` into text, code, text. Text with an odd number of backticks is
/// left whole (a stray backtick is not markup).
fn segments(text: &str) -> Vec<Segment> {
    if text.matches('`').count() % 2 == 1 {
        return vec![Segment {
            code: false,
            text: text.to_owned(),
        }];
    }
    text.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| Segment {
            code: i % 2 == 1,
            text: part.to_owned(),
        })
        .collect()
}

impl FindingView {
    fn new(finding: &Finding) -> FindingView {
        let location = &finding.location;
        FindingView {
            rule_id: finding.rule_id,
            title: finding.rule.title,
            doc_url: rule_doc_url(finding.rule_id),
            severity: finding.severity.as_str(),
            message: segments(&finding.message),
            container: finding.container.as_deref().map(str::to_owned),
            location: crate::location::position(location).into_owned(),
            template: location.template.as_deref().map(str::to_owned),
            remediation: match &finding.fix {
                Some(fix) => segments(&fix.summary),
                None => segments(finding.rule.remediation),
            },
            commands: finding
                .fix
                .as_ref()
                .map(|fix| fix.commands.clone())
                .unwrap_or_default(),
            iac: finding
                .fix
                .iter()
                .flat_map(|fix| &fix.iac)
                .map(|change| {
                    format!(
                        "{}: {}",
                        crate::fix_text::language(change),
                        crate::fix_text::iac(change)
                    )
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct SuppressedView {
    finding: FindingView,
    object: String,
    kind: &'static str,
    reason: String,
    expires: Option<String>,
}

#[derive(Serialize)]
struct ErrorView {
    path: String,
    line: Option<u32>,
    message: String,
}

impl ErrorView {
    fn new(error: &LoadError) -> ErrorView {
        ErrorView {
            path: error.path.clone(),
            line: error.line,
            message: error.message.clone(),
        }
    }
}

/// The `limit` rules with the most findings, most first (rule ID breaks ties).
fn top_rules(findings: &[Finding], limit: usize) -> Vec<(&'static str, usize)> {
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    for finding in findings {
        *by_rule.entry(finding.rule_id).or_default() += 1;
    }
    let mut rules: Vec<_> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    rules.truncate(limit);
    rules
}

/// `Deployment shop/web`, or `ClusterRole admin` without a namespace.
fn object_label(finding: &Finding) -> String {
    let object = &finding.object;
    match &object.namespace {
        Some(ns) => format!("{} {ns}/{}", object.kind, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// Findings by namespace (alphabetical, no namespace last), then object (kind, name), then
/// most severe first (rule ID, location break ties).
fn group(findings: &[Finding]) -> Vec<NamespaceView> {
    type Objects<'a> = BTreeMap<(&'a str, &'a str), Vec<&'a Finding>>;
    let mut namespaces: BTreeMap<(bool, &str), Objects<'_>> = BTreeMap::new();
    for finding in findings {
        let object = &finding.object;
        let key = match object.namespace.as_deref() {
            Some(ns) => (false, ns),
            None => (true, ""),
        };
        namespaces
            .entry(key)
            .or_default()
            .entry((object.kind.as_str(), object.name.as_str()))
            .or_default()
            .push(finding);
    }
    namespaces
        .into_iter()
        .map(|((unspecified, name), objects)| {
            let all = counts(objects.values().flatten().copied());
            NamespaceView {
                name: if unspecified {
                    NO_NAMESPACE.to_owned()
                } else {
                    name.to_owned()
                },
                named: !unspecified,
                total: all.iter().sum(),
                badges: badges(&all),
                objects: objects
                    .into_iter()
                    .map(|((kind, name), mut findings)| {
                        findings.sort_by(|a, b| {
                            b.severity
                                .cmp(&a.severity)
                                .then_with(|| a.rule_id.cmp(b.rule_id))
                                .then_with(|| a.location.path.cmp(&b.location.path))
                                .then_with(|| a.location.line.cmp(&b.location.line))
                                .then_with(|| a.location.column.cmp(&b.location.column))
                        });
                        ObjectView {
                            kind: kind.to_owned(),
                            name: name.to_owned(),
                            api_version: findings[0].object.api_version.to_string(),
                            worst: findings[0].severity.as_str(),
                            badges: badges(&counts(findings.iter().copied())),
                            findings: findings.into_iter().map(FindingView::new).collect(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_become_code_segments() {
        let seg = |code, text: &str| Segment {
            code,
            text: text.to_owned(),
        };
        assert_eq!(
            segments("set `a: b` or `c`"),
            vec![
                seg(false, "set "),
                seg(true, "a: b"),
                seg(false, " or "),
                seg(true, "c")
            ]
        );
        assert_eq!(segments("a ` b"), vec![seg(false, "a ` b")]);
        assert_eq!(segments(""), Vec::<Segment>::new());
    }

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn csp_hash_is_sha256_base64() {
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }
}
