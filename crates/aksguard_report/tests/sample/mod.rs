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
        fix: None,
        on_attack_path: false,
    }
}

#[allow(dead_code)]
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

/// The context of the live sample's cluster.
#[allow(dead_code)]
pub const CONTEXT: &str = "aks-prod";
/// The ARM id of the live sample's managed cluster (a resource group with a space).
#[allow(dead_code)]
pub const CLUSTER_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg prod/providers/Microsoft.ContainerService/managedClusters/aks-prod";

/// A scan of a live cluster and its Azure resource, plus one file: namespaced and
/// cluster-scoped objects read from the API (`cluster://…`), a managed cluster read from ARM
/// (`azure://…`), all at 1:1; a suppressed live finding; an error for a kind that could not
/// be listed; a rule that judged nothing.
#[allow(dead_code)]
pub fn live_report() -> ScanReport {
    let azure = format!("azure://{CLUSTER_ID}");
    let mut findings = vec![
        finding(
            "POD001",
            "Deployment",
            Some("shop"),
            "web",
            Some("app"),
            "cluster://aks-prod/shop/Deployment/web",
            1,
            "container `app` runs privileged (securityContext.privileged: true)",
        ),
        finding(
            "IMG001",
            "Deployment",
            Some("shop"),
            "web",
            Some("app"),
            "cluster://aks-prod/shop/Deployment/web",
            1,
            "image `web:latest` uses the mutable tag `latest`",
        ),
        finding(
            "RBAC001",
            "ClusterRoleBinding",
            None,
            "ops-admin",
            None,
            "cluster://aks-prod/ClusterRoleBinding/ops-admin",
            1,
            "binds cluster-admin to group `ops`",
        ),
        finding(
            "AKS001",
            "ManagedCluster",
            None,
            "aks-prod",
            None,
            &azure,
            1,
            "Kubernetes RBAC is disabled (properties.enableRBAC: false)",
        ),
        finding(
            "SEC001",
            "Deployment",
            Some("shop"),
            "api",
            Some("api"),
            "k8s/api.yaml",
            12,
            "env `DB_PASSWORD` holds a literal secret (value masked: ****)",
        ),
    ];
    for finding in &mut findings {
        if aksguard_report::location::is_live(&finding.location.path) {
            finding.location.column = 1;
        }
    }
    std::sync::Arc::make_mut(&mut findings[2].object).api_version =
        "rbac.authorization.k8s.io/v1".into();
    std::sync::Arc::make_mut(&mut findings[3].object).api_version =
        "containerservice.azure.com/v1".into();
    let mut suppressed = Suppressed {
        finding: finding(
            "POD007",
            "Deployment",
            Some("legacy"),
            "billing",
            Some("billing"),
            "cluster://aks-prod/legacy/Deployment/billing",
            1,
            "container `billing` may run as root",
        ),
        suppression: Suppression {
            kind: SuppressionKind::Exception,
            reason: "billing is rewritten in Q3".to_owned(),
            expires: Some("2027-03-31".to_owned()),
        },
    };
    suppressed.finding.location.column = 1;
    let mut rules: Vec<_> = RULES.iter().map(|id| find_rule(id).unwrap()).collect();
    rules.push(find_rule("AKS001").unwrap());
    ScanReport {
        findings,
        suppressed: vec![suppressed],
        errors: vec![LoadError::new(
            "cluster://aks-prod",
            None,
            "cannot list networking.k8s.io/v1 networkpolicies: forbidden (needs list)",
        )],
        files: 1,
        objects: 42,
        coverage: vec![aksguard_model::RuleCoverage {
            rule_id: "NET001",
            targets: 0,
            undecided: 0,
            reason: Some("no object of the kinds it reads could be listed".to_owned()),
        }],
        rules,
        ..ScanReport::default()
    }
}

/// `../shared/schemas/sarif-schema-2.1.0.json` beside the workspace, if present.
#[allow(dead_code)]
pub fn sarif_schema_path() -> Option<std::path::PathBuf> {
    aksguard_testkit::shared_path("schemas/sarif-schema-2.1.0.json")
}

/// Validates `document` against the SARIF schema (formats included); panics with every
/// violation. Returns false (after saying so) when the schema is absent.
#[allow(dead_code)]
pub fn validate_sarif(document: &serde_json::Value) -> bool {
    let Some(path) = sarif_schema_path() else {
        return false;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    true
}

/// The sample report with fixes: a shared rule-level fix on most findings, hand-made text
/// edits on the first (as `aksguard fix` fills them for file sources) and an AKS-style fix
/// with `az` commands and a Terraform change on the second.
#[allow(dead_code)]
pub fn report_with_fixes() -> ScanReport {
    use aksguard_model::{Fix, FixSafety, IacChange, TextEdit};
    use std::sync::Arc;
    let mut report = sample_report();
    let shared = Arc::new(Fix::new("Set privileged to false.", FixSafety::Safe));
    for finding in &mut report.findings {
        finding.fix = Some(shared.clone());
    }
    let path: Arc<str> = "k8s/web.yaml".into();
    let mut edits = Fix::new("Set privileged to false.", FixSafety::Safe);
    edits.edits = vec![
        TextEdit {
            path: path.clone(),
            start: 210,
            end: 214,
            start_line: 12,
            start_column: 23,
            end_line: 12,
            end_column: 27,
            replacement: "false".into(),
        },
        TextEdit {
            path,
            start: 300,
            end: 320,
            start_line: 14,
            start_column: 1,
            end_line: 15,
            end_column: 1,
            replacement: String::new(),
        },
    ];
    report.findings[0].fix = Some(Arc::new(edits));
    let cluster = Fix::new(
        "Disable run command (az aks command invoke).",
        FixSafety::Review,
    )
    .with_command("az aks update --resource-group rg --name aks --disable-run-command")
    .with_iac(IacChange {
        language: "terraform",
        attribute: "run_command_enabled".into(),
        value: "false".into(),
        variable: Some("run_command".into()),
    });
    report.findings[1].fix = Some(Arc::new(cluster));
    report
}
