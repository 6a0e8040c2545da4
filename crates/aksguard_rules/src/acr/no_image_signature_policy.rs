use aksguard_model::Severity;
use aksguard_model::azure::ContainerRegistry;

use super::{is_premium, policy_enabled, pos_of};
use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "ACR004",
    slug: "no-image-signature-policy",
    title: "Container registry has neither a quarantine nor a content trust policy",
    family: Family::Registry,
    severity: Severity::Low,
    checks: "Every container registry where neither `policies.quarantinePolicy.status` \
             (Terraform `quarantine_policy_enabled`) nor `policies.trustPolicy.status` \
             (Terraform `trust_policy_enabled`, azurerm v3 `trust_policy { enabled }`) is \
             `enabled`; absent means disabled. An unresolvable status never fires. Both \
             policies need the Premium SKU. Docker Content Trust is deprecated in ACR \
             (removal on 31 March 2028): the message points to Notary Project signatures as \
             the lasting replacement; signatures verified at admission (AKS039) are not \
             visible on the registry.",
    rationale: "Without a quarantine policy a freshly pushed image is pullable before it has \
                been scanned, and without content trust nothing marks which images your \
                pipeline signed: a pushed image is trusted because of its tag alone, so a \
                stolen push credential is enough to put malicious code on every node.",
    remediation: "Sign images in the pipeline (Notary Project signatures with Notation, the \
                  successor of Docker Content Trust) and verify them before deployment, or \
                  enable the registry's quarantine policy so images are released only after \
                  scanning (Premium SKU).",
    references: &[
        Reference::Guide(
            "Sign container images with Notation and Azure Key Vault",
            "https://learn.microsoft.com/azure/container-registry/container-registry-tutorial-sign-build-push",
        ),
        Reference::Guide(
            "Content trust in Azure Container Registry (deprecated)",
            "https://learn.microsoft.com/azure/container-registry/container-registry-content-trust",
        ),
        Reference::Guide(
            "Best practices for Azure Container Registry",
            "https://learn.microsoft.com/azure/container-registry/container-registry-best-practices",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some("Enable a trust (signature) or quarantine policy on the registry."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az acr config content-trust update --registry {registry} --status enabled"],
        iac: &[crate::IacSetting::new(
            "policies.trustPolicy.status",
            "\"enabled\"",
            "trust_policy_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Registry(check),
};

fn check(registry: &ContainerRegistry, out: &mut Checker<'_>) {
    let (Some(false), Some(false)) = (
        policy_enabled(registry, "quarantinePolicy"),
        policy_enabled(registry, "trustPolicy"),
    ) else {
        return;
    };
    let mut message = "neither `policies.quarantinePolicy.status` nor \
                       `policies.trustPolicy.status` is `enabled`: pushed images are \
                       pullable unscanned and unsigned."
        .to_owned();
    if is_premium(registry) == Some(false) {
        message.push_str(" Both policies need the Premium SKU.");
    }
    message.push_str(
        " Content trust is deprecated and removed on 31 March 2028: prefer Notary Project \
         signatures with Notation, verified at deployment (AKS039).",
    );
    out.report(Violation::at(pos_of(registry, "policies"), message));
}
