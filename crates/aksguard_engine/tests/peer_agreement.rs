//! Agreement with peer scanners on their own test fixtures (`../shared/corpus/peers`, next to
//! the workspace): Polaris, kube-linter, checkov and kubescape's regolibrary.
//!
//! What to compare comes from the rules themselves: each rule declares, in its `references`,
//! the peer checks it corresponds to and how (`aksguard_rules::peer`: same meaning, peer
//! narrower, peer broader, different unit), with the kinds the peer judges and whether it takes
//! its input as the whole cluster state. [`mappings`] turns those declarations into
//! comparisons: one per peer check (per checkov fixture folder, which may hold the fixtures of
//! several checkov checks, see [`CHECKOV_FOLDER_CHECKS`]), against every rule that declares one
//! of its checks. This file holds no equivalence of its own, only how to find each peer's
//! fixtures and verdicts, and the list of declared checks it cannot compare
//! ([`UNCOMPARED`], with why).
//!
//! For every fixture of a compared check we compare the peer's verdict with whether our rules
//! fire, per file where the peer judges files (Polaris, checkov) and per object where it names
//! objects (kube-linter, kubescape). Every difference must be listed, with its reason, in
//! [`DISAGREEMENTS`] (a decision) or [`KNOWN_BUGS`] (our rule is wrong and should be fixed), so
//! a behaviour change in a rule fails here until someone decides whether the rule or the list
//! is wrong; an entry that no longer disagrees fails too. The test also fails when a declared
//! peer check has no comparison and no [`UNCOMPARED`] entry, when the peer's data contradicts a
//! declaration (kube-linter flags an object of a kind the declaration says it does not judge;
//! a fixture list names a check no rule declares), and when the checks declared as the same
//! meaning agree with a peer on less than [`MIN_SAME_AGREEMENT`] of the compared cases. Run
//! with `--nocapture` for the comparisons, every disagreement with our findings, and the
//! agreement rate per peer and per rule family; set `PEER_AGREEMENT_ALL=1` as well to print
//! every case, agreements included.
//!
//! Cross-resource rules see every object of the case's file (every input file of a kubescape
//! test case), run with `--complete` where the peer takes the fixture as the whole cluster
//! state ([`Mapping::complete`]). A finding counts for the object it is on, for the RBAC
//! counterpart of that object (a role finding for the bindings to the role, and the reverse:
//! [`related_objects`]), and a namespace-level finding on `Namespace/<name>` for the objects
//! of that namespace ([`namespace_finding_for`]).
//!
//! The corpus is not part of the repository. When it is absent (a plain clone) the test prints
//! why and passes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aksguard_engine::evaluate;
use aksguard_load::{Limits, load_text};
use aksguard_model::{Finding, Inventory, Object, PodSpecView, Severity, UNSPECIFIED_NAMESPACE};
use aksguard_rules::peer::{Equivalence, PeerCheck, PeerTool, WORKLOAD_KINDS, peer_checks};
use aksguard_rules::{Rule, RuleSettings, all_rules, find_rule, object_ref};
use serde_json::Value;

/// The agreement the checks declared as the same meaning must reach with each peer.
const MIN_SAME_AGREEMENT: f64 = 0.95;

/// Peers whose comparisons of the same meaning stay below [`MIN_SAME_AGREEMENT`], with why:
/// every shortfall is a listed disagreement, but the target is not met. An entry for a peer
/// that reaches the target fails, as a reminder to remove it.
const SAME_AGREEMENT_SHORTFALLS: &[(&str, &str)] = &[];

/// A peer's folder under `corpus/peers/`.
fn dir(peer: PeerTool) -> &'static str {
    match peer {
        PeerTool::Polaris => "polaris",
        PeerTool::KubeLinter => "kube-linter",
        PeerTool::Checkov => "checkov",
        PeerTool::Kubescape => "kubescape-regolibrary",
        PeerTool::Trivy => "trivy",
    }
}

/// How a comparison's peer verdicts relate to our rules, derived from their declarations
/// ([`relation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    /// Same meaning: the peer fails ⇔ one of our rules fires.
    Same,
    /// The peer checks one part of what our rules check: only the peer's failures are compared
    /// (each must make a rule fire); its passes say nothing about the other parts.
    PeerNarrower,
    /// The peer checks more than our rules: only the peer's passes are compared (none of our
    /// rules may fire); its failures may be about what our rules do not check.
    PeerBroader,
}

/// One comparison: a peer's fixtures and the rules they are compared with.
struct Mapping {
    peer: PeerTool,
    /// Where the fixtures are: Polaris check ID, kube-linter check name, checkov folder,
    /// kubescape rule folder.
    check: &'static str,
    /// The peer checks whose verdicts the fixtures give (several for some checkov folders).
    peer_checks: Vec<&'static str>,
    /// Every rule declaring one of `peer_checks`; a case fails on our side when any fires.
    rules: Vec<&'static str>,
    relation: Relation,
    /// The kinds the peer judges, where it names objects (kube-linter, kubescape): only
    /// objects of these kinds (and any object the peer flags) become cases. `None`: every
    /// object of a kube-linter fixture, and [`in_scope`] objects for kubescape.
    kinds: Option<&'static [&'static str]>,
    /// Run our rules as with `--complete`: the peer check (dangling references, missing
    /// ServiceAccounts) takes the fixture to be the whole cluster state.
    complete: bool,
}

impl Mapping {
    /// The rule family, for the agreement summary: `POD/IMG/SEC` (workloads, images,
    /// secrets) or the cross-resource families `RBAC`, `NET` and `NS/IDN/REL`.
    fn family(&self) -> &'static str {
        let id = self.rules.first().copied().unwrap_or_default();
        if id.starts_with("RBAC") {
            "RBAC"
        } else if id.starts_with("NET") {
            "NET"
        } else if id.starts_with("NS") || id.starts_with("IDN") || id.starts_with("REL") {
            "NS/IDN/REL"
        } else {
            "POD/IMG/SEC"
        }
    }
}

/// Families of [`Mapping::family`], in summary order.
const FAMILIES: &[&str] = &["POD/IMG/SEC", "RBAC", "NET", "NS/IDN/REL"];

