use aksguard_model::azure::{DefenderPricing, ManagedCluster};
use aksguard_model::{Fix, Inventory, Pos, Severity};

use crate::azure_fix::{AzureTarget, iac_for_file, with_commands};
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::clusters;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS040",
    slug: "defender-plan-not-enabled",
    title: "Defender for Containers plan is not enabled on the subscription",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "The Defender for Cloud pricings of the scan (`Microsoft.Security/pricings`, `az \
             security pricing show/list` output, Terraform \
             `azurerm_security_center_subscription_pricing`): fires when a pricing for the \
             `Containers` plan has a known tier other than `Standard` and no `Containers` \
             pricing of the scan is `Standard`. Reported on every cluster of the scan, located \
             at the pricing; with no cluster in the scan, on `DefenderPricing/Containers`. \
             When the scan holds no `Containers` pricing at all nothing fires, except with \
             `--complete` (the scan is the whole subscription, so the plan is at its default, \
             Free): then every cluster is reported. An unresolvable tier never fires. The \
             legacy `KubernetesService` plan is not counted. When the plan is `Standard` but \
             one of its extensions `ContainerRegistriesVulnerabilityAssessments`, \
             `ContainerSensor` or `AgentlessDiscoveryForKubernetes` is explicitly disabled \
             (`isEnabled: False`): one finding per disabled extension, at the extension. \
             Extensions the source does not list, or whose state is unresolvable, are not \
             judged. The cluster's own \
             Defender profile is AKS011.",
    rationale: "The Defender for Containers plan is what pays for and turns on runtime threat \
                detection, vulnerability assessment of registry and running images, and \
                Kubernetes control-plane audit-log analytics. With the plan on Free, the \
                cluster's Defender sensor has nothing to report to, and attacks on the \
                cluster go unnoticed. On Standard, each extension is one of those \
                capabilities: without `ContainerSensor` no runtime detection, without \
                `ContainerRegistriesVulnerabilityAssessments` no image vulnerability \
                assessment, without `AgentlessDiscoveryForKubernetes` no inventory or attack \
                paths of the cluster.",
    remediation: "Enable the plan on the subscription (`az security pricing create -n \
                  Containers --tier standard`) and keep its Defender sensor, Azure Policy and \
                  agentless extensions on.",
    references: &[
        Reference::Guide(
            "Overview of Container security in Microsoft Defender for Containers",
            "https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-introduction",
        ),
        Reference::Guide(
            "Enable Defender for Containers (Azure)",
            "https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-azure-overview",
        ),
    ],
    fix: crate::RuleFix {
        commands: &["az security pricing create -n Containers --tier standard"],
        summary: Some(
            "Turn on the Standard tier of Defender for Containers with its core extensions.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// The fix of a Containers plan that is not Standard (or of one of its extensions): the
/// command and the pricing resource's setting, spelled for the file the pricing came from.
fn plan_fix(source: &str, extension: Option<&str>) -> Fix {
    let command = match extension {
        None => "az security pricing create -n Containers --tier standard".to_owned(),
        Some(name) => format!(
            "az security pricing create -n Containers --tier standard --extensions \
             name={name} isEnabled=True"
        ),
    };
    let mut fix = with_commands(&RULE, [command]);
    let change = match extension {
        None => iac_for_file(
            source,
            ("properties.pricingTier", "\"Standard\""),
            ("tier", "\"Standard\""),
        ),
        Some(name) => iac_for_file(
            source,
            (
                "properties.extensions",
                &format!("[{{\"name\": \"{name}\", \"isEnabled\": \"True\"}}]"),
            ),
            ("extension.name", &format!("\"{name}\"")),
        ),
    };
    fix.iac.extend(change);
    fix
}

fn is_containers(pricing: &DefenderPricing) -> bool {
    pricing.plan.trim().eq_ignore_ascii_case("Containers")
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    let plans: Vec<&DefenderPricing> = azure.pricings.iter().filter(|p| is_containers(p)).collect();
    if let Some(standard) = plans.iter().find(|p| {
        p.tier
            .as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("standard"))
    }) {
        check_extensions(standard, &azure.clusters, out);
        return;
    }
    let off = plans
        .iter()
        .find_map(|p| p.tier.as_deref().map(|t| (*p, t)));
    match off {
        Some((pricing, tier)) => {
            let message = format!(
                "the subscription's Defender for Containers plan (`Microsoft.Security/pricings/\
                 Containers`) has pricing tier `{tier}`: no runtime threat detection, image \
                 vulnerability assessment or audit-log analytics for the cluster."
            );
            let fix = plan_fix(&pricing.source.path, None);
            report_on_clusters(pricing, pricing.pos, &message, fix, &azure.clusters, out);
        }
        None if plans.is_empty() && out.settings().complete_for(&["DefenderPricing"]) => {
            for cluster in clusters(inventory) {
                let message = format!(
                    "no Defender for Containers pricing (`Microsoft.Security/pricings/\
                     Containers`) is in the scan and `--complete` says it is the whole \
                     subscription, so the plan is at its default, Free: no runtime threat \
                     detection, image vulnerability assessment or audit-log analytics for the \
                     cluster."
                );
                let fix = plan_fix(&cluster.source.path, None);
                out.report_on(
                    &RULE,
                    &AzureTarget::Cluster(cluster),
                    Violation::at(cluster.pos, message).with_fix(fix),
                );
            }
        }
        None => {}
    }
}

/// The Containers plan's extensions that carry its core capabilities.
const EXTENSIONS: &[(&str, &str)] = &[
    (
        "ContainerRegistriesVulnerabilityAssessments",
        "no vulnerability assessment of registry and running images",
    ),
    (
        "ContainerSensor",
        "no Defender sensor on the clusters, so no runtime threat detection",
    ),
    (
        "AgentlessDiscoveryForKubernetes",
        "no agentless inventory, posture or attack paths of the clusters",
    ),
];

/// A Standard Containers plan: reports each core extension that is known disabled.
fn check_extensions(pricing: &DefenderPricing, clusters: &[ManagedCluster], out: &mut Checker<'_>) {
    let Some(extensions) = &pricing.extensions else {
        return;
    };
    for (name, loss) in EXTENSIONS {
        for extension in extensions
            .iter()
            .filter(|e| e.name.trim().eq_ignore_ascii_case(name) && e.enabled == Some(false))
        {
            let message = format!(
                "the subscription's Defender for Containers plan is Standard but its \
                 `{name}` extension is disabled: {loss}."
            );
            let fix = plan_fix(&pricing.source.path, Some(name));
            report_on_clusters(pricing, extension.pos, &message, fix, clusters, out);
        }
    }
}

/// Reports at `pos` of the pricing's source on every cluster, or on the pricing when the scan
/// has no cluster.
fn report_on_clusters(
    pricing: &DefenderPricing,
    pos: Pos,
    message: &str,
    fix: Fix,
    clusters: &[ManagedCluster],
    out: &mut Checker<'_>,
) {
    if clusters.is_empty() {
        out.report(
            Violation::at(pos, message)
                .on_azure("DefenderPricing", "Containers", &pricing.source)
                .with_fix(fix.clone()),
        );
    }
    for cluster in clusters {
        out.report(
            Violation::at(pos, message)
                .on_azure("ManagedCluster", &cluster.name, &pricing.source)
                .with_fix(fix.clone()),
        );
    }
}
