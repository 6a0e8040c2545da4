//! The who-can answer for pipelines: one pretty-printed JSON object (`verb`, `group`,
//! `resource`, `scope`, `namespace`, `grants`, `unknown`), serialised straight from borrowed
//! typed structs. Key order and names are a contract (documented in the README).

use aksguard_model::who_can::{Access, Answer, Question, Scope, UnknownBinding};
use aksguard_model::{Binding, Subject};
use serde::Serialize;

use super::scope_of;

#[derive(Serialize)]
struct Report<'a> {
    verb: &'a str,
    group: &'a str,
    resource: &'a str,
    /// `cluster-wide`, `namespace` or `all-namespaces`.
    scope: &'static str,
    /// The namespace of a `namespace` scope, else null.
    namespace: Option<&'a str>,
    grants: Vec<Grant<'a>>,
    unknown: Vec<Unknown<'a>>,
}

#[derive(Serialize)]
struct SubjectJson<'a> {
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

/// A binding and the line that matters: the subject's for a grant, the `roleRef`'s for an
/// unknown binding.
#[derive(Serialize)]
struct BindingJson<'a> {
    kind: &'static str,
    name: &'a str,
    namespace: Option<&'a str>,
    path: &'a str,
    line: u32,
}

#[derive(Serialize)]
struct RoleJson<'a> {
    kind: &'static str,
    name: &'a str,
    namespace: Option<&'a str>,
    aggregated: bool,
    /// False for a built-in role (cluster-admin) that was not scanned.
    in_scan: bool,
}

#[derive(Serialize)]
struct Grant<'a> {
    subject: SubjectJson<'a>,
    scope: String,
    binding: BindingJson<'a>,
    role: RoleJson<'a>,
    resource_names: &'a [String],
}

#[derive(Serialize)]
struct RoleRef<'a> {
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct Unknown<'a> {
    binding: BindingJson<'a>,
    role: RoleRef<'a>,
    subjects: Vec<SubjectJson<'a>>,
}

/// The whole document, ending with a newline.
pub fn render(question: &Question, answer: &Answer<'_>) -> String {
    let (scope, namespace) = match &question.scope {
        Scope::ClusterWide => ("cluster-wide", None),
        Scope::Namespace(ns) => ("namespace", Some(ns.as_str())),
        Scope::AllNamespaces => ("all-namespaces", None),
    };
    let report = Report {
        verb: question.target.verb(),
        group: question.target.group(),
        resource: question.target.resource(),
        scope,
        namespace,
        grants: answer.grants.iter().map(grant).collect(),
        unknown: answer.unknown.iter().map(unknown).collect(),
    };
    // Serialising borrowed strings, numbers and bools cannot fail; `{}` keeps the output
    // JSON even so.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn grant<'a>(access: &'a Access<'_>) -> Grant<'a> {
    let role = match access.role {
        Some(role) => RoleJson {
            kind: role.kind.as_str(),
            name: &role.name,
            namespace: role.namespace.as_deref(),
            aggregated: !role.aggregation.is_empty(),
            in_scan: true,
        },
        None => RoleJson {
            kind: access.binding.role_kind.as_str(),
            name: &access.binding.role_name,
            namespace: None,
            aggregated: false,
            in_scan: false,
        },
    };
    Grant {
        subject: subject(access.subject),
        scope: scope_of(access.binding),
        binding: binding(access.binding, access.path, access.subject.pos.line),
        role,
        resource_names: &access.resource_names,
    }
}

fn unknown<'a>(item: &'a UnknownBinding<'_>) -> Unknown<'a> {
    Unknown {
        binding: binding(item.binding, item.path, item.binding.role_ref_pos.line),
        role: RoleRef {
            kind: item.binding.role_kind.as_str(),
            name: &item.binding.role_name,
        },
        subjects: item.binding.subjects.iter().map(subject).collect(),
    }
}

fn subject(subject: &Subject) -> SubjectJson<'_> {
    SubjectJson {
        kind: &subject.kind,
        name: &subject.name,
        namespace: subject.namespace.as_deref(),
    }
}

fn binding<'a>(binding: &'a Binding, path: &'a str, line: u32) -> BindingJson<'a> {
    BindingJson {
        kind: binding.kind(),
        name: &binding.name,
        namespace: binding.namespace.as_deref(),
        path,
        line,
    }
}

#[cfg(test)]
mod tests {
    use aksguard_model::who_can::{Answer, Scope};
    use serde_json::json;

    use super::super::fixtures::{fixture, question};
    use super::render;

    #[test]
    fn grants_and_unknown_bindings_with_their_lines() {
        let fixture = fixture();
        let text = render(
            &question(Scope::Namespace("shop".into())),
            &fixture.answer(),
        );
        assert!(text.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let expected = json!({
            "verb": "get", "group": "", "resource": "secrets",
            "scope": "namespace", "namespace": "shop",
            "grants": [
                {
                    "subject": {"kind": "Group", "name": "platform-admins", "namespace": null},
                    "scope": "cluster-wide",
                    "binding": {"kind": "ClusterRoleBinding", "name": "admins", "namespace": null,
                                "path": "./bindings.yaml", "line": 7},
                    "role": {"kind": "ClusterRole", "name": "cluster-admin", "namespace": null,
                             "aggregated": false, "in_scan": false},
                    "resource_names": [],
                },
                {
                    "subject": {"kind": "ServiceAccount", "name": "prometheus",
                                "namespace": "monitoring"},
                    "scope": "cluster-wide",
                    "binding": {"kind": "ClusterRoleBinding", "name": "monitoring",
                                "namespace": null, "path": "./bindings.yaml", "line": 3},
                    "role": {"kind": "ClusterRole", "name": "monitoring", "namespace": null,
                             "aggregated": true, "in_scan": true},
                    "resource_names": [],
                },
                {
                    "subject": {"kind": "ServiceAccount", "name": "pipeline", "namespace": "ci"},
                    "scope": "namespace shop",
                    "binding": {"kind": "RoleBinding", "name": "deployer", "namespace": "shop",
                                "path": "./shop/rbac.yaml", "line": 20},
                    "role": {"kind": "Role", "name": "deployer", "namespace": "shop",
                             "aggregated": false, "in_scan": true},
                    "resource_names": ["shop-db", "shop-tls"],
                },
            ],
            "unknown": [{
                "binding": {"kind": "RoleBinding", "name": "editors", "namespace": "billing",
                            "path": "./billing.yaml", "line": 30},
                "role": {"kind": "ClusterRole", "name": "edit"},
                "subjects": [
                    {"kind": "Group", "name": "billing-devs", "namespace": null},
                    {"kind": "User", "name": "ana", "namespace": null},
                ],
            }],
        });
        assert_eq!(value, expected);
        // Key order is part of the contract (serde_json keeps insertion order here).
        assert_eq!(
            text,
            format!("{}\n", serde_json::to_string_pretty(&expected).unwrap())
        );
    }

    #[test]
    fn scope_names_and_empty_answers() {
        let empty = Answer::default();
        for (scope, name) in [
            (Scope::ClusterWide, "cluster-wide"),
            (Scope::AllNamespaces, "all-namespaces"),
        ] {
            let value: serde_json::Value =
                serde_json::from_str(&render(&question(scope), &empty)).unwrap();
            assert_eq!(value["scope"], name);
            assert_eq!(value["namespace"], serde_json::Value::Null);
            assert_eq!(value["grants"], json!([]));
            assert_eq!(value["unknown"], json!([]));
        }
    }
}
