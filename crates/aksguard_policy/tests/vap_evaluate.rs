//! ValidatingAdmissionPolicy behaviour, one feature per test: what matches, params,
//! match conditions, variables, messages, audit annotations, actions, failure policy, cost
//! and load errors.

use aksguard_load::Limits;
use aksguard_model::LoadError;
use aksguard_policy::vap::{Action, Cause, Outcome, VapSet};
use serde_json::{Value as Json, json};

fn load(text: &str) -> (VapSet, Vec<LoadError>) {
    let (objects, errors) = aksguard_load::load_text("policies.yaml", text, &Limits::default());
    assert!(errors.is_empty(), "{errors:?}");
    VapSet::load(&objects, &[])
}

fn set(text: &str) -> VapSet {
    let (set, errors) = load(text);
    assert!(errors.is_empty(), "{errors:?}");
    set
}

fn pod(name: &str, labels: Json, containers: Json) -> Json {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop", "labels": labels}, "spec": {"containers": containers}})
}

fn messages(outcome: &Outcome) -> Vec<&str> {
    outcome
        .decisions
        .iter()
        .map(|d| d.message.as_str())
        .collect()
}

const REPLICAS: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: max-replicas}
spec:
  paramKind: {apiVersion: example.com/v1, kind: ReplicaLimit}
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  variables:
  - name: replicas
    expression: "has(object.spec.replicas) ? object.spec.replicas : 1"
  validations:
  - expression: "variables.replicas <= params.maxReplicas"
    messageExpression: "'replicas ' + string(variables.replicas) + ' > ' + string(params.maxReplicas)"
    reason: Forbidden
---
apiVersion: example.com/v1
kind: ReplicaLimit
metadata: {name: small, labels: {size: small}}
maxReplicas: 3
---
apiVersion: example.com/v1
kind: ReplicaLimit
metadata: {name: tiny, labels: {size: small}}
maxReplicas: 1
"#;

fn deployment(replicas: i64) -> Json {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": replicas}})
}

fn binding(param_ref: &str, actions: &str) -> String {
    format!(
        "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {{name: b}}\nspec:\n  policyName: max-replicas\n  validationActions: {actions}\n  paramRef: {param_ref}\n"
    )
}

#[test]
fn params_by_name_variables_message_expression_and_reason() {
    let set = set(&format!(
        "{REPLICAS}{}",
        binding("{name: small, parameterNotFoundAction: Deny}", "[Deny]")
    ));
    assert!(!set.review(&deployment(3), None).denied());
    let outcome = set.review(&deployment(5), None);
    assert!(outcome.denied());
    assert_eq!(messages(&outcome), ["replicas 5 > 3"]);
    assert_eq!(outcome.decisions[0].reason, "Forbidden");
    assert_eq!(outcome.decisions[0].cause, Cause::Validation(0));
    // Not a deployment: not matched.
    let pod = pod("p", json!({}), json!([]));
    assert!(set.review(&pod, None).decisions.is_empty());
}

#[test]
fn a_param_selector_evaluates_every_selected_param() {
    let set = set(&format!(
        "{REPLICAS}{}",
        binding(
            "{selector: {matchLabels: {size: small}}, parameterNotFoundAction: Deny}",
            "[Deny]"
        )
    ));
    let outcome = set.review(&deployment(2), None);
    assert_eq!(messages(&outcome), ["replicas 2 > 1"]);
    assert_eq!(set.review(&deployment(4), None).decisions.len(), 2);
}

#[test]
fn missing_params_follow_the_parameter_not_found_action() {
    let deny = set(&format!(
        "{REPLICAS}{}",
        binding("{name: nosuch, parameterNotFoundAction: Deny}", "[Deny]")
    ));
    let outcome = deny.review(&deployment(1), None);
    assert_eq!(outcome.decisions.len(), 1);
    assert_eq!(outcome.decisions[0].cause, Cause::ParamNotFound);
    let allow = set(&format!(
        "{REPLICAS}{}",
        binding("{name: nosuch, parameterNotFoundAction: Allow}", "[Deny]")
    ));
    assert!(allow.review(&deployment(9), None).decisions.is_empty());
    // A namespaced param is looked up in the request's namespace.
    let namespaced = set(&format!(
        "{}\n---\napiVersion: example.com/v1\nkind: ReplicaLimit\nmetadata: {{name: per-ns, namespace: shop}}\nmaxReplicas: 2\n{}",
        REPLICAS,
        binding("{name: per-ns, parameterNotFoundAction: Deny}", "[Deny]")
    ));
    assert_eq!(
        messages(&namespaced.review(&deployment(3), None)),
        ["replicas 3 > 2"]
    );
    let mut elsewhere = deployment(1);
    elsewhere["metadata"]["namespace"] = json!("other");
    assert_eq!(
        namespaced.review(&elsewhere, None).decisions[0].cause,
        Cause::ParamNotFound
    );
}

