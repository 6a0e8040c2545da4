//! Peer scanners' checks that correspond to a rule, and how their meanings relate. Each
//! correspondence is declared once, in the rule's `references`; the docs, `aksguard rule ID`,
//! SARIF and the peer-agreement test (`aksguard_engine/tests/peer_agreement.rs`, which compares
//! our verdicts with the peers' on their own fixtures) all read it from there.

use crate::meta::Reference;

/// A scanner whose checks we compare with ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeerTool {
    Polaris,
    KubeLinter,
    Checkov,
    Kubescape,
    /// Trivy's vulnerability scanner (`--scanners vuln`), whose reports IMG005 reads.
    Trivy,
}

impl PeerTool {
    pub const ALL: [PeerTool; 5] = [
        PeerTool::Polaris,
        PeerTool::KubeLinter,
        PeerTool::Checkov,
        PeerTool::Kubescape,
        PeerTool::Trivy,
    ];

    /// The tool's name as users know it.
    pub fn name(self) -> &'static str {
        match self {
            PeerTool::Polaris => "polaris",
            PeerTool::KubeLinter => "kube-linter",
            PeerTool::Checkov => "checkov",
            PeerTool::Kubescape => "kubescape",
            PeerTool::Trivy => "trivy",
        }
    }
}

/// How the peer check's meaning relates to the rule that declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Equivalence {
    /// Same meaning: the peer check fails exactly when this rule fires. A peer check declared
    /// by several rules relates to them together (kubescape `host-pid-ipc-privileges` fails
    /// exactly when POD004 or POD005 fires), so they declare the same kind.
    Same,
    /// The peer checks one part of what this rule checks (POD015 requires CPU and memory
    /// requests and a memory limit; Polaris `cpuRequestsMissing` one of them): each peer
    /// failure is one of our findings, a peer pass says nothing about the other parts.
    PeerNarrower,
    /// The peer checks more than this rule: each of our findings is a peer failure, and the
    /// peer also fails cases this rule does not report.
    PeerBroader,
    /// The same concern judged on another object (the peer judges each binding to a
    /// ServiceAccount, we judge the role whoever it is bound to): verdicts are not comparable
    /// object by object.
    DifferentUnit,
}

impl Equivalence {
    /// How the docs name it, relating the peer check to `subject` (`this rule`, or the
    /// rules that declare the check together).
    pub fn describe(self, subject: &str) -> String {
        match self {
            Equivalence::Same if subject == THIS_RULE => "same meaning".to_owned(),
            Equivalence::Same => format!("same meaning as {subject}"),
            Equivalence::PeerNarrower => format!("peer narrower, checks a part of {subject}"),
            Equivalence::PeerBroader => format!("peer broader, checks more than {subject}"),
            Equivalence::DifferentUnit => {
                format!("different unit, judges another object than {subject}")
            }
        }
    }

    /// Short machine-readable name (SARIF, JSON).
    pub fn code(self) -> &'static str {
        match self {
            Equivalence::Same => "same",
            Equivalence::PeerNarrower => "peer-narrower",
            Equivalence::PeerBroader => "peer-broader",
            Equivalence::DifferentUnit => "different-unit",
        }
    }
}

/// A peer check that corresponds to a rule, with what a comparison needs to know about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerCheck {
    pub tool: PeerTool,
    /// The ID the peer reports: Polaris check ID, kube-linter check name, checkov check ID
    /// (`CKV_K8S_16`), kubescape regolibrary rule name.
    pub id: &'static str,
    pub equivalence: Equivalence,
    /// What differs, for every kind but `Same` (shown in the docs); empty for `Same`.
    pub difference: &'static str,
    /// The kinds the peer check judges, where the peer names objects (kube-linter,
    /// kubescape) and judges fewer kinds than appear beside them (RBAC checks flag the
    /// binding or the role). `None`: the workloads and pod templates the rule judges.
    pub judges: Option<&'static [&'static str]>,
    /// The peer takes its input as the whole cluster state (dangling references, missing
    /// ServiceAccounts), as our rules do with `--complete`.
    pub complete: bool,
}

