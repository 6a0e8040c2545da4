use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag, private_cluster};
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
    fix: crate::RuleFix {
        summary: Some("Disable the public FQDN of the private API server."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --disable-public-fqdn"],
        iac: &[crate::IacSetting::new(
            "apiServerAccessProfile.enablePrivateClusterPublicFQDN",
            "false",
            "private_cluster_public_fqdn_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if private_cluster(cluster) != Some(true) || flag(cluster, PUBLIC_FQDN, false) != Some(true) {
        return;
    }
    let message = format!(
        "The private cluster publishes a public FQDN for its API server \
         (`enablePrivateClusterPublicFQDN: true`): its private address resolves in public \
         DNS."
    );
    out.report(Violation::at(attr_pos(cluster, PUBLIC_FQDN), message));
}
