//! A small who-can answer built by hand for the renderers' tests: an aggregated ClusterRole
//! bound cluster-wide, built-in cluster-admin, a Role limited to named secrets, and a
//! RoleBinding to a role that was not scanned.

use aksguard_model::who_can::{Access, Answer, Question, Scope, Target, UnknownBinding};
use aksguard_model::{Binding, LabelSelector, Pos, Role, RoleKind, Subject};

pub(super) struct Fixture {
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
}

fn subject(kind: &str, name: &str, namespace: Option<&str>, line: u32) -> Subject {
    Subject {
        kind: kind.into(),
        name: name.into(),
        namespace: namespace.map(Into::into),
        pos: Pos::new(line, 5),
    }
}

fn binding(
    (namespace, name): (Option<&str>, &str),
    (role_kind, role_name): (RoleKind, &str),
    role_ref_line: u32,
    subjects: Vec<Subject>,
) -> Binding {
    Binding {
        object: 0,
        cluster_wide: namespace.is_none(),
        namespace: namespace.map(Into::into),
        name: name.into(),
        role_kind,
        role_name: role_name.into(),
        role_ref_pos: Pos::new(role_ref_line, 1),
        subjects,
    }
}

fn role(kind: RoleKind, namespace: Option<&str>, name: &str, aggregated: bool) -> Role {
    Role {
        object: 0,
        kind,
        namespace: namespace.map(Into::into),
        name: name.into(),
        rules: Vec::new(),
        aggregation: if aggregated {
            vec![LabelSelector::default()]
        } else {
            Vec::new()
        },
    }
}

pub(super) fn fixture() -> Fixture {
    Fixture {
        roles: vec![
            role(RoleKind::ClusterRole, None, "monitoring", true),
            role(RoleKind::Role, Some("shop"), "deployer", false),
        ],
        bindings: vec![
            binding(
                (None, "admins"),
                (RoleKind::ClusterRole, "cluster-admin"),
                9,
                vec![subject("Group", "platform-admins", None, 7)],
            ),
            binding(
                (None, "monitoring"),
                (RoleKind::ClusterRole, "monitoring"),
                4,
                vec![subject(
                    "ServiceAccount",
                    "prometheus",
                    Some("monitoring"),
                    3,
                )],
            ),
            binding(
                (Some("shop"), "deployer"),
                (RoleKind::Role, "deployer"),
                21,
                vec![subject("ServiceAccount", "pipeline", Some("ci"), 20)],
            ),
            binding(
                (Some("billing"), "editors"),
                (RoleKind::ClusterRole, "edit"),
                30,
                vec![
                    subject("Group", "billing-devs", None, 28),
                    subject("User", "ana", None, 29),
                ],
            ),
        ],
    }
}

impl Fixture {
    pub fn answer(&self) -> Answer<'_> {
        let [admins, monitoring, deployer, editors] = &self.bindings[..] else {
            unreachable!("four bindings")
        };
        Answer {
            grants: vec![
                Access {
                    subject: &admins.subjects[0],
                    binding: admins,
                    role: None,
                    resource_names: Vec::new(),
                    path: "./bindings.yaml",
                },
                Access {
                    subject: &monitoring.subjects[0],
                    binding: monitoring,
                    role: Some(&self.roles[0]),
                    resource_names: Vec::new(),
                    path: "./bindings.yaml",
                },
                Access {
                    subject: &deployer.subjects[0],
                    binding: deployer,
                    role: Some(&self.roles[1]),
                    resource_names: vec!["shop-db".into(), "shop-tls".into()],
                    path: "./shop/rbac.yaml",
                },
            ],
            unknown: vec![UnknownBinding {
                binding: editors,
                path: "./billing.yaml",
            }],
        }
    }
}

pub(super) fn question(scope: Scope) -> Question {
    Question {
        target: Target::parse("get", "secrets", None).unwrap(),
        scope,
    }
}
