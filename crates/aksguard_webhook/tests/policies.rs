//! Users' policies at admission see the real AdmissionRequest: Gatekeeper's `input.review`
//! carries its operation, userInfo, name, namespace and dryRun; a VAP's `request` and
//! `oldObject` are the request's (files are judged as a CREATE without a requester).

mod common;

use std::sync::Arc;

use aksguard_config::WebhookMode;
use aksguard_scan::ExtraRules;
use common::*;
use serde_json::Value;

/// Denies UPDATEs by the user the constraint names, naming what the review says.
const TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8snoupdateby
spec:
  crd:
    spec:
      names:
        kind: K8sNoUpdateBy
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8snoupdateby
        violation[{"msg": msg}] {
          input.review.operation == "UPDATE"
          user := input.review.userInfo.username
          user == input.parameters.user
          msg := sprintf("%v may not update %v/%v (dryRun %v, groups %v)", [user, input.review.namespace, input.review.name, input.review.dryRun, input.review.userInfo.groups])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoUpdateBy
metadata:
  name: no-update-by-mallory
spec:
  match:
    kinds: [{apiGroups: ["apps"], kinds: ["Deployment"]}]
    namespaces: ["shop"]
  parameters: {user: mallory}
"#;

/// Denies an UPDATE that raises the replicas (it reads `oldObject`).
const VAP: &str = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replicas-never-grow
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]
  validations:
    - expression: "request.operation != 'UPDATE' || object.spec.replicas <= oldObject.spec.replicas"
      messageExpression: "'replicas grew from ' + string(oldObject.spec.replicas) + ' to ' + string(object.spec.replicas) + ' by ' + request.userInfo.username + ' in ' + request.namespace + '/' + request.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replicas-never-grow
spec:
  policyName: replicas-never-grow
  validationActions: [Deny]
"#;

const CONFIG: &str = r#"
select = ["POD001", "GK", "VAP"]
policies = ["policies"]
"#;

/// A server judging with the policies of `CONFIG`, plugged in the way `aksguard webhook`
/// does it.
async fn server() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(policies.join("gatekeeper.yaml"), TEMPLATE).unwrap();
    std::fs::write(policies.join("vap.yaml"), VAP).unwrap();
    Harness::start_in(
        dir,
        CONFIG,
        WebhookMode::Enforce,
        |_| {},
        |settings, judge| {
            let loaded = aksguard_policy::load_for_scan(
                &settings.config.policies,
                &settings.config.select,
                &settings.config.ignore,
            )
            .unwrap();
            assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
            let rules = loaded.rules.expect("policies loaded");
            let set = rules.shared_set();
            judge.with_extra(Arc::new(move |admission| {
                let mut per_review = aksguard_policy::PolicyRules::new(set.clone());
                if let Some(admission) = admission {
                    per_review = per_review.for_request(admission.clone());
                }
                Arc::new(per_review) as Arc<dyn ExtraRules>
            }))
        },
    )
    .await
}

fn denial(response: &Value) -> String {
    assert_eq!(response["allowed"], false, "{response}");
    response["status"]["message"].as_str().unwrap().to_owned()
}

fn update(user: &str, old_replicas: u32, new_replicas: u32) -> Review {
    let mut review = Review::create(
        "shop",
        deployment(vec![container("app", false)], new_replicas),
    );
    review.operation = "UPDATE";
    review.old = deployment(vec![container("app", false)], old_replicas);
    review.user = user.to_owned();
    review
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gatekeeper_reads_the_operation_and_the_requester() {
    let server = server().await;
    // A CREATE by mallory and an UPDATE by alice pass.
    let mut create = Review::create("shop", clean_deployment());
    create.user = "mallory".into();
    assert_eq!(server.review("", create.json()).await["allowed"], true);
    let alice = server.review("", update("alice", 2, 2).json()).await;
    assert_eq!(alice["allowed"], true, "{alice}");
    // An UPDATE by mallory is denied; the review names the request's namespace (the object
    // names none), name, dryRun and groups.
    let mut by_mallory = update("mallory", 2, 2);
    by_mallory.dry_run = true;
    by_mallory.groups = vec!["dev".into(), "system:authenticated".into()];
    let message = denial(&server.review("", by_mallory.json()).await);
    assert!(
        message.contains(
            "GK.K8sNoUpdateBy: mallory may not update shop/web (dryRun true, groups [\"dev\", \"system:authenticated\"])"
        ),
        "{message}"
    );
    // The constraint matches namespace `shop` only: the request's namespace counts.
    let mut elsewhere = update("mallory", 2, 2);
    elsewhere.namespace = "dev".into();
    let response = server.review("", elsewhere.json()).await;
    assert_eq!(response["allowed"], true, "{response}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vap_reads_the_request_and_the_old_object() {
    let server = server().await;
    // More replicas on CREATE: no old object, the policy passes.
    let create = Review::create("shop", deployment(vec![container("app", false)], 5));
    assert_eq!(server.review("", create.json()).await["allowed"], true);
    // Fewer on UPDATE: passes; more: denied, naming the old and new counts and the request.
    let fewer = server.review("", update("alice", 5, 2).json()).await;
    assert_eq!(fewer["allowed"], true, "{fewer}");
    let message = denial(&server.review("", update("alice", 2, 5).json()).await);
    assert!(
        message.contains("VAP.replicas-never-grow: replicas grew from 2 to 5 by alice in shop/web"),
        "{message}"
    );
    server.stop().await;
}
