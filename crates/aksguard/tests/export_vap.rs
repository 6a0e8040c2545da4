//! `aksguard export vap` through the real binary: YAML on stdout or in a file, modes,
//! notes for rules CEL cannot express, `--list`, and selection errors.

use std::process::Output;

fn aksguard(args: &[&str]) -> Output {
    assert_cmd::cargo::cargo_bin_cmd!("aksguard")
        .args(args)
        .output()
        .expect("aksguard runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn exports_selected_rules_with_the_mode_and_notes_the_rest() {
    let output = aksguard(&[
        "export",
        "vap",
        "--select",
        "POD001,POD021",
        "--mode",
        "enforce",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let yaml = text(&output.stdout);
    assert_eq!(
        yaml.matches("kind: ValidatingAdmissionPolicy\n").count(),
        1,
        "{yaml}"
    );
    assert_eq!(
        yaml.matches("kind: ValidatingAdmissionPolicyBinding\n")
            .count(),
        1
    );
    assert!(yaml.contains("name: aksguard-pod001-privileged-container"));
    assert!(yaml.contains("- Deny"));
    assert!(!yaml.contains("POD021"));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("note: POD021 not exported:"), "{stderr}");
}

#[test]
fn the_default_mode_warns_and_output_goes_to_a_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("policies.yaml");
    let output = aksguard(&["export", "vap", "-o", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    let yaml = std::fs::read_to_string(&file).unwrap();
    assert!(yaml.contains("- Warn") && !yaml.contains("- Deny"));
    assert!(yaml.contains("aksguard-pod028-non-restricted-volume-type"));
    assert!(text(&output.stderr).contains("left out (see `aksguard export vap --list`)"));
    let audit = aksguard(&["export", "vap", "--select", "POD003", "--mode", "audit"]);
    assert!(text(&audit.stdout).contains("- Audit"));
}

#[test]
fn list_names_every_rule_once() {
    let output = aksguard(&["export", "vap", "--list"]);
    assert_eq!(output.status.code(), Some(0));
    let list = text(&output.stdout);
    assert!(list.contains("POD001   exported"), "{list}");
    assert!(
        list.contains("AKS001   not exported  judges the AKS cluster"),
        "{list}"
    );
    assert_eq!(list.lines().count(), aksguard_rules::all_rules().len());
}

#[test]
fn typos_and_selections_without_translation_fail() {
    let typo = aksguard(&["export", "vap", "--select", "POD0001"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(text(&typo.stderr).contains("unknown rule or family `POD0001`"));
    let none = aksguard(&["export", "vap", "--select", "AKS"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        text(&none.stderr).contains("none of the"),
        "{}",
        text(&none.stderr)
    );
    assert!(none.stdout.is_empty());
}
