//! The CEL in deploy/'s ValidatingWebhookConfiguration (`matchConditions`), evaluated with the
//! same kube-cel library the exported policies are checked with: the cluster's own components
//! (nodes, the controller manager, kube-system service accounts such as the built-in workload
//! controllers) are not sent to the webhook; people, CI identities and other service accounts
//! are. A condition that did not compile would make the API server refuse the configuration.

use std::collections::HashMap;
use std::sync::Arc;

use kube_cel::KubeCelExt;
use kube_cel::cel::objects::{Key, Map};
use kube_cel::cel::{Context, Program, Value};

fn webhook_configuration() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/base/validatingwebhookconfiguration.yaml"
    );
    let text = std::fs::read_to_string(path).expect("deploy/ is in the repository");
    yaml_serde::from_str(&text).expect("the configuration is YAML")
}

fn request_from(username: &str) -> Value {
    let user: HashMap<Key, Value> = [(
        Key::String(Arc::new("username".to_owned())),
        Value::String(Arc::new(username.to_owned())),
    )]
    .into_iter()
    .collect();
    let request: HashMap<Key, Value> = [(
        Key::String(Arc::new("userInfo".to_owned())),
        Value::Map(Map {
            map: Arc::new(user),
        }),
    )]
    .into_iter()
    .collect();
    Value::Map(Map {
        map: Arc::new(request),
    })
}

fn sent(program: &Program, username: &str) -> bool {
    let mut ctx = Context::default().with_all();
    ctx.add_variable_from_value("request", request_from(username));
    match program.execute(&ctx) {
        Ok(Value::Bool(sent)) => sent,
        other => panic!("{username}: {other:?}"),
    }
}

#[test]
fn cluster_components_are_not_sent_and_everyone_else_is() {
    let configuration = webhook_configuration();
    let webhooks = configuration["webhooks"].as_array().expect("webhooks");
    let mut checked = 0;
    for webhook in webhooks {
        let name = webhook["name"].as_str().unwrap_or_default();
        for condition in webhook["matchConditions"].as_array().into_iter().flatten() {
            let expression = condition["expression"].as_str().expect("expression");
            let program = Program::compile(expression)
                .unwrap_or_else(|e| panic!("{name}: {expression}: {e}"));
            for skipped in [
                "system:kube-controller-manager",
                "system:node:aks-nodepool1-12345678-vmss000000",
                "system:kube-scheduler",
                "system:serviceaccount:kube-system:replicaset-controller",
                "system:serviceaccount:kube-system:cronjob-controller",
            ] {
                assert!(!sent(&program, skipped), "{name}: {skipped} is sent");
            }
            for judged in [
                "alice@contoso.com",
                "system:serviceaccount:flux-system:kustomize-controller",
                "system:serviceaccount:argocd:argocd-application-controller",
                "ci-pipeline",
                "masterclient",
            ] {
                assert!(sent(&program, judged), "{name}: {judged} is skipped");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, webhooks.len(), "every entry has the condition");
}
