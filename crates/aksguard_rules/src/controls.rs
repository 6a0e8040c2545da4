//! The compliance controls rules cite in their `references`: the CIS Azure Kubernetes Service
//! Benchmark recommendations and the Kubernetes Pod Security Standards controls, by ID and
//! title. A rule maps itself to a control with `Reference::CisAks(id)` or
//! `Reference::Pss(level, name)`; this catalogue only names the controls (a test checks that
//! every reference resolves here, so a typo cannot invent a control).

/// The CIS AKS Benchmark version whose numbering `Reference::CisAks` uses.
pub const CIS_AKS_VERSION: &str = "v1.7.0";

/// CIS Azure Kubernetes Service (AKS) Benchmark v1.7.0 recommendations that a manifest scan
/// can speak to (section 4 "Policies", part of section 5 "Managed services"), in benchmark
/// order. Node, kubelet and control-plane sections (2, 3) and Azure-side settings are out of
/// reach of manifests and not listed.
pub const CIS_AKS_CONTROLS: &[(&str, &str)] = &[
    (
        "4.1.1",
        "Ensure that the cluster-admin role is only used where required",
    ),
    ("4.1.2", "Minimize access to secrets"),
    ("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
    ("4.1.4", "Minimize access to create pods"),
    (
        "4.1.5",
        "Ensure that default service accounts are not actively used",
    ),
    (
        "4.1.6",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    ("4.2.1", "Minimize the admission of privileged containers"),
    (
        "4.2.2",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    (
        "4.2.3",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    (
        "4.2.4",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    (
        "4.2.5",
        "Minimize the admission of containers with allowPrivilegeEscalation",
    ),
    ("4.4.1", "Ensure latest CNI version is used"),
    (
        "4.4.2",
        "Ensure that all Namespaces have Network Policies defined",
    ),
    (
        "4.5.1",
        "Prefer using secrets as files over secrets as environment variables",
    ),
    ("4.5.2", "Consider external secret storage"),
    (
        "4.6.1",
        "Create administrative boundaries between resources using namespaces",
    ),
    (
        "4.6.2",
        "Apply Security Context to Your Pods and Containers",
    ),
    ("4.6.3", "The default namespace should not be used"),
    (
        "5.1.2",
        "Minimize user access to Azure Container Registry (ACR)",
    ),
    (
        "5.1.3",
        "Minimize cluster access to read-only for Azure Container Registry (ACR)",
    ),
    (
        "5.1.4",
        "Minimize Container Registries to only those approved",
    ),
    ("5.2.1", "Prefer using dedicated AKS Service Accounts"),
    ("5.3.1", "Ensure Kubernetes Secrets are encrypted"),
    ("5.4.1", "Restrict Access to the Control Plane Endpoint"),
    ("5.4.3", "Ensure clusters are created with Private Nodes"),
    (
        "5.4.4",
        "Ensure Network Policy is Enabled and set as appropriate",
    ),
    (
        "5.4.5",
        "Encrypt traffic to HTTPS load balancers with TLS certificates",
    ),
    ("5.5.1", "Manage Kubernetes RBAC users with Azure AD"),
    ("5.5.2", "Use Azure RBAC for Kubernetes Authorization"),
];

/// The Pod Security Standards page the PSS controls come from.
pub const PSS_URL: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

/// Pod Security Standards baseline controls, in the order the standard lists them, with
/// what each requires.
pub const PSS_BASELINE_CONTROLS: &[(&str, &str)] = &[
    (
        "HostProcess",
        "Windows pods must not run HostProcess containers",
    ),
    (
        "Host Namespaces",
        "Sharing the host's network, PID or IPC namespaces is disallowed",
    ),
    (
        "Privileged Containers",
        "Privileged containers are disallowed",
    ),
    (
        "Capabilities",
        "Capabilities beyond the default set must not be added",
    ),
    ("HostPath Volumes", "HostPath volumes are forbidden"),
    (
        "Host Ports",
        "HostPorts are disallowed (or limited to a known list)",
    ),
    (
        "AppArmor",
        "The AppArmor profile must not be set to Unconfined",
    ),
    (
        "SELinux",
        "Custom SELinux users and roles, and types other than the container types, are forbidden",
    ),
    ("/proc Mount Type", "The default /proc masks are required"),
    (
        "Seccomp",
        "The seccomp profile must not be set to Unconfined",
    ),
    ("Sysctls", "Only the safe subset of sysctls is allowed"),
];

/// Pod Security Standards restricted controls (in addition to every baseline control).
/// Seccomp and Capabilities also exist at baseline; the restricted versions are stricter.
pub const PSS_RESTRICTED_CONTROLS: &[(&str, &str)] = &[
    (
        "Volume Types",
        "Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, \
         projected and secret volumes are allowed",
    ),
    (
        "Privilege Escalation",
        "allowPrivilegeEscalation must be set to false",
    ),
    (
        "Running as Non-root",
        "Containers must run as non-root users",
    ),
    ("Running as Non-root user", "runAsUser must not be 0"),
    (
        "Seccomp",
        "A seccomp profile (RuntimeDefault or Localhost) must be set",
    ),
    (
        "Capabilities",
        "Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE",
    ),
];

/// The title of a CIS AKS Benchmark recommendation, if the catalogue knows its ID.
pub fn cis_aks_title(id: &str) -> Option<&'static str> {
    CIS_AKS_CONTROLS
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, title)| *title)
}

/// What a Pod Security Standards control requires at `level` (`baseline`, `restricted`).
pub fn pss_requirement(level: &str, control: &str) -> Option<&'static str> {
    let controls = match level {
        "baseline" => PSS_BASELINE_CONTROLS,
        "restricted" => PSS_RESTRICTED_CONTROLS,
        _ => return None,
    };
    controls
        .iter()
        .find(|(name, _)| *name == control)
        .map(|(_, requirement)| *requirement)
}
