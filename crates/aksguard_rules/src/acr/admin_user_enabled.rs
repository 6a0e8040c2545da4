use aksguard_model::{Inventory, Severity};

use super::{az_acr, fix, flag, pos_of, report};
use crate::checker::Checker;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "ACR001",
    slug: "admin-user-enabled",
    title: "Container registry has its admin user enabled",
    family: Family::Registry,
    severity: Severity::High,
    checks: "Every container registry whose `adminUserEnabled` (Terraform `admin_enabled`) \
             is known and true. Absent passes (the default is false); an unresolvable value \
             never fires.",
    rationale: "The admin user is one shared username with two long-lived passwords that \
                grant push and pull on the whole registry. It cannot be scoped, is not tied to \
                a person or workload, and is usually copied into pipelines and image pull \
                secrets, where it leaks; whoever holds it can replace the images the cluster \
                runs.",
    remediation: "Disable the admin user and authenticate with Microsoft Entra identities: \
                  the cluster's kubelet identity with AcrPull (`az aks update --attach-acr`), \
                  and pipelines with their own identities or scoped tokens.",
    references: &[
        Reference::Guide(
            "Authenticate with an Azure container registry: admin account",
            "https://learn.microsoft.com/azure/container-registry/container-registry-authentication#admin-account",
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
    const PATH: &str = "adminUserEnabled";
    for registry in &inventory.azure().registries {
        if flag(registry, PATH, false) != Some(true) {
            continue;
        }
        let mut message = format!(
            "`{PATH}` is true: a shared admin username and password grant push and pull on \
             the whole registry."
        );
        message.push_str(&fix(
            &az_acr(registry, "update", "--admin-enabled false"),
            "`adminUserEnabled: false`",
            "`admin_enabled = false`",
        ));
        report(out, registry, pos_of(registry, PATH), message);
    }
}
