//! The ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects, and their YAML.

use aksguard_rules::Rule;
use serde_json::{Value, json};

use crate::Mode;

pub const POLICY_API_VERSION: &str = "admissionregistration.k8s.io/v1";
pub const POLICY_KIND: &str = "ValidatingAdmissionPolicy";
pub const BINDING_KIND: &str = "ValidatingAdmissionPolicyBinding";

/// A kind a policy matches: `(apiGroup, version, kind, resources)`.
pub type MatchedKind = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// The kinds whose pod spec the expressions reach, matched by the pod rules' policies.
/// `pods/ephemeralcontainers` is where `kubectl debug` adds ephemeral containers to a
/// running pod; the subresource's object is the whole Pod.
pub const MATCHED_KINDS: &[MatchedKind] = &[
    ("", "v1", "Pod", &["pods", "pods/ephemeralcontainers"]),
    (
        "",
        "v1",
        "ReplicationController",
        &["replicationcontrollers"],
    ),
    ("apps", "v1", "Deployment", &["deployments"]),
    ("apps", "v1", "ReplicaSet", &["replicasets"]),
    ("apps", "v1", "StatefulSet", &["statefulsets"]),
    ("apps", "v1", "DaemonSet", &["daemonsets"]),
    ("batch", "v1", "Job", &["jobs"]),
    ("batch", "v1", "CronJob", &["cronjobs"]),
];

/// The kind the Service rules' policies match.
pub const SERVICE_KINDS: &[MatchedKind] = &[("", "v1", "Service", &["services"])];

/// Namespaces the bindings leave alone: the cluster's own components, which AKS manages
/// and some of which need host access (kube-system), and the Azure Policy add-on's.
const EXEMPT_NAMESPACES: &[&str] = &["kube-system", "gatekeeper-system"];

/// Which requests a policy judges at all: every CREATE, and an UPDATE only when it changes
/// the object's `spec`. An update that touches only metadata (a label, a finalizer the
/// garbage collector removes) of an object that already breaks a rule must go through, or
/// the object could never be deleted or relabelled; Pod Security admission exempts such
/// updates too.
pub const CHANGES_THE_SPEC: &str = "request.operation != 'UPDATE' || oldObject == null || \
     !has(oldObject.spec) || !has(object.spec) || object.spec != oldObject.spec";

/// `aksguard-<id>-<slug>`, a valid object name for a rule's policy and binding.
pub fn policy_name(rule: &Rule) -> String {
    format!("aksguard-{}-{}", rule.id.to_ascii_lowercase(), rule.slug)
}

fn resource_rules(kinds: &[MatchedKind]) -> Value {
    let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for (group, version, _, resources) in kinds {
        match groups.iter_mut().find(|(g, _, _)| g == group) {
            Some((_, _, all)) => all.extend_from_slice(resources),
            None => groups.push((group, version, resources.to_vec())),
        }
    }
    Value::Array(
        groups
            .into_iter()
            .map(|(group, version, resources)| {
                json!({
                    "apiGroups": [group],
                    "apiVersions": [version],
                    "operations": ["CREATE", "UPDATE"],
                    "resources": resources,
                })
            })
            .collect(),
    )
}

fn labels(rule: &Rule) -> Value {
    json!({
        "app.kubernetes.io/managed-by": "aksguard",
        "aksguard.io/rule": rule.id,
    })
}

/// What the API server returns when the policy rejects: the rule, its title and the fix,
/// on one line (the API server refuses line breaks in `message`).
pub(crate) fn message(rule: &Rule) -> String {
    format!(
        "{} ({}): {}. {}",
        rule.id, rule.severity, rule.title, rule.remediation
    )
}

/// The policy of one rule, judging objects of `kinds` with `expression`.
pub(crate) fn policy(rule: &Rule, expression: &str, kinds: &[MatchedKind]) -> Value {
    json!({
        "apiVersion": POLICY_API_VERSION,
        "kind": POLICY_KIND,
        "metadata": {
            "name": policy_name(rule),
            "labels": labels(rule),
        },
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "matchPolicy": "Equivalent",
                "resourceRules": resource_rules(kinds),
            },
            "matchConditions": [{
                "name": "creates-or-changes-the-spec",
                "expression": CHANGES_THE_SPEC,
            }],
            "validations": [{
                "expression": expression,
                "message": message(rule),
                "reason": "Forbidden",
            }],
        },
    })
}

/// The binding that applies a rule's policy, with the actions of `mode`.
pub(crate) fn binding(rule: &Rule, mode: Mode) -> Value {
    json!({
        "apiVersion": POLICY_API_VERSION,
        "kind": BINDING_KIND,
        "metadata": {
            "name": policy_name(rule),
            "labels": labels(rule),
        },
        "spec": {
            "policyName": policy_name(rule),
            "validationActions": mode.validation_actions(),
            "matchResources": {
                "namespaceSelector": {
                    "matchExpressions": [{
                        "key": "kubernetes.io/metadata.name",
                        "operator": "NotIn",
                        "values": EXEMPT_NAMESPACES,
                    }],
                },
            },
        },
    })
}

/// The documents as one multi-document YAML stream.
pub fn to_yaml(documents: &[Value]) -> String {
    let mut out = String::new();
    for document in documents {
        out.push_str("---\n");
        // Serialising a JSON value built here cannot fail: it holds only maps, lists,
        // strings and booleans.
        out.push_str(&yaml_serde::to_string(document).expect("a JSON value serialises as YAML"));
    }
    out
}
