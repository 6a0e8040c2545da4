//! The webhook reads a review's object with serde_json (`aksguard_load::admission`), not
//! the YAML parser `aksguard scan` uses. Over every object of every rule fixture, sent as the
//! API server sends it (compact JSON), both readers must lead the webhook's rules to the same
//! findings.

use std::path::{Path, PathBuf};

use aksguard_config::ConfigSource;
use aksguard_load::admission::load_admission_object;
use aksguard_load::{Limits, load_text};
use aksguard_scan::{ScanSettings, SettingsRequest, scan_objects};
use aksguard_webhook::judge::webhook_rules;

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixtures directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

type Seen = Vec<(&'static str, Option<String>, String)>;

fn findings(objects: Vec<aksguard_model::Object>, settings: &ScanSettings) -> Seen {
    let (rules, _) = webhook_rules(&settings.effective.rules);
    let (_, outcome) = scan_objects(objects, Default::default(), &rules, settings, "review");
    let mut seen: Seen = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id,
                f.container.as_deref().map(str::to_owned),
                f.message.to_string(),
            )
        })
        .collect();
    seen.sort();
    seen
}

#[test]
fn both_readers_give_the_same_findings_on_every_fixture_object() {
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: Default::default(),
        as_of: Some(aksguard_config::parse_date("2026-12-06").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../aksguard_rules/fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    files.sort();
    let limits = Limits::default();
    let (mut objects_compared, mut with_findings) = (0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let (objects, _) = load_text(&file.display().to_string(), &text, &limits);
        for object in objects {
            let json = serde_json::to_string(&object.root.to_json()).unwrap();
            let label = format!("{}#{}", file.display(), object.reference.name);
            let (by_yaml, yaml_errors) = load_text(&label, &json, &limits);
            let (by_json, json_errors) = load_admission_object(&label, &json, &limits);
            assert_eq!(yaml_errors.len(), json_errors.len(), "{label}");
            let (expected, actual) = (findings(by_yaml, &settings), findings(by_json, &settings));
            assert_eq!(expected, actual, "{label}");
            objects_compared += 1;
            with_findings += usize::from(!expected.is_empty());
        }
    }
    eprintln!(
        "{objects_compared} fixture objects from {} files: same findings by both readers \
         ({with_findings} with findings)",
        files.len()
    );
    assert!(objects_compared > 500, "{objects_compared}");
    assert!(with_findings > 200, "{with_findings}");
}
