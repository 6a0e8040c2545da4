//! Conformance: kubescape's cel-admission-library (../shared/corpus/peers/
//! kubescape-cel-admission-library). Each control's `tests.json` case is built the way
//! upstream's `scripts/run-control-tests.py` builds it against a cluster: the
//! `test-resources/` template with the case's `field_change_list` applied (a dotted path,
//! `[i]` for list items, the value parsed as JSON when it is JSON), the binding template
//! (`policy-binding.yaml` unless the case names another) pointed at the policy and its
//! params, and the params template (`default-control-configuration.yaml` unless named) as
//! the params object. `expected: fail` means the policy denies, `warn` that it only warns,
//! `pass` that it does neither.

use std::path::Path;

use aksguard_load::limits::Limits;
use aksguard_model::object::Object;
use aksguard_policy::vap::{Cause, VapSet};
use serde_json::{Value as Json, json};

/// Cases whose result differs from the cluster's, and why.
const KNOWN_FAILURES: &[(&str, &str, &str)] = &[];

fn load(path: &str, text: &str) -> Vec<Object> {
    let (objects, errors) = aksguard_load::load_text(path, text, &Limits::default());
    assert!(errors.is_empty(), "{path}: {errors:?}");
    objects
}

fn load_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap();
    let objects = load(&path.display().to_string(), &text);
    assert_eq!(objects.len(), 1, "{}", path.display());
    objects[0].root.to_json()
}

