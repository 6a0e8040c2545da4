use aksguard_model::azure::builtins::{self, BuiltinRole, RoleMatch};
use aksguard_model::azure::{ManagedCluster, RoleAssignment};
use aksguard_model::{Inventory, Severity};

use crate::azure_fix::{iac_for_file, with_commands};
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{az_aks_update, clusters};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS042",
    slug: "kubelet-identity-beyond-acr-pull",
    title: "Cluster's kubelet identity is granted more than AcrPull on a registry",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every role assignment of the scan (ARM \
             `Microsoft.Authorization/roleAssignments`, `az role assignment list` output, \
             Terraform `azurerm_role_assignment`) whose principal is a cluster's kubelet \
             identity (an expression naming `identityProfile.kubeletidentity.objectId` or \
             `kubelet_identity[0].object_id`, or the object ID a cluster in the scan reports \
             under `identityProfile.kubeletidentity.objectId`) and whose scope is a container \
             registry (`Microsoft.ContainerRegistry/registries` in the scope, or a reference \
             to an `azurerm_container_registry`), with a role other than AcrPull (by name, or \
             the AcrPull role definition GUID 7f951dda-4ed3-4680-a7ca-43fe172d538d). A role \
             that is an unresolvable expression never fires. High for roles that can push or \
             administer (Owner, Contributor, AcrPush). Reported on the cluster the principal \
             names (or the only cluster of the scan), else on `RoleAssignment/<role>`.",
    rationale: "Every node of the cluster can obtain tokens for the kubelet identity, and any \
                pod that reaches the instance metadata endpoint can too. With more than \
                AcrPull (AcrPush, Contributor, Owner), one compromised pod or node can push \
                poisoned images that every node then runs, delete images, or change the \
                registry's network and authentication settings.",
    remediation: "Remove the broader role assignment and grant only AcrPull (`az aks update \
                  --attach-acr` does exactly that).",
    references: &[
        Reference::CisAks("5.1.3"),
        Reference::Guide(
            "Authenticate with ACR from AKS",
            "https://learn.microsoft.com/azure/aks/cluster-container-registry-integration",
        ),
        Reference::Guide(
            "Azure Container Registry roles and permissions",
            "https://learn.microsoft.com/azure/container-registry/container-registry-roles",
        ),
    ],
    fix: crate::RuleFix {
        commands: &[
            "az role assignment delete --assignee <kubelet-object-id> --role <role> --scope <registry-id>",
            "az aks update {cluster-args} --attach-acr <registry>",
        ],
        summary: Some("Replace the kubelet identity's registry role with AcrPull."),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Roles beyond AcrPull that can write to or administer a registry.
const WRITING_ROLES: &[BuiltinRole] = &[
    builtins::ACR_PUSH,
    builtins::ACR_DELETE,
    builtins::ACR_IMAGE_SIGNER,
    builtins::CONTRIBUTOR,
    builtins::OWNER,
];

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

/// The role's display name and whether it can write, or `None` when the role is AcrPull or
/// cannot be resolved (see [`builtins::resolve_role`]).
fn broader_role(role: &str) -> Option<(String, bool)> {
    match builtins::resolve_role(role) {
        RoleMatch::Builtin(found) if found == builtins::ACR_PULL => None,
        RoleMatch::Builtin(found) => Some((found.name.to_owned(), WRITING_ROLES.contains(&found))),
        RoleMatch::Other(other) if builtins::is_guid(&other) => {
            Some((format!("role definition {other}"), false))
        }
        RoleMatch::Other(other) => Some((other, false)),
        RoleMatch::Unresolved => None,
    }
}

fn kubelet_object_id(cluster: &ManagedCluster) -> Option<&str> {
    cluster
        .settings
        .get("identityProfile.kubeletidentity.objectId")
        .as_str()
}

/// The cluster whose kubelet identity `principal` is: `Some(Some(cluster))` when attributable,
/// `Some(None)` when it is a kubelet identity of no cluster in the scan we can tell.
fn kubelet_of<'a>(
    principal: &str,
    clusters: &'a [ManagedCluster],
) -> Option<Option<&'a ManagedCluster>> {
    if let Some(cluster) = clusters.iter().find(|c| {
        kubelet_object_id(c).is_some_and(|id| id.trim().eq_ignore_ascii_case(principal.trim()))
    }) {
        return Some(Some(cluster));
    }
    let expression = contains_ignore_case(principal, "kubeletidentity")
        || contains_ignore_case(principal, "kubelet_identity");
    if !expression {
        return None;
    }
    if let [only] = clusters {
        return Some(Some(only));
    }
    Some(
        clusters
            .iter()
            .find(|c| !c.name.is_empty() && contains_ignore_case(principal, &c.name)),
    )
}

