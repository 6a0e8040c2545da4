//! VAP suites for `aksguard policy test`: passing and failing cases, `objectFile`,
//! `message`, `warn`, and suites that are wrong (an error naming the line) or whose policies
//! do not load (every case fails).

use std::path::Path;

use aksguard_policy::vap::suite::{VapCaseOutcome, run_suite_file};

const POLICY: &str = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-latest}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
    message: images must not use the latest tag
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-latest}
spec: {policyName: no-latest, validationActions: [ACTIONS]}
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn suite(cases: &str) -> String {
    format!(
        "apiVersion: test.aksguard.io/v1\nkind: VapSuite\nmetadata: {{name: no-latest}}\npolicies: [policy.yaml]\ncases:\n{cases}"
    )
}

const CASES: &str = r#"- name: pinned
  object: {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: "nginx:1.27"}]}}
  expect: allow
- name: latest from a file
  objectFile: latest.yaml
  expect: deny
  message: latest tag
- name: wrong expectation
  object: {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: "nginx:1.27"}]}}
  expect: deny
- name: wrong message
  objectFile: latest.yaml
  expect: deny
  message: something else
"#;

fn run(actions: &str, cases: &str) -> Result<Vec<(String, VapCaseOutcome)>, String> {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy.yaml",
        &POLICY.replace("ACTIONS", actions),
    );
    write(
        dir.path(),
        "latest.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers: [{name: c, image: \"nginx:latest\"}]\n",
    );
    write(dir.path(), "suite.yaml", &suite(cases));
    run_suite_file(&dir.path().join("suite.yaml"))
        .map(|results| results.into_iter().map(|r| (r.case, r.outcome)).collect())
        .map_err(|e| format!("line {:?}: {}", e.line, e.message))
}

#[test]
fn cases_pass_and_fail_with_their_reason() {
    let results = run("Deny", CASES).unwrap();
    assert_eq!(results[0], ("pinned".to_owned(), VapCaseOutcome::Pass));
    assert_eq!(results[1].1, VapCaseOutcome::Pass);
    assert!(
        matches!(&results[2].1, VapCaseOutcome::Fail(why) if why.contains("expected deny, got allow")),
        "{results:?}"
    );
    assert!(
        matches!(&results[3].1, VapCaseOutcome::Fail(why) if why.contains("something else")),
        "{results:?}"
    );
}

#[test]
fn a_warn_binding_gives_warn() {
    let cases = "- name: latest\n  objectFile: latest.yaml\n  expect: warn\n";
    assert_eq!(run("Warn", cases).unwrap()[0].1, VapCaseOutcome::Pass);
    assert!(matches!(
        &run("Deny", cases).unwrap()[0].1,
        VapCaseOutcome::Fail(_)
    ));
}

#[test]
fn a_malformed_case_is_an_error_naming_its_line() {
    let err = run(
        "Deny",
        "- name: x\n  object: {apiVersion: v1, kind: Pod, metadata: {name: a}}\n  expect: maybe\n",
    )
    .unwrap_err();
    assert!(
        err.starts_with("line Some(6)") && err.contains("expect"),
        "{err}"
    );
    let err = run("Deny", "- name: x\n  expect: allow\n").unwrap_err();
    assert!(err.contains("objectFile"), "{err}");
}

#[test]
fn policies_that_do_not_load_fail_every_case() {
    let results = run("Block", CASES).unwrap();
    assert_eq!(results.len(), 4);
    for (_, outcome) in &results {
        assert!(
            matches!(outcome, VapCaseOutcome::Fail(why) if why.contains("unknown action")),
            "{outcome:?}"
        );
    }
}