#[test]
fn a_policy_with_param_kind_and_a_binding_without_param_ref_is_an_evaluation_error() {
    let text = format!(
        "{REPLICAS}---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {{name: b}}\nspec: {{policyName: max-replicas, validationActions: [Deny]}}\n"
    );
    let outcome = set(&text).review(&deployment(1), None);
    assert_eq!(outcome.decisions[0].cause, Cause::Error);
    assert!(
        outcome.decisions[0].message.contains("no paramRef"),
        "{:?}",
        messages(&outcome)
    );
}

#[test]
fn warn_and_audit_actions_do_not_deny() {
    let set = set(&format!(
        "{REPLICAS}{}",
        binding("{name: small}", "[Warn, Audit]")
    ));
    let outcome = set.review(&deployment(5), None);
    assert!(!outcome.denied());
    assert!(outcome.warned());
    assert_eq!(outcome.decisions[0].actions, [Action::Warn, Action::Audit]);
}

const MATCHING: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: labelled}
spec:
  failurePolicy: Fail
  matchConstraints:
    namespaceSelector:
      matchExpressions: [{key: env, operator: In, values: [prod]}]
    objectSelector:
      matchExpressions: [{key: skip, operator: DoesNotExist}]
    resourceRules:
    - apiGroups: ["*"]
      apiVersions: ["*"]
      operations: ["*"]
      resources: ["*"]
    excludeResourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: ["*"]
      resources: [configmaps]
  matchConditions:
  - name: not-system
    expression: "!object.metadata.name.startsWith('system-')"
  validations:
  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
    message: every object needs a team label
  auditAnnotations:
  - key: team
    valueExpression: "has(object.metadata.labels) && 'team' in object.metadata.labels ? object.metadata.labels['team'] : null"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: labelled}
spec:
  policyName: labelled
  validationActions: [Deny]
"#;

#[test]
fn selectors_exclusions_and_match_conditions_choose_what_is_judged() {
    let set = set(MATCHING);
    let prod = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"env": "prod"}}});
    let dev = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"env": "dev"}}});
    let unlabelled = pod("web", json!({}), json!([]));
    assert_eq!(
        messages(&set.review(&unlabelled, Some(&prod))),
        ["every object needs a team label"]
    );
    assert!(
        set.review(&unlabelled, Some(&dev)).decisions.is_empty(),
        "namespace selector"
    );
    assert!(
        set.review(&unlabelled, None).decisions.is_empty(),
        "an unknown namespace has only its name label"
    );
    let skipped = pod("web", json!({"skip": "yes"}), json!([]));
    assert!(
        set.review(&skipped, Some(&prod)).decisions.is_empty(),
        "object selector"
    );
    let system = pod("system-x", json!({}), json!([]));
    assert!(
        set.review(&system, Some(&prod)).decisions.is_empty(),
        "match condition"
    );
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}});
    assert!(
        set.review(&config, Some(&prod)).decisions.is_empty(),
        "excluded resource"
    );
    let labelled = pod("web", json!({"team": "payments"}), json!([]));
    let outcome = set.review(&labelled, Some(&prod));
    assert!(outcome.decisions.is_empty());
    assert_eq!(outcome.notes.len(), 1);
    assert_eq!(
        (
            outcome.notes[0].key.as_str(),
            outcome.notes[0].value.as_str()
        ),
        ("labelled/team", "payments")
    );
    // A cluster-scoped object ignores the namespace selector.
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}});
    assert_eq!(set.review(&role, None).decisions.len(), 1);
}

#[test]
fn a_binding_narrows_with_its_own_match_resources() {
    let text = MATCHING.replace(
        "  validationActions: [Deny]\n",
        "  validationActions: [Deny]\n  matchResources:\n    objectSelector: {matchLabels: {tier: web}}\n",
    );
    let set = set(&text);
    let prod = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"env": "prod"}}});
    assert!(
        set.review(&pod("a", json!({}), json!([])), Some(&prod))
            .decisions
            .is_empty()
    );
    assert_eq!(
        set.review(&pod("a", json!({"tier": "web"}), json!([])), Some(&prod))
            .decisions
            .len(),
        1
    );
}

const ERRORS: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: errors}
spec:
  failurePolicy: FAILURE
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  matchConditions:
  - name: broken
    expression: "object.spec.nosuch.field == 1"
  validations:
  - expression: "true"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: errors}
spec: {policyName: errors, validationActions: [Deny]}
"#;

