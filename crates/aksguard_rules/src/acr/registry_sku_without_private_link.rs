use aksguard_model::Severity;
use aksguard_model::azure::ContainerRegistry;

use super::{pos_of, sku};
use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "ACR006",
    slug: "registry-sku-without-private-link",
    title: "Container registry SKU cannot use private link in a private-cluster design",
    family: Family::Registry,
    severity: Severity::Low,
    checks: "Every container registry whose `sku.name` (Terraform `sku`) is `Basic` or \
             `Standard`, when at least one AKS cluster of the scan is private \
             (`apiServerAccessProfile.enablePrivateCluster` known and true). Without a \
             private cluster in the scan nothing fires; unresolvable values never fire. Only \
             the Premium SKU supports private endpoints and network rules.",
    rationale: "A private cluster keeps its API server off the internet, but its nodes still \
                pull images from the registry. A Basic or Standard registry cannot have a \
                private endpoint or network rules, so it must stay reachable from the \
                internet and image traffic leaves the private network: the registry becomes \
                the public hole in a private design.",
    remediation: "Upgrade the registry to Premium, add a private endpoint in the cluster's \
                  virtual network, and disable public network access.",
    references: &[
        Reference::Guide(
            "Connect privately to an Azure container registry using Azure Private Link",
            "https://learn.microsoft.com/azure/container-registry/container-registry-private-link",
        ),
        Reference::Guide(
            "Azure Container Registry service tiers",
            "https://learn.microsoft.com/azure/container-registry/container-registry-skus",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some("Move the registry to the Premium SKU (private link, network rules)."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az acr update --name {registry} --sku Premium"],
        iac: &[crate::IacSetting::new(
            "sku.name",
            "\"Premium\"",
            "sku",
            "\"Premium\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Registry(check),
};

fn check(registry: &ContainerRegistry, out: &mut Checker<'_>) {
    let Some(private) = out.inventory().azure().clusters.iter().find(|c| {
        c.settings
            .get("apiServerAccessProfile.enablePrivateCluster")
            .as_bool()
            == Some(true)
    }) else {
        return;
    };
    let Some(sku) = sku(registry) else {
        return;
    };
    if !(sku.eq_ignore_ascii_case("basic") || sku.eq_ignore_ascii_case("standard")) {
        return;
    }
    let message = format!(
        "`sku.name` is `{sku}` while cluster `{}` is private: only Premium registries can \
         have a private endpoint, so the nodes' image pulls must cross the internet.",
        private.name
    );
    out.report(Violation::at(pos_of(registry, "sku.name"), message));
}
