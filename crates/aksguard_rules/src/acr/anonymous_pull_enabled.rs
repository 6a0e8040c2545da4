use aksguard_model::{Inventory, Severity};

use super::{az_acr, fix, flag, pos_of, report};
use crate::checker::Checker;
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
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    const PATH: &str = "anonymousPullEnabled";
    for registry in &inventory.azure().registries {
        if flag(registry, PATH, false) != Some(true) {
            continue;
        }
        let mut message = format!(
            "`{PATH}` is true: anyone who can reach the registry can pull every image without \
             credentials."
        );
        message.push_str(&fix(
            &az_acr(registry, "update", "--anonymous-pull-enabled false"),
            "`anonymousPullEnabled: false`",
            "`anonymous_pull_enabled = false`",
        ));
        report(out, registry, pos_of(registry, PATH), message);
    }
}
