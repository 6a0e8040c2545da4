use aksguard_model::azure::{
    ApplicationGateway, AzureResources, Link, Lookup, ManagedCluster, Ref, ResourceMeta,
    WafSettings,
};
use aksguard_model::{Inventory, Pos, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{clusters, flag};
use crate::cluster::node_network::{name_word, resource_group_of};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, different_unit};

const AGIC: &str = "addonProfiles.ingressApplicationGateway";
/// Where the add-on names its gateway: the one it was given, then the one it uses (the
/// gateway it created itself when given a name and subnet instead).
const GATEWAY_ID_PATHS: &[&str] = &[
    "addonProfiles.ingressApplicationGateway.config.applicationGatewayId",
    "addonProfiles.ingressApplicationGateway.config.effectiveApplicationGatewayId",
];

pub(crate) static RULE: Rule = Rule {
    id: "NET015",
    slug: "application-gateway-without-waf",
    title: "Application Gateway in front of the cluster has no enforcing WAF",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every managed cluster with the Application Gateway Ingress Controller add-on \
             enabled (`addonProfiles.ingressApplicationGateway.enabled`) that names its \
             gateway by resource ID (`config.applicationGatewayId`, else \
             `config.effectiveApplicationGatewayId`), joined to the Application Gateway in \
             the scan. Fires when the gateway's `sku.tier` is not `WAF_v2`, or when its WAF \
             (the associated WAF policy's `policySettings`, else the gateway's inline \
             `webApplicationFirewallConfiguration`) is disabled or in `Detection` mode. \
             Reported at the tier, the policy or the inline configuration. Not judged \
             (listed as such) when the gateway or its policy is not in the scan or an \
             unresolvable value decides; a WAF state or mode that is unresolvable is not \
             reported.",
    rationale: "Application Gateway is the cluster's internet entry point: without a WAF in \
                prevention mode, injection, cross-site scripting, path traversal and \
                protocol attacks pass straight to the pods. A `Standard_v2` gateway has no \
                WAF at all; a WAF in `Detection` mode only logs what it would have blocked.",
    remediation: "Move the gateway to the `WAF_v2` tier with a WAF policy in `Prevention` mode \
                  (`az network application-gateway waf-policy create`, `az network \
                  application-gateway waf-policy policy-setting update --state Enabled --mode \
                  Prevention`, `az network application-gateway update --sku WAF_v2 --set \
                  firewallPolicy.id=<policy id>`).",
    references: &[
        Reference::Guide(
            "What is Azure Web Application Firewall on Azure Application Gateway?",
            "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview",
        ),
        Reference::Guide(
            "Enable the Application Gateway Ingress Controller add-on for an AKS cluster",
            "https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-existing",
        ),
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Peer(different_unit(
            Checkov,
            "CKV_AZURE_120",
            "checkov judges every Terraform `azurerm_application_gateway` by its inline \
             `waf_configuration.enabled`, whether or not it fronts a cluster and whatever its \
             WAF policy says; we judge the gateway of the cluster's ingress add-on by its tier, \
             its WAF policy and its mode",
        )),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Move the gateway to the `WAF_v2` tier with a WAF policy in `Prevention` mode.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    for cluster in clusters(inventory) {
        if flag(cluster, &format!("{AGIC}.enabled"), false) != Some(true) {
            continue;
        }
        let Some(gateway_ref) = gateway_of(cluster) else {
            out.undecided(
                "the Application Gateway Ingress Controller add-on names no gateway by \
                 resource ID (or the ID is unresolvable)",
            );
            continue;
        };
        let Some(gateway) = azure.application_gateway(&gateway_ref) else {
            out.undecided(format!(
                "Application Gateway `{}` of the ingress add-on is not in the scan: scan `az \
                 network application-gateway show` output too",
                gateway_ref.written
            ));
            continue;
        };
        if let Err(why) = judge(azure, cluster, gateway, out) {
            out.undecided(why);
        }
    }
}

/// The gateway the add-on names: as the source names it where it gives a reference of its
/// own (Terraform `gateway_id = azurerm_application_gateway.x.id`), else by resource ID.
fn gateway_of(cluster: &ManagedCluster) -> Option<Ref> {
    if let Some(reference) = &cluster.refs.application_gateway {
        return reference.key.is_some().then(|| reference.clone());
    }
    GATEWAY_ID_PATHS
        .iter()
        .find_map(|path| match cluster.settings.get(path) {
            Lookup::Known(node) => node
                .as_str()
                .map(str::trim)
                .filter(|id| id.starts_with('/'))
                .map(Ref::literal),
            _ => None,
        })
}

/// Judges one gateway; `Err` with the reason when it cannot be judged.
fn judge(
    azure: &AzureResources,
    cluster: &ManagedCluster,
    gateway: &ApplicationGateway,
    out: &mut Checker<'_>,
) -> Result<(), String> {
    let group = resource_group_of(&gateway.meta);
    let name = name_word(&gateway.meta.name, "gateway");
    let Some(tier) = gateway.sku_tier.as_deref() else {
        return Err(format!(
            "the tier of Application Gateway `{}` is unresolvable",
            gateway.meta.name
        ));
    };
    if !tier.trim().eq_ignore_ascii_case("WAF_v2") {
        let message = format!(
            "Application Gateway `{}`, the cluster's ingress, is tier `{tier}`, not `WAF_v2`: \
             no web application firewall filters what reaches the pods. Fix: `az network \
             application-gateway waf-policy create -g {group} -n {name}-waf` and `az network \
             application-gateway waf-policy policy-setting update -g {group} --policy-name \
             {name}-waf --state Enabled --mode Prevention`, then `az network \
             application-gateway update -g {group} -n {name} --sku WAF_v2 --set \
             firewallPolicy.id=<waf-policy-id>`; in ARM/Bicep set `sku.tier: WAF_v2` and \
             `firewallPolicy.id`; in Terraform `sku {{ tier = \"WAF_v2\" }}` and \
             `firewall_policy_id`.",
            gateway.meta.name
        );
        report(out, cluster, &gateway.meta, gateway.meta.pos, message);
        return Ok(());
    }
    let (settings, whose, fix, at) = match &gateway.waf_policy {
        Link::To(policy_ref) => {
            let Some(policy) = azure.waf_policy(policy_ref) else {
                return Err(format!(
                    "WAF policy `{}` of Application Gateway `{}` is not in the scan",
                    policy_ref.written, gateway.meta.name
                ));
            };
            let fix = format!(
                "`az network application-gateway waf-policy policy-setting update -g {} \
                 --policy-name {} --state Enabled --mode Prevention`; in ARM/Bicep set \
                 `policySettings.state: Enabled` and `policySettings.mode: Prevention`; in \
                 Terraform `policy_settings {{ enabled = true, mode = \"Prevention\" }}`",
                resource_group_of(&policy.meta),
                name_word(&policy.meta.name, "policy"),
            );
            (
                &policy.settings,
                format!("its WAF policy `{}`", policy.meta.name),
                fix,
                &policy.meta,
            )
        }
        Link::Absent => match &gateway.inline_waf {
            Some(inline) => (
                inline,
                "its WAF configuration".to_owned(),
                format!(
                    "`az network application-gateway waf-config set -g {group} --gateway-name \
                     {name} --enabled true --firewall-mode Prevention` (better: attach a WAF \
                     policy); in ARM/Bicep set `webApplicationFirewallConfiguration.enabled: \
                     true` and `firewallMode: Prevention`; in Terraform \
                     `waf_configuration {{ enabled = true, firewall_mode = \"Prevention\" }}`"
                ),
                &gateway.meta,
            ),
            None => {
                return Err(format!(
                    "Application Gateway `{}` is WAF_v2 but neither a WAF policy nor a WAF \
                     configuration of it is in the scan",
                    gateway.meta.name
                ));
            }
        },
        Link::Unknown(why) => {
            return Err(format!(
                "the WAF policy of Application Gateway `{}` is unresolvable ({why})",
                gateway.meta.name
            ));
        }
    };
    let Some(state) = weakness(settings) else {
        return Ok(());
    };
    let message = format!(
        "Application Gateway `{}`, the cluster's ingress, is WAF_v2 but {whose} {state}: \
         attacks reach the pods unblocked. Fix: {fix}.",
        gateway.meta.name
    );
    report(out, cluster, at, settings.pos.unwrap_or(at.pos), message);
    Ok(())
}

/// What is wrong with known WAF settings: disabled, or detecting only.
fn weakness(settings: &WafSettings) -> Option<&'static str> {
    if settings.enabled == Some(false) {
        Some("is disabled")
    } else if settings
        .mode
        .as_deref()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("Detection"))
    {
        Some("is in `Detection` mode (it logs attacks but blocks none)")
    } else {
        None
    }
}

/// Reports on the cluster, located in the source of the resource at fault.
fn report(
    out: &mut Checker<'_>,
    cluster: &ManagedCluster,
    at: &ResourceMeta,
    pos: Pos,
    message: String,
) {
    out.report(Violation::at(pos, message).on_azure("ManagedCluster", &cluster.name, &at.source));
}

#[cfg(test)]
mod tests;
