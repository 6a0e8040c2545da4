use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, private_cluster};
use crate::meta::{Check, Family, Reference, Rule};

const PRIVATE_DNS_ZONE: &str = "apiServerAccessProfile.privateDNSZone";

pub(crate) static RULE: Rule = Rule {
    id: "AKS046",
    slug: "private-cluster-without-private-dns",
    title: "Private AKS cluster resolves its API server through public DNS only",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every managed cluster with `apiServerAccessProfile.enablePrivateCluster` known \
             true: fires when `apiServerAccessProfile.privateDNSZone` (Terraform \
             `private_dns_zone_id`, az `privateDnsZone`) is `none` (any case). `system` (the \
             default when absent) and a private DNS zone's resource ID pass; an unresolvable \
             value never fires. Reported at `privateDNSZone`.",
    rationale: "With `privateDNSZone: none` AKS creates no private DNS zone: the API server's \
                private endpoint address is published only as a record in Azure public DNS. \
                Anyone can resolve the cluster's internal address, and the cluster's name \
                resolution depends on public DNS being reachable from the private network.",
    remediation: "Create the cluster with a private DNS zone: `--private-dns-zone system` (AKS \
                  manages the zone) or the resource ID of your own \
                  `privatelink.<region>.azmk8s.io` zone (ARM \
                  `apiServerAccessProfile.privateDNSZone`, Terraform `private_dns_zone_id`). \
                  The zone is chosen when the cluster is created: move workloads to a new \
                  cluster if the current one cannot be updated.",
    references: &[Reference::Guide(
        "Create a private AKS cluster",
        "https://learn.microsoft.com/azure/aks/private-clusters",
    )],
    fix: crate::RuleFix {
        summary: Some("Re-create the private cluster with a private DNS zone."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &[
            "az aks create {cluster-args} --enable-private-cluster --private-dns-zone system <other options of the cluster>",
        ],
        iac: &[crate::IacSetting::new(
            "apiServerAccessProfile.privateDNSZone",
            "\"system\"",
            "private_dns_zone_id",
            "\"System\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if private_cluster(cluster) != Some(true) {
        return;
    }
    let Some(zone) = cluster.settings.get(PRIVATE_DNS_ZONE).as_str() else {
        return;
    };
    if !zone.trim().eq_ignore_ascii_case("none") {
        return;
    }
    let message = format!(
        "The private cluster has `privateDNSZone: {zone}`: no private DNS zone resolves \
         its API server, whose private address is published in Azure public DNS. The zone can only be chosen when the cluster is \
         created (`system`, or the resource ID of your own `privatelink.<region>.azmk8s.io` \
         zone)."
    );
    out.report(Violation::at(attr_pos(cluster, PRIVATE_DNS_ZONE), message));
}
