//! Notes about values rules could not judge name a live object without a meaningless line.

use aksguard_engine::Evaluation;
use aksguard_load::{Limits, load_text};
use aksguard_model::{Inventory, Severity};
use aksguard_rules::{RuleSettings, find_rule};

const DEPLOYMENT: &str = r#"{"apiVersion": "apps/v1", "kind": "Deployment",
 "metadata": {"name": "web", "namespace": "shop"},
 "spec": {"template": {"spec": {"containers": [
   {"name": "app", "image": "${REGISTRY}/shop/web:1.0"}]}}}}"#;

fn notes_for(path: &str) -> Vec<String> {
    let (objects, errors) = load_text(path, DEPLOYMENT, &Limits::default());
    assert!(errors.is_empty(), "{errors:?}");
    let rules = [find_rule("IMG003").unwrap()];
    let settings = RuleSettings::default();
    let evaluation = Evaluation::new(&rules, &settings, Severity::Info);
    let inventory = Inventory::new(objects);
    let early = evaluation.judge_alone(&inventory);
    evaluation.finish(&inventory, early);
    evaluation.unknown_value_notes()
}

#[test]
fn live_objects_are_named_without_a_line() {
    let live = notes_for("cluster://aks-prod/shop/Deployment/web");
    assert_eq!(live.len(), 1, "{live:?}");
    assert!(
        live[0].contains("cluster://aks-prod/shop/Deployment/web: "),
        "{live:?}"
    );
    assert!(!live[0].contains("web:1:"), "{live:?}");
    let file = notes_for("k8s/web.json");
    assert!(file[0].contains("k8s/web.json:4: "), "{file:?}");
}
