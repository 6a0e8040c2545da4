use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::clock::{Date, days_between, today_utc};
use crate::cluster::aks_versions::{AksVersion, TABLE_UPDATED, VERSIONS};
use crate::cluster::helpers::{az_aks, az_aks_update, pos_of};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS017",
    slug: "kubernetes-version-out-of-support",
    title: "Cluster Kubernetes version is past (or near) its AKS end of support",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "The cluster's `kubernetesVersion` (else `currentKubernetesVersion`), reduced to its \
             minor version (`1.29`, `1.29.7` and `v1.29.7` are all 1.29), against aksguard's \
             shipped, dated table of AKS minor versions with their GA and end-of-support dates \
             (from Microsoft's AKS release calendar; the source and the date it was read are \
             in `crates/aksguard_rules/src/cluster/aks_versions.rs`). \"Today\" is `--as-of \
             YYYY-MM-DD` (or `AKSGUARD_AS_OF`) when given, else the current date. Past the end \
             of standard support: high. Within 60 days of it: low, with its own message. A \
             cluster on the long-term support plan (`supportPlan: AKSLongTermSupport`) is judged \
             against the LTS end date instead. A minor older than every version in the table \
             is out of support (high). A minor newer than the table is unknown to the table \
             and not reported; neither is a version that cannot be read (a template \
             expression, a Terraform variable, text that is not a version). Node pool versions \
             are AKS033's.",
    rationale: "AKS supports three GA Kubernetes minor versions (N-2). Once a version leaves \
                support, AKS ships no security patches or bug fixes for its Kubernetes \
                components, the cluster is outside the AKS SLA for Kubernetes issues, and the \
                jump to a supported version grows with every release skipped. Upgrading before \
                the end date keeps the control plane and nodes patched.",
    remediation: "Upgrade the cluster to a supported Kubernetes minor version (`az aks \
                  get-upgrades` lists them, `az aks upgrade --kubernetes-version` applies one), \
                  or set `kubernetesVersion` (ARM) / `kubernetes_version` (Terraform) to one, \
                  and enable an auto-upgrade channel so it stays supported.",
    references: &[
        Reference::Guide(
            "Supported Kubernetes versions in AKS",
            "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions",
        ),
        Reference::Guide(
            "Upgrade an Azure Kubernetes Service (AKS) cluster",
            "https://learn.microsoft.com/azure/aks/upgrade-aks-cluster",
        ),
        Reference::Guide(
            "Long-term support for Azure Kubernetes Service (AKS) versions",
            "https://learn.microsoft.com/azure/aks/long-term-support",
        ),
        guides::AKS_CLUSTER_SECURITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        commands: &[
            "az aks get-upgrades {cluster-args} --output table",
            "az aks upgrade {cluster-args} --kubernetes-version <version>",
        ],
        summary: Some("Upgrade the cluster to a supported Kubernetes version."),
        iac: &[crate::IacSetting::new(
            "kubernetesVersion",
            "\"<version>\"",
            "kubernetes_version",
            "\"<version>\"",
        )],
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

/// Days before the end of support from which the low "ending soon" finding is reported.
const WARN_DAYS: i64 = 60;

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let today = out.settings().as_of.unwrap_or_else(today_utc);
    if let Some(violation) = evaluate(cluster, today) {
        out.report(violation);
    }
}

