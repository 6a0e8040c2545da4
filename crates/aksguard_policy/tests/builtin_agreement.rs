//! Built-in rules against the gatekeeper-library suites: where a template means the same as
//! one of aksguard's rules, the rule and the template agree on that template's cases (the
//! suite's assertions say what the template concludes). Deliberate differences are listed
//! with their reason; a listed case that agrees now must leave the list.

use std::path::Path;

use aksguard_model::{Inventory, Severity};
use aksguard_policy::classify::read_documents;
use aksguard_rules::{RuleSettings, find_rule};
use serde_json::Value;

/// Suite directory under library/ → the built-in rules that mean the same.
const SAME_MEANING: &[(&str, &[&str])] = &[
    ("pod-security-policy/privileged-containers", &["POD001"]),
    ("pod-security-policy/host-namespaces", &["POD004", "POD005"]),
    (
        "pod-security-policy/allow-privilege-escalation",
        &["POD002"],
    ),
    ("pod-security-policy/proc-mount", &["POD010"]),
    ("pod-security-policy/host-process", &["POD019"]),
    ("pod-security-policy/read-only-root-filesystem", &["POD007"]),
    ("general/automount-serviceaccount-token", &["POD016"]),
    ("general/imagedigests", &["IMG002"]),
];

/// `(suite, case)` → why the built-in rule concludes otherwise, on purpose.
const DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "pod-security-policy/privileged-containers",
        "exempted-image",
        EXEMPT_IMAGES,
    ),
    (
        "pod-security-policy/allow-privilege-escalation",
        "exempted-path",
        EXEMPT_IMAGES,
    ),
    (
        "pod-security-policy/proc-mount",
        "image-exempt-prefix-match",
        EXEMPT_IMAGES,
    ),
    (
        "pod-security-policy/read-only-root-filesystem",
        "exact-exemption",
        EXEMPT_IMAGES,
    ),
    (
        "pod-security-policy/read-only-root-filesystem",
        "allow-normally-disallowed",
        EXEMPT_IMAGES,
    ),
    (
        "pod-security-policy/read-only-root-filesystem",
        "image-with-exempt-prefix-readOnlyRootFilesystem-not-required",
        EXEMPT_IMAGES,
    ),
];

/// The constraint's `exemptImages` parameter exempts the container's image; built-in rules
/// exempt nothing by image (an `[[exception]]` names the object or container instead).
const EXEMPT_IMAGES: &str = "exemptImages: the constraint exempts this image; built-in rules take exceptions by object or container, not by image";

/// What the suite expects the template to conclude: violations or none (the first
/// assertion without a message filter).
fn expected(case: &Value) -> Option<bool> {
    let assertion = case
        .get("assertions")?
        .as_array()?
        .iter()
        .find(|a| a.get("message").is_none())?;
    match assertion.get("violations")? {
        Value::String(s) if s == "yes" => Some(true),
        Value::String(s) if s == "no" => Some(false),
        Value::Number(n) => Some(n.as_u64()? > 0),
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

#[test]
fn built_in_rules_agree_with_templates_of_the_same_meaning() {
    let Some(library) = aksguard_testkit::shared_path("corpus/peers/gatekeeper-library/library")
    else {
        return;
    };
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for (suite_dir, rule_ids) in SAME_MEANING {
        let dir = library.join(suite_dir);
        let rules: Vec<_> = rule_ids.iter().map(|id| find_rule(id).unwrap()).collect();
        let (documents, errors) = read_documents(&dir.join("suite.yaml"));
        assert!(errors.is_empty(), "{errors:?}");
        for test in documents[0].json["tests"].as_array().unwrap() {
            for case in test["cases"].as_array().unwrap() {
                let name = case["name"].as_str().unwrap_or("");
                let Some(template_says) = expected(case) else {
                    continue;
                };
                let object_path = dir.join(case["object"].as_str().unwrap());
                let (objects, errors) = read_documents(Path::new(&object_path));
                assert!(errors.is_empty(), "{errors:?}");
                if objects[0].object.kind == "AdmissionReview" {
                    // UPDATE reviews: templates exempt updates of immutable pod fields;
                    // built-in rules judge objects, not changes. Not comparable.
                    continue;
                }
                let inventory = Inventory::new(objects.into_iter().map(|d| d.object).collect());
                let findings = aksguard_engine::evaluate(
                    &inventory,
                    &rules,
                    &RuleSettings::default(),
                    Severity::Info,
                );
                let rule_says = !findings.is_empty();
                compared += 1;
                let listed = DIFFERENCES
                    .iter()
                    .any(|(s, c, _)| (*s, *c) == (*suite_dir, name));
                if (rule_says != template_says) != listed {
                    disagreements.push(format!(
                        "{suite_dir} › {name}: template {template_says}, {} {rule_says}{}",
                        rule_ids.join("+"),
                        if listed {
                            " (listed as a difference but they agree now)"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
    }
    eprintln!(
        "compared {compared} cases of {} templates",
        SAME_MEANING.len()
    );
    assert!(compared >= 25, "only {compared} cases compared");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