/// Peer checks no rule declares, so not compared (none of our rules relates to them in one of
/// the four ways): Polaris `cpuLimitsMissing`, kube-linter `unset-cpu-requirements`, kubescape
/// `resources-cpu-limits` and checkov CKV_K8S_11 (CPU limits, which POD015 does not require);
/// Polaris
/// `insecureCapabilities` (drop ALL or a fixed list: neither POD008 nor POD027); Polaris
/// `linuxHardening` (any one of several hardenings); kubescape `set-seLinuxOptions` (requires
/// SELinux options, while POD018 forbids unsafe ones); kubescape
/// `set-seccomp-profile-RuntimeDefault` (requires `RuntimeDefault`; POD011 also accepts a
/// `Localhost` profile, as PSS restricted does); kubescape `automount-default-service-account`
/// (judges the ServiceAccount); kubescape `rule-identify-blocklisted-image-registries` (a
/// block-list of registries: which images it fails depends on a list no setting of IMG003, an
/// allow-list, can express); checkov CKV_K8S_29/30 (`SecurityContexts`: any
/// securityContext present); kubescape `resources-*-limit-and-request` (configured value
/// ranges); every PSP and control-plane check; and, among the cross-resource checks:
/// Polaris `missingNetworkPolicy` (wants a selecting policy with both Ingress and Egress
/// types and rules: more than NET004's "selected by some policy", unrelated to NET001/002's
/// namespace-wide default deny); Polaris `nakedPod` (its fixtures exercise a custom check,
/// label equal to the name, not naked pods); Polaris `hpa*`/`pdb*` and kube-linter
/// `minimum-three-replicas`, `hpa-minimum-three-replicas`, `pdb-*` (thresholds and budgets
/// we do not check; REL003 is about a single replica); kube-linter
/// `dangling-networkpolicypeer-podselector`, `dangling-servicemonitor`,
/// `deprecated-service-account-field` and kubescape `deprecated-service-account-field`,
/// `namespace-without-service-account` (no such rule); kubescape
/// `pod-security-admission-*-applied-2` (whether an admission webhook exists, the
/// alternative half of its PSA controls); kubescape `access-container-service-account-v1`
/// (lists every ServiceAccount holding any role, not only `default` ones as RBAC008);
/// kubescape `workload-with-administrative-roles` / `-cluster-takeover-roles` (a workload
/// and the RBAC of its ServiceAccount together: cross-layer risk, not one rule); kubescape
/// `exposure-to-internet-via-istio-ingress` and `agent-sandbox-egress-policy` (Istio and
/// agent-sandbox resources we do not read); kubescape `*-in-default-namespace` for
/// non-workload kinds (POD021 judges workloads only); checkov CKV_K8S_41 (`DefaultServiceAccount`)
/// (judges the ServiceAccount's automount).
///
/// checkov fixture folders whose `expected.json` entry names no check (`check_id: null`):
/// the checkov checks whose tests read the folder. A file's verdict there is for those checks
/// together (it fails when any of them fails). Other folders hold the fixtures of the one
/// check `expected.json` names.
const CHECKOV_FOLDER_CHECKS: &[(&str, &[&str])] = &[
    ("ImagePullPolicy", &["CKV_K8S_15"]),
    ("LivenessReadiness", &["CKV_K8S_8", "CKV_K8S_9"]),
    ("NginxIngressCVE202125742", &["CKV_K8S_153", "CKV_K8S_154"]),
    ("NoDefaultNamespace", &["CKV_K8S_21"]),
    (
        "Requests_Limits",
        &["CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13"],
    ),
    ("SecurityContexts", &["CKV_K8S_29", "CKV_K8S_30"]),
    ("ShareHost", &["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"]),
];

/// Declared peer checks this test cannot compare, with why (`tool id`; an ID ending in `*`
/// covers every ID with that prefix). Each must still be uncomparable: an entry for a check
/// that now has a comparison fails.
const UNCOMPARED: &[(&str, &str)] = &[
    (
        "trivy *",
        "trivy's vulnerability reports are IMG005's input, not a verdict on the same manifests",
    ),
    ("checkov CKV_K8S_10", REQUESTS_LIMITS_MIXED),
    ("checkov CKV_K8S_12", REQUESTS_LIMITS_MIXED),
    ("checkov CKV_K8S_13", REQUESTS_LIMITS_MIXED),
    (
        "checkov CKV_K8S_37",
        "checkov's fixtures for MinimizeCapabilities are not in the corpus",
    ),
    ("checkov CKV2_K8S_2", CHECKOV_GRAPH_CHECK),
    ("checkov CKV2_K8S_3", CHECKOV_GRAPH_CHECK),
    ("checkov CKV2_K8S_4", CHECKOV_GRAPH_CHECK),
    ("checkov CKV2_K8S_5", CHECKOV_GRAPH_CHECK),
    ("checkov CKV2_K8S_6", CHECKOV_GRAPH_CHECK),
    (
        "checkov CKV_AZURE_*",
        "AKS cluster configuration checks: their fixtures are ARM templates and Terraform \
         (corpus checkov/arm, checkov/terraform), which this test of Kubernetes manifests \
         does not read",
    ),
];

const REQUESTS_LIMITS_MIXED: &str = "checkov's Requests_Limits folder holds the fixtures of \
     CKV_K8S_10–13 together, one verdict per file for all four; CKV_K8S_11 (CPU limit) is no \
     part of POD015, so a failure may be about it alone, and each of the other three is only \
     one part of POD015, so a pass of the folder's checks cannot be told from the declarations \
     to mean POD015 passes";

const CHECKOV_GRAPH_CHECK: &str = "a checkov graph check (checks/graph_checks): its fixtures \
     (tests/kubernetes/graph) are not in the corpus; CKV2_K8S_2–5 also judge bindings of \
     ServiceAccounts and Nodes where our rules judge the role (different unit)";

/// The entry of [`UNCOMPARED`] for a peer check, if any.
fn uncompared(peer: PeerTool, id: &str) -> Option<&'static (&'static str, &'static str)> {
    UNCOMPARED.iter().find(|(key, _)| {
        let Some((tool, pattern)) = key.split_once(' ') else {
            return false;
        };
        tool == peer.name()
            && match pattern.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => id == pattern,
            }
    })
}

/// The relation of a comparison from its declarations: `declared` holds, for each peer check
/// whose verdicts the fixtures give, how it relates to the rules declaring it (`None`: no rule
/// declares it). The peer's verdict is a failure of any of those checks. Its failures imply
/// one of our rules fires when every check is the same as our rules or narrower; our findings
/// imply a peer failure when every declared check is the same or broader. `None` when
/// neither holds (a different unit, or a folder mixing parts of a rule with checks no rule
/// declares).
fn relation(declared: &[Option<Equivalence>]) -> Option<Relation> {
    use Equivalence::{PeerBroader, PeerNarrower, Same};
    let peer_implies_ours = declared
        .iter()
        .all(|e| matches!(e, Some(Same | PeerNarrower)));
    let ours_imply_peer = declared
        .iter()
        .flatten()
        .all(|e| matches!(e, Same | PeerBroader));
    match (peer_implies_ours, ours_imply_peer) {
        (true, true) => Some(Relation::Same),
        (true, false) => Some(Relation::PeerNarrower),
        (false, true) => Some(Relation::PeerBroader),
        (false, false) => None,
    }
}

/// Every rule's peer declarations, in registry order.
fn declarations() -> Vec<(&'static str, &'static PeerCheck)> {
    all_rules()
        .iter()
        .flat_map(|rule| peer_checks(rule.references).map(move |check| (rule.id, check)))
        .collect()
}

/// Where a peer check's fixtures are: its folder (file for kube-linter) under the peer's
/// directory, or for checkov every folder holding the check's fixtures, with the checks each
/// folder's verdicts are for.
fn fixture_sources(
    root: &Path,
    peer: PeerTool,
    id: &'static str,
    checkov_expected: &Value,
) -> Vec<(&'static str, Vec<&'static str>)> {
    match peer {
        PeerTool::Checkov => checkov_folders(checkov_expected)
            .into_iter()
            .filter(|(_, checks)| checks.contains(&id))
            .collect(),
        PeerTool::KubeLinter => ["yml", "yaml"]
            .iter()
            .any(|ext| root.join(dir(peer)).join(format!("{id}.{ext}")).is_file())
            .then(|| (id, vec![id]))
            .into_iter()
            .collect(),
        PeerTool::Polaris | PeerTool::Kubescape => root
            .join(dir(peer))
            .join(id)
            .is_dir()
            .then(|| (id, vec![id]))
            .into_iter()
            .collect(),
        PeerTool::Trivy => Vec::new(),
    }
}

/// checkov's fixture folders with the checks each one's verdicts are for: the check
/// `expected.json` names, else the folder's [`CHECKOV_FOLDER_CHECKS`] entry.
fn checkov_folders(expected: &Value) -> Vec<(&'static str, Vec<&'static str>)> {
    let Some(folders) = expected.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (folder, entry) in folders {
        // Leaked once per run: the comparisons name folders and checks as `&'static str`.
        let name: &'static str = Box::leak(folder.clone().into_boxed_str());
        let checks: Vec<&'static str> = match entry["check_id"].as_str() {
            Some(id) => vec![Box::leak(id.to_owned().into_boxed_str())],
            None => CHECKOV_FOLDER_CHECKS
                .iter()
                .find(|(f, _)| *f == folder)
                .map(|(_, checks)| checks.to_vec())
                .unwrap_or_default(),
        };
        out.push((name, checks));
    }
    out
}