fn evaluate(cluster: &ManagedCluster, today: Date) -> Option<Violation> {
    let (path, text) = ["kubernetesVersion", "currentKubernetesVersion"]
        .into_iter()
        .find_map(|path| match cluster.settings.get(path) {
            Lookup::Absent => None,
            lookup => Some((path, lookup)),
        })
        .and_then(|(path, lookup)| lookup.as_str().map(|text| (path, text)))?;
    let version = minor_of(text)?;
    let pos = pos_of(cluster, path);
    let oldest = VERSIONS.first()?;
    let field = format!("`{path}: {text}`");
    if version.0 == oldest.version.0 && version.1 < oldest.version.1 {
        let message = format!(
            "Kubernetes {}.{} ({field}) is out of AKS support: it is older than every version \
             in aksguard's AKS support table of {} (the oldest, {}.{}, left standard support \
             on {}).",
            version.0,
            version.1,
            TABLE_UPDATED,
            oldest.version.0,
            oldest.version.1,
            oldest.end_of_life,
        );
        return Some(Violation::at(pos, message).with_fix(upgrade_fix(cluster, false)));
    }
    let row = VERSIONS.iter().find(|row| row.version == version)?;
    let on_lts = cluster
        .settings
        .get("supportPlan")
        .as_str()
        .is_some_and(|plan| plan.eq_ignore_ascii_case("AKSLongTermSupport"));
    let (end, kind) = match (on_lts, row.lts_end_of_life) {
        (true, Some(lts)) => (lts, "long-term support"),
        _ => (row.end_of_life, "standard support"),
    };
    let left = days_between(today, end);
    if left > WARN_DAYS {
        return None;
    }
    let lts = lts_option(row, on_lts, today);
    let fix = upgrade_fix(cluster, lts.is_some());
    let lts = lts.unwrap_or_default();
    let (message, severity) = if left < 0 {
        (
            format!(
                "Kubernetes {}.{} ({field}) is out of AKS support: its {kind} ended on {} (as of \
                 {}; aksguard's AKS support table of {}).{lts}",
                version.0, version.1, end, today, TABLE_UPDATED,
            ),
            Severity::High,
        )
    } else {
        (
            format!(
                "Kubernetes {}.{} ({field}) leaves AKS {kind} after {}, {} (as of {}; \
                 aksguard's AKS support table of {}): plan the upgrade now.{lts}",
                version.0,
                version.1,
                end,
                match left {
                    0 => "its last supported day is today".to_owned(),
                    1 => "in 1 day".to_owned(),
                    _ => format!("in {left} days"),
                },
                today,
                TABLE_UPDATED,
            ),
            Severity::Low,
        )
    };
    Some(
        Violation::at(pos, message)
            .with_severity(severity)
            .with_fix(fix),
    )
}

/// List the versions the cluster can upgrade to, upgrade; `with_lts`: the long-term support
/// plan as the alternative.
fn upgrade_fix(cluster: &ManagedCluster, with_lts: bool) -> aksguard_model::Fix {
    let mut commands = vec![
        az_aks(cluster, "get-upgrades", "--output table"),
        az_aks(cluster, "upgrade", "--kubernetes-version <version>"),
    ];
    if with_lts {
        commands.push(az_aks_update(
            cluster,
            "--tier premium --k8s-support-plan AKSLongTermSupport",
        ));
    }
    crate::azure_fix::with_commands(&RULE, commands)
}

/// The LTS plan as an alternative, while LTS still covers the version.
fn lts_option(row: &AksVersion, on_lts: bool, today: Date) -> Option<String> {
    match row.lts_end_of_life {
        Some(lts) if !on_lts && lts >= today => Some(format!(
            " Alternatively the long-term support plan (Premium tier) covers {}.{} until {} \
             (the last command).",
            row.version.0, row.version.1, lts,
        )),
        _ => None,
    }
}

/// `1.29`, `1.29.7`, `v1.30.3` → (1, 29); anything else → `None`.
pub(crate) fn minor_of(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    let text = text
        .strip_prefix('v')
        .or_else(|| text.strip_prefix('V'))
        .unwrap_or(text);
    let mut parts = text.split('.');
    let major = parts.next()?;
    let minor = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    if let Some(patch) = parts.next() {
        // `1.29.7`, `1.29.7-hotfix.20240101`; not `1.29.x` or `1.29.${var}`.
        if !patch.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_normalise_to_their_minor() {
        assert_eq!(minor_of("1.29"), Some((1, 29)));
        assert_eq!(minor_of("1.29.7"), Some((1, 29)));
        assert_eq!(minor_of("v1.30.3"), Some((1, 30)));
        assert_eq!(minor_of(" 1.31.2-hotfix.1 "), Some((1, 31)));
        for bad in [
            "",
            "1",
            "latest",
            "1.x",
            "1.29.x",
            "[parameters('v')]",
            "${var.v}",
        ] {
            assert_eq!(minor_of(bad), None, "{bad}");
        }
    }
}
