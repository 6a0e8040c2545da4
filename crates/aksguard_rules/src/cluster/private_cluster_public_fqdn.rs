use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{
    attr_pos, az_aks_update, clusters, fix, flag, private_cluster, report,
};
use crate::meta::{Check, Family, Reference, Rule};

const PUBLIC_FQDN: &str = "apiServerAccessProfile.enablePrivateClusterPublicFQDN";

pub(crate) static RULE: Rule = Rule {
    id: "AKS006",
    slug: "private-cluster-public-fqdn",
    title: "Private AKS cluster publishes a public FQDN for its API server",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every managed cluster with `apiServerAccessProfile.enablePrivateCluster` known \
             true: fires when `apiServerAccessProfile.enablePrivateClusterPublicFQDN` \
             (Terraform `private_cluster_public_fqdn_enabled`) is known true. Absent passes: \
             Terraform's default is false, and a cluster created with a public FQDN reports \
             the property as true in `az aks show` and REST output, so an absent value is not \
             known to be true. Unresolvable values never fire. Reported at \
             `enablePrivateClusterPublicFQDN`.",
    rationale: "A public FQDN on a private cluster resolves the API server's private IP address \
                in public DNS: anyone can learn the cluster's internal address and that it \
                exists, which helps reconnaissance. Private DNS zones resolve it for the \
                networks that need it.",
    remediation: "Disable the public FQDN (`az aks update --disable-public-fqdn`; ARM \
                  `apiServerAccessProfile.enablePrivateClusterPublicFQDN: false`; Terraform \
                  `private_cluster_public_fqdn_enabled = false`) and resolve the API server \
                  through a private DNS zone.",
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
        if private_cluster(cluster) != Some(true) || flag(cluster, PUBLIC_FQDN, false) != Some(true)
        {
            continue;
        }
        let message = format!(
            "The private cluster publishes a public FQDN for its API server \
             (`enablePrivateClusterPublicFQDN: true`): its private address resolves in public \
             DNS.{}",
            fix(
                &az_aks_update(cluster, "--disable-public-fqdn"),
                "`apiServerAccessProfile.enablePrivateClusterPublicFQDN: false`",
                "`private_cluster_public_fqdn_enabled = false`"
            )
        );
        report(out, cluster, attr_pos(cluster, PUBLIC_FQDN), message);
    }
}