/// upstream's change-yaml-field.py semantics: the value is JSON when it parses as JSON,
/// else a string; missing containers along the path are created.
fn set_field(document: &mut Json, change: &str) {
    let (path, value) = change
        .split_once('=')
        .unwrap_or_else(|| panic!("{change}: no ="));
    let value: Json =
        serde_json::from_str(value).unwrap_or_else(|_| Json::String(value.to_owned()));
    let fields: Vec<&str> = path.split('.').collect();
    let index_of = |f: &str| {
        f.strip_prefix('[')
            .and_then(|f| f.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
    };
    let mut node = document;
    for (i, field) in fields.iter().enumerate() {
        let last = i + 1 == fields.len();
        let missing = if last {
            Json::Null
        } else if index_of(fields[i + 1]).is_some() {
            json!([])
        } else {
            json!({})
        };
        node = match index_of(field) {
            Some(index) => {
                let list = node
                    .as_array_mut()
                    .unwrap_or_else(|| panic!("{change}: {field} indexes a non-list"));
                while list.len() <= index {
                    list.push(Json::Null);
                }
                if list[index].is_null() {
                    list[index] = missing;
                }
                &mut list[index]
            }
            None => {
                let map = node
                    .as_object_mut()
                    .unwrap_or_else(|| panic!("{change}: {field} in a non-map"));
                let entry = map.entry(field.to_string()).or_insert(Json::Null);
                if entry.is_null() {
                    *entry = missing;
                }
                entry
            }
        };
    }
    *node = value;
}

struct CaseResult {
    control: String,
    name: String,
    passed: bool,
    detail: String,
}

fn run_control(root: &Path, control: &Path) -> Vec<CaseResult> {
    let policy_path = control.join("policy.yaml");
    let policy_text = std::fs::read_to_string(&policy_path).unwrap();
    let policy_objects = load(&policy_path.display().to_string(), &policy_text);
    let policy_name = policy_objects[0].name.clone().unwrap();
    let tests: Json =
        serde_json::from_str(&std::fs::read_to_string(control.join("tests.json")).unwrap())
            .unwrap();
    let resources = root.join("test-resources");
    let control_id = control.file_name().unwrap().to_string_lossy().to_string();
    let mut results = Vec::new();
    for case in tests.as_array().unwrap() {
        let name = case["name"].as_str().unwrap().to_owned();
        let mut object = load_json(&resources.join(case["template"].as_str().unwrap()));
        for change in case["field_change_list"].as_array().into_iter().flatten() {
            set_field(&mut object, change.as_str().unwrap());
        }
        let mut binding = load_json(
            &resources.join(
                case["binding_template"]
                    .as_str()
                    .unwrap_or("policy-binding.yaml"),
            ),
        );
        set_field(&mut binding, &format!("spec.policyName={policy_name}"));
        set_field(
            &mut binding,
            &format!("metadata.name={policy_name}-binding"),
        );
        set_field(
            &mut binding,
            &format!("spec.paramRef.name={policy_name}-params"),
        );
        let mut params = load_json(
            &resources.join(
                case["param_template"]
                    .as_str()
                    .unwrap_or("default-control-configuration.yaml"),
            ),
        );
        set_field(&mut params, &format!("metadata.name={policy_name}-params"));
        let mut documents = policy_objects.clone();
        documents.extend(load("binding.yaml", &binding.to_string()));
        documents.extend(load("params.yaml", &params.to_string()));
        let (set, errors) = VapSet::load(&documents, &[]);
        let expected = case["expected"].as_str().unwrap();
        if !errors.is_empty() {
            results.push(CaseResult {
                control: control_id.clone(),
                name,
                passed: false,
                detail: format!("load errors: {errors:?}"),
            });
            continue;
        }
        let namespace = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        let namespace_object = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": {"kubernetes.io/metadata.name": namespace}}});
        let outcome = set.review(&object, Some(&namespace_object));
        let got = if outcome.denied() {
            "fail"
        } else if outcome.warned() {
            "warn"
        } else {
            "pass"
        };
        let detail = format!(
            "expected {expected}, got {got}: {:?}",
            outcome
                .decisions
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>()
        );
        // A denial must come from a validation, not from an evaluation error that
        // `failurePolicy: Fail` turned into one.
        let errors: Vec<&str> = outcome
            .decisions
            .iter()
            .filter(|d| !matches!(d.cause, Cause::Validation(_)))
            .map(|d| d.message.as_str())
            .collect();
        let passed = got == expected && errors.is_empty();
        results.push(CaseResult {
            control: control_id.clone(),
            name,
            passed,
            detail: format!("{detail}; errors: {errors:?}"),
        });
    }
    results
}

#[test]
fn kubescape_cel_admission_library_cases_agree_with_the_cluster() {
    let Some(root) = aksguard_testkit::shared_path("corpus/peers/kubescape-cel-admission-library")
    else {
        return;
    };
    let mut controls: Vec<_> = std::fs::read_dir(root.join("controls"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("tests.json").exists())
        .collect();
    controls.sort();
    assert!(controls.len() >= 60, "only {} controls", controls.len());
    let mut total = 0;
    let mut failed = Vec::new();
    for control in &controls {
        for result in run_control(&root, control) {
            total += 1;
            if !result.passed {
                failed.push(result);
            }
        }
    }
    for f in &failed {
        println!("FAIL {} / {}: {}", f.control, f.name, f.detail);
    }
    let passed = total - failed.len();
    println!(
        "kubescape-cel-admission-library: {passed}/{total} cases pass ({:.1}%) over {} controls",
        100.0 * passed as f64 / total as f64,
        controls.len()
    );
    let unlisted: Vec<_> = failed
        .iter()
        .filter(|f| {
            !KNOWN_FAILURES
                .iter()
                .any(|(c, n, _)| *c == f.control && *n == f.name)
        })
        .map(|f| format!("{} / {}: {}", f.control, f.name, f.detail))
        .collect();
    assert!(
        unlisted.is_empty(),
        "failing cases not listed in KNOWN_FAILURES:\n{}",
        unlisted.join("\n")
    );
    let stale: Vec<_> = KNOWN_FAILURES
        .iter()
        .filter(|(c, n, _)| !failed.iter().any(|f| f.control == *c && f.name == *n))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as failing but passing now: {stale:?}"
    );
    assert!(passed * 100 >= total * 97, "{passed}/{total} is under 97%");
}
