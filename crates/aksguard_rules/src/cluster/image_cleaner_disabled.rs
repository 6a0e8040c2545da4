use aksguard_model::azure::Lookup;
use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks_update, clusters, node_flag, pos_of, report};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS026",
    slug: "image-cleaner-disabled",
    title: "Image Cleaner is not enabled on the cluster",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "The cluster's `securityProfile.imageCleaner.enabled`: reported when it is false \
             or not set (the API default is false). An unresolvable value is not reported.",
    rationale: "Images pulled to a node stay in its container runtime cache after the \
                workloads using them are gone. Stale, vulnerable images can be started again \
                by anyone able to create pods that reference them (with `imagePullPolicy: \
                IfNotPresent` or `Never`, without a registry pull and its access check) and \
                clutter vulnerability reports. Image Cleaner (Eraser) removes unused images \
                with known vulnerabilities on a schedule.",
    remediation: "Enable Image Cleaner with `az aks update --enable-image-cleaner` (optionally \
                  `--image-cleaner-interval-hours`), ARM \
                  `securityProfile.imageCleaner.enabled: true` or Terraform \
                  `image_cleaner_enabled = true` with `image_cleaner_interval_hours`.",
    references: &[
        Reference::Guide(
            "Use Image Cleaner to clean up stale images on your AKS cluster",
            "https://learn.microsoft.com/azure/aks/image-cleaner",
        ),
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "securityProfile.imageCleaner.enabled";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        let state = match cluster.settings.get(PATH) {
            Lookup::Absent => "is not set (defaults to false)",
            lookup if lookup.node().and_then(node_flag) == Some(false) => "is false",
            _ => continue,
        };
        let message = format!(
            "securityProfile.imageCleaner.enabled {state}: unused, vulnerable images stay \
             cached on the nodes. Fix: `{}`; ARM `securityProfile.imageCleaner.enabled: true`, \
             Terraform `image_cleaner_enabled = true`.",
            az_aks_update(cluster, "--enable-image-cleaner"),
        );
        report(out, cluster, pos_of(cluster, PATH), message);
    }
}
