//! NET015 on model values built here (the az loaders for gateways and policies live
//! elsewhere).

use super::*;
use crate::test_azure::{Found, cluster_yaml, meta, run};
use aksguard_model::azure::WafPolicy;

const GATEWAY: &str =
    "/subscriptions/s/resourceGroups/rg-edge/providers/Microsoft.Network/applicationGateways/appgw";
const POLICY: &str = "/subscriptions/s/resourceGroups/rg-edge/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/appgw-waf";

fn cluster(addon: &str) -> AzureResources {
    cluster_yaml(&format!(
        "- name: aks1\n  resourceGroup: rg1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
         addonProfiles:\n    ingressApplicationGateway:\n{addon}"
    ))
}

fn enabled_with(key: &str) -> AzureResources {
    cluster(&format!(
        "      enabled: true\n      config:\n        {key}: {GATEWAY}\n"
    ))
}

fn gateway(tier: &str, policy: Link, inline: Option<WafSettings>) -> ApplicationGateway {
    ApplicationGateway {
        meta: meta("appgw", GATEWAY),
        sku_tier: Some(tier.into()),
        inline_waf: inline,
        waf_policy: policy,
    }
}

fn waf(enabled: Option<bool>, mode: Option<&str>) -> WafSettings {
    WafSettings {
        enabled,
        mode: mode.map(str::to_owned),
        pos: Some(Pos::new(4, 3)),
    }
}

fn policy(settings: WafSettings) -> WafPolicy {
    WafPolicy {
        meta: meta("appgw-waf", POLICY),
        settings,
    }
}

fn judge_with(gateways: Vec<ApplicationGateway>, policies: Vec<WafPolicy>) -> (Found, Vec<String>) {
    let mut azure = enabled_with("applicationGatewayId");
    azure.application_gateways.extend(gateways);
    azure.waf_policies.extend(policies);
    run(&RULE, azure, false)
}

#[test]
fn a_standard_v2_gateway_fires_with_the_waf_fix() {
    let (found, undecided) = judge_with(vec![gateway("Standard_v2", Link::Absent, None)], vec![]);
    assert!(undecided.is_empty());
    assert_eq!(found.len(), 1);
    let message = &found[0].2;
    assert!(
        message.contains("tier `Standard_v2`, not `WAF_v2`"),
        "{message}"
    );
    assert!(
        message.contains("`az network application-gateway update -g rg-edge -n appgw --sku WAF_v2 --set firewallPolicy.id=<waf-policy-id>`"),
        "{message}"
    );
}

#[test]
fn a_disabled_or_detecting_policy_fires_at_the_policy() {
    for (settings, expected) in [
        (waf(Some(false), Some("Prevention")), "is disabled"),
        (waf(Some(true), Some("Detection")), "`Detection` mode"),
        (waf(None, Some("detection")), "`Detection` mode"),
    ] {
        let (found, _) = judge_with(
            vec![gateway("WAF_v2", Link::To(Ref::literal(POLICY)), None)],
            vec![policy(settings)],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 4);
        assert!(found[0].2.contains(expected), "{}", found[0].2);
        assert!(
            found[0]
                .2
                .contains("--policy-name appgw-waf --state Enabled --mode Prevention"),
            "{}",
            found[0].2
        );
    }
}

#[test]
fn an_enforcing_policy_or_inline_waf_passes() {
    let (found, undecided) = judge_with(
        vec![gateway(
            "WAF_v2",
            Link::To(Ref::literal(POLICY.to_ascii_lowercase())),
            None,
        )],
        vec![policy(waf(Some(true), Some("Prevention")))],
    );
    assert!(found.is_empty() && undecided.is_empty());
    let (found, _) = judge_with(
        vec![gateway(
            "waf_v2",
            Link::Absent,
            Some(waf(Some(true), Some("Prevention"))),
        )],
        vec![],
    );
    assert!(found.is_empty());
    // An unresolvable state or mode is not reported.
    let (found, _) = judge_with(
        vec![gateway("WAF_v2", Link::To(Ref::literal(POLICY)), None)],
        vec![policy(waf(None, None))],
    );
    assert!(found.is_empty());
}

#[test]
fn inline_waf_in_detection_fires_with_the_waf_config_fix() {
    let (found, _) = judge_with(
        vec![gateway(
            "WAF_v2",
            Link::Absent,
            Some(waf(Some(true), Some("Detection"))),
        )],
        vec![],
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0].2.contains("waf-config set -g rg-edge --gateway-name appgw --enabled true --firewall-mode Prevention"),
        "{}",
        found[0].2
    );
}

#[test]
fn what_is_not_in_the_scan_is_not_judged() {
    // The gateway, its policy, or any WAF at all missing; the link unresolvable.
    for (gateways, policies, why) in [
        (vec![], vec![], "not in the scan"),
        (
            vec![gateway("WAF_v2", Link::To(Ref::literal(POLICY)), None)],
            vec![],
            "WAF policy",
        ),
        (
            vec![gateway("WAF_v2", Link::Absent, None)],
            vec![],
            "neither",
        ),
        (
            vec![gateway("WAF_v2", Link::Unknown("var.policy".into()), None)],
            vec![],
            "var.policy",
        ),
    ] {
        let (found, undecided) = judge_with(gateways, policies);
        assert!(found.is_empty());
        assert_eq!(undecided.len(), 1);
        assert!(undecided[0].contains(why), "{why}: {undecided:?}");
    }
}

#[test]
fn the_effective_gateway_counts_and_a_disabled_addon_is_not_judged() {
    let mut azure = enabled_with("effectiveApplicationGatewayId");
    azure
        .application_gateways
        .push(gateway("Standard_v2", Link::Absent, None));
    assert_eq!(run(&RULE, azure, false).0.len(), 1);

    let mut azure = cluster(&format!(
        "      enabled: false\n      config:\n        applicationGatewayId: {GATEWAY}\n"
    ));
    azure
        .application_gateways
        .push(gateway("Standard_v2", Link::Absent, None));
    assert_eq!(run(&RULE, azure, false), (Vec::new(), Vec::new()));
}

#[test]
fn a_terraform_gateway_named_by_symbol_is_joined() {
    let mut azure = cluster("      enabled: true\n");
    let symbol = "tf:main.tf#azurerm_application_gateway.edge";
    azure.clusters[0].refs.application_gateway =
        Some(Ref::resolved("azurerm_application_gateway.edge.id", symbol));
    let mut edge = gateway("Standard_v2", Link::Absent, None);
    edge.meta.key = aksguard_model::azure::ResourceKey {
        id: None,
        symbols: vec![symbol.into()],
    };
    azure.application_gateways.push(edge);
    let (found, undecided) = run(&RULE, azure, false);
    assert!(undecided.is_empty(), "{undecided:?}");
    assert_eq!(found.len(), 1);

    // Named by an expression aksguard cannot follow: not judged.
    let mut azure = cluster("      enabled: true\n");
    azure.clusters[0].refs.application_gateway = Some(Ref::opaque("var.gateway_id"));
    let (found, undecided) = run(&RULE, azure, false);
    assert!(found.is_empty());
    assert_eq!(undecided.len(), 1);
}
