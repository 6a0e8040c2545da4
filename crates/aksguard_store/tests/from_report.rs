//! `RunRecord::from_report`: what of a scan report is stored, and the rule set's hash.

use aksguard_model::{
    ControlResult, ControlStatus, Finding, FrameworkResult, LoadError, Location, ObjectRef,
    RuleCoverage, Suppressed, Suppression, SuppressionKind, fingerprint,
};
use aksguard_report::ScanReport;
use aksguard_rules::find_rule;
use aksguard_store::{RunRecord, TargetKind, TargetSpec};
use jiff::Timestamp;

fn finding(rule_id: &str, name: &str, message: &str) -> Finding {
    let rule = find_rule(rule_id).unwrap();
    let object = ObjectRef {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        namespace: Some("shop".into()),
        name: name.into(),
    };
    Finding {
        rule_id: rule.id,
        severity: rule.severity,
        rule: rule.text(),
        message: message.into(),
        fingerprint: fingerprint(rule.id, &object, Some("app"), message),
        object: std::sync::Arc::new(object),
        container: Some("app".into()),
        location: Location {
            path: "k8s/web.yaml".into(),
            line: 12,
            column: 1,
            template: None,
        },
        fix: None,
        on_attack_path: false,
    }
}

fn control(status: ControlStatus) -> ControlResult {
    ControlResult {
        id: "1.1".into(),
        title: "t".into(),
        status,
        passed: status == ControlStatus::Pass,
        rules: vec![],
        not_judged: vec![],
        reason: None,
        findings: 0,
        exceptions: vec![],
        weight: 1.0,
    }
}

fn report(rules: &[&str]) -> ScanReport {
    ScanReport {
        findings: vec![finding("POD001", "web", "container `app` runs privileged")],
        suppressed: vec![Suppressed {
            finding: finding("POD007", "billing", "container `app` may run as root"),
            suppression: Suppression {
                kind: SuppressionKind::Exception,
                reason: "rewritten in Q3".into(),
                expires: Some("2027-03-31".into()),
            },
        }],
        errors: vec![LoadError::new("k8s/broken.yaml", Some(7), "invalid YAML")],
        files: 3,
        objects: 5,
        rules: rules.iter().map(|id| find_rule(id).unwrap()).collect(),
        coverage: vec![
            RuleCoverage {
                rule_id: "POD001",
                targets: 2,
                undecided: 0,
                reason: None,
            },
            RuleCoverage {
                rule_id: "NET001",
                targets: 0,
                undecided: 0,
                reason: Some("no Namespace in the scan".into()),
            },
        ],
        frameworks: vec![FrameworkResult {
            id: "cis-aks",
            title: "CIS",
            score: 75.0,
            assessed: 3,
            controls: vec![
                control(ControlStatus::Pass),
                control(ControlStatus::Pass),
                control(ControlStatus::Fail),
                control(ControlStatus::NotAssessed),
            ],
        }],
        ..ScanReport::default()
    }
}

fn record(report: &ScanReport) -> RunRecord {
    let target = TargetSpec {
        kind: TargetKind::Files,
        key: "/repo".into(),
        name: "repo".into(),
    };
    let at = Timestamp::from_second(1_800_000_000).unwrap();
    RunRecord::from_report(report, target, at, at, Some("abc123".into()))
}

#[test]
fn a_report_becomes_a_run_record() {
    let run = record(&report(&["POD001", "POD007", "NET001"]));
    assert_eq!(run.findings.len(), 2);
    let active = &run.findings[0];
    assert_eq!(
        (active.rule_id.as_str(), active.suppression.as_deref()),
        ("POD001", None)
    );
    assert_eq!(active.fingerprint.len(), 16);
    assert_eq!(
        (
            active.path.as_str(),
            active.line,
            active.container.as_deref()
        ),
        ("k8s/web.yaml", 12, Some("app"))
    );
    assert_eq!(active.title, find_rule("POD001").unwrap().title);
    assert_eq!(
        run.findings[1].suppression.as_deref(),
        Some("exception: rewritten in Q3")
    );
    assert_eq!(run.counts().total(), 1);
    assert_eq!(run.errors.len(), 1);
    assert_eq!(run.errors[0].path, "k8s/broken.yaml");
    // NET001 ran but judged nothing: it resolves nothing.
    assert_eq!(run.rules_judged, ["POD001", "POD007"]);
    let score = &run.frameworks[0];
    assert_eq!(
        (
            score.framework.as_str(),
            score.assessed,
            score.controls,
            score.passed,
            score.failed
        ),
        ("cis-aks", 3, 4, 2, 1)
    );
    assert_eq!(run.tool_version, aksguard_report::TOOL_VERSION);
    assert_eq!(
        (run.files, run.objects, run.commit.as_deref()),
        (3, 5, Some("abc123"))
    );
    assert_eq!(run.uid.len(), 32);
    assert!(run.uid.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn uids_differ_and_the_ruleset_hash_follows_the_rules() {
    let a = record(&report(&["POD001", "POD007"]));
    let b = record(&report(&["POD007", "POD001"]));
    let c = record(&report(&["POD001"]));
    assert_ne!(a.uid, b.uid);
    assert_eq!(
        a.ruleset_hash, b.ruleset_hash,
        "the order the rules ran in does not matter"
    );
    assert_ne!(a.ruleset_hash, c.ruleset_hash);
    assert_eq!(a.ruleset_hash.len(), 64);
}
