//! Every exported expression, evaluated with kube-cel against the same `pass.*` / `fail.*`
//! fixtures the Rust rule has (`crates/aksguard_rules/fixtures/<family>/<ID>/`), object by
//! object: for each object of a kind the policy matches, the policy denies it exactly when
//! the real rule reports a finding on it, and never when the rule could not judge it.

use std::path::{Path, PathBuf};

use aksguard_load::{Limits, load_text_all};
use aksguard_model::Object;
use aksguard_rules::{Checker, Rule, RuleSettings, find_rule};
use aksguard_vap::{expression, translations};

mod support;

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
fn judge_with_policy(compiled: &support::Compiled, admitted: &serde_json::Value) -> Option<String> {
    match support::admits(compiled, admitted) {
        Ok(true) => None,
        Ok(false) => Some("denied".into()),
        Err(error) => Some(format!("evaluation error: {error}")),
    }
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
    /// Objects the API server rejects before admission (wrong-typed fields).
    rejected: usize,
    /// Disagreements on such objects, which never reach a policy.
    moot: usize,
}

#[test]
fn exported_expressions_agree_with_the_rules_on_every_fixture_object() {
    let mut mismatches: Vec<String> = Vec::new();
    let mut total = Counts::default();
    for translation in translations() {
        let rule = find_rule(translation.id).expect("translations name registered rules");
        let compiled = support::compile(&expression(rule, &translation));
        let mut counts = Counts::default();
        for path in fixture_files(rule) {
            let text = std::fs::read_to_string(&path).expect("fixture is readable");
            assert!(
                !text.contains("# aksguard-settings:"),
                "{}: exported rules' fixtures must not need settings",
                path.display()
            );
            let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
            assert!(
                loaded.errors.is_empty(),
                "{}: {:?}",
                path.display(),
                loaded.errors
            );
            counts.files += 1;
            for object in &loaded.objects {
                // Matched by API group and kind, as the policy's resourceRules match (any
                // version: `matchPolicy: Equivalent` converts the object).
                let group = object.api_version.rsplit_once('/').map_or("", |(g, _)| g);
                if !translation
                    .kinds
                    .iter()
                    .any(|(g, _, kind, _)| *g == group && *kind == object.kind)
                {
                    continue;
                }
                counts.objects += 1;
                let place = format!(
                    "{} {} {} (line {})",
                    rule.id,
                    path.file_name().unwrap().to_string_lossy(),
                    object.display_name(),
                    object.pos().line
                );
                let truth = judge_with_rule(rule, object);
                if truth.unknown > 0 {
                    counts.unknown += 1;
                }
                let raw = object.root.to_json();
                // The object as written, and as the API server would hand it to the policy.
                let mut forms = vec![("as written", raw.clone())];
                match support::admitted_form(&raw) {
                    Ok(admitted) => forms.push(("as admitted", admitted)),
                    Err(error) => {
                        counts.rejected += 1;
                        println!("  {place}: the API server rejects it before admission ({error})");
                    }
                }
                let schema_valid = forms.len() == 2;
                let mut agreed = true;
                for (form, json) in &forms {
                    let verdict = judge_with_policy(&compiled, json);
                    let problem = match (&verdict, truth.findings > 0) {
                        (Some(message), true) if message.contains("evaluation error") => {
                            counts.denied_by_error += 1;
                            Some(format!("denied by an error: {message}"))
                        }
                        (Some(_), true) | (None, false) => None,
                        (Some(message), false) => {
                            Some(format!("rule passes, policy denies: {message}"))
                        }
                        (None, true) => {
                            Some(format!("rule finds {}, policy allows", truth.findings))
                        }
                    };
                    let problem = problem.or_else(|| {
                        (truth.unknown > 0 && truth.findings == 0 && verdict.is_some())
                            .then(|| "the rule could not judge it, the policy denies".to_owned())
                    });
                    if let Some(problem) = problem {
                        agreed = false;
                        if schema_valid {
                            mismatches.push(format!("{place} {form}: {problem}"));
                        } else {
                            // The API server never lets this object reach the policy.
                            counts.moot += 1;
                            println!("  {place} {form}: moot disagreement: {problem}");
                        }
                    }
                }
                if agreed {
                    if truth.findings > 0 {
                        counts.denied += 1;
                    } else {
                        counts.allowed += 1;
                    }
                }
            }
        }
        println!(
            "{}: {} files, {} objects: {} denied, {} allowed (both agreeing), {} not judged, \
             {} rejected by the schema before admission ({} moot disagreements)",
            rule.id,
            counts.files,
            counts.objects,
            counts.denied,
            counts.allowed,
            counts.unknown,
            counts.rejected,
            counts.moot
        );
        assert!(
            counts.denied > 0,
            "{}: no fixture object is denied",
            rule.id
        );
        assert!(
            counts.allowed > 0,
            "{}: no fixture object is allowed",
            rule.id
        );
        total.files += counts.files;
        total.objects += counts.objects;
        total.denied += counts.denied;
        total.allowed += counts.allowed;
        total.denied_by_error += counts.denied_by_error;
        total.rejected += counts.rejected;
        total.moot += counts.moot;
    }
    println!(
        "total: {} rules, {} files, {} objects: {} denied ({} by an evaluation error), {} allowed, \
         {} rejected by the schema before admission ({} moot disagreements)",
        translations().len(),
        total.files,
        total.objects,
        total.denied,
        total.denied_by_error,
        total.allowed,
        total.rejected,
        total.moot
    );
    assert!(
        mismatches.is_empty(),
        "{} disagreements:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