/// The comparisons the rules' declarations call for, and the problems found deriving them
/// (a declared check without a comparison and without an [`UNCOMPARED`] entry, or a stale
/// entry).
fn mappings(root: &Path, checkov_expected: &Value) -> (Vec<Mapping>, Vec<String>) {
    let declarations = declarations();
    let mut problems = Vec::new();
    let mut mappings: Vec<Mapping> = Vec::new();
    let mut uncomparable: Vec<(PeerTool, &'static str, String)> = Vec::new();
    for peer in PeerTool::ALL {
        let mut seen_sources: BTreeSet<&str> = BTreeSet::new();
        for &(_, declared) in declarations.iter().filter(|(_, c)| c.tool == peer) {
            let sources = fixture_sources(root, peer, declared.id, checkov_expected);
            if sources.is_empty() {
                uncomparable.push((peer, declared.id, "no fixtures".to_owned()));
            }
            for (source, checks) in sources {
                if !seen_sources.insert(source) {
                    continue;
                }
                let of_checks: Vec<(&'static str, &'static PeerCheck)> = declarations
                    .iter()
                    .filter(|(_, c)| c.tool == peer && checks.contains(&c.id))
                    .map(|&(rule, c)| (rule, c))
                    .collect();
                let kinds: Vec<Option<Equivalence>> = checks
                    .iter()
                    .map(|id| {
                        of_checks
                            .iter()
                            .find(|(_, c)| c.id == *id)
                            .map(|(_, c)| c.equivalence)
                    })
                    .collect();
                let Some(relation) = relation(&kinds) else {
                    for (_, c) in &of_checks {
                        uncomparable.push((
                            peer,
                            c.id,
                            format!("{source}: no relation follows from {kinds:?} for {checks:?}"),
                        ));
                    }
                    continue;
                };
                let mut rules: Vec<&'static str> = Vec::new();
                for (rule, _) in &of_checks {
                    if !rules.contains(rule) {
                        rules.push(rule);
                    }
                }
                mappings.push(Mapping {
                    peer,
                    check: source,
                    peer_checks: checks,
                    rules,
                    relation,
                    kinds: of_checks.iter().find_map(|(_, c)| c.judges),
                    complete: of_checks.iter().any(|(_, c)| c.complete),
                });
            }
        }
    }
    uncomparable.sort();
    uncomparable.dedup();
    for (peer, id, why) in &uncomparable {
        if mappings
            .iter()
            .any(|m| m.peer == *peer && m.peer_checks.contains(id))
        {
            continue;
        }
        match uncompared(*peer, id) {
            Some((_, reason)) => eprintln!("  not compared: {} {id}: {reason}", peer.name()),
            None => problems.push(format!(
                "{} {id} is declared by a rule but has no comparison ({why}): fix the \
                 declaration or list it in UNCOMPARED with the reason",
                peer.name()
            )),
        }
    }
    for (key, _) in UNCOMPARED {
        let stale = !declarations.iter().any(|(_, c)| {
            uncompared(c.tool, c.id).is_some_and(|(k, _)| k == key)
                && !mappings
                    .iter()
                    .any(|m| m.peer == c.tool && m.peer_checks.contains(&c.id))
        });
        if stale {
            problems.push(format!(
                "UNCOMPARED lists {key}, which no rule declares or which is now compared: \
                 remove it"
            ));
        }
    }
    for (folder, _) in CHECKOV_FOLDER_CHECKS {
        if checkov_expected.get(folder).is_none() {
            problems.push(format!(
                "CHECKOV_FOLDER_CHECKS lists {folder}, which checkov's expected.json does not"
            ));
        }
    }
    for (check, _) in KUBE_LINTER_FLAGGED {
        if !mappings
            .iter()
            .any(|m| m.peer == PeerTool::KubeLinter && m.check == *check)
        {
            problems.push(format!(
                "KUBE_LINTER_FLAGGED lists {check}, which no rule declares as a comparable \
                 peer check"
            ));
        }
    }
    (mappings, problems)
}

/// kube-linter's fixtures hold objects that should and should not be flagged; its e2e test
/// (`e2etests/bats-tests.sh`) asserts the reports by kind, message and count. These are the
/// objects (`Kind/name`) it flags; every other object in the file passes. Objects named
/// `dont-fire` are never flagged (checked below).
const KUBE_LINTER_FLAGGED: &[(&str, &[&str])] = &[
    (
        "privileged-container",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "privilege-escalation-container",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    ("host-network", &["Deployment/app", "DeploymentConfig/app"]),
    ("host-pid", &["Deployment/app", "DeploymentConfig/app"]),
    ("host-ipc", &["Deployment/app", "DeploymentConfig/app"]),
    // `group-zero` (runAsUser 1001, runAsGroup 0) is not flagged: this check is about the user.
    (
        "run-as-non-root",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "no-read-only-root-fs",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "drop-net-raw-capability",
        &["Deployment/app", "DeploymentConfig/app"],
    ),
    (
        "unsafe-proc-mount",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    ("docker-sock", &["Deployment/app", "DeploymentConfig/app"]),
    (
        "sensitive-host-mounts",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "writable-host-mount",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "unset-memory-requirements",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "unsafe-sysctls",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    // `app3` (no strategy) and `app4` (empty spec) are not flagged: only an explicit
    // non-rolling type is.
    (
        "no-rolling-update-strategy",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    ("use-namespace", &["Deployment/app1"]),
    (
        "no-liveness-probe",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "no-readiness-probe",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "privileged-ports",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "ssh-port",
        &[
            "Deployment/app1",
            "DeploymentConfig/app2",
            "DeploymentConfig/app3",
        ],
    ),
    ("latest-tag", &["Deployment/app", "DeploymentConfig/app"]),
    (
        "read-secret-from-env-var",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    (
        "env-var-secret",
        &["Deployment/app", "DeploymentConfig/app"],
    ),
    ("access-to-secrets", &["RoleBinding/role-binding1"]),
    ("access-to-create-pods", &["RoleBinding/role-binding1"]),
    (
        "cluster-admin-role-binding",
        &["ClusterRoleBinding/role-binding1"],
    ),
    // Two Roles named role1: the second grants `*` verbs.
    ("wildcard-in-rules", &["Role/role1 #2"]),
    (
        "non-isolated-pod",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    ("dangling-networkpolicy", &["NetworkPolicy/app"]),
    // kube-linter's default forbids NodePort and LoadBalancer; the fixture has a NodePort.
    ("exposed-services", &["Service/app"]),
    (
        "default-service-account",
        &["Deployment/app", "DeploymentConfig/app"],
    ),
    (
        "non-existent-service-account",
        &["Deployment/app", "DeploymentConfig/app"],
    ),
    (
        "mismatching-selector",
        &["Deployment/app1", "DeploymentConfig/app2"],
    ),
    ("dangling-service", &["Service/app1", "Service/app2"]),
    // `bad-port` exists but has no port 8080.
    (
        "dangling-ingress",
        &["Ingress/missing-service", "Ingress/bad-port"],
    ),
    ("dangling-hpa", &["HorizontalPodAutoscaler/hpa1"]),
    // Both objects are unnamed; their `fire-*` containers repeat PORT.
    (
        "duplicate-env-var",
        &["Deployment/<unnamed>", "StatefulSet/<unnamed>"],
    ),
    // From the fixture's comments (`should-fire-*`): a key missing from the Secret or
    // ConfigMap, or a Secret or ConfigMap missing.
    (
        "env-var-value-from",
        &[
            "Deployment/should-fire-secret",
            "Deployment/should-fire-configmap",
            "Deployment/should-fire-missing-configmap",
            "Deployment/should-fire-missing-secret",
        ],
    ),
    // The extensions/v1beta1 NetworkPolicy (the second object named app).
    ("no-extensions-v1beta", &["NetworkPolicy/app #2"]),
];

/// checkov's `expected.json` takes each file's verdict from its name, which is wrong for files
/// named after a mix (`1PASSED-1FAILED`): checkov's tests count resources, and such a file holds
/// a failing one, so as a whole it fails.
const CHECKOV_VERDICT_OVERRIDES: &[(&str, bool, &str)] = &[
    (
        "checkov/kubernetes/DockerSocketVolume/cloudwatch-agent-1PASSED-1FAILED.yaml",
        true,
        "DaemonSet cloudwatch-agent mounts /var/run/docker.sock (fluentd-cloudwatch passes)",
    ),
    (
        "checkov/kubernetes/DockerSocketVolume/scope-2PASSED-1FAILED.yaml",
        true,
        "DaemonSet weave-scope-agent mounts /var/run/docker.sock (the two Deployments pass)",
    ),
];

/// Every case where we deliberately differ from the peer, with the reason. Keys are the case
/// names the test prints: the fixture path under `corpus/peers/`, plus ` Kind/name` for
/// per-object verdicts.
const DISAGREEMENTS: &[(&str, &str)] = &[
    // Polaris
    // kube-linter
    (
        "kube-linter/no-rolling-update-strategy.yml Deployment/app1",
        "`strategy.type: Other` is not a valid value (the API server accepts RollingUpdate \
         and Recreate) on a Deployment with no pod template; POD020 reports the valid \
         non-rolling types, Recreate and OnDelete",
    ),
    (
        "kube-linter/no-rolling-update-strategy.yml DeploymentConfig/app2",
        "OpenShift DeploymentConfig, whose strategies (Rolling, Recreate, Custom) POD020 does \
         not check; `Other` is not valid there either",
    ),
    // checkov
    (
        "checkov/kubernetes/RootContainers/rootContainersFAILED-malformed-spec.yaml",
        "malformed object: `spec` is a list, not a pod spec (the API server rejects it); \
         checkov's test counts it as failed, we judge well-formed pod specs only",
    ),
    (
        "checkov/kubernetes/AllowedCapabilitiesSysAdmin/pod-FAILED2.yaml",
        "partial object: `containers:` is null, so no container adds SYS_ADMIN; checkov's \
         test counts the file as failed",
    ),
    (
        "checkov/kubernetes/ImageDigest/imageWithTagAndDigest-PASSED.yaml",
        INVALID_DIGEST,
    ),
    (
        "checkov/kubernetes/ImageDigest/kafka-PASSED.yaml",
        INVALID_DIGEST,
    ),
    (
        "checkov/kubernetes/ImageDigest/kafka-withrepo-PASSED.yaml",
        INVALID_DIGEST,
    ),
    // kubescape
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-short-custom-digest Pod/pod-short-custom-digest",
        INVALID_DIGEST,
    ),
    (
        "kubescape-regolibrary/set-procmount-default/workload Deployment/my-deployment",
        "kubescape flags container `php`, which leaves `procMount` unset; unset means \
         `Default` (PSS baseline), and POD010 fires only on another value",
    ),
    (
        "kubescape-regolibrary/resources-cpu-requests/pod-only-requests Pod/frontend",
        "container `log-aggregator` sets `limits.cpu` without `requests.cpu`; the API server \
         copies the limit into the missing request, so POD015 counts the request as set",
    ),
    (
        "kubescape-regolibrary/resources-memory-requests/pod-only-requests Pod/frontend",
        "container `log-aggregator` sets `limits.memory` without `requests.memory`; the API \
         server copies the limit into the missing request, so POD015 counts the request as set",
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-blake3-pinned Pod/pod-blake3-pinned",
        ONLY_SHA256,
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-custom-digest Pod/pod-custom-digest",
        ONLY_SHA256,
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-nonsha256 Pod/pod-nonsha256",
        ONLY_SHA256,
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-exempted-repo Pod/pod-exempted-repo",
        "kubescape's test exempts `internal-registry` in its configuration (data.json \
         `imageDigestExemptRepositories`); IMG002 has no exemption list (aksguard exceptions \
         do that job)",
    ),
    // Cross-resource families (RBAC, NET, NS, IDN, REL).
    (
        "polaris/clusterrolebindingPodExecAttach/failure.binding_points_to_missing_ref.yaml",
        MISSING_ROLE,
    ),
    (
        "polaris/rolebindingClusterRolePodExecAttach/failure.binding_points_to_missing_ref.yaml",
        MISSING_ROLE,
    ),
    (
        "polaris/rolebindingRolePodExecAttach/failure.binding_points_to_missing_ref.yaml",
        MISSING_ROLE,
    ),
    (
        "kube-linter/mismatching-selector.yml DeploymentConfig/app2",
        "OpenShift DeploymentConfig (not a Kubernetes or AKS kind), whose selector REL005 does \
         not check; REL005 covers the Kubernetes workload kinds",
    ),
    (
        "kubescape-regolibrary/rule-can-approve-cert-signing-request/clusterrole-rolebinding ClusterRole/test",
        CSR_WITHOUT_SIGNER,
    ),
    (
        "kubescape-regolibrary/rule-can-approve-cert-signing-request/clusterrole-rolebinding RoleBinding/pod",
        CSR_WITHOUT_SIGNER,
    ),
    (
        "kubescape-regolibrary/rule-can-approve-cert-signing-request/role-rolebinding Role/test",
        ROLE_CANNOT_GRANT_CLUSTER_SCOPED,
    ),
    (
        "kubescape-regolibrary/rule-can-approve-cert-signing-request/role-rolebinding RoleBinding/pod",
        ROLE_CANNOT_GRANT_CLUSTER_SCOPED,
    ),
    (
        "kubescape-regolibrary/internal-networking/namespace-ccnp-match-expressions-selective-failed Namespace/test",
        NO_WORKLOADS_IN_NAMESPACE,
    ),
    (
        "kubescape-regolibrary/internal-networking/namespace-failed Namespace/test",
        NO_WORKLOADS_IN_NAMESPACE,
    ),
];

// Reasons shared by the cross-resource disagreements.

const MISSING_ROLE: &str = "the binding's `roleRef` names a role that is not in the file, so \
     what it grants (exec/attach or not) is unknown; Polaris fails it, RBAC005 judges what a \
     role in the scan allows, and a binding to a missing role is RBAC011's (with `--complete`)";

const ROLE_CANNOT_GRANT_CLUSTER_SCOPED: &str = "a namespaced Role granting a cluster-scoped \
     resource (`nodes/proxy`, `certificatesigningrequests/approval`): a Role's rules only \
     apply in its namespace, so Kubernetes grants nothing on nodes or CSRs through it; RBAC006 \
     and RBAC012 only judge ClusterRoles there";

const CSR_WITHOUT_SIGNER: &str = "`update` on `certificatesigningrequests/approval` without \
     `approve` on `signers`: the API server refuses the approval, so RBAC012 needs both \
     (RULES.md, as checkov's CKV_K8S_156); kubescape asks for the approval subresource only";

const NO_WORKLOADS_IN_NAMESPACE: &str = "the namespace holds no workload in the fixture (only \
     the Namespace and a policy elsewhere or a Cilium policy): NET001 judges namespaces with \
     workloads, since a namespace without pods has nothing to isolate yet";

const ONLY_SHA256: &str = "IMG002 counts only a `sha256` digest as pinned (RULES.md); kubescape \
     accepts any well-formed digest algorithm (blake3, sha512, custom)";

const INVALID_DIGEST: &str = "an invalid digest (`sha256:123456`, `custom-algorithm:a`: a \
     sha256 digest takes exactly 64 lowercase hex digits, any digest at least 32) pins \
     nothing, and the kubelet refuses the image (InvalidImageName); IMG002 fires and says what \
     is wrong with the digest, the peer counts it as pinned (checkov any `@` part, kubescape \
     a digest whose algorithm it does not validate)";

/// Disagreements that are bugs (or gaps) in our rules, kept here so the test passes while the
/// rule's owner fixes it. Listed separately from [`DISAGREEMENTS`] so nobody mistakes them for
/// decisions; each fails the test once fixed, as a reminder to remove it.
const KNOWN_BUGS: &[(&str, &str)] = &[];

/// Fixture files that are expected not to load (beyond what the peer meant to test).
const EXPECTED_LOAD_ERRORS: &[(&str, &str)] = &[];

// ---------------------------------------------------------------------------------------------

fn peers_dir() -> Option<PathBuf> {
    aksguard_testkit::shared_path("corpus/peers")
}

/// One comparison: a fixture file (or one object of it) and the peer's verdict on it.
struct Case {
    key: String,
    /// A file-level case whose file did not load cleanly: not compared.
    load_failed: bool,
    /// `None`: the peer gives no verdict (checkov UNKNOWN).
    peer_fails: Option<bool>,
    /// Indexes into the loaded objects: the objects the peer's verdict is about.
    objects: Vec<usize>,
    /// The objects our rules see (the case's file, or all input files of a kubescape test
    /// case), a superset of `objects`.
    scope: Vec<usize>,
    /// Settings translated from the peer's configuration for this case, if any.
    settings: Option<RuleSettings>,
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Agree,
    Deliberate,
    /// A disagreement caused by a bug in our rule, listed in [`KNOWN_BUGS`].
    KnownBug,
    Unexpected,
    /// A peer pass under [`Relation::PeerNarrower`], a peer failure under
    /// [`Relation::PeerBroader`], or no peer verdict.
    NotCompared,
    Pending,
}

/// Everything loaded for one mapped check.
#[derive(Default)]
struct Loaded {
    objects: Vec<Object>,
    /// (file key, message)
    errors: Vec<(String, String)>,
    /// Cases or files that could not be turned into a comparison, with why.
    skipped: Vec<String>,
    /// Adjustments to a peer's verdict, with why.
    notes: Vec<String>,
}

impl Loaded {
    /// Loads one file; returns the indexes of its objects and whether it had load errors.
    fn file(&mut self, root: &Path, path: &Path) -> (Vec<usize>, bool) {
        let key = relative(root, path);
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                self.errors.push((key, format!(" cannot read: {e}")));
                return (Vec::new(), true);
            }
        };
        let (objects, errors) = load_text(&key, &text, &Limits::default());
        let had_errors = !errors.is_empty();
        for error in errors {
            let at = error.line.map_or(String::new(), |l| format!(":{l}"));
            self.errors
                .push((key.clone(), format!("{at} {}", error.message)));
        }
        let start = self.objects.len();
        self.objects.extend(objects);
        ((start..self.objects.len()).collect(), had_errors)
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    entries
}

fn object_id(object: &Object) -> String {
    format!(
        "{}/{}",
        object.kind,
        object.name.as_deref().unwrap_or("<unnamed>")
    )
}

/// One case per object of a kube-linter fixture, named `<file> Kind/name` (with ` #n` for the
/// n-th object of a repeated `Kind/name`); `fails` gets that `Kind/name[ #n]`.
fn object_cases(
    loaded: &Loaded,
    file_key: &str,
    indexes: &[usize],
    scope: &[usize],
    fails: impl Fn(&str) -> bool,
) -> Vec<Case> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut cases = Vec::new();
    for &i in indexes {
        let object = &loaded.objects[i];
        let id = object_id(object);
        let n = seen.entry(id.clone()).or_default();
        *n += 1;
        let id = if *n == 1 { id } else { format!("{id} #{n}") };
        cases.push(Case {
            key: format!("{file_key} {id}"),
            load_failed: false,
            peer_fails: Some(fails(&id)),
            objects: vec![i],
            scope: scope.to_vec(),
            settings: None,
        });
    }
    cases
}

fn polaris_cases(root: &Path, mapping: &Mapping, loaded: &mut Loaded) -> Vec<Case> {
    let dir = root.join("polaris").join(mapping.check);
    let mut cases = Vec::new();
    for path in sorted_entries(&dir) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let peer_fails = if name.starts_with("failure") {
            true
        } else if name.starts_with("success") {
            false
        } else {
            // `mutated.*` is the expected output of Polaris's fix, not a verdict.
            continue;
        };
        let (objects, load_failed) = loaded.file(root, &path);
        cases.push(Case {
            key: relative(root, &path),
            load_failed,
            peer_fails: Some(peer_fails),
            scope: objects.clone(),
            objects,
            settings: None,
        });
    }
    cases
}

fn kube_linter_cases(root: &Path, mapping: &Mapping, loaded: &mut Loaded) -> Vec<Case> {
    // `<check>.yml`, a few `<check>.yaml`.
    let path = ["yml", "yaml"]
        .iter()
        .map(|ext| {
            root.join("kube-linter")
                .join(format!("{}.{ext}", mapping.check))
        })
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("kube-linter/{}.yml not found", mapping.check));
    let Some((_, flagged)) = KUBE_LINTER_FLAGGED
        .iter()
        .find(|(c, _)| *c == mapping.check)
    else {
        panic!(
            "kube-linter check {} has no KUBE_LINTER_FLAGGED entry",
            mapping.check
        );
    };
    for id in *flagged {
        assert!(
            !id.ends_with("/dont-fire"),
            "KUBE_LINTER_FLAGGED lists {id} for {}",
            mapping.check
        );
    }
    let (indexes, _) = loaded.file(root, &path);
    let found: BTreeSet<String> = indexes
        .iter()
        .map(|&i| object_id(&loaded.objects[i]))
        .collect();
    for id in *flagged {
        let plain = id.split(" #").next().unwrap_or(id);
        assert!(
            found.contains(plain),
            "KUBE_LINTER_FLAGGED lists {id} for {}, which is not in its fixture",
            mapping.check
        );
    }
    let key = relative(root, &path);
    // Objects of kinds the check does not judge are no cases (unless flagged, which the
    // assertion below rules out), but the rules still see them.
    let judged: Vec<usize> = indexes
        .iter()
        .copied()
        .filter(|&i| {
            let object = &loaded.objects[i];
            mapping
                .kinds
                .is_none_or(|kinds| kinds.contains(&object.kind.as_str()))
        })
        .collect();
    for id in *flagged {
        let plain = id.split(" #").next().unwrap_or(id);
        assert!(
            judged
                .iter()
                .any(|&i| object_id(&loaded.objects[i]) == plain),
            "KUBE_LINTER_FLAGGED lists {id} for {}, a kind the mapping does not judge",
            mapping.check
        );
    }
    object_cases(loaded, &key, &judged, &indexes, |id| flagged.contains(&id))
}

fn checkov_cases(
    root: &Path,
    mapping: &Mapping,
    expected: &Value,
    loaded: &mut Loaded,
) -> Vec<Case> {
    let dir = root.join("checkov/kubernetes").join(mapping.check);
    let Some(files) = expected[mapping.check]["files"].as_object() else {
        loaded.skipped.push(format!(
            "checkov/kubernetes/{}: not in expected.json",
            mapping.check
        ));
        return Vec::new();
    };
    let mut cases = Vec::new();
    for path in sorted_entries(&dir) {
        let key = relative(root, &path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let peer_fails = match files.get(name.as_ref()).and_then(Value::as_str) {
            Some("FAILED") => Some(true),
            Some("PASSED") => Some(false),
            Some(_) => None,
            None => {
                loaded
                    .skipped
                    .push(format!("{key}: no verdict in expected.json"));
                continue;
            }
        };
        let peer_fails = match CHECKOV_VERDICT_OVERRIDES.iter().find(|(k, _, _)| *k == key) {
            Some((_, fails, why)) => {
                let verdict = if *fails { "FAILED" } else { "PASSED" };
                loaded
                    .notes
                    .push(format!("{key}: taken as {verdict}: {why}"));
                Some(*fails)
            }
            None => peer_fails,
        };
        let (objects, load_failed) = loaded.file(root, &path);
        cases.push(Case {
            key,
            load_failed,
            peer_fails,
            scope: objects.clone(),
            objects,
            settings: None,
        });
    }
    cases
}

/// Objects our mapped rules could judge: pod templates, workloads, ConfigMaps and Secrets.
/// Others loaded alongside (ServiceAccounts, RoleBindings) are compared only if the peer
/// flags them.
fn in_scope(object: &Object) -> bool {
    PodSpecView::of(object).is_some()
        || WORKLOAD_KINDS.contains(&object.kind.as_str())
        || matches!(object.kind.as_str(), "ConfigMap" | "Secret")
}

/// The objects (`Kind/name`, optional namespace) a kubescape `expected.json` reports: its
/// `k8sApiObjects`, and for an alert on a subject (`externalObjects`: a User, Group or
/// ServiceAccount, as the RBAC rules report) the `relatedObjects` through which it holds the
/// permission, i.e. the binding and the role. Both count as flagged, since our RBAC rules
/// report some things on the role and others on the binding (see [`related_objects`]).
fn kubescape_flagged(expected: &Value) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for alert in expected.as_array().map(Vec::as_slice).unwrap_or_default() {
        let objects = alert["alertObject"]["k8sApiObjects"].as_array();
        let related = alert["alertObject"]["externalObjects"]["relatedObjects"].as_array();
        let objects = objects.into_iter().chain(related).flatten();
        for object in objects {
            let id = format!(
                "{}/{}",
                object["kind"].as_str().unwrap_or_default(),
                object["metadata"]["name"].as_str().unwrap_or_default()
            );
            let namespace = object["metadata"]["namespace"].as_str().map(str::to_owned);
            out.push((id, namespace));
        }
    }
    out
}

/// Our settings for a kubescape test case whose `data.json` configures a registry allow-list
/// (`container-image-repository`): each entry is a registry domain suffix to kubescape, so it
/// becomes the domain itself and `*.` + domain for IMG003.
fn kubescape_settings(case_dir: &Path) -> Option<RuleSettings> {
    let text = std::fs::read_to_string(case_dir.join("data.json")).ok()?;
    let data: Value = serde_json::from_str(&text).ok()?;
    let list = data["postureControlInputs"]["imageRepositoryAllowList"].as_array()?;
    let mut allowed_registries = Vec::new();
    for entry in list.iter().filter_map(Value::as_str) {
        allowed_registries.push(entry.to_owned());
        allowed_registries.push(format!("*.{entry}"));
    }
    Some(RuleSettings {
        allowed_registries,
        ..RuleSettings::default()
    })
}

/// One case per `Kind/name` in a kubescape test case's `input/` files, named
/// `<rule>/<case> Kind/name`. `expected.json` names objects by kind and name only (rarely with
/// a namespace), so objects sharing both form one case, failing on our side when any of them
/// fires.
fn kubescape_cases(root: &Path, mapping: &Mapping, loaded: &mut Loaded) -> Vec<Case> {
    let dir = root.join("kubescape-regolibrary").join(mapping.check);
    let mut cases = Vec::new();
    for case_dir in sorted_entries(&dir).into_iter().filter(|p| p.is_dir()) {
        let case_key = relative(root, &case_dir);
        let input = case_dir.join("input");
        if !input.is_dir() {
            loaded.skipped.push(format!(
                "{case_key}: no input/ folder (kubescape's runner reads only input/)"
            ));
            continue;
        }
        let expected: Value = match std::fs::read_to_string(case_dir.join("expected.json"))
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                loaded
                    .skipped
                    .push(format!("{case_key}/expected.json: cannot read: {e}"));
                continue;
            }
        };
        let flagged = kubescape_flagged(&expected);
        let settings = kubescape_settings(&case_dir);
        // Objects grouped by Kind/name, in file order. Rules see every input file of the
        // test case: kubescape evaluates them together (a binding in one file, its role in
        // another).
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        let mut scope: Vec<usize> = Vec::new();
        for path in sorted_entries(&input) {
            let (indexes, _) = loaded.file(root, &path);
            scope.extend(&indexes);
            for i in indexes {
                let id = object_id(&loaded.objects[i]);
                match groups.iter_mut().find(|(g, _)| *g == id) {
                    Some((_, members)) => members.push(i),
                    None => groups.push((id, vec![i])),
                }
            }
        }
        for (id, namespace) in &flagged {
            let present = groups.iter().any(|(g, members)| {
                g == id
                    && members
                        .iter()
                        .any(|&i| namespace.is_none() || loaded.objects[i].namespace == *namespace)
            });
            if !present {
                loaded.skipped.push(format!(
                    "{case_key}: expected.json flags {id}, which no input file holds"
                ));
            }
        }
        for (id, members) in groups {
            let peer_fails = flagged.iter().any(|(f, namespace)| {
                *f == id
                    && members
                        .iter()
                        .any(|&i| namespace.is_none() || loaded.objects[i].namespace == *namespace)
            });
            let judged = members.iter().any(|&i| {
                let object = &loaded.objects[i];
                match mapping.kinds {
                    Some(kinds) => kinds.contains(&object.kind.as_str()),
                    None => in_scope(object),
                }
            });
            if !peer_fails && !judged {
                continue;
            }
            cases.push(Case {
                key: format!("{case_key} {id}"),
                load_failed: false,
                peer_fails: Some(peer_fails),
                objects: members,
                scope: scope.clone(),
                settings: settings.clone(),
            });
        }
    }
    cases
}

