//! A realistic scan report shared by the SARIF, JUnit and Markdown tests: several rules (some
//! without findings), findings on the same object, awkward paths (spaces, unicode, `<stdin>`,
//! rendered charts), XML/Markdown metacharacters in messages, suppressed findings of every
//! kind, and load errors with and without a line.

use aksguard_model::{
    Finding, LoadError, Location, ObjectRef, Suppressed, Suppression, SuppressionKind, fingerprint,
};
use aksguard_report::ScanReport;
use aksguard_rules::find_rule;

pub const RULES: [&str; 6] = ["POD001", "POD007", "IMG001", "SEC001", "NET001", "RBAC001"];

#[allow(clippy::too_many_arguments)]
pub fn finding(
    rule_id: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    container: Option<&str>,
    path: &str,
    line: u32,
    message: &str,
) -> Finding {
    let rule = find_rule(rule_id).expect("a real rule");
    let object = ObjectRef {
        api_version: "apps/v1".into(),
        kind: kind.into(),
        namespace: namespace.map(Into::into),
        name: name.into(),
    };
    Finding {
        rule_id: rule.id,
        severity: rule.severity,
        rule: rule.text(),
        message: message.into(),
        fingerprint: fingerprint(rule.id, &object, container, message),
        object: std::sync::Arc::new(object),
        container: container.map(Into::into),
        location: Location {
            path: path.into(),
            line,
            column: 7,
            template: None,
        },
    }
}

pub fn sample_report() -> ScanReport {
    let mut findings = vec![
        finding(
            "POD001",
            "Deployment",
            Some("shop"),
            "web",
            Some("app"),
            "k8s/web.yaml",
            12,
            "container `app` runs privileged (securityContext.privileged: true)",
        ),
        finding(
            "POD001",
            "Deployment",
            Some("shop"),
            "web",
            Some("side|car"),
            "k8s/web.yaml",
            30,
            "container `side|car` runs privileged & <unsafe> \"quoted\" 'single'",
        ),
        finding(
            "POD007",
            "Deployment",
            Some("shop"),
            "web",
            Some("app"),
            "./k8s/web.yaml",
            14,
            "container `app` may run as root: no runAsNonRoot",
        ),
        finding(
            "IMG001",
            "CronJob",
            Some("débit"),
            "rapport-été",
            Some("job"),
            "k8s/my dir/ünïcode café.yaml",
            9,
            "image `registry.example.com/rapport:latest` uses the mutable tag `latest` | pin a digest",
        ),
        finding(
            "IMG001",
            "Pod",
            None,
            "piped",
            Some("c"),
            "<stdin>",
            3,
            "image `busybox` has no tag\nsecond line",
        ),
        finding(
            "SEC001",
            "Deployment",
            Some("shop"),
            "api",
            Some("api"),
            "charts/shop (helm template)",
            41,
            "env `DB_PASSWORD` holds a literal secret (value masked: ****)",
        ),
    ];
    findings[5].location.template = Some("shop/templates/api.yaml".into());
    let mut suppressed = vec![
        Suppressed {
            finding: finding(
                "POD007",
                "Deployment",
                Some("legacy"),
                "billing-v1",
                Some("billing"),
                "k8s/legacy.yaml",
                20,
                "container `billing` may run as root",
            ),
            suppression: Suppression {
                kind: SuppressionKind::Exception,
                reason: "billing is rewritten in Q3 <see JIRA-12> & until then accepted".to_owned(),
                expires: Some("2027-03-31".to_owned()),
            },
        },
        Suppressed {
            finding: finding(
                "POD001",
                "DaemonSet",
                Some("kube-system"),
                "csi-node",
                Some("driver"),
                "k8s/csi.yaml",
                8,
                "container `driver` runs privileged",
            ),
            suppression: Suppression {
                kind: SuppressionKind::Annotation,
                reason: "CSI drivers need privileged".to_owned(),
                expires: None,
            },
        },
        Suppressed {
            finding: finding(
                "NET001",
                "Namespace",
                None,
                "legacy",
                None,
                "k8s/legacy.yaml",
                1,
                "namespace `legacy` has no NetworkPolicy",
            ),
            suppression: Suppression {
                kind: SuppressionKind::Baseline,
                reason: "in the baseline".to_owned(),
                expires: None,
            },
        },
    ];
    std::sync::Arc::make_mut(&mut suppressed[2].finding.object).api_version = "v1".into();
    ScanReport {
        findings,
        suppressed,
        errors: vec![
            LoadError::new(
                "k8s/broken file.yaml",
                Some(7),
                "invalid YAML: did not find expected key <here> & \"there\"",
            ),
            LoadError::new(
                "k8s/huge.yaml",
                None,
                "file is larger than the limit (64 MiB)",
            ),
        ],
        files: 7,
        objects: 11,
        rules: RULES.iter().map(|id| find_rule(id).unwrap()).collect(),
        ..ScanReport::default()
    }
}

/// The `%SRCROOT%` the tests render against.
#[allow(dead_code)]
pub fn root() -> &'static std::path::Path {
    std::path::Path::new("/home/ci/work/my repo")
}
