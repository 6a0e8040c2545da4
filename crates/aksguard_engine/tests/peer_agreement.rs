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
//! disagreement with our findings, and the agreement rate per peer.
//!
//! The corpus is not part of the repository. When it is absent (a plain clone) the test prints
//! why and passes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aksguard_engine::evaluate;
use aksguard_load::{Limits, load_text};
use aksguard_model::{Inventory, Object, PodSpecView, Severity};
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
}

const fn same(peer: Peer, check: &'static str, rules: &'static [&'static str]) -> Mapping {
    Mapping {
        peer,
        check,
        rules,
        relation: Relation::Same,
    }
}

const fn narrower(peer: Peer, check: &'static str, rules: &'static [&'static str]) -> Mapping {
    Mapping {
        peer,
        check,
        rules,
        relation: Relation::PeerNarrower,
    }
}

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
/// ranges); and every PSP, RBAC, network, control-plane and availability check.
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
];

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
const EXPECTED_LOAD_ERRORS: &[(&str, &str)] = &[
    (
        "checkov/kubernetes/ImageDigest/kafka-withrepo-PASSED.yaml",
        KAFKA_QUOTED_SCALAR,
    ),
    (
        "checkov/kubernetes/ImagePullPolicy/kafka-PullPolicyAlways-PASSED.yaml",
        KAFKA_QUOTED_SCALAR,
    ),
    (
        "checkov/kubernetes/ImageTagFixed/kafka-ImageWithRepo-PASSED.yaml",
        KAFKA_QUOTED_SCALAR,
    ),
];

const KAFKA_QUOTED_SCALAR: &str = "a multi-line double-quoted `command` entry continues at \
     column 10, left of its `- ` at column 12: invalid YAML 1.2 (continuation lines must be \
     indented past the block), which our strict parser rejects; PyYAML, and so checkov, \
     accepts it";

// ---------------------------------------------------------------------------------------------

fn peers_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/peers");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: peer fixtures not found at {} (the shared corpus lives next to the \
             workspace, outside the repository)",
            dir.display()
        );
        None
    }
}

/// One comparison: a fixture file (or one object of it) and the peer's verdict on it.
struct Case {
    key: String,
    /// A file-level case whose file did not load cleanly: not compared.
    load_failed: bool,
    /// `None`: the peer gives no verdict (checkov UNKNOWN).
    peer_fails: Option<bool>,
    /// Indexes into the loaded objects of the case's files.
    objects: Vec<usize>,
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

/// One case per object of a kube-linter fixture, named `<file> Kind/name` (with ` #n` for a
/// repeated name).
fn object_cases(
    loaded: &Loaded,
    file_key: &str,
    indexes: &[usize],
    fails: impl Fn(&Object) -> bool,
) -> Vec<Case> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut cases = Vec::new();
    for &i in indexes {
        let object = &loaded.objects[i];
        let id = object_id(object);
        let n = seen.entry(id.clone()).or_default();
        *n += 1;
        let key = if *n == 1 {
            format!("{file_key} {id}")
        } else {
            format!("{file_key} {id} #{n}")
        };
        cases.push(Case {
            key,
            load_failed: false,
            peer_fails: Some(fails(object)),
            objects: vec![i],
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
            objects,
            settings: None,
        });
    }
    cases
}

fn kube_linter_cases(root: &Path, mapping: &Mapping, loaded: &mut Loaded) -> Vec<Case> {
    let path = root
        .join("kube-linter")
        .join(format!("{}.yml", mapping.check));
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
        assert!(
            found.contains(*id),
            "KUBE_LINTER_FLAGGED lists {id} for {}, which is not in its fixture",
            mapping.check
        );
    }
    let key = relative(root, &path);
    object_cases(loaded, &key, &indexes, |object| {
        flagged.contains(&object_id(object).as_str())
    })
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

/// The objects (`Kind/name`, optional namespace) a kubescape `expected.json` reports.
fn kubescape_flagged(expected: &Value) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for alert in expected.as_array().map(Vec::as_slice).unwrap_or_default() {
        let objects = alert["alertObject"]["k8sApiObjects"].as_array();
        for object in objects.map(Vec::as_slice).unwrap_or_default() {
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
        // Objects grouped by Kind/name, in file order.
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for path in sorted_entries(&input) {
            let (indexes, _) = loaded.file(root, &path);
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
            if !peer_fails && !members.iter().any(|&i| in_scope(&loaded.objects[i])) {
                continue;
            }
            cases.push(Case {
                key: format!("{case_key} {id}"),
                load_failed: false,
                peer_fails: Some(peer_fails),
                objects: members,
                settings: settings.clone(),
            });
        }
    }
    cases
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
    // Rules see every object of the case's files (a ServiceAccount beside its pod), and the
    // verdict counts only findings on the case's own objects.
    let files: std::collections::HashSet<&str> = case
        .objects
        .iter()
        .map(|&i| loaded.objects[i].source.path.as_str())
        .collect();
    let inventory = Inventory::new(
        loaded
            .objects
            .iter()
            .filter(|o| files.contains(o.source.path.as_str()))
            .cloned()
            .collect(),
    );
    let findings = evaluate(
        &inventory,
        &rules,
        case.settings.as_ref().unwrap_or(&RuleSettings::default()),
        Severity::Info,
    );
    let mut evidence = Vec::new();
    for &i in &case.objects {
        let object = &loaded.objects[i];
        let target = object_ref(object);
        for f in findings
            .iter()
            .filter(|f| f.object == target && f.location.path == object.source.path)
        {
            evidence.push(format!(
                "{} {}:{} {} {}",
                f.rule_id,
                f.location.line,
                f.object.name,
                f.container.as_deref().unwrap_or("-"),
                f.message
            ));
        }
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

    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
