//! JUnit XML for CI test tabs (Azure DevOps `PublishTestResults`, GitHub test reporters).
//!
//! Layout: one `<testsuite>` per rule that ran (`POD001 Container runs privileged`); in it one
//! failing `<testcase>` per object with findings of that rule (name `Kind ns/name`,
//! classname the file, or for a live scan the cluster or the Azure resource), whose
//! `<failure>` lists every finding of the rule on that object.
//! A rule without findings gets one passing case (`no findings in N objects`) so the rule
//! shows as passed; there are no passing per-object cases (rules × objects would be hundreds
//! of thousands of cases on a large repository). Suppressed findings are `<skipped>` cases
//! with the reason; load errors are `<error>` cases in the suite `aksguard load errors`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::time::Duration;

use aksguard_model::{
    ControlStatus, Finding, FrameworkResult, Severity, Suppressed, SuppressionKind,
};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::{ScanReport, TOOL_NAME};

/// The suite holding one `<error>` case per input that could not be loaded.
pub const ERRORS_SUITE: &str = "aksguard load errors";

/// `Deployment shop/web` (`ClusterRole admin` when cluster-scoped).
fn object_label(finding: &Finding) -> String {
    let object = &finding.object;
    match &object.namespace {
        Some(ns) => format!("{} {ns}/{}", object.kind, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// The file a case belongs to: the path, with the Helm template when known; for a live
/// scan the cluster (`cluster://<context>`) or the Azure resource (see [`crate::location`]).
fn file_label(finding: &Finding) -> String {
    match &finding.location.template {
        Some(template) => format!("{} ({template})", finding.location.path),
        None => crate::location::origin(finding).into_owned(),
    }
}

/// Groups findings by (file, object), keeping the order in which each group first appears.
fn group_by_object<'a, T>(
    items: impl Iterator<Item = &'a T>,
    finding: impl Fn(&T) -> &Finding,
) -> Vec<(String, String, Vec<&'a T>)>
where
    T: 'a,
{
    let mut groups: Vec<(String, String, Vec<&'a T>)> = Vec::new();
    let mut index = HashMap::new();
    for item in items {
        let f = finding(item);
        let key = (file_label(f), object_label(f));
        match index.get(&key) {
            Some(&i) => {
                let group: &mut (String, String, Vec<&'a T>) = &mut groups[i];
                group.2.push(item);
            }
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key.0, key.1, vec![item]));
            }
        }
    }
    groups
}

/// Attribute values on one line (parsers turn a raw newline in an attribute into a space anyway).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn describe(out: &mut String, finding: &Finding) {
    let container = finding
        .container
        .as_deref()
        .map(|c| format!(" [container {c}]"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {} {}{container}: {}",
        crate::location::position(&finding.location),
        finding.severity,
        finding.rule_id,
        finding.message
    );
    let _ = writeln!(out, "  fix: {}", crate::fix_text::line(finding));
}

pub fn render(report: &ScanReport) -> String {
    let mut junit = Report::new(TOOL_NAME);
    // Some readers (test-reporter actions) require `time`; a static scan has no per-case
    // duration, so every time is 0 and the output stays deterministic.
    junit.set_time(Duration::ZERO);

    // Rules that ran, then any rule only a finding names (so no finding is ever dropped).
    let mut rules: Vec<(&str, &str, Severity)> = report
        .rules
        .iter()
        .map(|r| (r.id, r.title, r.severity))
        .collect();
    let mut findings_of: HashMap<&str, Vec<&Finding>> = HashMap::new();
    let mut suppressed_of: HashMap<&str, Vec<&Suppressed>> = HashMap::new();
    for finding in &report.findings {
        findings_of
            .entry(finding.rule_id)
            .or_default()
            .push(finding);
    }
    for suppressed in &report.suppressed {
        let id = suppressed.finding.rule_id;
        suppressed_of.entry(id).or_default().push(suppressed);
    }
    let suppressed_findings = report.suppressed.iter().map(|s| &s.finding);
    let mut known: HashSet<&str> = rules.iter().map(|(id, _, _)| *id).collect();
    for finding in report.findings.iter().chain(suppressed_findings) {
        if known.insert(finding.rule_id) {
            rules.push((finding.rule_id, finding.rule.title, finding.severity));
        }
    }

    for (id, title, severity) in rules {
        let mut suite = TestSuite::new(format!("{id} {title}"));
        suite.set_time(Duration::ZERO);
        suite.add_property(("severity", severity.as_str()));
        let findings = findings_of.remove(id).unwrap_or_default();
        let groups = group_by_object(findings.into_iter(), |f: &Finding| f);
        let not_judged = report
            .coverage
            .iter()
            .find(|c| c.rule_id == id)
            .and_then(|c| c.reason.as_deref());
        if groups.is_empty() {
            let mut case = match not_judged {
                // Nothing it could judge: skipped, not passed.
                Some(reason) => {
                    let mut status = TestCaseStatus::skipped();
                    status.set_message(one_line(&format!("not judged: {reason}")));
                    TestCase::new("not judged", status)
                }
                None => TestCase::new(
                    format!("no findings in {} objects", report.objects),
                    TestCaseStatus::success(),
                ),
            };
            case.set_classname(id).set_time(Duration::ZERO);
            suite.add_test_case(case);
        }
        for (file, object, findings) in groups {
            let mut text = String::new();
            for finding in &findings {
                describe(&mut text, finding);
            }
            let worst = findings
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(severity);
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(one_line(&findings[0].message))
                .set_type(worst.as_str())
                .set_description(text);
            let mut case = TestCase::new(object, status);
            case.set_classname(file).set_time(Duration::ZERO);
            suite.add_test_case(case);
        }

        let suppressed = suppressed_of.remove(id).unwrap_or_default();
        for (file, object, items) in
            group_by_object(suppressed.into_iter(), |s: &Suppressed| &s.finding)
        {
            let mut text = String::new();
            for item in &items {
                describe(&mut text, &item.finding);
                let source = match item.suppression.kind {
                    SuppressionKind::Exception => "exception",
                    SuppressionKind::Annotation => "annotation",
                    SuppressionKind::Baseline => "baseline",
                };
                let _ = write!(
                    text,
                    "  suppressed by {source}: {}",
                    item.suppression.reason
                );
                if let Some(expires) = &item.suppression.expires {
                    let _ = write!(text, " (expires {expires})");
                }
                text.push('\n');
            }
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(one_line(&format!(
                    "suppressed: {}",
                    items[0].suppression.reason
                )))
                .set_description(text);
            let mut case = TestCase::new(format!("{object} (suppressed)"), status);
            case.set_classname(file).set_time(Duration::ZERO);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }

    if report.framework.is_some() {
        for framework in &report.frameworks {
            junit.add_test_suite(framework_suite(framework));
        }
    }

    if !report.errors.is_empty() {
        let mut suite = TestSuite::new(ERRORS_SUITE);
        suite.set_time(Duration::ZERO);
        for error in &report.errors {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(one_line(&error.message))
                .set_type("load error")
                .set_description(error.to_string());
            let name = match error.line {
                Some(line) => format!("{}:{line}", error.path),
                None => error.path.clone(),
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(error.path.as_str())
                .set_time(Duration::ZERO);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }

    let mut text = junit
        .to_string()
        .expect("serialising XML to a string cannot fail");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// `--framework`: one case per control. Failing controls fail, not-assessed ones are
/// skipped (with the reason), excepted ones pass with their suppressions in `system-out`.
fn framework_suite(framework: &FrameworkResult) -> TestSuite {
    let mut suite = TestSuite::new(format!("{} {} controls", TOOL_NAME, framework.id));
    suite.set_time(Duration::ZERO);
    suite.add_property(("score", format!("{:.1}", framework.score).as_str()));
    suite.add_property(("coverage", framework.coverage_line().as_str()));
    for control in &framework.controls {
        let rules = control.rules.join(", ");
        let exceptions: Vec<String> = control
            .exceptions
            .iter()
            .map(|e| format!("suppressed by {}", crate::exception_text(e)))
            .collect();
        let status = match control.status {
            ControlStatus::Pass => TestCaseStatus::success(),
            ControlStatus::Excepted => TestCaseStatus::success(),
            ControlStatus::Fail => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(one_line(&format!(
                    "{} finding(s) of {rules}",
                    control.findings
                )));
                status
            }
            ControlStatus::NotAssessed => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(one_line(&format!(
                    "not assessed: {}",
                    control.reason.as_deref().unwrap_or_default()
                )));
                status
            }
        };
        let mut case = TestCase::new(format!("{} {}", control.id, control.title), status);
        case.set_classname(framework.id).set_time(Duration::ZERO);
        if control.status == ControlStatus::Excepted {
            case.set_system_out(format!("excepted: {}", exceptions.join("; ")));
        }
        suite.add_test_case(case);
    }
    suite
}
