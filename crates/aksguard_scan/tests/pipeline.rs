//! The pipeline over objects that are already loaded: the same severity overrides,
//! annotations, exceptions and baselines as `aksguard scan` (whose CLI tests cover the file
//! path end to end), and a scan of nothing fails closed.

use std::path::Path;

use aksguard_config::{CliOverrides, ConfigSource, parse_date};
use aksguard_load::{Limits, load_text};
use aksguard_model::{Object, Severity};
use aksguard_scan::{ScanSettings, SettingsRequest, scan_objects};

const PRIVILEGED: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: ops
spec:
  containers:
    - name: main
      image: registry.example/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      securityContext:
        privileged: true
";

fn objects(text: &str) -> Vec<Object> {
    let (objects, errors) = load_text("pod.yaml", text, &Limits::default());
    assert!(errors.is_empty(), "{errors:?}");
    objects
}

fn settings(config: Option<&str>, write_baseline: Option<&Path>) -> ScanSettings {
    let dir = tempfile::tempdir().unwrap();
    let source = match config {
        Some(text) => {
            let path = dir.path().join("aksguard.toml");
            std::fs::write(&path, text).unwrap();
            ConfigSource::Explicit(path)
        }
        None => ConfigSource::Disabled,
    };
    ScanSettings::resolve(&SettingsRequest {
        source,
        overrides: CliOverrides {
            select: vec!["POD001".into()],
            ..CliOverrides::default()
        },
        as_of: Some(parse_date("2026-12-06").unwrap()),
        baseline: None,
        write_baseline: write_baseline.map(Path::to_path_buf),
    })
    .unwrap()
}

fn run(settings: &ScanSettings, text: &str) -> aksguard_scan::Outcome {
    let rules = settings.effective.rules.clone();
    scan_objects(
        objects(text),
        Default::default(),
        &rules,
        settings,
        "pod.yaml",
    )
    .1
}

#[test]
fn finds_what_the_rule_finds() {
    let outcome = run(&settings(None, None), PRIVILEGED);
    let ids: Vec<&str> = outcome.findings.iter().map(|f| f.rule_id).collect();
    assert_eq!(ids, ["POD001"]);
    assert!(outcome.errors.is_empty() && outcome.suppressed.is_empty());
}

#[test]
fn severity_overrides_apply_before_the_minimum() {
    let config = "min-severity = \"high\"\n[severity]\nPOD001 = \"low\"\n";
    let outcome = run(&settings(Some(config), None), PRIVILEGED);
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
    let config = "[severity]\nPOD001 = \"low\"\n";
    let outcome = run(&settings(Some(config), None), PRIVILEGED);
    assert_eq!(outcome.findings[0].severity, Severity::Low);
}

#[test]
fn exceptions_suppress_and_unused_ones_are_noted() {
    let config = "\
[[exception]]
rules = [\"POD001\"]
namespace = \"ops\"
reason = \"node agent, reviewed\"

[[exception]]
rules = [\"POD001\"]
namespace = \"elsewhere\"
reason = \"gone\"
";
    let outcome = run(&settings(Some(config), None), PRIVILEGED);
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.suppressed.len(), 1);
    assert_eq!(outcome.notes.len(), 1, "{:?}", outcome.notes);
    assert!(
        outcome.notes[0].contains("matched no finding"),
        "{:?}",
        outcome.notes
    );
}

#[test]
fn ignore_annotations_suppress_and_bad_ones_are_errors() {
    let annotated = PRIVILEGED.replace(
        "  namespace: ops\n",
        "  namespace: ops\n  annotations:\n    aksguard.io/ignore: \"POD001 -- node agent\"\n",
    );
    let outcome = run(&settings(None, None), &annotated);
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.suppressed.len(), 1);
    let reasonless = PRIVILEGED.replace(
        "  namespace: ops\n",
        "  namespace: ops\n  annotations:\n    aksguard.io/ignore: \"POD001\"\n",
    );
    let outcome = run(&settings(None, None), &reasonless);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
}

#[test]
fn a_written_baseline_is_noted_and_an_unwritable_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baseline.json");
    let outcome = run(&settings(None, Some(&path)), PRIVILEGED);
    assert!(path.exists());
    assert!(outcome.notes.iter().any(|n| n.contains("wrote 1 finding")));
    let unwritable = dir.path().join("missing-dir").join("baseline.json");
    let outcome = run(&settings(None, Some(&unwritable)), PRIVILEGED);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
}

#[test]
fn a_scan_of_nothing_is_an_error() {
    let settings = settings(None, None);
    let rules = settings.effective.rules.clone();
    let (_, outcome) = scan_objects(Vec::new(), Default::default(), &rules, &settings, "empty/");
    assert_eq!(outcome.errors.len(), 1);
    assert!(
        outcome.errors[0]
            .to_string()
            .contains("nothing was scanned")
    );
}

/// `[azure] admin-principals` of aksguard.toml reaches the rules: AKS043 reports the Owner it
/// does not list and not the one it does.
#[test]
fn the_azure_table_reaches_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aksguard.toml");
    std::fs::write(
        &path,
        "[azure]\nadmin-principals = [\"OPS-ADMINS\"]\nnode-image-max-age-days = 30\n",
    )
    .unwrap();
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Explicit(path),
        overrides: CliOverrides {
            select: vec!["AKS043".into()],
            ..CliOverrides::default()
        },
        as_of: Some(parse_date("2026-12-06").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let azure = &settings.effective.rule_settings.azure;
    assert_eq!(azure.admin_principals, ["OPS-ADMINS"]);
    assert_eq!(azure.node_image_max_age_days, 30);
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000000";
    let assignment = |n: u32, name: &str| {
        format!(
            "{{\"id\": \"{sub}/resourceGroups/rg1/providers/Microsoft.Authorization/roleAssignments/a{n}\", \
             \"principalId\": \"11111111-0000-0000-0000-00000000000{n}\", \"principalName\": \"{name}\", \
             \"roleDefinitionName\": \"Owner\", \"scope\": \"{sub}/resourceGroups/rg1\", \
             \"type\": \"Microsoft.Authorization/roleAssignments\"}}"
        )
    };
    let text = format!(
        "[{{\"name\": \"aks1\", \"id\": \"{sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1\", \
         \"type\": \"Microsoft.ContainerService/ManagedClusters\", \"disableLocalAccounts\": true}}, {}, {}]",
        assignment(1, "ops-admins"),
        assignment(2, "dev@contoso.com")
    );
    let loaded = aksguard_load::load_text_all("az.json", &text, &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let rules = settings.effective.rules.clone();
    let (_, outcome) = scan_objects(Vec::new(), loaded.azure, &rules, &settings, "az.json");
    let messages: Vec<&str> = outcome.findings.iter().map(|f| &*f.message).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("dev@contoso.com"), "{}", messages[0]);
}
