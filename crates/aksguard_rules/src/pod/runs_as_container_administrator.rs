use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD031",
    slug: "runs-as-container-administrator",
    title: "Windows container runs as ContainerAdministrator",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) whose effective \
             `securityContext.windowsOptions.runAsUserName` equals `ContainerAdministrator` \
             (case-insensitive, surrounding spaces ignored). The container's own \
             `windowsOptions.runAsUserName` overrides the pod's field by field, as the kubelet \
             merges windowsOptions, so a container that sets only `gmsaCredentialSpecName` \
             still inherits the pod's user. Reported at the field that sets it. Fires whatever \
             the pod's OS (the field only takes effect on Windows nodes); an unset user is not \
             flagged even though Server Core images default to ContainerAdministrator, since \
             the image is not visible here.",
    rationale: "ContainerAdministrator has administrator rights inside a Windows container: it \
                can change system configuration and services and has full access to every \
                mounted volume. Microsoft recommends ContainerUser wherever administrator \
                rights are not needed, so that a compromised process cannot take over shared \
                resources or attack the Windows node pool from an administrator foothold.",
    remediation: "Set `securityContext.windowsOptions.runAsUserName: ContainerUser` (pod or \
                  container), or a dedicated non-administrator account built into the image.",
    references: &[
        Reference::Guide(
            "Secure Windows containers: when to use ContainerAdmin and ContainerUser",
            "https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/container-security",
        ),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn run_as_user_name(security_context: Option<&Node>) -> Option<&Node> {
    security_context?
        .get("windowsOptions")?
        .get("runAsUserName")
        .filter(|n| !n.is_null())
}

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let own = run_as_user_name(container.security_context());
    let Some(user) = own.or_else(|| run_as_user_name(container.pod.security_context())) else {
        return;
    };
    let Some(name) = user
        .as_str()
        .filter(|name| name.trim().eq_ignore_ascii_case("ContainerAdministrator"))
    else {
        return;
    };
    let path = if own.is_some() {
        "securityContext.windowsOptions.runAsUserName".to_owned()
    } else {
        container
            .pod
            .path("securityContext.windowsOptions.runAsUserName")
    };
    out.report(
        Violation::in_container(
            container,
            user.pos,
            format!(
                "container `{}` runs as ContainerAdministrator ({path}: {name})",
                container.name()
            ),
        )
        .with_fix(patch::set(
            "Run the container as `ContainerUser`.",
            FixSafety::Review,
            patch::security_path(container, &["windowsOptions", "runAsUserName"]),
            "ContainerUser",
        )),
    );
}
