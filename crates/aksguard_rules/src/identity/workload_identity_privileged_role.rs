use aksguard_model::azure::builtins::{self, BuiltinRole};
use aksguard_model::azure::refs::{UNKNOWN_SEGMENT, id_parts};
use aksguard_model::azure::{
    AzureResources, FederatedCredential, ManagedIdentity, RoleAssignment, kinds,
};
use aksguard_model::{Inventory, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::role_assignments::{delete_command, role_name, scope_word, shell_word};
use crate::guides;
use crate::identity::client_id;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "IDN005",
    slug: "workload-identity-privileged-azure-role",
    title: "A workload identity in use holds a broad Azure role",
    family: Family::Identity,
    severity: Severity::High,
    checks: "A user-assigned managed identity of the scan is in use by a workload when a \
             ServiceAccount of the scan carries `azure.workload.identity/client-id` equal to \
             the identity's client ID (any case), or when one of the identity's federated \
             credentials has the subject `system:serviceaccount:<namespace>:<name>` of a \
             ServiceAccount of the scan. Fires (high) for every role assignment of the scan \
             whose principal is such an identity (its principal ID, or the Terraform/ARM \
             reference to it) and whose role is Owner, Contributor or User Access \
             Administrator (by name or built-in GUID) at any scope, or any role at a \
             subscription scope (`/subscriptions/<id>`). Also fires (medium) for a federated \
             credential whose `system:serviceaccount:…` subject matches no ServiceAccount, \
             only with `--complete` or a live scan (a stale credential lets whoever creates \
             that ServiceAccount obtain the identity's tokens; a credential whose `issuer` is none \
             of the scan's clusters' known OIDC issuer URLs trusts another cluster and is left \
             alone). Unresolvable roles, scopes or principals never fire. When the scan holds no role assignment at all the \
             identities are not judged, unless `--complete` says there are none.",
    rationale: "Any pod that runs as the ServiceAccount receives tokens for the identity. A \
                workload identity with Owner, Contributor, User Access Administrator or any \
                role across the subscription turns one compromised pod (an RCE in the app, a \
                malicious image) into control of the subscription's resources: the cluster \
                itself, its registry, key vaults and networks.",
    remediation: "Grant the identity only the data-plane roles it needs on the specific \
                  resources it uses (Key Vault Secrets User on one vault, Storage Blob Data \
                  Reader on one account), and delete broader assignments; delete federated \
                  credentials whose ServiceAccount no longer exists.",
    references: &[
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        guides::AKS_IDENTITY_BEST_PRACTICES,
        Reference::Guide(
            "Best practices for Azure RBAC (least privilege)",
            "https://learn.microsoft.com/azure/role-based-access-control/best-practices",
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Roles reported at any scope.
const BROAD: &[BuiltinRole] = &[
    builtins::OWNER,
    builtins::CONTRIBUTOR,
    builtins::USER_ACCESS_ADMINISTRATOR,
];

const SA_PREFIX: &str = "system:serviceaccount:";

const NO_ROLE_ASSIGNMENTS: &str = "the scan holds no role assignment, so what the identity may \
                                   do is unknown: add `az role assignment list --all` output \
                                   (or the templates' role assignments), or pass --complete if \
                                   there are none";

/// `(namespace, name)` of a Kubernetes ServiceAccount subject.
fn subject_account(subject: &str) -> Option<(&str, &str)> {
    let rest = subject.trim().strip_prefix(SA_PREFIX)?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

fn credential_of(credential: &FederatedCredential, identity: &ManagedIdentity) -> bool {
    credential
        .identity
        .as_ref()
        .is_some_and(|r| r.names(&identity.meta.key))
}

fn assigned_to(assignment: &RoleAssignment, identity: &ManagedIdentity) -> bool {
    assignment.principal.as_ref().is_some_and(|p| {
        identity.principal_id.as_deref().is_some_and(|id| p.is(id)) || p.names(&identity.meta.key)
    })
}

/// The ServiceAccounts (`namespace/name`) through which workloads use `identity`.
fn users(identity: &ManagedIdentity, inventory: &Inventory) -> Vec<String> {
    let mut users = Vec::new();
    if let Some(client) = identity.client_id.as_deref().map(str::trim) {
        for account in inventory.of_kind("ServiceAccount") {
            if client_id(account).is_some_and(|c| c.eq_ignore_ascii_case(client)) {
                users.push(account_name(
                    account.namespace.as_deref(),
                    account.name.as_deref().unwrap_or("<unnamed>"),
                ));
            }
        }
    }
    for credential in &inventory.azure().federated_credentials {
        if !credential_of(credential, identity) {
            continue;
        }
        if let Some((namespace, name)) = credential.subject.as_deref().and_then(subject_account)
            && inventory.service_account(namespace, name).is_some()
        {
            users.push(account_name(Some(namespace), name));
        }
    }
    users.sort();
    users.dedup();
    users
}

fn account_name(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(namespace) => format!("{namespace}/{name}"),
        None => name.to_owned(),
    }
}

/// Why the assignment is too broad, or `None`.
fn too_broad(assignment: &RoleAssignment) -> Option<String> {
    let role = assignment
        .role
        .as_deref()
        .map(builtins::resolve_role)
        .and_then(|r| r.builtin());
    if let Some(role) = role.filter(|r| BROAD.contains(r)) {
        return Some(format!("`{}`", role.name));
    }
    let scope = assignment.scope.as_ref()?.id()?;
    let parts = id_parts(scope)?;
    let subscription_wide = parts.subscription.is_some()
        && parts.resource_group.is_none()
        && parts.provider_path.is_none();
    subscription_wide.then(|| format!("`{}` across the whole subscription", role_name(assignment)))
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    let assignments_known = !azure.role_assignments.is_empty()
        || out.settings().complete_for(&[kinds::ROLE_ASSIGNMENT]);
    let accounts_known = out.settings().complete_for(&["ServiceAccount"]);
    for identity in &azure.identities {
        if !assignments_known {
            out.undecided(NO_ROLE_ASSIGNMENTS);
            continue;
        }
        let users = users(identity, inventory);
        if users.is_empty() {
            continue;
        }
        for assignment in azure
            .role_assignments
            .iter()
            .filter(|a| assigned_to(a, identity))
        {
            if let Some(what) = too_broad(assignment) {
                report_assignment(identity, &users, assignment, &what, azure, out);
            }
        }
    }
    for credential in &azure.federated_credentials {
        let Some((namespace, name)) = credential.subject.as_deref().and_then(subject_account)
        else {
            continue;
        };
        if !accounts_known {
            if !assignments_known {
                out.undecided(NO_ROLE_ASSIGNMENTS);
            }
            continue;
        }
        if inventory.service_account(namespace, name).is_some()
            || trusts_another_cluster(credential, azure)
        {
            continue;
        }
        let (identity, group) = identity_words(credential, azure);
        let message = format!(
            "Federated credential `{}` of identity `{identity}` trusts ServiceAccount \
             `{namespace}/{name}`, which does not exist in the cluster: whoever creates it \
             gets the identity's tokens. Fix: `az identity federated-credential delete --name \
             {} --identity-name {} --resource-group {group}`; in ARM/Bicep and Terraform \
             remove the federated identity credential resource.",
            credential.meta.name,
            shell_word(&credential.meta.name),
            shell_word(&identity),
        );
        out.report(
            Violation::at(credential.meta.pos, message)
                .with_severity(Severity::Medium)
                .on_azure(
                    "FederatedIdentityCredential",
                    &credential.meta.name,
                    &credential.meta.source,
                ),
        );
    }
}

/// Whether the credential's issuer is known to be another cluster's: the scan holds clusters
/// whose OIDC issuer URL is known and none is the credential's (compared ignoring case and a
/// trailing `/`). Its ServiceAccount lives in that other cluster, not in this scan.
fn trusts_another_cluster(credential: &FederatedCredential, azure: &AzureResources) -> bool {
    let normal = |url: &str| url.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some(issuer) = credential.issuer.as_deref().map(normal) else {
        return false;
    };
    let issuers: Vec<String> = azure
        .clusters
        .iter()
        .filter_map(|c| c.settings.get("oidcIssuerProfile.issuerURL").as_str())
        .map(normal)
        .collect();
    !issuers.is_empty() && !issuers.contains(&issuer)
}

/// The identity's name and resource group (as a command-line word) for `az identity
/// federated-credential delete`: from the identity of the scan the credential belongs to, or
/// from the identity ID it names.
fn identity_words(credential: &FederatedCredential, azure: &AzureResources) -> (String, String) {
    let reference = credential.identity.as_ref();
    let found = azure
        .identities
        .iter()
        .find(|i| credential_of(credential, i));
    let id = found
        .and_then(|i| i.meta.key.id.clone())
        .or_else(|| reference.and_then(|r| r.id()).map(str::to_owned));
    let name = found
        .map(|i| i.meta.name.clone())
        .or_else(|| {
            id.as_deref()
                .and_then(|id| id.rsplit('/').next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "<identity>".to_owned());
    let group = id
        .as_deref()
        .and_then(id_parts)
        .and_then(|p| p.resource_group)
        .filter(|g| *g != UNKNOWN_SEGMENT)
        .map_or_else(|| "<resource-group>".to_owned(), shell_word);
    (name, group)
}

fn report_assignment(
    identity: &ManagedIdentity,
    users: &[String],
    assignment: &RoleAssignment,
    what: &str,
    azure: &AzureResources,
    out: &mut Checker<'_>,
) {
    let scope = assignment
        .scope
        .as_ref()
        .map_or("<scope>", |s| s.written.trim());
    let scope_arg = assignment
        .scope
        .as_ref()
        .map_or_else(|| "<scope-id>".to_owned(), |s| scope_word(s, None));
    let accounts: Vec<String> = users.iter().map(|u| format!("`{u}`")).collect();
    let message = format!(
        "Workload identity `{}` (used by ServiceAccount {}) holds {what} at scope `{scope}`: \
         any pod running as that ServiceAccount can act with it. Fix: `{}`, then grant only \
         the data-plane roles the workload needs on the resources it uses; in ARM/Bicep and \
         Terraform remove or narrow the role assignment resource.",
        identity.meta.name,
        accounts.join(", "),
        delete_command(assignment, azure, &scope_arg),
    );
    out.report(Violation::at(assignment.pos, message).on_azure(
        "ManagedIdentity",
        &identity.meta.name,
        &assignment.source,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_account_subjects() {
        assert_eq!(
            subject_account("system:serviceaccount:apps:web"),
            Some(("apps", "web"))
        );
        assert_eq!(
            subject_account(" system:serviceaccount:apps:web "),
            Some(("apps", "web"))
        );
        assert_eq!(subject_account("system:serviceaccount:apps"), None);
        assert_eq!(subject_account("system:serviceaccount::web"), None);
        assert_eq!(subject_account("repo:org/repo:ref:refs/heads/main"), None);
    }
}

#[cfg(test)]
mod joins {
    use aksguard_load::{Limits, load_text};
    use aksguard_model::Pos;
    use aksguard_model::azure::{
        FederatedCredential, ManagedIdentity, Ref, ResourceKey, ResourceMeta,
    };

    use super::*;
    use crate::RuleSettings;
    use crate::cluster::role_assignments::testing::{assignment, source, symbol};

    fn meta(name: &str, address: &str, line: u32) -> ResourceMeta {
        ResourceMeta {
            name: name.into(),
            key: ResourceKey {
                id: None,
                symbols: vec![format!("tf:main.tf#{address}")],
            },
            pos: Pos::new(line, 1),
            source: source(),
            format: aksguard_model::azure::AzureFormat::Terraform,
        }
    }

    /// Terraform: the identity's IDs exist only after deployment; the federated credential
    /// and the role assignments name it by symbol.
    #[test]
    fn terraform_symbols_join_identity_credential_and_assignments() {
        let (objects, errors) = load_text(
            "sa.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: apps}\n",
            &Limits::default(),
        );
        assert!(errors.is_empty());
        let identity = "azurerm_user_assigned_identity.web";
        let azure = AzureResources {
            identities: vec![ManagedIdentity {
                meta: meta("web", identity, 1),
                principal_id: None,
                client_id: None,
            }],
            federated_credentials: vec![FederatedCredential {
                meta: meta("web", "azurerm_federated_identity_credential.web", 5),
                identity: Some(symbol(identity, "id")),
                issuer: None,
                subject: Some("system:serviceaccount:apps:web".into()),
            }],
            role_assignments: vec![
                assignment(
                    10,
                    "Contributor",
                    Some(symbol(identity, "principal_id")),
                    Ref::literal("/subscriptions/{unknown}/resourceGroups/data"),
                ),
                // Any role at `subscription().id`.
                assignment(
                    20,
                    "Storage Blob Data Reader",
                    Some(symbol(identity, "principal_id")),
                    Ref::literal("/subscriptions/{unknown}"),
                ),
                // Unresolvable principal or role: silent.
                assignment(
                    30,
                    "Owner",
                    Some(Ref::opaque("var.principal")),
                    Ref::literal("/subscriptions/{unknown}"),
                ),
                assignment(
                    40,
                    "var.role",
                    Some(symbol(identity, "principal_id")),
                    Ref::opaque("var.scope"),
                ),
                // Another identity's symbol: silent.
                assignment(
                    50,
                    "Owner",
                    Some(symbol(
                        "azurerm_user_assigned_identity.other",
                        "principal_id",
                    )),
                    Ref::literal("/subscriptions/{unknown}"),
                ),
            ],
            ..AzureResources::default()
        };
        let inventory = Inventory::new(objects).with_azure(azure);
        let settings = RuleSettings::default();
        let mut out = Checker::new(&settings, &inventory);
        RULE.run_inventory(&inventory, &mut out);
        let found = out.take();
        let lines: Vec<u32> = found.iter().map(|v| v.pos.line).collect();
        assert_eq!(lines, [10, 20]);
        assert!(found[1].message.contains("across the whole subscription"));
        assert!(found[0].message.contains("`apps/web`"));
        assert!(out.take_undecided().is_empty());
    }
}
