//! Every exported expression, evaluated with kube-cel against the same `pass.*` / `fail.*`
//! fixtures the Rust rule has (`crates/aksguard_rules/fixtures/<family>/<ID>/`), object by
//! object: for each object of a kind the policy matches, the policy denies it exactly when
//! the real rule reports a finding on it, and never when the rule could not judge it.

use std::path::{Path, PathBuf};

use aksguard_load::{Limits, load_text_all};
use aksguard_model::Object;
use aksguard_rules::{Checker, Rule, RuleSettings, find_rule};
use aksguard_vap::{MATCHED_KINDS, expression, translations};
use kube_cel::{AdmissionRequest, VapEvaluator, VapExpression};

/// What the real rule says about one object.
struct Truth {
    findings: usize,
    unknown: usize,
}

fn judge_with_rule(rule: &Rule, object: &Object) -> Truth {
    let settings = RuleSettings::default();
    let mut checker = Checker::while_loading(&settings);
    rule.run(object, &mut checker);
    Truth {
        findings: checker.take().len(),
        unknown: checker.take_unknown_values().len(),
    }
}

/// The policy's verdict: `Some(message)` when it denies (the message says whether an
/// evaluation error did it).
fn judge_with_policy(expression: &str, object: &Object) -> Option<String> {
    let evaluator = VapEvaluator::builder()
        .object(object.root.to_json())
        .request(AdmissionRequest {
            operation: "CREATE".into(),
            ..Default::default()
        })
        .build();
    let results = evaluator.evaluate(&[VapExpression {
        expression: expression.to_owned(),
        message: Some("denied".into()),
        message_expression: None,
    }]);
    let result = results.into_iter().next().expect("one result per expression");
    (!result.passed).then(|| result.message.unwrap_or_default())
}

fn fixture_files(rule: &Rule) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../aksguard_rules/fixtures")
        .join(rule.family.folder())
        .join(rule.id);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable fixture folder").path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("pass.") || name.starts_with("fail.")
        })
        .collect();
    files.sort();
    files
}

#[derive(Default)]
struct Counts {
    files: usize,
    objects: usize,
    denied: usize,
    allowed: usize,
    denied_by_error: usize,
    unknown: usize,
}

#[test]
fn exported_expressions_agree_with_the_rules_on_every_fixture_object() {
    let mut mismatches: Vec<String> = Vec::new();
    let mut total = Counts::default();
    for translation in translations() {
        let rule = find_rule(translation.id).expect("translations name registered rules");
        let expression = expression(rule, &translation);
        let mut counts = Counts::default();
        for path in fixture_files(rule) {
            let text = std::fs::read_to_string(&path).expect("fixture is readable");
            assert!(
                !text.contains("# aksguard-settings:"),
                "{}: exported rules' fixtures must not need settings",
                path.display()
            );
            let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
            assert!(loaded.errors.is_empty(), "{}: {:?}", path.display(), loaded.errors);
            counts.files += 1;
            for object in &loaded.objects {
                if !MATCHED_KINDS.iter().any(|(_, _, kind, _)| *kind == object.kind) {
                    continue;
                }
                counts.objects += 1;
                let truth = judge_with_rule(rule, object);
                let verdict = judge_with_policy(&expression, object);
                let place = format!(
                    "{} {} {} (line {})",
                    rule.id,
                    path.file_name().unwrap().to_string_lossy(),
                    object.display_name(),
                    object.pos().line
                );
                if truth.unknown > 0 {
                    counts.unknown += 1;
                }
                match (&verdict, truth.findings > 0) {
                    (Some(message), true) => {
                        counts.denied += 1;
                        if message.contains("evaluation error") {
                            counts.denied_by_error += 1;
                            mismatches.push(format!("{place}: denied by an error: {message}"));
                        }
                    }
                    (None, false) => counts.allowed += 1,
                    (Some(message), false) => {
                        mismatches.push(format!("{place}: rule passes, policy denies: {message}"))
                    }
                    (None, true) => mismatches.push(format!(
                        "{place}: rule finds {}, policy allows",
                        truth.findings
                    )),
                }
                if truth.unknown > 0 && truth.findings == 0 && verdict.is_some() {
                    mismatches.push(format!("{place}: the rule could not judge it, the policy denies"));
                }
            }
        }
        println!(
            "{}: {} files, {} objects: {} denied, {} allowed, {} not judged",
            rule.id, counts.files, counts.objects, counts.denied, counts.allowed, counts.unknown
        );
        assert!(counts.denied > 0, "{}: no fixture object is denied", rule.id);
        total.files += counts.files;
        total.objects += counts.objects;
        total.denied += counts.denied;
        total.allowed += counts.allowed;
        total.denied_by_error += counts.denied_by_error;
    }
    println!(
        "total: {} rules, {} files, {} objects: {} denied ({} by an evaluation error), {} allowed",
        translations().len(),
        total.files,
        total.objects,
        total.denied,
        total.denied_by_error,
        total.allowed
    );
    assert!(
        mismatches.is_empty(),
        "{} disagreements:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
