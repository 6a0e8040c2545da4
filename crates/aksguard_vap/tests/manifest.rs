//! The exported YAML parses (with aksguard's own loader) into the documents built, and
//! each policy and binding has the shape the API server expects; the catalogue of
//! exported and not-exported rules covers every rule exactly once.

use aksguard_load::{Limits, load_text_all};
use aksguard_rules::{Rule, all_rules, find_rule};
use aksguard_vap::{
    BINDING_KIND, Mode, NOT_EXPORTABLE, POLICY_API_VERSION, POLICY_KIND, export, not_exportable,
    policy_name, to_yaml, translation, translations,
};

/// The Pod Security rules the issue asks for at least: privileged, host namespaces, host
/// path, host ports, capabilities, privilege escalation, run as non-root, seccomp, proc
/// mount, sysctls, AppArmor, volume types.
const PSS_RULES: &[&str] = &[
    "POD001", "POD002", "POD003", "POD004", "POD005", "POD006", "POD009", "POD010", "POD011",
    "POD012", "POD013", "POD014", "POD017", "POD026", "POD027", "POD028",
];

fn all() -> Vec<&'static Rule> {
    all_rules().to_vec()
}

#[test]
fn the_pod_security_rules_are_exported() {
    for id in PSS_RULES {
        assert!(translation(id).is_some(), "{id} must be exported");
    }
}

#[test]
fn every_rule_is_either_translated_or_has_a_reason() {
    for rule in all_rules() {
        let translated = translation(rule.id).is_some();
        let reason = not_exportable(rule);
        assert!(
            translated != reason.is_some(),
            "{}: translated = {translated}, reason = {reason:?}",
            rule.id
        );
    }
    for entry in NOT_EXPORTABLE {
        let rule = find_rule(entry.id).unwrap_or_else(|| panic!("{} is no rule", entry.id));
        assert_eq!(
            not_exportable(rule),
            Some(entry.reason),
            "{}: listed, but another reason applies",
            entry.id
        );
    }
    let mut ids: Vec<&str> = translations().iter().map(|t| t.id).collect();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "one translation per rule");
}

fn parse(yaml: &str) -> Vec<serde_json::Value> {
    let loaded = load_text_all("export.yaml", yaml, &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.objects.iter().map(|o| o.root.to_json()).collect()
}

#[test]
fn the_yaml_parses_into_a_policy_and_a_binding_per_exported_rule() {
    for (mode, action) in [
        (Mode::Enforce, "Deny"),
        (Mode::Warn, "Warn"),
        (Mode::Audit, "Audit"),
    ] {
        let exported = export(&all(), mode);
        assert_eq!(exported.exported.len(), translations().len());
        assert_eq!(
            exported.exported.len() + exported.skipped.len(),
            all_rules().len()
        );
        let documents = parse(&to_yaml(&exported.documents));
        assert_eq!(documents, exported.documents, "YAML round trip");
        assert_eq!(documents.len(), 2 * exported.exported.len());
        for (pair, rule) in documents.chunks(2).zip(&exported.exported) {
            let (policy, binding) = (&pair[0], &pair[1]);
            let name = policy_name(rule);
            assert_eq!(policy["apiVersion"], POLICY_API_VERSION);
            assert_eq!(policy["kind"], POLICY_KIND);
            assert_eq!(policy["metadata"]["name"], name.as_str());
            let spec = &policy["spec"];
            assert!(spec.get("paramKind").is_none(), "no parameters");
            assert_eq!(
                spec["matchConditions"][0]["expression"],
                aksguard_vap::CHANGES_THE_SPEC
            );
            assert_eq!(spec["failurePolicy"], "Fail");
            let rules = spec["matchConstraints"]["resourceRules"]
                .as_array()
                .unwrap();
            let kinds = translation(rule.id).unwrap().kinds;
            for (group, version, kind, resources) in kinds {
                for resource in *resources {
                    assert!(
                        rules.iter().any(|r| r["apiGroups"][0] == *group
                            && r["apiVersions"][0] == *version
                            && r["resources"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .any(|x| x == resource)
                            && r["operations"] == serde_json::json!(["CREATE", "UPDATE"])),
                        "{kind} ({resource}) is matched"
                    );
                }
            }
            let validations = spec["validations"].as_array().unwrap();
            assert_eq!(validations.len(), 1);
            let message = validations[0]["message"].as_str().unwrap();
            assert!(message.starts_with(rule.id), "{message}");
            assert!(
                !message.contains('\n') && message.len() <= 1024,
                "{message}"
            );
            assert!(!validations[0]["expression"].as_str().unwrap().is_empty());

            assert_eq!(binding["apiVersion"], POLICY_API_VERSION);
            assert_eq!(binding["kind"], BINDING_KIND);
            assert_eq!(binding["metadata"]["name"], name.as_str());
            assert_eq!(binding["spec"]["policyName"], name.as_str());
            assert_eq!(
                binding["spec"]["validationActions"],
                serde_json::json!([action])
            );
            let exempt =
                &binding["spec"]["matchResources"]["namespaceSelector"]["matchExpressions"][0];
            assert_eq!(exempt["operator"], "NotIn");
            assert!(
                exempt["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v == "kube-system")
            );
        }
    }
}

#[test]
fn names_are_valid_object_names() {
    for translation in translations() {
        let name = policy_name(find_rule(translation.id).unwrap());
        assert!(name.len() <= 253, "{name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{name}"
        );
    }
}

#[test]
fn a_selection_without_translations_exports_nothing_and_says_why() {
    let rules = vec![find_rule("POD021").unwrap(), find_rule("AKS001").unwrap()];
    let exported = export(&rules, Mode::Enforce);
    assert!(exported.documents.is_empty());
    assert_eq!(exported.skipped.len(), 2);
    assert!(
        exported
            .skipped
            .iter()
            .all(|(_, reason)| !reason.is_empty())
    );
}

mod support;

#[test]
fn updates_are_judged_only_when_they_change_the_spec() {
    let condition = support::compile(aksguard_vap::CHANGES_THE_SPEC);
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "finalizers": ["example.com/keep"]},
        "spec": {"hostNetwork": true, "containers": [{"name": "app", "image": "web:1"}]},
    });
    let mut relabelled = pod.clone();
    relabelled["metadata"]["finalizers"] = serde_json::json!([]);
    relabelled["metadata"]["labels"] = serde_json::json!({"tier": "web"});
    let mut debugged = pod.clone();
    debugged["spec"]["ephemeralContainers"] =
        serde_json::json!([{"name": "debug", "image": "busybox"}]);

    assert_eq!(
        support::evaluate(&condition, &pod, None, "CREATE"),
        Ok(true)
    );
    assert_eq!(
        support::evaluate(&condition, &relabelled, Some(&pod), "UPDATE"),
        Ok(false),
        "a metadata-only update of a violating pod is not judged"
    );
    assert_eq!(
        support::evaluate(&condition, &debugged, Some(&pod), "UPDATE"),
        Ok(true),
        "adding an ephemeral container is judged"
    );
}