/// The object of `scope` a finding is on: same reference and file and, when a file repeats
/// an object (two `Role/role1` in kube-linter's `wildcard-in-rules.yml`), the last one that
/// starts at or before the finding's line.
fn finding_owner(finding: &Finding, scope: &[usize], loaded: &Loaded) -> Option<usize> {
    let candidates: Vec<usize> = scope
        .iter()
        .copied()
        .filter(|&i| {
            let object = &loaded.objects[i];
            finding.object == object_ref(object) && finding.location.path == object.source.path
        })
        .collect();
    candidates
        .iter()
        .copied()
        .filter(|&i| loaded.objects[i].root.pos.line <= finding.location.line)
        .max_by_key(|&i| loaded.objects[i].root.pos.line)
        .or_else(|| candidates.first().copied())
}

/// Kinds that live outside namespaces: namespace-level findings never count for them.
const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "PersistentVolume",
    "StorageClass",
    "IngressClass",
    "PriorityClass",
    "CiliumClusterwideNetworkPolicy",
];

/// The objects whose findings count for a case: its own (`None`), and their RBAC
/// counterparts (`Some("Role/name")`, ...). Our rules about what a role allows report on the
/// Role/ClusterRole, and rules about who is bound report on the binding (RULES.md), while a
/// peer may flag either or both (kube-linter flags the binding for a role that reads Secrets,
/// kubescape both for a subject). Decision: a finding on a role counts for every binding
/// (in the scope) that refers to it, and a finding on a binding counts for the role it refers
/// to; either way the subjects of that binding hold what the finding is about. Returned as
/// indexes into the loaded objects (the inventory holds `case.scope` in order).
fn related_objects(case: &Case, inventory: &Inventory) -> Vec<(usize, Option<String>)> {
    let graph = inventory.rbac();
    let objects = inventory.objects();
    let loaded_index = |position: usize| case.scope[position];
    let mut related: Vec<(usize, Option<String>)> =
        case.objects.iter().map(|&i| (i, None)).collect();
    for &i in &case.objects {
        let Some(position) = case.scope.iter().position(|&s| s == i) else {
            continue;
        };
        let mut add = |position: usize| {
            let index = loaded_index(position);
            if !related.iter().any(|(r, _)| *r == index) {
                related.push((index, Some(object_id(&objects[position]))));
            }
        };
        for binding in graph.bindings.iter().filter(|b| b.object == position) {
            if let Some(role) = graph.role_of(binding) {
                add(role.object);
            }
        }
        for role in graph.roles.iter().filter(|r| r.object == position) {
            for binding in graph.bindings_of(role) {
                add(binding.object);
            }
        }
    }
    related
}

