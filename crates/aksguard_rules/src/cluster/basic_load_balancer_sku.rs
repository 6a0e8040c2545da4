use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::pos_of;
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
    fix: crate::RuleFix {
        summary: Some("Move to the Standard load balancer."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --load-balancer-sku standard"],
        iac: &[crate::IacSetting::new(
            "networkProfile.loadBalancerSku",
            "\"standard\"",
            "network_profile.load_balancer_sku",
            "\"standard\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    const PATH: &str = "networkProfile.loadBalancerSku";
    let Some(sku) = cluster.settings.get(PATH).as_str() else {
        return;
    };
    if !sku.trim().eq_ignore_ascii_case("basic") {
        return;
    }
    let message = format!(
        "`{PATH}` is `{sku}`: the Basic load balancer is retired (30 September 2025) and no \
         longer supported by AKS; migrating to Standard recreates the load balancer \
         (plan downtime)."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
