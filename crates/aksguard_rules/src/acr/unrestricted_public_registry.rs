use aksguard_model::Severity;
use aksguard_model::azure::{ContainerRegistry, Lookup};

use super::{is_premium, pos_of};
use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "ACR003",
    slug: "unrestricted-public-registry",
    title: "Container registry is reachable from any network",
    family: Family::Registry,
    severity: Severity::Medium,
    checks: "Every container registry whose `publicNetworkAccess` (Terraform \
             `public_network_access_enabled`) is `Enabled` or absent (the default is \
             Enabled) and whose `networkRuleSet.defaultAction` (Terraform \
             `network_rule_set.default_action`) is not `Deny` (absent: Allow). With \
             `defaultAction: Allow` the registry accepts every source whatever \
             `ipRules`/`virtualNetworkRules` list, so those rules do not make it pass; \
             `Deny` (with or without rules: then only private endpoints and allowed IPs \
             reach it) passes, as does `publicNetworkAccess: Disabled`. Unresolvable values \
             never fire. Network rules and private endpoints need the Premium SKU.",
    rationale: "A registry open to the internet exposes its login and data endpoints to \
                password spraying, stolen-token use and exfiltration from anywhere; the only \
                barrier left is authentication. Restricting it to the cluster's network \
                (private endpoint) or known IP ranges means a leaked credential is useless \
                outside them.",
    remediation: "Disable public network access and reach the registry over a private \
                  endpoint, or set the default network action to Deny and allow only your \
                  networks' IP ranges (both need the Premium SKU).",
    references: &[
        Reference::Guide(
            "Configure public IP network rules for an Azure container registry",
            "https://learn.microsoft.com/azure/container-registry/container-registry-access-selected-networks",
        ),
        Reference::Guide(
            "Connect privately to an Azure container registry using Azure Private Link",
            "https://learn.microsoft.com/azure/container-registry/container-registry-private-link",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Close the registry to the public network (private endpoint), or deny by default and allow your ranges.",
        ),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az acr update --name {registry} --public-network-enabled false"],
        iac: &[crate::IacSetting::new(
            "publicNetworkAccess",
            "\"Disabled\"",
            "public_network_access_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Registry(check),
};

fn check(registry: &ContainerRegistry, out: &mut Checker<'_>) {
    const PUBLIC: &str = "publicNetworkAccess";
    const DEFAULT_ACTION: &str = "networkRuleSet.defaultAction";
    let public = match registry.settings.get(PUBLIC) {
        Lookup::Known(node) => match node.as_str() {
            Some(value) if value.trim().eq_ignore_ascii_case("enabled") => {
                format!("`{PUBLIC}` is `{value}`")
            }
            _ => return,
        },
        Lookup::Absent => format!("`{PUBLIC}` is not set (defaults to Enabled)"),
        Lookup::Unknown(_) => return,
    };
    let action = match registry.settings.get(DEFAULT_ACTION) {
        Lookup::Known(node) => match node.as_str() {
            Some(value) if value.trim().eq_ignore_ascii_case("deny") => return,
            Some(value) => format!("`{DEFAULT_ACTION}` is `{value}`"),
            None => return,
        },
        Lookup::Absent => format!("`{DEFAULT_ACTION}` is not set (defaults to Allow)"),
        Lookup::Unknown(_) => return,
    };
    let has_rules = [
        "networkRuleSet.ipRules",
        "networkRuleSet.virtualNetworkRules",
    ]
    .iter()
    .any(|path| {
        registry
            .settings
            .get(path)
            .node()
            .is_some_and(|rules| !rules.items().is_empty())
    });
    let mut message = format!(
        "{public} and {action}: the registry accepts connections from \
                               any network"
    );
    if has_rules {
        message.push_str(
            " (its IP/virtual network rules have no effect while the default \
                          action is Allow)",
        );
    }
    message.push('.');
    if is_premium(registry) == Some(false) {
        message.push_str(" Network rules and private endpoints need the Premium SKU (see ACR006).");
    }
    out.report(Violation::at(pos_of(registry, PUBLIC), message));
}
