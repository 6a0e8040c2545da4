//! The expressions reach the pod spec of every matched kind, and every kind of container in
//! it: a privileged container (POD001) placed at each spot is denied, the same object
//! without it is allowed, and the real rule agrees on each.

mod support;

use aksguard_load::{Limits, load_text_all};
use aksguard_rules::{Checker, RuleSettings, find_rule};
use aksguard_vap::{MATCHED_KINDS, expression, translation};
use serde_json::{Value, json};

/// A minimal object of `kind` whose pod spec is `spec`.
fn object_of(kind: &str, api_version: &str, spec: Value) -> Value {
    let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": spec});
    let body = match kind {
        "Pod" => spec,
        "CronJob" => {
            json!({"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": template}}})
        }
        _ => json!({"selector": {"matchLabels": {"app": "web"}}, "template": template}),
    };
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": body,
    })
}

fn rule_finds(object: &Value) -> bool {
    let text = serde_json::to_string(object).unwrap();
    let loaded = load_text_all("object.json", &text, &Limits::default());
    let object = loaded.objects.first().expect("one object");
    let settings = RuleSettings::default();
    let mut checker = Checker::while_loading(&settings);
    find_rule("POD001").unwrap().run(object, &mut checker);
    !checker.take().is_empty()
}

#[test]
fn every_kind_and_every_container_list_is_reached() {
    let rule = find_rule("POD001").unwrap();
    let compiled = support::compile(&expression(rule, &translation("POD001").unwrap()));
    let plain = json!({"name": "app", "image": "web:1"});
    let privileged =
        json!({"name": "bad", "image": "web:1", "securityContext": {"privileged": true}});
    let mut checked = 0;
    for (group, version, kind, _) in MATCHED_KINDS {
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        let clean = object_of(kind, &api_version, json!({"containers": [plain]}));
        assert_eq!(support::admits(&compiled, &clean), Ok(true), "{kind}");
        assert!(!rule_finds(&clean), "{kind}");
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            let mut spec = json!({"containers": [plain]});
            if list == "containers" {
                spec[list] = json!([plain, privileged]);
            } else {
                spec[list] = json!([privileged]);
            }
            let bad = object_of(kind, &api_version, spec);
            assert_eq!(support::admits(&compiled, &bad), Ok(false), "{kind} {list}");
            assert!(rule_finds(&bad), "{kind} {list}: the rule agrees");
            checked += 1;
        }
    }
    assert_eq!(checked, MATCHED_KINDS.len() * 3);
}
