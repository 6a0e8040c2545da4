//! Agreement with peer scanners on their own test fixtures (`../shared/corpus/peers`, next to
//! the workspace): Polaris, kube-linter, checkov and kubescape's regolibrary.
//!
//! [`MAPPINGS`] pairs each peer check that means the same as one of our rules with that rule.
//! For every fixture of a mapped check we compare the peer's verdict with whether our rule
//! fires, per file where the peer judges files (Polaris, checkov) and per object where it names
//! objects (kube-linter, kubescape). Every difference must be listed, with its reason, in
//! [`DISAGREEMENTS`] (a decision) or [`KNOWN_BUGS`] (our rule is wrong and should be fixed), so
//! a behaviour change in a rule fails here until someone decides whether the rule or the list
//! is wrong; an entry that no longer disagrees fails too. A mapped rule that is not registered
//! yet is reported as pending, not compared. Run with `--nocapture` for the mapping, every
//! disagreement with our findings, and the agreement rate per peer and per rule family; set
//! `PEER_AGREEMENT_ALL=1` as well to print every case, agreements included.
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
use aksguard_rules::{Rule, RuleSettings, find_rule, object_ref};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Peer {
    Polaris,
    KubeLinter,
    Checkov,
    Kubescape,
}

impl Peer {
    const ALL: [Peer; 4] = [
        Peer::Polaris,
        Peer::KubeLinter,
        Peer::Checkov,
        Peer::Kubescape,
    ];

    /// Its folder under `corpus/peers/`.
    fn dir(self) -> &'static str {
        match self {
            Peer::Polaris => "polaris",
            Peer::KubeLinter => "kube-linter",
            Peer::Checkov => "checkov",
            Peer::Kubescape => "kubescape-regolibrary",
        }
    }
}

/// How the peer check's meaning relates to our rule's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    /// Same meaning: the peer fails ⇔ our rule fires.
    Same,
    /// The peer checks one part of what our rule checks (our rule is the union of several peer
    /// checks, e.g. POD015 = CPU request + memory request + memory limit; or the peer flags
    /// only some hostPaths). Only the peer's failures are compared (each must make our rule
    /// fire); its passes say nothing about the other parts of our rule.
    PeerNarrower,
}

struct Mapping {
    peer: Peer,
    /// Polaris check ID, kube-linter check name, checkov folder, kubescape rule folder.
    check: &'static str,
    rules: &'static [&'static str],
    relation: Relation,
    /// The kinds the peer check judges, where the peer names objects (kube-linter,
    /// kubescape): only objects of these kinds (and any object the peer flags) become cases.
    /// `None`: every object of a kube-linter fixture, and [`in_scope`] objects for kubescape.
    kinds: Option<&'static [&'static str]>,
    /// Run our rules as with `--complete`: the peer check (dangling references, missing
    /// ServiceAccounts) takes the fixture to be the whole cluster state, so do our rules that
    /// only conclude from an absence with `--complete` (RBAC011, IDN004, REL004, REL006,
    /// REL007's dangling references).
    complete: bool,
}

