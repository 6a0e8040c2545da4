//! What several pages show the same way: times, counts, scores, findings and their groups.
//! Plain data for the templates; the templates escape all of it.

use aksguard_report::rule_doc_url;
use aksguard_store::{FrameworkScore, RunSummary, SeverityCounts, StoredFinding};
use jiff::Timestamp;
use serde::Serialize;

/// Findings per page of a list (target and run pages): pages are bounded whatever the store
/// holds.
pub const PAGE_SIZE: u64 = 100;
/// The highest page number accepted (10,000 × 100 findings is far beyond any scan).
pub const MAX_PAGE: u64 = 10_000;
/// At most this many findings of each list of a diff (new, fixed, still open) are shown;
/// the counts are always complete.
pub const DIFF_LIST_LIMIT: usize = 500;

/// A time as the pages print it: relative for reading ("3 hours ago"), absolute in UTC for
/// precision, RFC 3339 for `<time datetime>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimeView {
    pub iso: String,
    pub absolute: String,
    pub relative: String,
}

pub fn time_view(at: Timestamp, now: Timestamp) -> TimeView {
    TimeView {
        iso: at.to_string(),
        absolute: at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        relative: relative(at, now),
    }
}

/// `just now`, `5 minutes ago`, `3 hours ago`, `2 days ago`, `in the future` (a clock skew
/// between the scanner and the server).
pub fn relative(at: Timestamp, now: Timestamp) -> String {
    let seconds = now.as_second() - at.as_second();
    if seconds < -60 {
        return "in the future".to_owned();
    }
    let (amount, unit) = match seconds {
        ..60 => return "just now".to_owned(),
        60..3_600 => (seconds / 60, "minute"),
        3_600..86_400 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural} ago")
}

/// Whole days between two times (0 when `at` is not before `now`).
pub fn days_between(at: Timestamp, now: Timestamp) -> i64 {
    ((now.as_second() - at.as_second()) / 86_400).max(0)
}

/// Open findings per severity, with the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CountsView {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
    pub total: u32,
}

impl From<&SeverityCounts> for CountsView {
    fn from(counts: &SeverityCounts) -> CountsView {
        CountsView {
            critical: counts.critical,
            high: counts.high,
            medium: counts.medium,
            low: counts.low,
            info: counts.info,
            total: counts.total(),
        }
    }
}

/// The frameworks in the order the pages show them; others follow in the order found.
pub const FRAMEWORK_ORDER: [&str; 4] =
    ["cis-aks", "pss-baseline", "pss-restricted", "aks-practices"];

/// A short column heading for a framework ID.
pub fn framework_label(id: &str) -> String {
    match id {
        "cis-aks" => "CIS AKS".to_owned(),
        "pss-baseline" => "PSS baseline".to_owned(),
        "pss-restricted" => "PSS restricted".to_owned(),
        "aks-practices" => "AKS practices".to_owned(),
        other => other.to_owned(),
    }
}

/// `frameworks` sorted: the known ones in [`FRAMEWORK_ORDER`], then others by name.
pub fn sort_frameworks(frameworks: &mut [String]) {
    frameworks.sort_by_key(|id| {
        let rank = FRAMEWORK_ORDER
            .iter()
            .position(|known| known == id)
            .unwrap_or(FRAMEWORK_ORDER.len());
        (rank, id.clone())
    });
}

/// One framework's score in one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreView {
    pub framework: String,
    pub label: String,
    /// Rounded, without the `%`.
    pub score: String,
    /// `good` (≥ 80), `fair` (≥ 50) or `poor`: a CSS class, the same cut-offs as the HTML
    /// report.
    pub grade: &'static str,
    pub assessed: u32,
    pub controls: u32,
    pub passed: u32,
    pub failed: u32,
}

impl From<&FrameworkScore> for ScoreView {
    fn from(score: &FrameworkScore) -> ScoreView {
        ScoreView {
            framework: score.framework.clone(),
            label: framework_label(&score.framework),
            score: format!("{:.0}", score.score.round()),
            grade: grade(score.score),
            assessed: score.assessed,
            controls: score.controls,
            passed: score.passed,
            failed: score.failed,
        }
    }
}

pub fn grade(score: f64) -> &'static str {
    if score >= 80.0 {
        "good"
    } else if score >= 50.0 {
        "fair"
    } else {
        "poor"
    }
}

/// A run as a link: `#12 · 3 hours ago`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunView {
    pub id: i64,
    pub sequence: i64,
    pub href: String,
    pub target_id: i64,
    pub finished: TimeView,
    pub counts: CountsView,
    pub suppressed: u32,
    pub errors: u32,
    pub new: u32,
    pub resolved: u32,
    pub scores: Vec<ScoreView>,
    pub tool_version: String,
    pub ruleset_hash: String,
    pub commit: Option<String>,
    pub files: u64,
    pub objects: u64,
}

