use aksguard_model::Severity;
use aksguard_model::azure::ContainerRegistry;

use super::{is_premium, policy_enabled, pos_of};
use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "ACR005",
    slug: "no-untagged-retention-policy",
    title: "Container registry has no retention policy for untagged manifests",
    family: Family::Registry,
    severity: Severity::Low,
    checks: "Every container registry whose `policies.retentionPolicy.status` (Terraform \
             `retention_policy_in_days` in azurerm v4, `retention_policy { enabled }` in v3) \
             is not `enabled`; absent means disabled. An unresolvable status never fires. \
             Retention policies are a Premium SKU feature (preview): for Basic and Standard \
             registries the message says so, and scheduled `acr purge` tasks are the \
             alternative.",
    rationale: "Untagged manifests are old image builds that no tag points to any more: they \
                keep their vulnerabilities, stay pullable by digest, and pile up unseen. A \
                retention policy deletes them after a set number of days, so superseded \
                vulnerable images cannot be pulled and redeployed.",
    remediation: "Enable the retention policy for untagged manifests (Premium SKU), or purge \
                  untagged manifests on a schedule with an `acr purge` task.",
    references: &[Reference::Guide(
        "Set a retention policy for untagged manifests",
        "https://learn.microsoft.com/azure/container-registry/container-registry-retention-policy",
    )],
    fix: crate::RuleFix {
        summary: Some("Enable the retention policy for untagged manifests."),
        safety: aksguard_model::FixSafety::Safe,
        commands: &[
            "az acr config retention update --registry {registry} --status enabled --days 7 --type UntaggedManifests",
        ],
        iac: &[crate::IacSetting::new(
            "policies.retentionPolicy.status",
            "\"enabled\"",
            "retention_policy_in_days",
            "7",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Registry(check),
};

fn check(registry: &ContainerRegistry, out: &mut Checker<'_>) {
    const PATH: &str = "policies.retentionPolicy.status";
    if policy_enabled(registry, "retentionPolicy") != Some(false) {
        return;
    }
    let state = match registry.settings.get(PATH).as_str() {
        Some(status) => format!("`{PATH}` is `{status}`"),
        None => format!("`{PATH}` is not set (defaults to disabled)"),
    };
    let mut message = format!("{state}: untagged manifests (superseded builds) are never deleted.");
    if is_premium(registry) == Some(false) {
        message.push_str(
            " Retention policies need the Premium SKU; on this SKU purge untagged \
             manifests with a scheduled `acr purge` task instead.",
        );
    }
    message.push_str(&format!(""));
    out.report(Violation::at(pos_of(registry, PATH), message));
}