const fn same(peer: Peer, check: &'static str, rules: &'static [&'static str]) -> Mapping {
    Mapping {
        peer,
        check,
        rules,
        relation: Relation::Same,
        kinds: None,
        complete: false,
    }
}

const fn narrower(peer: Peer, check: &'static str, rules: &'static [&'static str]) -> Mapping {
    Mapping {
        relation: Relation::PeerNarrower,
        ..same(peer, check, rules)
    }
}

impl Mapping {
    /// Judges only objects of `kinds` (see [`Mapping::kinds`]).
    const fn judging(self, kinds: &'static [&'static str]) -> Mapping {
        Mapping {
            kinds: Some(kinds),
            ..self
        }
    }

    /// Compares with our rules run as with `--complete` (see [`Mapping::complete`]).
    const fn complete(self) -> Mapping {
        Mapping {
            complete: true,
            ..self
        }
    }

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

/// Kinds judged by RBAC checks: the peers flag the role, the binding or both.
const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
const BINDING_KINDS: &[&str] = &["RoleBinding", "ClusterRoleBinding"];
const ROLE_KINDS: &[&str] = &["Role", "ClusterRole"];

use Peer::{Checkov, KubeLinter, Kubescape, Polaris};

/// Peer check → our rule(s). A case fails on our side when any of the rules fires.
///
/// Deliberately not mapped (no rule of ours means the same): Polaris `cpuLimitsMissing`,
/// kube-linter `unset-cpu-requirements`, kubescape `resources-cpu-limits` and checkov
/// `Requests_Limits` (CPU limits, which POD015 does not require); Polaris
/// `insecureCapabilities` (drop ALL or a fixed list: neither POD008 nor POD027); Polaris
/// `linuxHardening` (any one of several hardenings); kubescape `set-seLinuxOptions` (requires
/// SELinux options, while POD018 forbids unsafe ones); kubescape
/// `set-seccomp-profile-RuntimeDefault` (requires `RuntimeDefault`; POD011 also accepts a
/// `Localhost` profile, as PSS restricted does); kubescape `automount-default-service-account`
/// (judges the ServiceAccount); kubescape `rule-identify-blocklisted-image-registries` (a
/// block-list, IMG003 is an allow-list); checkov `RootContainersHighUID` (UID ≥ 10000
/// required; POD025 only flags 1–9999 and POD006 root); checkov `SecurityContexts` (any
/// securityContext present); kubescape `resources-*-limit-and-request` (configured value
/// ranges); every PSP and control-plane check; and, among the cross-resource checks:
/// Polaris `missingNetworkPolicy` (wants a selecting policy with both Ingress and Egress
/// types and rules: more than NET004's "selected by some policy", unrelated to NET001/002's
/// namespace-wide default deny); Polaris `missingPodDisruptionBudget` (every Deployment,
/// whatever its replicas: REL004 only judges workloads with 2+ replicas, and every Polaris
/// failure fixture has one replica); Polaris `nakedPod` (its fixtures exercise a custom check,
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
/// non-workload kinds (POD021 judges workloads only); checkov `DefaultServiceAccount`
/// (judges the ServiceAccount's automount).
const MAPPINGS: &[Mapping] = &[
    // Polaris: test/checks/<checkId>/{success,failure}.*.yaml.
    same(Polaris, "runAsPrivileged", &["POD001"]),
    same(Polaris, "privilegeEscalationAllowed", &["POD002"]),
    same(Polaris, "hostNetworkSet", &["POD003"]),
    same(Polaris, "hostPIDSet", &["POD004"]),
    same(Polaris, "hostIPCSet", &["POD005"]),
    same(Polaris, "runAsRootAllowed", &["POD006"]),
    same(Polaris, "notReadOnlyRootFilesystem", &["POD007"]),
    narrower(Polaris, "dangerousCapabilities", &["POD009"]),
    same(Polaris, "procMount", &["POD010"]),
    same(Polaris, "hostPathSet", &["POD013"]),
    same(Polaris, "hostPortSet", &["POD014"]),
    narrower(Polaris, "cpuRequestsMissing", &["POD015"]),
    narrower(Polaris, "memoryRequestsMissing", &["POD015"]),
    narrower(Polaris, "memoryLimitsMissing", &["POD015"]),
    same(Polaris, "automountServiceAccountToken", &["POD016"]),
    same(Polaris, "hostProcess", &["POD019"]),
    narrower(Polaris, "livenessProbeMissing", &["POD024"]),
    narrower(Polaris, "readinessProbeMissing", &["POD024"]),
    same(Polaris, "tagNotSpecified", &["IMG001"]),
    same(Polaris, "pullPolicyNotAlways", &["IMG004"]),
    same(Polaris, "sensitiveContainerEnvVar", &["SEC002"]),
    same(Polaris, "sensitiveConfigmapContent", &["SEC002"]),
    // Polaris RBAC checks, split by the kind they judge (RBAC001 covers all three, RBAC005
    // all five); its fixtures are whole files, so a finding on the role or the binding
    // counts alike. Exec/attach is one part of RBAC005 (which also covers creating pods and
    // workloads, port-forward and ephemeral containers, as the `allow_unrelated_perms`
    // successes grant), hence narrower; its successes that exempt roles and bindings by
    // name (`system:`, `gce:`, the default `admin`/`cluster-admin`) are not compared there.
    same(Polaris, "clusterrolebindingClusterAdmin", &["RBAC001"]),
    same(Polaris, "rolebindingClusterAdminClusterRole", &["RBAC001"]),
    same(Polaris, "rolebindingClusterAdminRole", &["RBAC001"]),
    narrower(Polaris, "clusterrolePodExecAttach", &["RBAC005"]),
    narrower(Polaris, "rolePodExecAttach", &["RBAC005"]),
    narrower(Polaris, "clusterrolebindingPodExecAttach", &["RBAC005"]),
    narrower(Polaris, "rolebindingClusterRolePodExecAttach", &["RBAC005"]),
    narrower(Polaris, "rolebindingRolePodExecAttach", &["RBAC005"]),
    same(Polaris, "tlsSettingsMissing", &["NET008"]),
    same(Polaris, "deploymentMissingReplicas", &["REL003"]),
    // kube-linter: tests/checks/<check>.yml; flagged objects in KUBE_LINTER_FLAGGED.
    same(KubeLinter, "privileged-container", &["POD001"]),
    narrower(KubeLinter, "privilege-escalation-container", &["POD002"]),
    same(KubeLinter, "host-network", &["POD003"]),
    same(KubeLinter, "host-pid", &["POD004"]),
    same(KubeLinter, "host-ipc", &["POD005"]),
    same(KubeLinter, "run-as-non-root", &["POD006"]),
    same(KubeLinter, "no-read-only-root-fs", &["POD007"]),
    same(KubeLinter, "drop-net-raw-capability", &["POD008"]),
    same(KubeLinter, "unsafe-proc-mount", &["POD010"]),
    narrower(KubeLinter, "docker-sock", &["POD013"]),
    narrower(KubeLinter, "sensitive-host-mounts", &["POD013"]),
    narrower(KubeLinter, "writable-host-mount", &["POD013"]),
    narrower(KubeLinter, "unset-memory-requirements", &["POD015"]),
    same(KubeLinter, "unsafe-sysctls", &["POD017"]),
    same(KubeLinter, "no-rolling-update-strategy", &["POD020"]),
    same(KubeLinter, "use-namespace", &["POD021"]),
    narrower(KubeLinter, "no-liveness-probe", &["POD024"]),
    narrower(KubeLinter, "no-readiness-probe", &["POD024"]),
    narrower(KubeLinter, "privileged-ports", &["POD029"]),
    narrower(KubeLinter, "ssh-port", &["POD029"]),
    same(KubeLinter, "latest-tag", &["IMG001"]),
    narrower(KubeLinter, "read-secret-from-env-var", &["SEC001"]),
    same(KubeLinter, "env-var-secret", &["SEC002"]),
    // kube-linter reports a role's permissions on the bindings to it; with
    // `related_objects`, our finding on the role counts for those bindings.
    same(KubeLinter, "access-to-secrets", &["RBAC003"]).judging(BINDING_KINDS),
    same(KubeLinter, "access-to-create-pods", &["RBAC005"]).judging(BINDING_KINDS),
    same(KubeLinter, "cluster-admin-role-binding", &["RBAC001"]).judging(BINDING_KINDS),
    same(KubeLinter, "wildcard-in-rules", &["RBAC002"]).judging(ROLE_KINDS),
    same(KubeLinter, "non-isolated-pod", &["NET004"]).judging(WORKLOAD_KINDS),
    same(KubeLinter, "dangling-networkpolicy", &["NET012"]).judging(&["NetworkPolicy"]),
    same(KubeLinter, "exposed-services", &["NET006", "NET007"]).judging(&["Service"]),
    same(KubeLinter, "default-service-account", &["IDN003"]).judging(WORKLOAD_KINDS),
    same(KubeLinter, "non-existent-service-account", &["IDN004"])
        .judging(WORKLOAD_KINDS)
        .complete(),
    same(KubeLinter, "mismatching-selector", &["REL005"]).judging(WORKLOAD_KINDS),
    same(KubeLinter, "dangling-service", &["REL006"])
        .judging(&["Service"])
        .complete(),
    same(KubeLinter, "dangling-ingress", &["REL006"])
        .judging(&["Ingress"])
        .complete(),
    same(KubeLinter, "dangling-hpa", &["REL006"])
        .judging(&["HorizontalPodAutoscaler"])
        .complete(),
    same(KubeLinter, "duplicate-env-var", &["REL007"]).judging(WORKLOAD_KINDS),
    same(KubeLinter, "env-var-value-from", &["REL007"])
        .judging(WORKLOAD_KINDS)
        .complete(),
    narrower(KubeLinter, "no-extensions-v1beta", &["REL001"]),
    // checkov: kubernetes/<Check>/ with kubernetes/expected.json.
    same(Checkov, "PrivilegedContainers", &["POD001"]),
    same(Checkov, "AllowPrivilegeEscalation", &["POD002"]),
    same(Checkov, "ShareHost", &["POD003", "POD004", "POD005"]),
    same(Checkov, "RootContainers", &["POD006"]),
    same(Checkov, "ReadOnlyFilesystem", &["POD007"]),
    same(Checkov, "DropCapabilities", &["POD008"]),
    narrower(Checkov, "AllowedCapabilitiesSysAdmin", &["POD009"]),
    same(Checkov, "Seccomp", &["POD011"]),
    narrower(Checkov, "DockerSocketVolume", &["POD013"]),
    same(Checkov, "HostPort", &["POD014"]),
    same(Checkov, "ServiceAccountTokens", &["POD016"]),
    same(Checkov, "DefaultNamespace", &["POD021"]),
    same(Checkov, "NoDefaultNamespace", &["POD021"]),
    same(Checkov, "LivenessReadiness", &["POD024"]),
    same(Checkov, "AllowedCapabilities", &["POD026"]),
    same(Checkov, "ImageTagFixed", &["IMG001"]),
    same(Checkov, "ImageDigest", &["IMG002"]),
    same(Checkov, "ImagePullPolicy", &["IMG004"]),
    same(Checkov, "Secrets", &["SEC001"]),
    // checkov's RBAC checks judge Roles and ClusterRoles; CKV_K8S_157 (bind) and 158
    // (escalate) are two of RBAC004's three verbs, CKV_K8S_155 the webhook half of RBAC010.
    same(Checkov, "WildcardRoles", &["RBAC002"]),
    same(Checkov, "RbacBindRoleBindings", &["RBAC004"]),
    same(Checkov, "RbacEscalateRoles", &["RBAC004"]),
    same(Checkov, "RbacControlWebhooks", &["RBAC010"]),
    same(
        Checkov,
        "RbacApproveCertificateSigningRequests",
        &["RBAC012"],
    ),
    same(Checkov, "DefaultServiceAccountBinding", &["RBAC008"]),
    narrower(Checkov, "NginxIngressCVE202125742", &["NET013"]),
    // kubescape regolibrary: rules/<rule>/test/<case>/{input/,expected.json}.
    // kubescape counts an added SYS_ADMIN as privileged; we report that under POD009.
    narrower(
        Kubescape,
        "rule-privileged-container",
        &["POD001", "POD009"],
    ),
    same(Kubescape, "rule-allow-privilege-escalation", &["POD002"]),
    same(Kubescape, "host-network-access", &["POD003"]),
    same(Kubescape, "host-pid-privileges", &["POD004"]),
    same(Kubescape, "host-ipc-privileges", &["POD005"]),
    same(Kubescape, "host-pid-ipc-privileges", &["POD004", "POD005"]),
    same(Kubescape, "non-root-containers", &["POD006"]),
    same(Kubescape, "immutable-container-filesystem", &["POD007"]),
    same(Kubescape, "drop-capability-netraw", &["POD008"]),
    same(Kubescape, "insecure-capabilities", &["POD009"]),
    same(Kubescape, "set-procmount-default", &["POD010"]),
    same(Kubescape, "set-seccomp-profile", &["POD011"]),
    same(Kubescape, "alert-any-hostpath", &["POD013"]),
    narrower(Kubescape, "alert-rw-hostpath", &["POD013"]),
    narrower(
        Kubescape,
        "alert-mount-potential-credentials-paths",
        &["POD013"],
    ),
    same(Kubescape, "container-hostPort", &["POD014"]),
    narrower(Kubescape, "resources-cpu-requests", &["POD015"]),
    narrower(Kubescape, "resources-memory-requests", &["POD015"]),
    narrower(Kubescape, "resources-memory-limits", &["POD015"]),
    same(Kubescape, "automount-service-account", &["POD016"]),
    narrower(Kubescape, "serviceaccount-token-mount", &["POD016"]),
    same(Kubescape, "set-sysctls-params", &["POD017"]),
    same(Kubescape, "set-hostprocess-true", &["POD019"]),
    same(Kubescape, "pods-in-default-namespace", &["POD021"]),
    narrower(Kubescape, "configured-liveness-probe", &["POD024"]),
    narrower(Kubescape, "configured-readiness-probe", &["POD024"]),
    same(Kubescape, "image-not-pinned-to-digest", &["IMG002"]),
    // The case's allow-list (data.json) becomes IMG003's `allowed_registries`.
    same(Kubescape, "container-image-repository", &["IMG003"]),
    same(
        Kubescape,
        "image-pull-policy-is-not-set-to-always",
        &["IMG004"],
    ),
    same(Kubescape, "rule-identify-old-k8s-registry", &["IMG006"]),
    same(Kubescape, "rule-secrets-in-env-var", &["SEC001"]),
    same(
        Kubescape,
        "rule-credentials-in-env-var",
        &["SEC001", "SEC002"],
    ),
    same(Kubescape, "rule-credentials-configmap", &["SEC002"]),
    // kubescape's RBAC rules report subjects; the binding and role they name are flagged
    // (see `kubescape_flagged`), and our finding on either counts for both.
    same(Kubescape, "rule-list-all-cluster-admins-v1", &["RBAC001"]).judging(RBAC_KINDS),
    same(Kubescape, "cluster-admin-role", &["RBAC001"]).judging(RBAC_KINDS),
    same(Kubescape, "rule-can-list-get-secrets-v1", &["RBAC003"]).judging(RBAC_KINDS),
    same(Kubescape, "rule-can-bind-escalate", &["RBAC004"]).judging(RBAC_KINDS),
    same(
        Kubescape,
        "rule-can-impersonate-users-groups-v1",
        &["RBAC004"],
    )
    .judging(RBAC_KINDS),
    same(Kubescape, "exec-into-container-v1", &["RBAC005"]).judging(RBAC_KINDS),
    same(Kubescape, "rule-can-portforward-v1", &["RBAC005"]).judging(RBAC_KINDS),
    same(Kubescape, "rule-can-access-proxy-subresource", &["RBAC006"]).judging(RBAC_KINDS),
    same(
        Kubescape,
        "system-authenticated-allowed-to-take-over-cluster",
        &["RBAC007"],
    )
    .judging(RBAC_KINDS),
    same(
        Kubescape,
        "ensure-default-service-accounts-has-only-default-roles",
        &["RBAC008"],
    )
    .judging(BINDING_KINDS),
    same(
        Kubescape,
        "rule-can-create-service-account-token",
        &["RBAC010"],
    )
    .judging(RBAC_KINDS),
    same(
        Kubescape,
        "rule-can-approve-cert-signing-request",
        &["RBAC012"],
    )
    .judging(RBAC_KINDS),
    // internal-networking fails a namespace with no NetworkPolicy at all, which NET001
    // (no default-deny ingress) covers; a namespace with some non-default-deny policy passes
    // kubescape but not NET001. NET001 reports on `Namespace/<name>` (`namespace_finding_for`).
    narrower(Kubescape, "internal-networking", &["NET001"]).judging(&["Namespace"]),
    // ingress-and-egress-blocked fails a workload that no policy selects, or only policies
    // without explicit policyTypes; ensure_network_policy_configured_in_labels one that no
    // policy selects: NET004 for both.
    same(Kubescape, "ingress-and-egress-blocked", &["NET004"]),
    same(
        Kubescape,
        "ensure_network_policy_configured_in_labels",
        &["NET004"],
    ),
    same(Kubescape, "ingress-no-tls", &["NET008"]).judging(&["Ingress"]),
    same(Kubescape, "dangling-networkpolicy", &["NET012"]).judging(&["NetworkPolicy"]),
    // PSA enforce label missing (applied-1), below baseline (baseline-applied-1: NS001 plus
    // NS002's `privileged`; NS002 also reports `baseline`, hence narrower), below restricted
    // (restricted-applied-1: NS001 plus NS002).
    same(Kubescape, "pod-security-admission-applied-1", &["NS001"]).judging(&["Namespace"]),
    narrower(
        Kubescape,
        "pod-security-admission-baseline-applied-1",
        &["NS001", "NS002"],
    )
    .judging(&["Namespace"]),
    same(
        Kubescape,
        "pod-security-admission-restricted-applied-1",
        &["NS001", "NS002"],
    )
    .judging(&["Namespace"]),
    same(Kubescape, "non-existent-service-account", &["IDN004"]).complete(),
    same(Kubescape, "dangling-ingress-backend", &["REL006"])
        .judging(&["Ingress"])
        .complete(),
];

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
    (
        "polaris/pullPolicyNotAlways/failure.cron-job.yaml",
        DEFAULT_PULL_ALWAYS,
    ),
    (
        "polaris/pullPolicyNotAlways/failure.yaml",
        DEFAULT_PULL_ALWAYS,
    ),
    (
        "polaris/sensitiveContainerEnvVar/failure.value_private_key.yaml",
        "the value is not a private key: `---BEGIN OPENSSH PRIVATE KEY---` has three dashes \
         (PEM has five) around the body `xxxxx`, and `the_good_stuff` is no secret-like name; \
         SEC002 matches real PEM blocks",
    ),
    (
        "polaris/sensitiveConfigmapContent/failure.key_aws_secret_access_key.yaml",
        PLACEHOLDER_VALUE,
    ),
    (
        "polaris/sensitiveConfigmapContent/failure.key_azure_batch_key.yaml",
        PLACEHOLDER_VALUE,
    ),
    (
        "polaris/sensitiveConfigmapContent/failure.key_oci_cli_key_content.yaml",
        PLACEHOLDER_VALUE,
    ),
    (
        "polaris/sensitiveConfigmapContent/failure.value_private_key.yaml",
        "the `PRIVATE KEY` block holds `xxxxxxxx` (and mismatched BEGIN/END labels): a \
         placeholder, not key material; SEC002 wants a key body (30+ characters)",
    ),
    // kube-linter
    ("kube-linter/host-network.yml Deployment/app", NO_CONTAINERS),
    (
        "kube-linter/host-network.yml DeploymentConfig/app",
        NO_CONTAINERS,
    ),
    ("kube-linter/host-pid.yml Deployment/app", NO_CONTAINERS),
    (
        "kube-linter/host-pid.yml DeploymentConfig/app",
        NO_CONTAINERS,
    ),
    ("kube-linter/host-ipc.yml Deployment/app", NO_CONTAINERS),
    (
        "kube-linter/host-ipc.yml DeploymentConfig/app",
        NO_CONTAINERS,
    ),
    (
        "kube-linter/drop-net-raw-capability.yml Deployment/dont-fire",
        NET_RAW_NOT_DROPPED,
    ),
    (
        "kube-linter/drop-net-raw-capability.yml DeploymentConfig/dont-fire",
        NET_RAW_NOT_DROPPED,
    ),
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
    (
        "kube-linter/use-namespace.yml Deployment/app1",
        "partial object: a Deployment with no `spec`; POD021 judges workloads, objects with a \
         pod template",
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
    // kubescape
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
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-short-digest Pod/pod-short-digest",
        INVALID_DIGEST,
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-sha256-uppercase Pod/pod-sha256-uppercase",
        INVALID_DIGEST,
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-sha256-short Pod/pod-sha256-short",
        INVALID_DIGEST,
    ),
    (
        "kubescape-regolibrary/image-not-pinned-to-digest/pod-sha512-short Pod/pod-sha512-short",
        INVALID_DIGEST,
    ),
    (
        "kubescape-regolibrary/rule-credentials-in-env-var/deployment Deployment/test2",
        "the value is the word `JWT` (variable `some-name`), not a token; kubescape's default \
         sensitive-value list matches the substring",
    ),
    (
        "kubescape-regolibrary/rule-credentials-in-env-var/pod Pod/audit-pod",
        "the value `my_key_value` merely contains `key` and `some-name` is no secret-like \
         name; kubescape's default sensitive-value list matches the substring",
    ),
    (
        "kubescape-regolibrary/rule-credentials-in-env-var/workloads Deployment/test2",
        "`azure_batch_key` holds prose (`Hello from the environment`): SEC002 does not count \
         a bare `key` as secret-like (cache, partition and sort keys are not secrets) and the \
         value has no credential format",
    ),
    (
        "kubescape-regolibrary/rule-credentials-in-env-var/env-value-akia-key Pod/akia-key-pod",
        AWS_EXAMPLE_KEY,
    ),
    (
        "kubescape-regolibrary/rule-credentials-configmap/env-value-akia-key ConfigMap/akia-key-configmap",
        AWS_EXAMPLE_KEY,
    ),
    (
        "kubescape-regolibrary/rule-credentials-in-env-var/env-value-lowercase-bearer Pod/lowercase-bearer-pod",
        "kubescape's test configures `Bearer` as a sensitive value (data.json); `AUTH_HEADER` \
         is no secret-like name and `bearer abc123def` has none of SEC002's credential formats",
    ),
    // Cross-resource families (RBAC, NET, NS, IDN, REL).
    (
        "polaris/clusterrolebindingClusterAdmin/success.gce_calico_binding.yaml",
        NAME_EXEMPTS_NOTHING,
    ),
    (
        "polaris/clusterrolebindingClusterAdmin/success.system_prefix_binding.yaml",
        NAME_EXEMPTS_NOTHING,
    ),
    (
        "polaris/rolebindingClusterAdminClusterRole/success.gce_calico_binding.yaml",
        NAME_EXEMPTS_NOTHING,
    ),
    (
        "polaris/rolebindingClusterAdminClusterRole/success.system_prefix_binding.yaml",
        NAME_EXEMPTS_NOTHING,
    ),
    (
        "polaris/rolebindingClusterAdminRole/success.gce_calico_binding.yaml",
        NAME_EXEMPTS_NOTHING,
    ),
    (
        "polaris/rolebindingClusterAdminRole/success.system_prefix_binding.yaml",
        NAME_EXEMPTS_NOTHING,
    ),
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
        "polaris/tlsSettingsMissing/success.yaml",
        "the only rule has no host, so it serves every host name, while the one TLS entry \
         covers `example.com` only: NET008 counts a hostless rule as covered only by a TLS \
         entry without `hosts` (the controller's default certificate); Polaris asks for any \
         `tls` entry",
    ),
    (
        "kube-linter/dangling-networkpolicy.yml NetworkPolicy/app",
        NO_WORKLOADS_FOR_POLICY,
    ),
    (
        "kube-linter/default-service-account.yml Deployment/app",
        NO_CONTAINERS,
    ),
    (
        "kube-linter/non-existent-service-account.yml Deployment/app",
        NO_CONTAINERS,
    ),
    (
        "kube-linter/default-service-account.yml DeploymentConfig/app",
        NO_CONTAINERS,
    ),
    (
        "kube-linter/non-existent-service-account.yml DeploymentConfig/app",
        NO_CONTAINERS,
    ),
    (
        "kube-linter/mismatching-selector.yml DeploymentConfig/app2",
        "OpenShift DeploymentConfig (not a Kubernetes or AKS kind), whose selector REL005 does \
         not check; REL005 covers the Kubernetes workload kinds",
    ),
    (
        "kube-linter/dangling-ingress.yml Ingress/bad-port",
        "the Service `bad-port` exists, only its port differs (80, the Ingress asks for 8080): \
         REL006 checks that the backend Service exists, not its ports",
    ),
    (
        "kube-linter/env-var-value-from.yml Deployment/should-fire-secret",
        KEY_NOT_CHECKED,
    ),
    (
        "kube-linter/env-var-value-from.yml Deployment/should-fire-configmap",
        KEY_NOT_CHECKED,
    ),
    (
        "checkov/kubernetes/RbacBindRoleBindings/role-passed-2.yaml",
        STAR_ON_SERVICEACCOUNTS,
    ),
    (
        "checkov/kubernetes/RbacEscalateRoles/role-passed-2.yaml",
        STAR_ON_SERVICEACCOUNTS,
    ),
    (
        "kubescape-regolibrary/rule-list-all-cluster-admins-v1/clusterrole-rolebinding ClusterRole/test",
        CORE_GROUP_ONLY,
    ),
    (
        "kubescape-regolibrary/rule-list-all-cluster-admins-v1/clusterrole-rolebinding RoleBinding/pod",
        CORE_GROUP_ONLY,
    ),
    (
        "kubescape-regolibrary/cluster-admin-role/clusterrole-rolebinding ClusterRole/cluster-admin",
        ROLEBINDING_TO_CLUSTER_ADMIN,
    ),
    (
        "kubescape-regolibrary/cluster-admin-role/clusterrole-rolebinding RoleBinding/pod",
        ROLEBINDING_TO_CLUSTER_ADMIN,
    ),
    (
        "kubescape-regolibrary/rule-can-access-proxy-subresource/role-rolebinding Role/test",
        ROLE_CANNOT_GRANT_CLUSTER_SCOPED,
    ),
    (
        "kubescape-regolibrary/rule-can-access-proxy-subresource/role-rolebinding RoleBinding/pod",
        ROLE_CANNOT_GRANT_CLUSTER_SCOPED,
    ),
    (
        "kubescape-regolibrary/system-authenticated-allowed-to-take-over-cluster/success ClusterRoleBinding/system:viewer",
        EVERYONE_ANY_ROLE,
    ),
    (
        "kubescape-regolibrary/system-authenticated-allowed-to-take-over-cluster/success ClusterRole/system:viewer",
        EVERYONE_ANY_ROLE,
    ),
    (
        "kubescape-regolibrary/ensure-default-service-accounts-has-only-default-roles/passed_rolebinding_one_subject RoleBinding/pod",
        "the binding carries `kubernetes.io/bootstrapping: rbac-defaults`, which kubescape \
         takes as one of Kubernetes' default bindings; Kubernetes' bootstrap policy never binds \
         a namespace's `default` ServiceAccount, and a label anyone can set exempts nothing: \
         RBAC008 reports every binding to a `default` ServiceAccount",
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
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/ccnp-ingress-egress Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/ccnp-specs-list-passed Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/cnp-empty-selector Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/cnp-endpoint-selector-match Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/cnp-ingress-egress Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/cnp-only-egress Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/cnp-specs-list-passed Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ingress-and-egress-blocked/cnp-specs-multiple-passed Pod/test",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ensure_network_policy_configured_in_labels/success_pod_ccnp_empty_selector Pod/my-pod",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ensure_network_policy_configured_in_labels/success_pod_ccnp_specs_list Pod/my-pod",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ensure_network_policy_configured_in_labels/success_pod_cilium_empty_selector Pod/my-cilium-pod",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ensure_network_policy_configured_in_labels/success_pod_cilium_label_match Pod/my-cilium-pod",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/ensure_network_policy_configured_in_labels/success_pod_cilium_specs_list Pod/my-pod",
        CILIUM_NOT_READ,
    ),
    (
        "kubescape-regolibrary/dangling-networkpolicy/failed_dangling_matchlabels NetworkPolicy/isolate-nginx",
        NO_WORKLOADS_FOR_POLICY,
    ),
    (
        "kubescape-regolibrary/dangling-networkpolicy/failed_wrong_namespace NetworkPolicy/ns-policy",
        "the only Pod is in namespace `other`, the policy in `default`, which holds no \
         workload: NET012 judges a policy only against workloads in its own namespace and \
         skips namespaces without any (see NO_WORKLOADS_FOR_POLICY)",
    ),
];

