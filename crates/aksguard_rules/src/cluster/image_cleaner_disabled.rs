use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
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
    fix: crate::RuleFix {
        summary: Some("Enable Image Cleaner."),
        safety: aksguard_model::FixSafety::Safe,
        commands: &["az aks update {cluster-args} --enable-image-cleaner"],
        iac: &[crate::IacSetting::new(
            "securityProfile.imageCleaner.enabled",
            "true",
            "image_cleaner_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "securityProfile.imageCleaner.enabled";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get(PATH) {
        Lookup::Absent => "is not set (defaults to false)",
        lookup if lookup.node().and_then(node_flag) == Some(false) => "is false",
        _ => return,
    };
    let message = format!(
        "securityProfile.imageCleaner.enabled {state}: unused, vulnerable images stay \
         cached on the nodes."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