pub fn run_view(run: &RunSummary, now: Timestamp) -> RunView {
    let mut frameworks: Vec<&FrameworkScore> = run.frameworks.iter().collect();
    frameworks.sort_by_key(|score| {
        let rank = FRAMEWORK_ORDER
            .iter()
            .position(|known| *known == score.framework)
            .unwrap_or(FRAMEWORK_ORDER.len());
        (rank, score.framework.clone())
    });
    RunView {
        id: run.id,
        sequence: run.sequence,
        href: run_href(run.id),
        target_id: run.target_id,
        finished: time_view(run.finished_at, now),
        counts: CountsView::from(&run.counts),
        suppressed: run.suppressed,
        errors: run.errors,
        new: run.new,
        resolved: run.resolved,
        scores: frameworks.into_iter().map(ScoreView::from).collect(),
        tool_version: run.tool_version.clone(),
        ruleset_hash: run.ruleset_hash.chars().take(12).collect(),
        commit: run.commit.clone(),
        files: run.files,
        objects: run.objects,
    }
}

pub fn run_href(run_id: i64) -> String {
    format!("/runs/{run_id}")
}

pub fn target_href(target_id: i64) -> String {
    format!("/targets/{target_id}")
}

pub fn diff_href(from: i64, to: i64) -> String {
    format!("/diff?from={from}&to={to}")
}

/// Heading of findings whose object has no namespace.
pub const NO_NAMESPACE: &str = "(no namespace)";

/// A finding as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingView {
    pub rule_id: String,
    pub severity: &'static str,
    pub title: String,
    pub message: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub container: Option<String>,
    /// `Kind namespace/name`, the object as people name it.
    pub object: String,
    pub path: String,
    pub line: u32,
    pub remediation: String,
    pub doc_url: String,
    pub suppression: Option<String>,
    pub first_seen: TimeView,
    pub first_seen_href: String,
    /// Lower-case text the script's instant filter searches (rule, title, message, object).
    pub search: String,
}

pub fn finding_view(finding: &StoredFinding, now: Timestamp) -> FindingView {
    let object = match &finding.namespace {
        Some(namespace) => format!("{} {namespace}/{}", finding.kind, finding.name),
        None => format!("{} {}", finding.kind, finding.name),
    };
    let search = [
        finding.rule_id.as_str(),
        finding.title.as_str(),
        finding.message.as_str(),
        object.as_str(),
        finding.container.as_deref().unwrap_or(""),
        finding.path.as_str(),
    ]
    .join(" ")
    .to_lowercase();
    FindingView {
        rule_id: finding.rule_id.clone(),
        severity: finding.severity.as_str(),
        title: finding.title.clone(),
        message: finding.message.clone(),
        kind: finding.kind.clone(),
        namespace: finding.namespace.clone(),
        name: finding.name.clone(),
        container: finding.container.clone(),
        object,
        path: finding.path.clone(),
        line: finding.line,
        remediation: finding.remediation.clone(),
        doc_url: rule_doc_url(&finding.rule_id),
        suppression: finding.suppression.clone(),
        first_seen: time_view(finding.first_seen_at, now),
        first_seen_href: run_href(finding.first_seen_run),
        search,
    }
}

/// How a list of findings is grouped (`group=` on the target page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    #[default]
    Rule,
    Namespace,
    Object,
}

impl Grouping {
    pub const ALL: [Grouping; 3] = [Grouping::Rule, Grouping::Namespace, Grouping::Object];

    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Rule => "rule",
            Grouping::Namespace => "namespace",
            Grouping::Object => "object",
        }
    }

    pub fn parse(text: &str) -> Option<Grouping> {
        Grouping::ALL.into_iter().find(|g| g.as_str() == text)
    }
}

/// Findings under one heading.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub heading: String,
    /// A second line under the heading (the rule's title when grouped by rule).
    pub detail: Option<String>,
    pub findings: Vec<FindingView>,
}

/// `findings` under headings, in the order the headings first appear (the store orders by
/// severity, so the worst group comes first).
pub fn group(findings: Vec<FindingView>, by: Grouping) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for finding in findings {
        let (heading, detail) = match by {
            Grouping::Rule => (finding.rule_id.clone(), Some(finding.title.clone())),
            Grouping::Namespace => (
                finding
                    .namespace
                    .clone()
                    .unwrap_or_else(|| NO_NAMESPACE.to_owned()),
                None,
            ),
            Grouping::Object => (finding.object.clone(), None),
        };
        match groups.iter_mut().find(|g| g.heading == heading) {
            Some(existing) => existing.findings.push(finding),
            None => groups.push(Group {
                heading,
                detail,
                findings: vec![finding],
            }),
        }
    }
    groups
}