// Reasons shared by the cross-resource disagreements.

const NAME_EXEMPTS_NOTHING: &str = "Polaris exempts bindings by name (`system:` prefix, \
     `gce:podsecuritypolicy:calico-sa`); a binding's name exempts nothing for RBAC001 \
     (anyone can name a binding `system:...`): its subject, User `testuser`, is no system \
     component and gets every verb on every resource where the binding applies";

const MISSING_ROLE: &str = "the binding's `roleRef` names a role that is not in the file, so \
     what it grants (exec/attach or not) is unknown; Polaris fails it, RBAC005 judges what a \
     role in the scan allows, and a binding to a missing role is RBAC011's (with `--complete`)";

const NO_WORKLOADS_FOR_POLICY: &str = "the fixture holds no workload in the policy's \
     namespace: NET012 judges a policy's podSelector only against the workloads of its \
     namespace and skips namespaces without any (a policy written ahead of its workloads, or \
     for workloads deployed from other files, selects nothing in the scan yet)";

const KEY_NOT_CHECKED: &str = "the Secret/ConfigMap exists but lacks the referenced key; \
     REL007 (with `--complete`) checks that the referenced object exists, not the keys in it \
     (its checks say so: keys of Secrets generated by controllers are not visible in files)";

const STAR_ON_SERVICEACCOUNTS: &str = "`*` verbs on core `serviceaccounts` include \
     `impersonate` (act as any ServiceAccount of the namespace): RBAC004 reports it; checkov's \
     bind/escalate checks look at `roles`/`clusterroles`/bindings only, which this Role does \
     not grant those verbs on";

