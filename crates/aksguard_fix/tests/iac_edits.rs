//! `fix.edits` in reports for Terraform and ARM findings (`fill_edits`, what `scan --format
//! json|sarif` calls): a literal value gets the edit `aksguard fix` would make (applied to
//! the file it gives the pair's output), a value from a variable or parameter gets that
//! variable named in `fix.iac[].variable` and no edit.

mod common;

use std::path::Path;

use aksguard_fix::fill_edits;
use aksguard_fix::iac::apply_edits;
use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::Finding;
use aksguard_scan::{ScanSettings, scan_objects};

fn settings(rule: &str) -> ScanSettings {
    common::settings(&[rule])
}

/// The pair input `tests/fix/<rule>/<case>` copied alone to `dir`, scanned with `rule`,
/// and its findings with `fill_edits` applied; and the copy's text.
fn scan_filled(dir: &Path, rule: &str, case: &str) -> (Vec<Finding>, String) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fix")
        .join(rule)
        .join(case);
    let text = std::fs::read_to_string(&source).expect("read");
    let name = case.replace(".in.", ".");
    let copy = dir.join(&name);
    std::fs::write(&copy, &text).expect("write");
    let loaded = load_inputs(
        &[copy.display().to_string()],
        &LoadOptions::default(),
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{case}: {:?}", loaded.errors);
    let settings = settings(rule);
    let (_, outcome) = scan_objects(
        loaded.objects,
        loaded.azure,
        &settings.effective.rules,
        &settings,
        "fixture",
    );
    let mut findings = outcome.findings;
    assert_eq!(findings.len(), 1, "{case}: {findings:?}");
    fill_edits(&mut findings);
    (findings, text)
}

#[test]
fn literal_terraform_and_arm_values_get_the_fix_edits() {
    for case in ["literal.in.tf", "template.in.json"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (findings, text) = scan_filled(dir.path(), "AKS031", case);
        let fix = findings[0].fix.as_ref().expect("a fix");
        assert!(!fix.edits.is_empty(), "{case}: no edits");
        assert!(
            fix.edits
                .iter()
                .all(|e| *e.path == *findings[0].location.path && e.start_line > 0),
            "{case}: {:?}",
            fix.edits
        );
        let expected = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fix/AKS031")
                .join(case.replace(".in.", ".out.")),
        )
        .expect("output");
        assert_eq!(
            apply_edits(&text, &fix.edits).expect("edits apply"),
            expected,
            "{case}"
        );
        let json = serde_json::to_value(&**fix).expect("json");
        assert!(json["edits"][0]["replacement"].is_string(), "{json}");
    }
}

#[test]
fn values_from_a_variable_or_parameter_name_it() {
    for (case, variable) in [
        ("variable.in.tf", "var.run_command"),
        ("parameter.in.json", "parameters('disableRunCommand')"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (findings, _) = scan_filled(dir.path(), "AKS031", case);
        let fix = findings[0].fix.as_ref().expect("a fix");
        assert!(fix.edits.is_empty(), "{case}: {:?}", fix.edits);
        assert_eq!(
            fix.iac[0].variable.as_deref(),
            Some(variable),
            "{case}: {:?}",
            fix.iac
        );
        let json = serde_json::to_value(&**fix).expect("json");
        assert_eq!(json["iac"][0]["variable"], variable, "{json}");
    }
}