#[test]
fn failure_policy_decides_what_an_evaluation_error_does() {
    let pod = pod("p", json!({}), json!([]));
    let fail = set(&ERRORS.replace("FAILURE", "Fail"));
    let outcome = fail.review(&pod, None);
    assert!(outcome.denied());
    assert_eq!(outcome.decisions[0].cause, Cause::Error);
    assert!(
        outcome.decisions[0]
            .message
            .contains("matchCondition \"broken\""),
        "{:?}",
        messages(&outcome)
    );
    let ignore = set(&ERRORS.replace("FAILURE", "Ignore"));
    let outcome = ignore.review(&pod, None);
    assert!(outcome.decisions.is_empty());
    assert_eq!(outcome.ignored_errors.len(), 1);
}

#[test]
fn an_expression_over_the_cost_limit_fails_like_in_the_cluster() {
    let text = ERRORS.replace("FAILURE", "Fail").replace(
        "object.spec.nosuch.field == 1",
        "object.spec.containers.all(a, object.spec.containers.all(b, object.spec.containers.all(c, a.name != '' || b.name != '' || c.name != '')))",
    );
    let set = set(&text);
    let few: Vec<Json> = (0..5).map(|i| json!({"name": format!("c{i}")})).collect();
    let many: Vec<Json> = (0..150).map(|i| json!({"name": format!("c{i}")})).collect();
    assert!(
        set.review(&pod("p", json!({}), json!(few)), None)
            .decisions
            .is_empty()
    );
    let outcome = set.review(&pod("p", json!({}), json!(many)), None);
    assert!(outcome.denied());
    assert!(
        outcome.decisions[0].message.contains("cost limit exceeded"),
        "{:?}",
        messages(&outcome)
    );
}

#[test]
fn messages_fall_back_from_message_expression_to_message_to_the_expression() {
    let text = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: messages}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "false"
    messageExpression: "object.nosuch"
    message: static message
  - expression: "1 == 2"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: messages}
spec: {policyName: messages, validationActions: [Deny]}
"#;
    let outcome = set(text).review(&pod("p", json!({}), json!([])), None);
    assert_eq!(
        messages(&outcome),
        ["static message", "failed expression: 1 == 2"]
    );
}

#[test]
fn compile_errors_and_orphan_bindings_name_the_file_and_line() {
    let text = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  validations:
  - expression: "object.spec.containers.all(c, c.image.endsWith(':latest')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: orphan}
spec: {policyName: nosuch, validationActions: [Deny]}
"#;
    let (set, errors) = load(text);
    assert!(set.policies.is_empty());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        (errors[0].path.as_str(), errors[0].line),
        ("policies.yaml", Some(9))
    );
    assert!(
        errors[0].message.contains("spec.validations[0].expression"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[0].message.contains("does not compile"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[1].line, Some(11));
    assert!(
        errors[1].message.contains("nosuch"),
        "{}",
        errors[1].message
    );
}

#[test]
fn update_delete_user_info_and_params_from_the_scan() {
    let text = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: immutable-owner}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    objectSelector: {matchLabels: {guarded: "yes"}}
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE, DELETE], resources: [pods]}
  validations:
  - expression: "request.operation != 'DELETE' || request.userInfo.username in params.data.admins.split(',')"
    messageExpression: "request.userInfo.username + ' may not delete ' + oldObject.metadata.name"
  - expression: "request.operation != 'UPDATE' || object.metadata.labels.owner == oldObject.metadata.labels.owner"
    message: the owner label is immutable
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: immutable-owner}
spec:
  policyName: immutable-owner
  validationActions: [Deny]
  paramRef: {name: admins, namespace: ops, parameterNotFoundAction: Deny}
"#;
    let set = set(text);
    let scanned = [
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "admins", "namespace": "ops"}, "data": {"admins": "alice,bob"}}),
    ];
    let params = set.params_among(scanned.iter());
    assert_eq!(params.len(), 1);
    let old = pod("p", json!({"guarded": "yes", "owner": "a"}), json!([]));
    let new = pod("p", json!({"owner": "b"}), json!([]));
    let update = aksguard_policy::vap::Request {
        object: &new,
        old_object: Some(&old),
        operation: "UPDATE",
        scanned_params: &params,
        ..Default::default()
    };
    // The old object's labels match the selector, so the policy applies.
    assert_eq!(
        messages(&set.decide(&update)),
        ["the owner label is immutable"]
    );
    let mallory = json!({"username": "mallory", "groups": []});
    let delete = aksguard_policy::vap::Request {
        old_object: Some(&old),
        operation: "DELETE",
        user_info: Some(&mallory),
        scanned_params: &params,
        ..Default::default()
    };
    assert_eq!(messages(&set.decide(&delete)), ["mallory may not delete p"]);
    let alice = json!({"username": "alice", "groups": []});
    assert!(
        set.decide(&aksguard_policy::vap::Request {
            user_info: Some(&alice),
            ..delete
        })
        .decisions
        .is_empty()
    );
    let without_params = aksguard_policy::vap::Request {
        scanned_params: &[],
        ..delete
    };
    assert_eq!(
        set.decide(&without_params).decisions[0].cause,
        Cause::ParamNotFound
    );
}