const CORE_GROUP_ONLY: &str = "the ClusterRole grants `*` verbs on `*` resources of the core \
     API group only (`apiGroups: [\"\"]`), not every group: RBAC001's cluster-admin \
     equivalence needs `*` apiGroups; the wildcards are RBAC002's, and what makes it \
     dangerous (Secrets, `impersonate` on serviceaccounts) RBAC003 and RBAC004 report";

const ROLEBINDING_TO_CLUSTER_ADMIN: &str = "a RoleBinding to `cluster-admin` in kube-system: \
     kubescape's cluster-admin-role only reports ClusterRoleBindings; RBAC001 reports \
     RoleBindings too (full control of the namespace, here kube-system with its Secrets and \
     the tokens of privileged system ServiceAccounts)";

const ROLE_CANNOT_GRANT_CLUSTER_SCOPED: &str = "a namespaced Role granting a cluster-scoped \
     resource (`nodes/proxy`, `certificatesigningrequests/approval`): a Role's rules only \
     apply in its namespace, so Kubernetes grants nothing on nodes or CSRs through it; RBAC006 \
     and RBAC012 only judge ClusterRoles there";

const EVERYONE_ANY_ROLE: &str = "`system:authenticated` bound to a ClusterRole that only reads \
     ConfigMaps: kubescape only fails it when the role allows a takeover, RBAC007 reports any \
     role granted to everyone (on AKS with Entra ID that is every identity of the tenant), \
     except Kubernetes' own discovery roles";

