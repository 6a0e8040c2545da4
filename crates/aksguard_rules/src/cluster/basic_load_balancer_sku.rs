use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks_update, clusters, fix, pos_of, report};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS034",
    slug: "basic-load-balancer-sku",
    title: "Cluster uses the retired Basic load balancer SKU",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every AKS cluster whose `networkProfile.loadBalancerSku` (Terraform \
             `network_profile.load_balancer_sku`) is known and equals `basic` \
             (case-insensitive). Absent passes: the API default is `standard`.",
    rationale: "The Basic load balancer was retired on 30 September 2025 and AKS no longer \
                supports it. It has no availability zones or SLA, is open to the internet by \
                default with no outbound rules to control egress, and cannot be used with \
                authorized IP ranges, multiple node pools or Standard-only features; clusters \
                still on it run an unsupported configuration.",
    remediation: "Migrate the cluster to the Standard load balancer (`az aks update \
                  --load-balancer-sku standard`, a disruptive operation: plan downtime) and set \
                  `loadBalancerSku: standard` in templates.",
    references: &[
        Reference::Guide(
            "Upgrade from Basic Load Balancer on AKS",
            "https://learn.microsoft.com/azure/aks/upgrade-basic-load-balancer-on-aks",
        ),
        Reference::Guide(
            "Use a public standard load balancer in AKS",
            "https://learn.microsoft.com/azure/aks/load-balancer-standard",
        ),
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    const PATH: &str = "networkProfile.loadBalancerSku";
    for cluster in clusters(inventory) {
        let Some(sku) = cluster.settings.get(PATH).as_str() else {
            continue;
        };
        if !sku.trim().eq_ignore_ascii_case("basic") {
            continue;
        }
        let mut message = format!(
            "`{PATH}` is `{sku}`: the Basic load balancer is retired (30 September 2025) and no \
             longer supported by AKS; migrating to Standard recreates the load balancer \
             (plan downtime)."
        );
        message.push_str(&fix(
            &az_aks_update(cluster, "--load-balancer-sku standard"),
            "`networkProfile.loadBalancerSku: standard`",
            "`network_profile { load_balancer_sku = \"standard\" }`",
        ));
        report(out, cluster, pos_of(cluster, PATH), message);
    }
}
