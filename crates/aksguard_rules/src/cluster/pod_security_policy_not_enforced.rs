use aksguard_model::azure::builtins::{self, BuiltinInitiative};
use aksguard_model::azure::scopes::{ClusterScope, classify};
use aksguard_model::azure::{ManagedCluster, PolicyAssignment, kinds};
use aksguard_model::{Inventory, Severity};

use crate::azure_fix::AzureTarget;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, cluster_args, clusters, flag};
use crate::cluster::role_assignments::shell_word;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const ENABLED: &str = "addonProfiles.azurepolicy.enabled";

pub(crate) static RULE: Rule = Rule {
    id: "AKS044",
    slug: "pod-security-initiative-not-enforced",
    title: "Azure Policy add-on runs but no pod security initiative denies at the cluster",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster whose Azure Policy add-on is enabled \
             (`addonProfiles.azurepolicy.enabled` known true): the policy assignments of the \
             scan (`az policy assignment list`, ARM `Microsoft.Authorization/policyAssignments`, \
             Terraform `azurerm_*_policy_assignment`) at the cluster, its resource group or its \
             subscription that assign a built-in Kubernetes initiative by its policy set \
             definition GUID: \"Kubernetes cluster pod security baseline standards for \
             Linux-based workloads\" (a8640138-9b0a-4a28-b8cb-1666c838647d), \"… restricted \
             standards …\" (42b8ef37-b724-4e24-bbc8-7a7708edfe00) or the CIS Kubernetes \
             benchmark initiative (4fd005fd-51be-478f-a8fb-149d48b20d48, which can only audit). \
             Passes when one assigns the effect `deny` (any case) and its `enforcementMode` is \
             not `DoNotEnforce`. Low when such assignments exist but only audit (no `effect` \
             parameter: the initiatives default to `Audit`; or `DoNotEnforce`); medium when \
             there is none. An unresolvable effect, scope or definition of an assignment that \
             could be the one, or a management-group scope, leaves the cluster not judged. \
             When the scan holds no policy assignment at all the rule judges nothing unless \
             `--complete` or a live ARM scan says there are none.",
    rationale: "The Azure Policy add-on by itself enforces nothing: only assigned policies \
                become Gatekeeper constraints. The built-in pod security initiatives default \
                to Audit, which reports privileged, host-namespace and host-path pods after \
                they run instead of refusing them; with Deny the admission controller blocks \
                them before they reach a node.",
    remediation: "Assign the baseline (or restricted) pod security initiative at the cluster \
                  with effect Deny: `az policy assignment create --name pod-security-baseline \
                  --policy-set-definition \
                  /providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d \
                  --scope <cluster id> --params '{\"effect\":{\"value\":\"deny\"}}'`.",
    references: &[
        guides::USE_AZURE_POLICY,
        Reference::Guide(
            "Azure Policy built-in initiatives: Kubernetes",
            "https://learn.microsoft.com/azure/governance/policy/samples/built-in-initiatives#kubernetes",
        ),
        guides::POLICY_FOR_KUBERNETES,
    ],
    fix: crate::RuleFix {
        commands: &[
            "az policy assignment create --name pod-security-baseline --policy-set-definition <initiative-id> --scope <cluster-id> --params '{\"effect\":{\"value\":\"deny\"}}'",
        ],
        summary: Some("Assign a pod security initiative with effect Deny to the cluster."),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const NO_POLICY_ASSIGNMENTS: &str = "the scan holds no policy assignment (`az policy assignment \
                                     list`, ARM `Microsoft.Authorization/policyAssignments`, \
                                     Terraform `azurerm_*_policy_assignment`): add them, or pass \
                                     --complete if there are none";

/// What one assignment does for a cluster.
enum Verdict {
    Denies,
    Audits,
    /// Could be the one that denies; cannot tell (why).
    Unknown(&'static str),
    /// Does not apply (another definition or scope, or `Disabled`).
    Nothing,
}

fn judge(
    assignment: &PolicyAssignment,
    cluster: &ManagedCluster,
) -> (Verdict, Option<BuiltinInitiative>) {
    let Some(definition) = assignment.definition.as_deref() else {
        return (
            Verdict::Unknown("a policy assignment's definition is unresolvable"),
            None,
        );
    };
    let Some(initiative) = builtins::initiative(definition) else {
        return (Verdict::Nothing, None);
    };
    let scope = match assignment.scope.as_ref() {
        None => {
            return (
                Verdict::Unknown("a pod security assignment's scope is unresolvable"),
                Some(initiative),
            );
        }
        Some(scope) if scope.key.is_none() => {
            return (
                Verdict::Unknown("a pod security assignment's scope is unresolvable"),
                Some(initiative),
            );
        }
        Some(scope) => scope,
    };
    if scope.key.as_deref().is_some_and(|k| {
        k.to_ascii_lowercase()
            .contains("/providers/microsoft.management/managementgroups/")
    }) {
        return (
            Verdict::Unknown(
                "a pod security initiative is assigned at a management group, which may hold the cluster's subscription",
            ),
            Some(initiative),
        );
    }
    match classify(scope, cluster) {
        Some(ClusterScope::Cluster | ClusterScope::ResourceGroup | ClusterScope::Subscription) => {}
        _ => return (Verdict::Nothing, Some(initiative)),
    }
    if assignment.effect_unknown {
        return (
            Verdict::Unknown("a pod security assignment's effect is unresolvable"),
            Some(initiative),
        );
    }
    let effect = assignment
        .effect
        .as_deref()
        .unwrap_or(initiative.default_effect)
        .trim()
        .to_ascii_lowercase();
    let enforced = !assignment
        .enforcement_mode
        .as_deref()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("DoNotEnforce"));
    let verdict = match effect.as_str() {
        "deny" if initiative.can_deny && enforced => Verdict::Denies,
        "disabled" => Verdict::Nothing,
        _ => Verdict::Audits,
    };
    (verdict, Some(initiative))
}

fn cluster_id_word(cluster: &ManagedCluster) -> String {
    match cluster.id.as_deref() {
        Some(id) if !id.contains('{') => shell_word(id),
        _ => format!(
            "\"$(az aks show {} --query id -o tsv)\"",
            cluster_args(cluster)
        ),
    }
}

/// Assign the baseline initiative with effect Deny; in code, the assignment's `effect`
/// parameter, spelled for the file `assignment` (when the finding is on one) came from.
fn fix(cluster: &ManagedCluster, assignment: Option<&PolicyAssignment>) -> aksguard_model::Fix {
    let command = format!(
        "az policy assignment create --name pod-security-baseline --policy-set-definition {} \
         --scope {} --params '{{\"effect\":{{\"value\":\"deny\"}}}}'",
        builtins::POD_SECURITY_BASELINE.id(),
        cluster_id_word(cluster)
    );
    let mut fix = crate::azure_fix::with_commands(&RULE, [command]);
    if let Some(assignment) = assignment {
        fix.iac.extend(crate::azure_fix::iac_for_file(
            &assignment.meta.source.path,
            ("properties.parameters.effect.value", "\"deny\""),
            (
                "parameters",
                "jsonencode({ effect = { value = \"deny\" } })",
            ),
        ));
    }
    fix
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    let complete = out.settings().complete_for(&[kinds::POLICY_ASSIGNMENT]);
    for cluster in clusters(inventory) {
        match flag(cluster, ENABLED, false) {
            Some(true) => {}
            Some(false) => continue,
            None => {
                out.undecided(
                    "whether the cluster's Azure Policy add-on is enabled is unresolvable",
                );
                continue;
            }
        }
        if azure.policy_assignments.is_empty() && !complete {
            out.undecided(NO_POLICY_ASSIGNMENTS);
            continue;
        }
        let mut audits: Vec<(&PolicyAssignment, BuiltinInitiative)> = Vec::new();
        let mut unknown = None;
        let mut denies = false;
        for assignment in &azure.policy_assignments {
            match judge(assignment, cluster) {
                (Verdict::Denies, _) => denies = true,
                (Verdict::Audits, Some(initiative)) => audits.push((assignment, initiative)),
                (Verdict::Unknown(why), _) => unknown = unknown.or(Some(why)),
                _ => {}
            }
        }
        if denies {
            continue;
        }
        if let Some(why) = unknown {
            out.undecided(why);
            continue;
        }
        match audits.first() {
            Some((assignment, initiative)) => {
                let how = if assignment
                    .enforcement_mode
                    .as_deref()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("DoNotEnforce"))
                {
                    "with `enforcementMode: DoNotEnforce`".to_owned()
                } else if !initiative.can_deny {
                    "which can only audit".to_owned()
                } else {
                    match assignment.effect.as_deref() {
                        Some(effect) => format!("with effect `{}`", effect.trim()),
                        None => format!(
                            "without an `effect` parameter (the initiative's default is `{}`)",
                            initiative.default_effect
                        ),
                    }
                };
                let message = format!(
                    "Policy assignment `{}` assigns \"{}\" {how}: non-compliant pods are \
                     reported after they run, never refused; no pod security initiative is \
                     assigned with effect Deny at the cluster, its resource group or \
                     subscription.",
                    assignment.meta.name, initiative.name,
                );
                out.report(
                    Violation::at(assignment.meta.pos, message)
                        .with_severity(Severity::Low)
                        .with_fix(fix(cluster, Some(assignment)))
                        .on_azure("ManagedCluster", &cluster.name, &assignment.meta.source),
                );
            }
            None => {
                let message = format!(
                    "The Azure Policy add-on is enabled but no pod security initiative (baseline, \
                     restricted or CIS Kubernetes) is assigned at the cluster, its resource \
                     group or subscription: the add-on enforces nothing about privileged, \
                     host-namespace or host-path pods."
                );
                out.report_on(
                    &RULE,
                    &AzureTarget::Cluster(cluster),
                    Violation::at(attr_pos(cluster, ENABLED), message).with_fix(fix(cluster, None)),
                );
            }
        }
    }
}