/// `Some("Namespace/shop")` when `finding` is a namespace-level finding (NET001–003, NS003
/// report on `Namespace/<name>`, placed at the Namespace manifest or the namespace's first
/// object) about the namespace `object` lives in. Decision: such a finding counts for every
/// namespaced object of that namespace (the peers flag the workloads it leaves exposed, or
/// the Namespace), including the unspecified namespace of objects without
/// metadata.namespace; not for cluster-scoped objects.
fn namespace_finding_for(finding: &Finding, object: &Object) -> Option<String> {
    if finding.object.kind != "Namespace" || finding.object.namespace.is_some() {
        return None;
    }
    let namespace = if object.kind == "Namespace" {
        object.name.clone()?
    } else if CLUSTER_SCOPED_KINDS.contains(&object.kind.as_str()) {
        return None;
    } else {
        object
            .namespace
            .clone()
            .unwrap_or_else(|| UNSPECIFIED_NAMESPACE.to_owned())
    };
    let unspecified = |name: &str| name == UNSPECIFIED_NAMESPACE || name == "(unspecified)";
    let same = finding.object.name == namespace
        || (unspecified(&finding.object.name) && unspecified(&namespace));
    same.then(|| format!("Namespace/{}", finding.object.name))
}

struct Verdict {
    case: Case,
    ours: bool,
    outcome: Outcome,
    /// Our findings for the case, for the printout.
    evidence: Vec<String>,
    pending: Vec<&'static str>,
}