const CSR_WITHOUT_SIGNER: &str = "`update` on `certificatesigningrequests/approval` without \
     `approve` on `signers`: the API server refuses the approval, so RBAC012 needs both \
     (RULES.md, as checkov's CKV_K8S_156); kubescape asks for the approval subresource only";

const NO_WORKLOADS_IN_NAMESPACE: &str = "the namespace holds no workload in the fixture (only \
     the Namespace and a policy elsewhere or a Cilium policy): NET001 judges namespaces with \
     workloads, since a namespace without pods has nothing to isolate yet";

const CILIUM_NOT_READ: &str = "the pod is selected only by a CiliumNetworkPolicy or \
     CiliumClusterwideNetworkPolicy, which kubescape counts; NET004 reads Kubernetes \
     NetworkPolicies (networking.k8s.io) only, as its checks say: Cilium's own policy CRDs \
     are out of its scope";

const DEFAULT_PULL_ALWAYS: &str = "untagged image with no imagePullPolicy: Kubernetes defaults \
     the policy to Always for untagged and `:latest` images, so IMG004 (which reads the \
     effective policy) does not fire, and IMG001 reports the missing tag; Polaris wants the \
     field written out";

const PLACEHOLDER_VALUE: &str = "the value `xxxxx` is a placeholder; SEC002 never fires on \
     placeholders (a secret-like key with no real value leaks nothing)";

