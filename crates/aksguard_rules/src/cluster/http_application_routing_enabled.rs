use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks, clusters, node_flag, pos_of, report};
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
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "addonProfiles.httpApplicationRouting.enabled";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        if cluster.settings.get(PATH).node().and_then(node_flag) != Some(true) {
            continue;
        }
        let message = format!(
            "addonProfiles.httpApplicationRouting.enabled is true: the retired, \
             non-production HTTP application routing add-on publishes Ingresses on a public \
             DNS zone without TLS. Move Ingresses to the application routing add-on, then `{}`; \
             ARM `addonProfiles.httpApplicationRouting.enabled: false`, Terraform \
             `http_application_routing_enabled = false`.",
            az_aks(
                cluster,
                "disable-addons",
                "--addons http_application_routing"
            ),
        );
        report(out, cluster, pos_of(cluster, PATH), message);
    }
}