fn judge(case: Case, mapping: &Mapping, loaded: &Loaded) -> Verdict {
    let rules: Vec<&'static Rule> = mapping
        .rules
        .iter()
        .filter_map(|id| find_rule(id))
        .collect();
    let pending: Vec<&'static str> = mapping
        .rules
        .iter()
        .copied()
        .filter(|id| find_rule(id).is_none())
        .collect();
    // Rules see every object of the case's scope (a ServiceAccount beside its pod, a role
    // beside its binding), and the verdict counts only findings on the case's own objects and
    // their counterparts (see `related_objects` and `namespace_finding_for`).
    let inventory = Inventory::new(
        case.scope
            .iter()
            .map(|&i| loaded.objects[i].clone())
            .collect(),
    );
    let mut settings = case.settings.clone().unwrap_or_default();
    settings.complete |= mapping.complete;
    let findings = evaluate(&inventory, &rules, &settings, Severity::Info);
    let related = related_objects(&case, &inventory);
    let mut evidence = Vec::new();
    for f in &findings {
        let owner = finding_owner(f, &case.scope, loaded);
        let on = related.iter().find(|(i, _)| Some(*i) == owner);
        let via = match on {
            Some((_, None)) => String::new(),
            Some((_, Some(via))) => format!(" [on its {via}]"),
            None => match case
                .objects
                .iter()
                .find_map(|&i| namespace_finding_for(f, &loaded.objects[i]))
            {
                Some(via) => format!(" [on its {via}]"),
                None => continue,
            },
        };
        evidence.push(format!(
            "{} {}:{} {} {}{via}",
            f.rule_id,
            f.location.line,
            f.object.name,
            f.container.as_deref().unwrap_or("-"),
            f.message
        ));
    }
    let ours = !evidence.is_empty();
    let listed = DISAGREEMENTS.iter().any(|(k, _)| *k == case.key);
    let known_bug = KNOWN_BUGS.iter().any(|(k, _)| *k == case.key);
    let outcome = if !pending.is_empty() {
        Outcome::Pending
    } else {
        match case.peer_fails {
            _ if case.load_failed => Outcome::NotCompared,
            None => Outcome::NotCompared,
            Some(false) if mapping.relation == Relation::PeerNarrower => Outcome::NotCompared,
            Some(true) if mapping.relation == Relation::PeerBroader => Outcome::NotCompared,
            Some(peer) if peer == ours => Outcome::Agree,
            Some(_) if known_bug => Outcome::KnownBug,
            Some(_) if listed => Outcome::Deliberate,
            Some(_) => Outcome::Unexpected,
        }
    };
    Verdict {
        case,
        ours,
        outcome,
        evidence,
        pending,
    }
}