impl PeerCheck {
    const fn new(
        tool: PeerTool,
        id: &'static str,
        equivalence: Equivalence,
        difference: &'static str,
    ) -> PeerCheck {
        PeerCheck {
            tool,
            id,
            equivalence,
            difference,
            judges: None,
            complete: false,
        }
    }

    /// Judges only objects of `kinds` (see [`PeerCheck::judges`]).
    pub const fn judging(self, kinds: &'static [&'static str]) -> PeerCheck {
        PeerCheck {
            judges: Some(kinds),
            ..self
        }
    }

    /// Takes its input as the whole cluster state (see [`PeerCheck::complete`]).
    pub const fn complete(self) -> PeerCheck {
        PeerCheck {
            complete: true,
            ..self
        }
    }

    /// This check as a rule reference.
    pub const fn reference(self) -> Reference {
        Reference::Peer(self)
    }
}

/// A peer check with the same meaning as the rule.
pub const fn same(tool: PeerTool, id: &'static str) -> PeerCheck {
    PeerCheck::new(tool, id, Equivalence::Same, "")
}

/// A peer check of one part of the rule; `difference` says what the rule checks besides.
pub const fn narrower(tool: PeerTool, id: &'static str, difference: &'static str) -> PeerCheck {
    PeerCheck::new(tool, id, Equivalence::PeerNarrower, difference)
}

/// A peer check of more than the rule; `difference` says what else the peer fails.
pub const fn broader(tool: PeerTool, id: &'static str, difference: &'static str) -> PeerCheck {
    PeerCheck::new(tool, id, Equivalence::PeerBroader, difference)
}

/// A peer check of the same concern on another object; `difference` says which.
pub const fn different_unit(
    tool: PeerTool,
    id: &'static str,
    difference: &'static str,
) -> PeerCheck {
    PeerCheck::new(tool, id, Equivalence::DifferentUnit, difference)
}

/// The peer checks among a rule's references.
pub fn peer_checks(references: &[Reference]) -> impl Iterator<Item = &PeerCheck> {
    references.iter().filter_map(|r| match r {
        Reference::Peer(check) => Some(check),
        _ => None,
    })
}

/// The other rules that declare the same peer check: its kind is declared for all of them
/// together (kubescape `host-pid-ipc-privileges` means POD004 and POD005 together).
pub fn together_with(rule_id: &str, check: &PeerCheck) -> Vec<&'static str> {
    crate::all_rules()
        .iter()
        .filter(|rule| rule.id != rule_id)
        .filter(|rule| {
            peer_checks(rule.references)
                .any(|other| other.tool == check.tool && other.id == check.id)
        })
        .map(|rule| rule.id)
        .collect()
}

const THIS_RULE: &str = "this rule";

/// One line for the docs: `checkov: CKV_K8S_16 — same meaning`, naming the rules the check is
/// declared for together and what differs.
pub fn describe(rule_id: &str, check: &PeerCheck) -> String {
    let together = together_with(rule_id, check);
    let subject = if together.is_empty() {
        THIS_RULE.to_owned()
    } else {
        let mut rules = vec![rule_id];
        rules.extend(together);
        format!("{} together", rules.join(" and "))
    };
    let mut line = format!(
        "{}: {} — {}",
        check.tool.name(),
        check.id,
        check.equivalence.describe(&subject)
    );
    if !check.difference.is_empty() {
        line.push_str(": ");
        line.push_str(
            &check
                .difference
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    line
}

/// Kinds a peer's RBAC check may flag: the role, the binding or both.
pub const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
/// Kinds of a peer check that flags the bindings to a role.
pub const BINDING_KINDS: &[&str] = &["RoleBinding", "ClusterRoleBinding"];
/// Kinds of a peer check that flags the role.
pub const ROLE_KINDS: &[&str] = &["Role", "ClusterRole"];
/// Kinds of a peer check that flags workloads, partial ones included.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "DeploymentConfig",
];
