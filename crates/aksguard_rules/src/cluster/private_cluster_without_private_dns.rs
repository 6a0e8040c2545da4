use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{attr_pos, clusters, private_cluster, report};
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
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        if private_cluster(cluster) != Some(true) {
            continue;
        }
        let Some(zone) = cluster.settings.get(PRIVATE_DNS_ZONE).as_str() else {
            continue;
        };
        if !zone.trim().eq_ignore_ascii_case("none") {
            continue;
        }
        let message = format!(
            "The private cluster has `privateDNSZone: {zone}`: no private DNS zone resolves \
             its API server, whose private address is published in Azure public DNS. Fix: \
             create the cluster with `az aks create {} --enable-private-cluster \
             --private-dns-zone system` (or the resource ID of your own \
             `privatelink.<region>.azmk8s.io` zone); in ARM/Bicep set \
             `apiServerAccessProfile.privateDNSZone: system`; in Terraform set \
             `private_dns_zone_id = \"System\"`.",
            crate::cluster::helpers::cluster_args(cluster)
        );
        report(out, cluster, attr_pos(cluster, PRIVATE_DNS_ZONE), message);
    }
}
