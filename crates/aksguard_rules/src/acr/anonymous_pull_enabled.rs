use aksguard_model::Severity;
use aksguard_model::azure::ContainerRegistry;

use super::{flag, pos_of};
use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "ACR002",
    slug: "anonymous-pull-enabled",
    title: "Container registry allows anonymous (unauthenticated) pull",
    family: Family::Registry,
    severity: Severity::Medium,
    checks: "Every container registry whose `anonymousPullEnabled` (Terraform \
             `anonymous_pull_enabled`) is known and true. Absent passes (the default is \
             false); an unresolvable value never fires.",
    rationale: "With anonymous pull anyone who can reach the registry endpoint can list and \
                download every image: the code, configuration and sometimes secrets baked \
                into them become public, and attackers can study your images for \
                vulnerabilities at leisure.",
    remediation: "Disable anonymous pull; give the cluster AcrPull through its kubelet \
                  identity and publish images meant to be public from a separate registry.",
    references: &[
        Reference::Guide(
            "Make your container registry content publicly available (anonymous pull)",
            "https://learn.microsoft.com/azure/container-registry/anonymous-pull-access",
        ),
        Reference::Guide(
            "Best practices for Azure Container Registry",
            "https://learn.microsoft.com/azure/container-registry/container-registry-best-practices",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some("Disable anonymous pull on the registry."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az acr update --name {registry} --anonymous-pull-enabled false"],
        iac: &[crate::IacSetting::new(
            "anonymousPullEnabled",
            "false",
            "anonymous_pull_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Registry(check),
};

fn check(registry: &ContainerRegistry, out: &mut Checker<'_>) {
    const PATH: &str = "anonymousPullEnabled";
    if flag(registry, PATH, false) != Some(true) {
        return;
    }
    let message = format!(
        "`{PATH}` is true: anyone who can reach the registry can pull every image without \
         credentials."
    );
    out.report(Violation::at(pos_of(registry, PATH), message));
}
