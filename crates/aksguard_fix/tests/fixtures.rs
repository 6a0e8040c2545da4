//! Fixture pairs `tests/fix/<RULE>/<case>.in.{yaml,json}` → `.out.*`: `aksguard fix` with the
//! rule selected (review safety) turns the input into the output byte for byte. For every
//! pair (the property test): the finding is gone after the fix, verification compared the
//! rest of the parsed trees, and fixing the output again changes nothing.
//! `AKSGUARD_BLESS=1` writes the outputs.

mod common;

use std::path::{Path, PathBuf};

use aksguard_fix::{FixOptions, plan};
use aksguard_model::FixSafety;
use aksguard_scan::ScanSettings;

fn settings(rule: &str) -> ScanSettings {
    common::settings(&[rule])
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&root).expect("tests/fix") {
        let rule = rule.expect("entry").path();
        for case in std::fs::read_dir(&rule).expect("rule dir") {
            let case = case.expect("entry").path();
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains(".in.") {
                let id = rule.file_name().unwrap().to_string_lossy().into_owned();
                out.push((id, case));
            }
        }
    }
    out.sort();
    out
}

/// Runs `aksguard fix` (the library) on `text` as a file named like `input`.
fn fix_text(rule: &str, input: &Path, text: &str) -> (String, aksguard_fix::FixPlan) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ext = input.extension().unwrap().to_string_lossy().into_owned();
    let path = dir.path().join(format!("manifest.{ext}"));
    std::fs::write(&path, text).expect("write");
    let options = FixOptions {
        max_safety: FixSafety::Review,
        ..FixOptions::default()
    };
    let settings = settings(rule);
    let plan = plan(
        &[path.display().to_string()],
        &settings.effective.rules,
        &settings,
        &options,
    );
    assert!(
        plan.errors.is_empty(),
        "{}: {:?}",
        input.display(),
        plan.errors
    );
    let fixed = plan
        .changes
        .first()
        .map_or_else(|| text.to_owned(), |c| c.fixed.clone());
    (fixed, plan)
}

#[test]
fn every_fixture_fixes_to_its_snapshot_and_a_second_run_is_a_no_op() {
    let bless = std::env::var_os("AKSGUARD_BLESS").is_some();
    let fixtures = fixtures();
    assert!(fixtures.len() >= 20, "only {} fixtures", fixtures.len());
    let mut failures = Vec::new();
    for (rule, input) in &fixtures {
        let text = std::fs::read_to_string(input).expect("read");
        let (fixed, plan) = fix_text(rule, input, &text);
        let output = PathBuf::from(input.display().to_string().replace(".in.", ".out."));
        if bless {
            std::fs::write(&output, &fixed).expect("bless");
        }
        let expected = std::fs::read_to_string(&output).unwrap_or_default();
        if fixed != expected {
            failures.push(format!("{}: output differs:\n{fixed}", input.display()));
            continue;
        }
        // A fixture whose fix is declined (an anchor) or left to a person (a `manual` fix)
        // documents the refusal: unchanged, and the refusal is reported or counted.
        if fixed == text {
            if plan.declined.is_empty() && plan.not_automatic == 0 {
                failures.push(format!(
                    "{}: nothing fixed and nothing declined",
                    input.display()
                ));
            }
            continue;
        }
        if plan.fixed() == 0 {
            failures.push(format!("{}: changed but counts no fix", input.display()));
        }
        let (again, second) = fix_text(rule, input, &fixed);
        if again != fixed || !second.changes.is_empty() {
            failures.push(format!(
                "{}: a second run changes the file",
                input.display()
            ));
        }
        if second.fixed() != 0
            || second
                .declined
                .iter()
                .any(|d| d.finding.rule_id == rule.as_str())
        {
            failures.push(format!(
                "{}: {} still reported after the fix: {:?}",
                input.display(),
                rule,
                second.declined
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The fix makes the finding go away when the edited text is scanned again.
#[test]
fn every_fixed_fixture_no_longer_has_the_finding() {
    for (rule, input) in fixtures() {
        let output = PathBuf::from(input.display().to_string().replace(".in.", ".out."));
        let Ok(fixed) = std::fs::read_to_string(&output) else {
            continue;
        };
        let text = std::fs::read_to_string(&input).expect("read");
        if fixed == text {
            continue;
        }
        // Terraform and ARM pairs are re-scanned with their directory (tests/iac_fixtures.rs).
        if input.extension().is_some_and(|e| e == "tf") || text.contains("deploymentTemplate.json#")
        {
            continue;
        }
        let settings = settings(&rule);
        let name = format!("manifest.{}", input.extension().unwrap().to_string_lossy());
        let before =
            aksguard_fix::verify::scan_text(&name, &text, &settings.effective.rules, &settings)
                .expect("input scans");
        let after =
            aksguard_fix::verify::scan_text(&name, &fixed, &settings.effective.rules, &settings)
                .expect("output scans");
        assert!(
            before.findings.iter().any(|f| f.rule_id == rule.as_str()),
            "{}",
            input.display()
        );
        assert!(
            after.findings.iter().all(|f| f.rule_id != rule.as_str()),
            "{}: {:?}",
            input.display(),
            after.findings
        );
    }
}

/// How many rules `aksguard fix` can fix by itself: rules with an automatic (safe or
/// review) fix on a finding over the rule catalogue's fixtures and these fixtures.
#[test]
fn counts_the_rules_with_automatic_edits() {
    use std::collections::BTreeSet;
    let mut files = Vec::new();
    let mut dirs = vec![
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../aksguard_rules/fixtures"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
                files.push(path);
            }
        }
    }
    let settings = common::settings(&[]);
    let mut automatic = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let loaded =
            aksguard_load::load_text_all("f.yaml", &text, &aksguard_load::Limits::default());
        let (_, outcome) = aksguard_scan::scan_objects(
            loaded.objects,
            loaded.azure,
            &settings.effective.rules,
            &settings,
            "f.yaml",
        );
        for finding in outcome.findings {
            if finding.fix.as_ref().is_some_and(|f| f.is_automatic()) {
                automatic.insert(finding.rule_id);
            }
        }
    }
    println!(
        "rules with automatic edits: {} ({:?})",
        automatic.len(),
        automatic
    );
    // README "Fixing findings" lists these rules; keep the two in step.
    let expected: BTreeSet<&str> = [
        "IDN001", "IDN002", "IMG004", "IMG006", "NET006", "NET007", "NET011", "NET013", "NS001",
        "NS002", "POD001", "POD002", "POD003", "POD004", "POD005", "POD006", "POD007", "POD008",
        "POD009", "POD010", "POD011", "POD012", "POD014", "POD016", "POD017", "POD018", "POD019",
        "POD020", "POD022", "POD023", "POD026", "POD027", "POD030", "POD031", "RBAC007", "REL001",
        "REL007",
    ]
    .into_iter()
    .collect();
    assert_eq!(automatic, expected, "{} rules", automatic.len());
}
