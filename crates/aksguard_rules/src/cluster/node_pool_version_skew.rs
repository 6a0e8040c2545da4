use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::checker::{Checker, Violation};
use crate::clock::{Date, today_utc};
use crate::cluster::aks_versions::VERSIONS;
use crate::cluster::helpers::{az_aks, az_aks_nodepool, pool_pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS033",
    slug: "node-pool-version-skew",
    title: "Node pool Kubernetes version is behind the control plane or past AKS support",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every node pool of every AKS cluster whose `orchestratorVersion` (else \
             `currentOrchestratorVersion`; Terraform `orchestrator_version`) is known, two \
             conditions reported in one finding per pool. Skew: the pool's minor version is \
             older than the cluster's `kubernetesVersion` (else `currentKubernetesVersion`; \
             Terraform `kubernetes_version`); versions are compared by major.minor only (a \
             patch difference is not reported); raised to high when the pool is more than \
             three minors behind, outside the Kubernetes version skew policy. Past support: \
             the pool's minor is past its AKS end of support on the as-of date (`--as-of`, \
             else today), judged against AKS017's dated table (the long-term support end date \
             when the cluster has `supportPlan: AKSLongTermSupport`; a minor older than the \
             whole table is past support; one newer than the table is not judged): high. A \
             pool on the control plane's minor is not judged for support here (AKS017 reports \
             the control plane's version, and upgrading it upgrades such pools); a pool whose \
             control plane version is unknown is. No \"ending soon\" warning for pools. A \
             pool that sets no version follows the control plane and passes; unresolvable \
             versions never fire.",
    rationale: "AKS patches node pools only within the Kubernetes version they run: a pool left \
                behind the control plane keeps the kubelet, container runtime and node image \
                fixes of the older minor, and drifts towards the end of its support window \
                while the cluster looks up to date. Kubelets more than three minors behind the \
                API server are outside the Kubernetes version skew policy and may break. A \
                pool whose minor is past AKS support gets no security fixes for its kubelet \
                and Kubernetes node components at all.",
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
    fix: crate::RuleFix {
        commands: &[
            "az aks nodepool upgrade --resource-group {group} --cluster-name {cluster} --name {pool} --kubernetes-version <version>",
        ],
        summary: Some("Upgrade the node pool to the control plane's (or a supported) version."),
        iac: &[crate::IacSetting::new(
            "orchestratorVersion",
            "\"<version>\"",
            "orchestrator_version",
            "\"<version>\"",
        )],
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
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

/// Why a pool's minor version is past AKS support on `today`, or `None` while it is supported
/// (or newer than the table). A cluster on the long-term support plan is judged against the
/// LTS end date, as AKS017 judges the control plane.
fn past_support((major, minor): (u32, u32), on_lts: bool, today: Date) -> Option<String> {
    let oldest = VERSIONS.first()?;
    if major == oldest.version.0 && minor < oldest.version.1 {
        return Some(format!(
            "{major}.{minor} is older than every version in aksguard's AKS support table (the \
             oldest, {}.{}, left standard support on {})",
            oldest.version.0, oldest.version.1, oldest.end_of_life,
        ));
    }
    let row = VERSIONS.iter().find(|row| row.version == (major, minor))?;
    let (end, kind) = match (on_lts, row.lts_end_of_life) {
        (true, Some(lts)) => (lts, "long-term support"),
        _ => (row.end_of_life, "standard support"),
    };
    (end < today).then(|| format!("{major}.{minor}'s AKS {kind} ended on {}", end))
}

fn check(cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    let today = out.settings().as_of.unwrap_or_else(today_utc);
    let control = version_at(
        &cluster.settings,
        &["kubernetesVersion", "currentKubernetesVersion"],
    )
    .and_then(|text| major_minor(text).map(|version| (text, version)));
    let on_lts = cluster
        .settings
        .get("supportPlan")
        .as_str()
        .is_some_and(|plan| plan.eq_ignore_ascii_case("AKSLongTermSupport"));
    check_pool(cluster, pool, control, on_lts, today, out);
}

fn check_pool(
    cluster: &ManagedCluster,
    pool: &NodePool,
    control: Option<(&str, (u32, u32))>,
    on_lts: bool,
    today: Date,
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
    // Skew: minors behind a known control plane of the same major.
    let behind = match control {
        Some((_, (major, minor))) if major == pool_major && pool_minor < minor => {
            Some(minor - pool_minor)
        }
        _ => None,
    };
    // A pool on the control plane's minor (or a newer one): whether that version is supported
    // is AKS017's finding on the control plane, whose upgrade takes the pools along.
    let follows_control = matches!(
        control,
        Some((_, (major, minor))) if major == pool_major && pool_minor >= minor
    );
    let past = if follows_control {
        None
    } else {
        past_support((pool_major, pool_minor), on_lts, today)
    };
    if behind.is_none() && past.is_none() {
        return;
    }
    let target = match (behind, control) {
        (Some(_), Some((text, _))) => text.to_owned(),
        _ => "<version>".to_owned(),
    };
    let command = az_aks_nodepool(
        cluster,
        "upgrade",
        &pool.name,
        &format!("--kubernetes-version {target}"),
    );
    let mut message = format!(
        "node pool `{}` runs Kubernetes {version} (`{path}`)",
        pool.name
    );
    let skew_policy = behind.is_some_and(|b| b > 3);
    if let (Some(behind), Some((control, _))) = (behind, control) {
        let plural = if behind == 1 { "" } else { "s" };
        message.push_str(&format!(
            ", {behind} minor version{plural} behind the control plane's {control}"
        ));
        if skew_policy {
            message.push_str(
                ", outside the Kubernetes version skew policy (kubelets at most three minors \
                 behind the API server)",
            );
        }
    }
    if let Some(past) = &past {
        let joint = if behind.is_some() { ", and is" } else { "," };
        message.push_str(&format!(
            "{joint} out of AKS support: {past}; its nodes get no more Kubernetes patches"
        ));
    }
    message.push('.');
    let mut commands = vec![command];
    if behind.is_none() {
        // Which versions are supported is for `get-upgrades` to say, before the upgrade.
        commands.insert(0, az_aks(cluster, "get-upgrades", "--output table"));
    }
    let mut violation = Violation::at(pool_pos_of(pool, path), message)
        .with_fix(crate::azure_fix::with_commands(&RULE, commands));
    if skew_policy || past.is_some() {
        violation = violation.with_severity(Severity::High);
    }
    out.report(violation);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_ends_after_the_last_day_and_follows_the_lts_plan() {
        assert_eq!(
            past_support((1, 33), false, jiff::civil::date(2026, 7, 31)),
            None
        );
        assert_eq!(
            past_support((1, 33), false, jiff::civil::date(2026, 8, 1)).as_deref(),
            Some("1.33's AKS standard support ended on 2026-07-31")
        );
        assert_eq!(
            past_support((1, 33), true, jiff::civil::date(2026, 8, 1)),
            None
        );
        assert!(past_support((1, 33), true, jiff::civil::date(2027, 8, 1)).is_some());
        assert!(past_support((1, 20), false, jiff::civil::date(2020, 1, 1)).is_some());
        assert_eq!(
            past_support((1, 99), false, jiff::civil::date(2099, 1, 1)),
            None
        );
        assert_eq!(
            past_support((2, 0), false, jiff::civil::date(2099, 1, 1)),
            None
        );
    }
}
