use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};
use aksguard_model::{Inventory, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{az_aks_nodepool, clusters, fix, pool_pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS033",
    slug: "node-pool-version-skew",
    title: "Node pool runs an older Kubernetes minor version than the control plane",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every node pool of every AKS cluster whose `orchestratorVersion` (else \
             `currentOrchestratorVersion`; Terraform `orchestrator_version`) is known and has \
             an older minor version than the cluster's `kubernetesVersion` (else \
             `currentKubernetesVersion`; Terraform `kubernetes_version`). Versions are \
             compared by major.minor only (a patch difference is not reported); a pool that \
             sets no version follows the control plane and passes; unresolvable versions \
             never fire. Raised to high when the pool is more than three minors behind, \
             outside the Kubernetes version skew policy. Whether a version is past AKS \
             support is AKS017's job (it judges the control plane; this rule does not yet \
             judge pool versions against the support table).",
    rationale: "AKS patches node pools only within the Kubernetes version they run: a pool left \
                behind the control plane keeps the kubelet, container runtime and node image \
                fixes of the older minor, and drifts towards the end of its support window \
                while the cluster looks up to date. Kubelets more than three minors behind the \
                API server are outside the Kubernetes version skew policy and may break.",
    remediation: "Upgrade the node pool to the control plane's version with `az aks nodepool \
                  upgrade --kubernetes-version`, or remove the pool's pinned \
                  `orchestratorVersion` so it follows the cluster.",
    references: &[
        Reference::Guide(
            "Upgrade node pools in Azure Kubernetes Service (AKS)",
            "https://learn.microsoft.com/azure/aks/upgrade-node-pools",
        ),
        Reference::Guide(
            "Supported Kubernetes versions in AKS",
            "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions",
        ),
        Reference::Guide(
            "Kubernetes version skew policy",
            "https://kubernetes.io/releases/version-skew-policy/",
        ),
    ],
    linux_only: false,
    check: Check::Inventory(check),
};

/// `1.29.7`, `1.29`, `v1.29` → (1, 29).
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().trim_start_matches(['v', 'V']).split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The first of `paths` that is set: `Some(text)` when known, `None` when unknown or absent.
fn version_at<'a>(
    settings: &'a aksguard_model::azure::Settings,
    paths: &[&str],
) -> Option<&'a str> {
    for path in paths {
        match settings.get(path) {
            Lookup::Known(node) => return node.as_str(),
            Lookup::Unknown(_) => return None,
            Lookup::Absent => {}
        }
    }
    None
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        let Some(control) = version_at(
            &cluster.settings,
            &["kubernetesVersion", "currentKubernetesVersion"],
        ) else {
            continue;
        };
        let Some((major, minor)) = major_minor(control) else {
            continue;
        };
        for pool in &cluster.node_pools {
            check_pool(cluster, pool, control, (major, minor), out);
        }
    }
}

fn check_pool(
    cluster: &ManagedCluster,
    pool: &NodePool,
    control: &str,
    (major, minor): (u32, u32),
    out: &mut Checker<'_>,
) {
    let path = if pool.settings.get("orchestratorVersion").is_absent() {
        "currentOrchestratorVersion"
    } else {
        "orchestratorVersion"
    };
    let Some(version) = version_at(&pool.settings, &[path]) else {
        return;
    };
    let Some((pool_major, pool_minor)) = major_minor(version) else {
        return;
    };
    if pool_major != major || pool_minor >= minor {
        return;
    }
    let behind = minor - pool_minor;
    let plural = if behind == 1 { "" } else { "s" };
    let command = az_aks_nodepool(
        cluster,
        "upgrade",
        &pool.name,
        &format!("--kubernetes-version {control}"),
    );
    let mut message = format!(
        "node pool `{}` runs Kubernetes {version} (`{path}`), {behind} minor version{plural} \
         behind the control plane's {control}",
        pool.name
    );
    if behind > 3 {
        message.push_str(
            ", outside the Kubernetes version skew policy (kubelets at most three minors \
             behind the API server)",
        );
    }
    message.push('.');
    message.push_str(&fix(
        &command,
        "the agent pool's `orchestratorVersion` to the cluster's `kubernetesVersion` (or leave \
         it out)",
        "`orchestrator_version` of the pool to `kubernetes_version` (or leave it out)",
    ));
    let mut violation = Violation::at(pool_pos_of(pool, path), message);
    if behind > 3 {
        violation = violation.with_severity(Severity::High);
    }
    out.report(violation.on_azure("ManagedCluster", &cluster.name, &pool.source));
}
