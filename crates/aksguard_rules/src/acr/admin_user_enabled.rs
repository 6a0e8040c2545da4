use aksguard_model::Severity;
use aksguard_model::azure::ContainerRegistry;

use super::{flag, pos_of};
use crate::checker::{Checker, Violation};
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
    fix: crate::RuleFix {
        summary: Some("Disable the registry admin user."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az acr update --name {registry} --admin-enabled false"],
        iac: &[crate::IacSetting::new(
            "adminUserEnabled",
            "false",
            "admin_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Registry(check),
};

fn check(registry: &ContainerRegistry, out: &mut Checker<'_>) {
    const PATH: &str = "adminUserEnabled";
    if flag(registry, PATH, false) != Some(true) {
        return;
    }
    let message = format!(
        "`{PATH}` is true: a shared admin username and password grant push and pull on \
         the whole registry."
    );
    out.report(Violation::at(pos_of(registry, PATH), message));
}
