use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS029",
    slug: "http-application-routing-enabled",
    title: "HTTP application routing add-on is enabled",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "The cluster's `addonProfiles.httpApplicationRouting.enabled` (key matched \
             case-insensitively, as az and ARM spell it): reported when it is true.",
    rationale: "The HTTP application routing add-on is not meant for production and is \
                retired: it publishes every Ingress under a public DNS zone it creates, with \
                an unhardened NGINX ingress controller, no TLS and no WAF, and it gets no \
                further updates. The application routing add-on (managed NGINX with Key Vault \
                certificates) replaces it.",
    remediation: "Move Ingresses to the application routing add-on (`az aks approuting \
                  enable`) or another ingress controller, then disable the add-on with `az aks \
                  disable-addons --addons http_application_routing`, ARM \
                  `addonProfiles.httpApplicationRouting.enabled: false` or Terraform \
                  `http_application_routing_enabled = false` (azurerm v3; removed in v4).",
    references: &[Reference::Guide(
        "HTTP application routing add-on for AKS (retired)",
        "https://learn.microsoft.com/azure/aks/http-application-routing",
    )],
    fix: crate::RuleFix {
        summary: Some(
            "Move Ingresses to the application routing add-on, then disable HTTP application routing.",
        ),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks disable-addons {cluster-args} --addons http_application_routing"],
        iac: &[crate::IacSetting::new(
            "addonProfiles.httpApplicationRouting.enabled",
            "false",
            "http_application_routing_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "addonProfiles.httpApplicationRouting.enabled";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if cluster.settings.get(PATH).node().and_then(node_flag) != Some(true) {
        return;
    }
    let message = format!(
        "addonProfiles.httpApplicationRouting.enabled is true: the retired, \
         non-production HTTP application routing add-on publishes Ingresses on a public \
         DNS zone without TLS."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