/// Previous/next links of a paged list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pager {
    pub page: u64,
    /// The first and last position shown (1-based), `0, 0` for an empty page.
    pub first: u64,
    pub last: u64,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
}

/// The pager of page `page` showing `shown` items, `more` saying whether the store had
/// another; `href_for(n)` is the URL of page `n` (keeping the other parameters).
pub fn pager(page: u64, shown: usize, more: bool, href_for: impl Fn(u64) -> String) -> Pager {
    let first = if shown == 0 {
        0
    } else {
        (page - 1) * PAGE_SIZE + 1
    };
    Pager {
        page,
        first,
        last: if shown == 0 {
            0
        } else {
            first + shown as u64 - 1
        },
        previous_href: (page > 1).then(|| href_for(page - 1)),
        next_href: (more && page < MAX_PAGE).then(|| href_for(page + 1)),
    }
}

/// A query string from `(name, value)` pairs, leaving out empty values, with `?` in front
/// (or an empty string).
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// Percent-encoding of a query parameter's name or value (everything but unreserved
/// characters).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A numeric ID from a URL path segment.
pub fn parse_id(text: &str, what: &str) -> Result<i64, super::PageError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            super::PageError::BadRequest(format!(
                "{what} IDs are positive whole numbers; {text:?} is not one."
            ))
        })
}

/// A `page=` parameter: 1 when absent, else 1 ..= [`MAX_PAGE`].
pub fn parse_page(text: Option<&str>) -> Result<u64, super::PageError> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(1),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|page| (1..=MAX_PAGE).contains(page))
            .ok_or_else(|| {
                super::PageError::BadRequest(format!(
                    "page must be a whole number from 1 to {MAX_PAGE}; {text:?} is not."
                ))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = at(1_000_000);
        assert_eq!(relative(at(1_000_000 - 5), now), "just now");
        assert_eq!(relative(at(1_000_000 - 60), now), "1 minute ago");
        assert_eq!(relative(at(1_000_000 - 7_200), now), "2 hours ago");
        assert_eq!(relative(at(1_000_000 - 86_400 * 3 - 5), now), "3 days ago");
        assert_eq!(relative(at(1_000_000 + 3_600), now), "in the future");
        assert_eq!(relative(at(1_000_000 + 30), now), "just now");
        let view = time_view(at(0), now);
        assert_eq!(view.iso, "1970-01-01T00:00:00Z");
        assert_eq!(view.absolute, "1970-01-01 00:00 UTC");
    }

    #[test]
    fn query_strings_leave_out_empty_values_and_encode_the_rest() {
        assert_eq!(query_string(&[]), "");
        assert_eq!(query_string(&[("q", ""), ("group", "rule")]), "?group=rule");
        assert_eq!(
            query_string(&[("q", "a b&c=<x>\""), ("page", "2")]),
            "?q=a%20b%26c%3D%3Cx%3E%22&page=2"
        );
    }

    #[test]
    fn pages_are_bounded() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("")), Ok(1));
        assert_eq!(parse_page(Some("3")), Ok(3));
        for bad in ["0", "-1", "x", "10001", "99999999999999999999"] {
            assert!(
                matches!(
                    parse_page(Some(bad)),
                    Err(super::super::PageError::BadRequest(_))
                ),
                "{bad}"
            );
        }
        let pager = pager(2, 100, true, |n| format!("?page={n}"));
        assert_eq!((pager.first, pager.last), (101, 200));
        assert_eq!(pager.previous_href.as_deref(), Some("?page=1"));
        assert_eq!(pager.next_href.as_deref(), Some("?page=3"));
        let last = pager_last();
        assert_eq!(last.next_href, None);
    }

    fn pager_last() -> Pager {
        pager(MAX_PAGE, 100, true, |n| format!("?page={n}"))
    }

    #[test]
    fn ids_are_positive_numbers() {
        assert_eq!(parse_id("12", "run"), Ok(12));
        for bad in ["0", "-3", "abc", "1.5", ""] {
            assert!(parse_id(bad, "run").is_err(), "{bad}");
        }
    }

    #[test]
    fn known_frameworks_come_first_in_a_fixed_order() {
        let mut ids = vec![
            "zeta".to_owned(),
            "aks-practices".to_owned(),
            "cis-aks".to_owned(),
            "pss-restricted".to_owned(),
        ];
        sort_frameworks(&mut ids);
        assert_eq!(ids, ["cis-aks", "pss-restricted", "aks-practices", "zeta"]);
        assert_eq!(
            (grade(80.0), grade(79.9), grade(49.0)),
            ("good", "fair", "poor")
        );
    }
}