const NO_CONTAINERS: &str = "partial object: the pod template has no containers (the API \
     server rejects it), so it is no pod template to us and pod-level rules do not run";

const NET_RAW_NOT_DROPPED: &str = "kube-linter only checks containers whose `capabilities` is \
     set; this one drops nothing, so it keeps NET_RAW from the runtime's default set, which \
     POD008 (CIS, PSS restricted) reports";

const ONLY_SHA256: &str = "IMG002 counts only a `sha256` digest as pinned (RULES.md); kubescape \
     accepts any well-formed digest algorithm (blake3, sha512, custom)";

const INVALID_DIGEST: &str = "not a valid digest (sha256 takes exactly 64 lowercase hex \
     digits, sha512 128; the kubelet fails such an image with InvalidImageName), so there is \
     nothing to pin; IMG002 leaves invalid image references alone";

const AWS_EXAMPLE_KEY: &str = "`AKIAIOSFODNN7EXAMPLE` is the example access key ID from AWS's \
     documentation; SEC002 treats values containing `example` as placeholders";

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
    /// A peer pass under [`Relation::PeerNarrower`], or no peer verdict.
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

/// Kinds whose objects a workload rule could judge even when they are partial.
const WORKLOAD_KINDS: &[&str] = &[
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

    let mut problems: Vec<String> = Vec::new();
    let mut verdicts: Vec<(usize, Verdict)> = Vec::new();
    let mut load_errors: Vec<(String, String)> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    eprintln!("Mapping (peer check -> our rules):");
    for (m, mapping) in MAPPINGS.iter().enumerate() {
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
        };
        eprintln!(
            "  {:<12} {:<42} -> {}{relation}",
            mapping.peer.dir(),
            mapping.check,
            status.join(", ")
        );

        let mut loaded = Loaded::default();
        let cases = match mapping.peer {
            Peer::Polaris => polaris_cases(&root, mapping, &mut loaded),
            Peer::KubeLinter => kube_linter_cases(&root, mapping, &mut loaded),
            Peer::Checkov => checkov_cases(&root, mapping, &checkov_expected, &mut loaded),
            Peer::Kubescape => kubescape_cases(&root, mapping, &mut loaded),
        };
        if cases.is_empty() {
            problems.push(format!(
                "{} {}: no fixtures found",
                mapping.peer.dir(),
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
            let mapping = &MAPPINGS[*m];
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
        let mapping = &MAPPINGS[*m];
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
                mapping.peer.dir(),
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
    for peer in Peer::ALL {
        let mut tally = Tally::default();
        for (m, v) in &verdicts {
            if MAPPINGS[*m].peer == peer {
                tally.add(&v.outcome);
                overall.add(&v.outcome);
            }
        }
        eprintln!("  {}", tally.line(peer.dir()));
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
        for peer in Peer::ALL {
            let mut tally = Tally::default();
            for (m, v) in &verdicts {
                let mapping = &MAPPINGS[*m];
                if mapping.peer == peer && families.contains(&mapping.family()) {
                    tally.add(&v.outcome);
                    total.add(&v.outcome);
                }
            }
            eprintln!("  {}", tally.line(peer.dir()));
        }
        eprintln!("  {}", total.line("overall"));
    }

    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
