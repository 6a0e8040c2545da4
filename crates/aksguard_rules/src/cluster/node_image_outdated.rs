use aksguard_model::{Inventory, Severity};

use crate::azure_fix::{AzureTarget, with_commands};
use crate::checker::{Checker, Violation};
use crate::clock::{Date, days_between, today_utc};
use crate::cluster::helpers::{az_aks_nodepool, az_aks_update, clusters, pool_pos_of};
use crate::meta::{Check, Family, Reference, Rule};

const PATH: &str = "nodeImageVersion";

pub(crate) static RULE: Rule = Rule {
    id: "AKS045",
    slug: "node-image-outdated",
    title: "Node pool runs a node image older than the allowed age",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool whose `nodeImageVersion` (reported by `az aks show`, `az aks \
             nodepool list` and REST bodies; templates and Terraform do not record it) embeds \
             its release date: Linux images `AKSUbuntu-2204gen2containerd-202405.03.0` and \
             `AKSAzureLinux-V2gen2-202405.03.0` (`YYYYMM.DD.n`, 3 May 2024), older Linux \
             images `…-2021.10.12` (`YYYY.MM.DD`) and Windows images \
             `AKSWindows-2022-containerd-20348.2527.240710` (`build.revision.YYMMDD`, 10 July \
             2024). Fires when the image is older than `[azure] node-image-max-age-days` of \
             aksguard.toml (default 60) as of today in UTC or `--as-of`. A version in no \
             known format is not judged; a cluster none of whose pools gives a dated image \
             version is listed as not judged.",
    rationale: "The node image carries the node's kernel, container runtime and OS packages. \
                Linux images are released weekly and Windows images monthly with security \
                fixes; a pool still on an image months old runs every node with known, \
                patched vulnerabilities that a container escape or a kubelet exploit can \
                use.",
    remediation: "Upgrade the pool's node image (`az aks nodepool upgrade --node-image-only`) \
                  and keep it current with a node OS upgrade channel (`az aks update \
                  --node-os-upgrade-channel NodeImage`, ARM \
                  `autoUpgradeProfile.nodeOSUpgradeChannel`, Terraform \
                  `node_os_upgrade_channel`) in a planned maintenance window.",
    references: &[
        Reference::Guide(
            "Upgrade AKS node images",
            "https://learn.microsoft.com/azure/aks/node-image-upgrade",
        ),
        Reference::Guide(
            "Auto-upgrade node OS images in AKS",
            "https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image",
        ),
    ],
    fix: crate::RuleFix {
        commands: &[
            "az aks nodepool upgrade --resource-group {group} --cluster-name {cluster} --name {pool} --node-image-only",
        ],
        summary: Some(
            "Upgrade the node pool to the latest node image and let AKS keep it current.",
        ),
        iac: &[crate::IacSetting::new(
            "autoUpgradeProfile.nodeOSUpgradeChannel",
            "\"NodeImage\"",
            "node_os_upgrade_channel",
            "\"NodeImage\"",
        )],
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Why a cluster is not judged.
const NO_IMAGE_VERSION: &str = "no node pool of the cluster gives a dated `nodeImageVersion` \
                                (ARM/Bicep templates and Terraform never record it): scan \
                                `az aks show` or `az aks nodepool list` output";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let today = out.settings().as_of.unwrap_or_else(today_utc);
    let max_age = i64::from(out.settings().azure.node_image_max_age_days);
    for cluster in clusters(inventory) {
        let mut judged = false;
        for pool in &cluster.node_pools {
            let Some(version) = pool.settings.get(PATH).as_str() else {
                continue;
            };
            let Some(released) = image_date(version) else {
                continue;
            };
            judged = true;
            let age = days_between(released, today);
            if age <= max_age {
                continue;
            }
            let message = format!(
                "node pool `{}` runs node image `{}`, released {released}: {age} days old as \
                 of {today}, past the allowed {max_age} days, so its nodes miss the kernel \
                 and OS security fixes of newer images.",
                pool.name,
                version.trim(),
            );
            let fix = with_commands(
                &RULE,
                [
                    az_aks_nodepool(cluster, "upgrade", &pool.name, "--node-image-only"),
                    az_aks_update(cluster, "--node-os-upgrade-channel NodeImage"),
                ],
            );
            let violation = Violation::at(pool_pos_of(pool, PATH), message)
                .on_azure("ManagedCluster", &cluster.name, &pool.source)
                .with_fix(fix);
            // The IaC that keeps images current is the cluster's node OS channel.
            out.report_on(&RULE, &AzureTarget::Cluster(cluster), violation);
        }
        if !judged {
            out.undecided(NO_IMAGE_VERSION);
        }
    }
}

/// The release date a node image version embeds in its last `-` segment; `None` for any
/// other shape.
fn image_date(version: &str) -> Option<Date> {
    let last = version.trim().rsplit('-').next()?;
    let parts: Vec<&str> = last.split('.').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| s.parse::<i16>().ok();
    let (year, month, day) = match parts.as_slice() {
        // Linux: YYYYMM.DD.n
        [yyyymm, dd, n] if digits(yyyymm, 6) && digits(dd, 2) && !n.is_empty() => {
            (number(&yyyymm[..4])?, number(&yyyymm[4..])?, number(dd)?)
        }
        // Older Linux: YYYY.MM.DD
        [yyyy, mm, dd] if digits(yyyy, 4) && digits(mm, 2) && digits(dd, 2) => {
            (number(yyyy)?, number(mm)?, number(dd)?)
        }
        // Windows: build.revision.YYMMDD
        [build, revision, yymmdd]
            if digits(yymmdd, 6)
                && build.bytes().all(|b| b.is_ascii_digit())
                && revision.bytes().all(|b| b.is_ascii_digit())
                && build.len() >= 4 =>
        {
            (
                2000 + number(&yymmdd[..2])?,
                number(&yymmdd[2..4])?,
                number(&yymmdd[4..])?,
            )
        }
        _ => return None,
    };
    if !(i8::try_from(month).is_ok() && i8::try_from(day).is_ok()) {
        return None;
    }
    Date::new(year, month as i8, day as i8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn release_dates_are_read_from_every_image_family() {
        for (version, expected) in [
            (
                "AKSUbuntu-2204gen2containerd-202405.03.0",
                Some(date(2024, 5, 3)),
            ),
            ("AKSAzureLinux-V2gen2-202501.12.0", Some(date(2025, 1, 12))),
            (
                "AKSCBLMariner-V2gen2arm64-202312.06.1",
                Some(date(2023, 12, 6)),
            ),
            (
                "AKSUbuntu-1804gen2containerd-2021.10.12",
                Some(date(2021, 10, 12)),
            ),
            (
                "AKSWindows-2022-containerd-20348.2527.240710",
                Some(date(2024, 7, 10)),
            ),
            (
                "AKSWindows-2019-containerd-17763.5820.240612",
                Some(date(2024, 6, 12)),
            ),
            // Not dates: an impossible day, other shapes, bare text.
            ("AKSUbuntu-2204gen2containerd-202402.31.0", None),
            ("AKSUbuntu-2204gen2containerd-latest", None),
            ("1.33.2", None),
            ("", None),
            ("[parameters('image')]", None),
        ] {
            assert_eq!(image_date(version), expected, "{version}");
        }
    }
}