/// The registry name at the end of a registry resource ID (`…/registries/<name>`).
fn registry_name(scope: &str) -> Option<&str> {
    let scope = scope.trim();
    let (prefix, name) = scope.rsplit_once('/')?;
    let valid = prefix.to_ascii_lowercase().ends_with("/registries")
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then_some(name)
}

fn is_registry_scope(scope: &str) -> bool {
    contains_ignore_case(scope, "Microsoft.ContainerRegistry/registries")
        || contains_ignore_case(scope, "azurerm_container_registry")
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let all = clusters(inventory);
    for assignment in &inventory.azure().role_assignments {
        check_assignment(assignment, all, out);
    }
}

fn check_assignment(assignment: &RoleAssignment, all: &[ManagedCluster], out: &mut Checker<'_>) {
    let (Some(principal), Some(scope), Some(role)) = (
        assignment.principal.as_ref().map(|p| p.written.as_str()),
        assignment.scope.as_ref().map(|s| s.written.as_str()),
        assignment.role.as_deref(),
    ) else {
        return;
    };
    let Some(cluster) = kubelet_of(principal, all) else {
        return;
    };
    if !is_registry_scope(scope) {
        return;
    }
    let Some((role_name, writes)) = broader_role(role) else {
        return;
    };
    let assignee = cluster
        .and_then(kubelet_object_id)
        .filter(|id| builtins::last_guid(id).is_some())
        .or_else(|| builtins::last_guid(principal))
        .unwrap_or("<kubelet-object-id>");
    let scope_arg = if scope.trim_start().starts_with("/subscriptions/") {
        scope.trim().to_owned()
    } else {
        "<registry-id>".to_owned()
    };
    let role_arg = if role_name.contains(' ') {
        format!("'{role_name}'")
    } else if role_name.starts_with("role definition ") {
        role.trim().to_owned()
    } else {
        role_name.clone()
    };
    let registry = registry_name(scope).unwrap_or("<registry>");
    let attach = match cluster {
        Some(cluster) => az_aks_update(cluster, &format!("--attach-acr {registry}")),
        None => format!(
            "az aks update --resource-group <resource-group> --name <cluster> --attach-acr \
             {registry}"
        ),
    };
    let harm = if writes {
        "a compromised node or pod can push or replace the images every node runs"
    } else {
        "it goes beyond pulling images, which is all nodes need"
    };
    let message = format!(
        "the kubelet identity is granted `{role_name}` on a container registry (scope \
         `{scope}`): {harm}."
    );
    let mut fix = with_commands(
        &RULE,
        [
            format!(
                "az role assignment delete --assignee {assignee} --role {role_arg} --scope \
                 {scope_arg}"
            ),
            attach,
        ],
    );
    let acr_pull_id = format!(
        "\"/providers/Microsoft.Authorization/roleDefinitions/{}\"",
        builtins::ACR_PULL.guid
    );
    fix.iac.extend(iac_for_file(
        &assignment.source.path,
        ("properties.roleDefinitionId", &acr_pull_id),
        ("role_definition_name", "\"AcrPull\""),
    ));
    let mut violation = Violation::at(assignment.pos, message).with_fix(fix);
    if writes {
        violation = violation.with_severity(Severity::High);
    }
    let violation = match cluster {
        Some(cluster) => violation.on_azure("ManagedCluster", &cluster.name, &assignment.source),
        None => violation.on_azure("RoleAssignment", &role_name, &assignment.source),
    };
    out.report(violation);
}