#[derive(Default)]
struct Tally {
    agree: usize,
    deliberate: usize,
    known_bug: usize,
    unexpected: usize,
    not_compared: usize,
    pending: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Agree => self.agree += 1,
            Outcome::Deliberate => self.deliberate += 1,
            Outcome::KnownBug => self.known_bug += 1,
            Outcome::Unexpected => self.unexpected += 1,
            Outcome::NotCompared => self.not_compared += 1,
            Outcome::Pending => self.pending += 1,
        }
    }

    fn compared(&self) -> usize {
        self.agree + self.deliberate + self.known_bug + self.unexpected
    }

    fn line(&self, name: &str) -> String {
        let rate = if self.compared() == 0 {
            "   n/a".to_owned()
        } else {
            format!(
                "{:5.1}%",
                100.0 * self.agree as f64 / self.compared() as f64
            )
        };
        format!(
            "{name:<22} {rate}  agree {:>3} / {:>3} compared; deliberate {:>3}, our bugs {:>3}, \
             unexpected {:>3}, not compared {:>3}, pending {:>3}",
            self.agree,
            self.compared(),
            self.deliberate,
            self.known_bug,
            self.unexpected,
            self.not_compared,
            self.pending
        )
    }
}

#[test]
fn our_rules_agree_with_peer_fixtures() {
    let Some(root) = peers_dir() else {
        return;
    };
    let checkov_expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("checkov/kubernetes/expected.json"))
            .expect("checkov/kubernetes/expected.json"),
    )
    .expect("checkov expected.json is JSON");

    eprintln!("Declared peer checks not compared:");
    let (mappings, mut problems) = mappings(&root, &checkov_expected);
    let mut verdicts: Vec<(usize, Verdict)> = Vec::new();
    let mut load_errors: Vec<(String, String)> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    eprintln!(
        "\nComparisons (peer fixtures [peer checks] -> our rules, from the rules' declarations):"
    );
    for (m, mapping) in mappings.iter().enumerate() {
        let status: Vec<String> = mapping
            .rules
            .iter()
            .map(|id| match find_rule(id) {
                Some(_) => (*id).to_owned(),
                None => format!("{id} (pending: not registered yet)"),
            })
            .collect();
        let relation = match mapping.relation {
            Relation::Same => "",
            Relation::PeerNarrower => "  [peer narrower: only its failures compared]",
            Relation::PeerBroader => "  [peer broader: only its passes compared]",
        };
        let checks = if mapping.peer_checks == [mapping.check] {
            String::new()
        } else {
            format!(" [{}]", mapping.peer_checks.join(", "))
        };
        eprintln!(
            "  {:<12} {:<42} -> {}{relation}",
            dir(mapping.peer),
            format!("{}{checks}", mapping.check),
            status.join(", ")
        );

        let mut loaded = Loaded::default();
        let cases = match mapping.peer {
            PeerTool::Polaris => polaris_cases(&root, mapping, &mut loaded),
            PeerTool::KubeLinter => kube_linter_cases(&root, mapping, &mut loaded),
            PeerTool::Checkov => checkov_cases(&root, mapping, &checkov_expected, &mut loaded),
            PeerTool::Kubescape => kubescape_cases(&root, mapping, &mut loaded),
            PeerTool::Trivy => Vec::new(),
        };
        if cases.is_empty() {
            problems.push(format!(
                "{} {}: no fixtures found",
                dir(mapping.peer),
                mapping.check
            ));
        }
        for case in cases {
            verdicts.push((m, judge(case, mapping, &loaded)));
        }
        load_errors.append(&mut loaded.errors);
        skipped.append(&mut loaded.skipped);
        notes.append(&mut loaded.notes);
    }

    // Load errors: reported always; unexpected ones fail the test.
    load_errors.sort();
    load_errors.dedup();
    if !load_errors.is_empty() {
        eprintln!("\nFixture files that did not load cleanly:");
    }
    for (file, message) in &load_errors {
        let expected = EXPECTED_LOAD_ERRORS.iter().find(|(f, _)| f == file);
        eprintln!(
            "  {file}{message}{}",
            expected.map_or(String::new(), |(_, why)| format!("  (expected: {why})"))
        );
        if expected.is_none() {
            problems.push(format!("unexpected load error: {file}{message}"));
        }
    }
    for (file, _) in EXPECTED_LOAD_ERRORS {
        if !load_errors.iter().any(|(f, _)| f == file) {
            problems.push(format!(
                "EXPECTED_LOAD_ERRORS lists {file}, which now loads (or is not used)"
            ));
        }
    }
    if !notes.is_empty() {
        eprintln!("\nPeer verdicts overridden:");
        for note in &notes {
            eprintln!("  {note}");
        }
    }
    skipped.sort();
    skipped.dedup();
    if !skipped.is_empty() {
        eprintln!("\nFixtures not compared:");
        for s in &skipped {
            eprintln!("  {s}");
        }
    }

    // With PEER_AGREEMENT_ALL set, every case and its outcome (to review agreements too).
    if std::env::var_os("PEER_AGREEMENT_ALL").is_some() {
        eprintln!("\nEvery case:");
        for (m, v) in &verdicts {
            let mapping = &mappings[*m];
            let peer = match v.case.peer_fails {
                Some(true) => "fails",
                Some(false) => "passes",
                None => "no verdict",
            };
            eprintln!(
                "  {:?} {} ({} -> {}): peer {peer}, ours {}",
                v.outcome,
                v.case.key,
                mapping.check,
                mapping.rules.join("+"),
                if v.ours { "fires" } else { "does not fire" }
            );
            for e in &v.evidence {
                eprintln!("      {e}");
            }
        }
    }

    // Every disagreement, listed or not, with our findings as evidence.
    eprintln!("\nDisagreements:");
    for (m, v) in &verdicts {
        if !matches!(
            v.outcome,
            Outcome::Deliberate | Outcome::KnownBug | Outcome::Unexpected
        ) {
            continue;
        }
        let mapping = &mappings[*m];
        let peer_says = if v.case.peer_fails == Some(true) {
            "fails"
        } else {
            "passes"
        };
        let ours = if v.ours { "fires" } else { "does not fire" };
        let tag = match v.outcome {
            Outcome::Deliberate => "deliberate",
            Outcome::KnownBug => "our bug",
            _ => "UNEXPECTED",
        };
        eprintln!(
            "  [{tag}] {} ({} -> {}): peer {peer_says}, ours {ours}",
            v.case.key,
            mapping.check,
            mapping.rules.join("+")
        );
        let reason = DISAGREEMENTS
            .iter()
            .chain(KNOWN_BUGS)
            .find(|(k, _)| *k == v.case.key);
        if let Some((_, why)) = reason {
            eprintln!("      reason: {why}");
        }
        for e in &v.evidence {
            eprintln!("      {e}");
        }
        if v.outcome == Outcome::Unexpected {
            problems.push(format!(
                "{} ({}: {} -> {}): peer {peer_says}, our rule {ours}; fix the rule or list it \
                 in DISAGREEMENTS (or KNOWN_BUGS) with the reason",
                v.case.key,
                dir(mapping.peer),
                mapping.check,
                mapping.rules.join("+")
            ));
        }
    }

    // The disagreement list must stay true: every entry names a case that still disagrees.
    let lists = [("DISAGREEMENTS", DISAGREEMENTS), ("KNOWN_BUGS", KNOWN_BUGS)];
    for (list, entries) in lists {
        for (key, _) in entries {
            match verdicts.iter().find(|(_, v)| v.case.key == *key) {
                None => problems.push(format!("{list} lists {key}, which is no case")),
                Some((_, v)) if v.outcome == Outcome::Agree => problems.push(format!(
                    "{list} lists {key}, which now agrees with the peer: remove it"
                )),
                Some((_, v)) if v.outcome == Outcome::NotCompared => problems.push(format!(
                    "{list} lists {key}, which is not compared (a peer pass under a narrower \
                     mapping, no peer verdict, or a file that does not load)"
                )),
                Some(_) => {}
            }
        }
    }
    for (key, _) in DISAGREEMENTS {
        if KNOWN_BUGS.iter().any(|(k, _)| k == key) {
            problems.push(format!("{key} is in both DISAGREEMENTS and KNOWN_BUGS"));
        }
    }
    for (key, _, _) in CHECKOV_VERDICT_OVERRIDES {
        if !verdicts.iter().any(|(_, v)| v.case.key == *key) {
            problems.push(format!(
                "CHECKOV_VERDICT_OVERRIDES lists {key}, which is no case"
            ));
        }
    }

    let mut pending: BTreeSet<&str> = BTreeSet::new();
    for (_, v) in &verdicts {
        pending.extend(v.pending.iter().copied());
    }
    if !pending.is_empty() {
        eprintln!(
            "\npending (rules not registered yet; their cases are not compared): {}",
            pending.into_iter().collect::<Vec<_>>().join(", ")
        );
    }

    eprintln!("\nAgreement (agree / compared; deliberate disagreements count against):");
    let mut overall = Tally::default();
    for peer in PeerTool::ALL {
        let mut tally = Tally::default();
        for (m, v) in &verdicts {
            if mappings[*m].peer == peer {
                tally.add(&v.outcome);
                overall.add(&v.outcome);
            }
        }
        eprintln!("  {}", tally.line(dir(peer)));
    }
    eprintln!("  {}", overall.line("overall"));
    // The same by rule family: the workload families first mapped, then the cross-resource
    // ones (RBAC, NET, NS/IDN/REL) and those together.
    let mut groups: Vec<(&str, &[&str])> = FAMILIES
        .iter()
        .map(|family| (*family, std::slice::from_ref(family)))
        .collect();
    groups.push(("RBAC+NET+NS/IDN/REL", &FAMILIES[1..]));
    for (name, families) in &groups {
        eprintln!("\nAgreement for {name} rules:");
        let mut total = Tally::default();
        for peer in PeerTool::ALL {
            let mut tally = Tally::default();
            for (m, v) in &verdicts {
                let mapping = &mappings[*m];
                if mapping.peer == peer && families.contains(&mapping.family()) {
                    tally.add(&v.outcome);
                    total.add(&v.outcome);
                }
            }
            eprintln!("  {}", tally.line(dir(peer)));
        }
        eprintln!("  {}", total.line("overall"));
    }

    // The target: the checks declared as the same meaning agree with each peer.
    eprintln!(
        "\nAgreement on comparisons of the same meaning (target {:.0}%):",
        MIN_SAME_AGREEMENT * 100.0
    );
    for peer in PeerTool::ALL {
        let mut tally = Tally::default();
        for (m, v) in &verdicts {
            let mapping = &mappings[*m];
            if mapping.peer == peer && mapping.relation == Relation::Same {
                tally.add(&v.outcome);
            }
        }
        eprintln!("  {}", tally.line(dir(peer)));
        let compared = tally.compared();
        let below = compared > 0 && (tally.agree as f64) < MIN_SAME_AGREEMENT * compared as f64;
        let shortfall = SAME_AGREEMENT_SHORTFALLS
            .iter()
            .find(|(name, _)| *name == peer.name());
        match (below, shortfall) {
            (true, None) => problems.push(format!(
                "{}: the checks declared as the same meaning agree on {} of {compared} \
                 compared cases, below {MIN_SAME_AGREEMENT}: a declaration is wrong or a rule is",
                peer.name(),
                tally.agree
            )),
            (true, Some((_, why))) => eprintln!("      below the target: {why}"),
            (false, Some(_)) => problems.push(format!(
                "SAME_AGREEMENT_SHORTFALLS lists {}, which reaches the target: remove it",
                peer.name()
            )),
            (false, None) => {}
        }
    }

    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
