//! Terraform and ARM fixture pairs (`tests/fix/<RULE>/<case>.in.tf|.in.json` → `.out.*`,
//! the snapshot and second-run checks are in `fixtures.rs`): the finding is reported on the
//! input and gone from the output when each is scanned as a file through the real pipeline
//! (load, `aksguard_scan`), the change came from the rule's real IaC change, and the
//! pairs left unchanged are the ones whose value comes from a variable or parameter.

mod common;

use std::path::{Path, PathBuf};

use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::Finding;
use aksguard_scan::{ScanSettings, scan_objects};

fn settings(rule: &str) -> ScanSettings {
    common::settings(&[rule])
}

/// `(rule, input)` of every IaC pair.
fn pairs() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&root).expect("tests/fix") {
        let rule = rule.expect("entry").path();
        for case in std::fs::read_dir(&rule).expect("rule dir") {
            let case = case.expect("entry").path();
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&case).unwrap_or_default();
            let iac = name.ends_with(".in.tf")
                || (name.ends_with(".in.json") && text.contains("deploymentTemplate.json#"));
            if iac {
                out.push((
                    rule.file_name().unwrap().to_string_lossy().into_owned(),
                    case,
                ));
            }
        }
    }
    out.sort();
    out
}

/// The findings of `rule` on `text` scanned as a file named like `like`.
fn scan(rule: &str, like: &Path, text: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temp dir");
    let ext = like.extension().unwrap().to_string_lossy().into_owned();
    let path = dir.path().join(format!("main.{ext}"));
    std::fs::write(&path, text).expect("write");
    let loaded = load_inputs(
        &[path.display().to_string()],
        &LoadOptions::default(),
        &mut std::io::empty(),
    );
    assert!(
        loaded.errors.is_empty(),
        "{}: {:?}",
        like.display(),
        loaded.errors
    );
    let settings = settings(rule);
    let (_, outcome) = scan_objects(
        loaded.objects,
        loaded.azure,
        &settings.effective.rules,
        &settings,
        "fixture",
    );
    outcome
        .findings
        .into_iter()
        .filter(|f| f.rule_id == rule)
        .collect()
}

#[test]
fn iac_pairs_clear_their_finding_through_the_scan_pipeline() {
    let pairs = pairs();
    assert!(pairs.len() >= 9, "only {} IaC pairs", pairs.len());
    let (mut edited, mut kept) = (0, 0);
    for (rule, input) in &pairs {
        let text = std::fs::read_to_string(input).expect("read");
        let output = PathBuf::from(input.display().to_string().replace(".in.", ".out."));
        let fixed = std::fs::read_to_string(&output).expect("snapshot");
        let before = scan(rule, input, &text);
        assert_eq!(before.len(), 1, "{}: {before:?}", input.display());
        let fix = before[0].fix.as_ref().expect("a fix");
        assert!(
            !fix.iac.is_empty(),
            "{}: the rule's fix has IaC changes",
            input.display()
        );
        if fixed == text {
            // Unchanged pairs: the value comes from a variable or parameter, and the
            // outcome names it.
            let path: std::sync::Arc<str> = std::sync::Arc::from(input.display().to_string());
            let outcome =
                aksguard_fix::iac::apply_to_file(&path, &text, before[0].location.line, &fix.iac);
            let Some(Ok(aksguard_fix::iac::IacOutcome::FromVariable { note, variable })) = outcome
            else {
                panic!("{}: expected a note, got {outcome:?}", input.display());
            };
            assert!(
                note.contains("variable `run_command`")
                    || note.contains("parameter `disableRunCommand`"),
                "{note}"
            );
            assert!(
                ["var.run_command", "parameters('disableRunCommand')"].contains(&variable.as_str()),
                "{variable}"
            );
            kept += 1;
            continue;
        }
        let after = scan(rule, &output, &fixed);
        assert!(after.is_empty(), "{}: still {after:?}", output.display());
        edited += 1;
    }
    assert!(edited >= 7 && kept >= 2, "{edited} edited, {kept} kept");
}
