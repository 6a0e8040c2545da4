//! The Azure layer of the graph: the public API server, the node's kubelet identity and what
//! its role assignments let it do, and the workload identities ServiceAccounts federate to.
//! Roles are resolved with the model's built-in table ([`builtins::resolve_role`]) and
//! scopes split with [`id_parts`].

use std::collections::HashMap;

use aksguard_model::azure::builtins::{self, BuiltinRole};
use aksguard_model::azure::refs::id_parts;
use aksguard_model::azure::{ManagedIdentity, RoleAssignment};

use crate::build::Builder;
use crate::cost::{impact, likelihood};
use crate::graph::{NodeRef, Place};

/// Roles that control a whole scope (what AKS043 and IDN005 flag).
const PRIVILEGED: &[BuiltinRole] = &[
    builtins::OWNER,
    builtins::CONTRIBUTOR,
    builtins::USER_ACCESS_ADMINISTRATOR,
    builtins::RBAC_ADMINISTRATOR,
    builtins::AKS_CLUSTER_ADMIN,
    builtins::AKS_RBAC_CLUSTER_ADMIN,
    builtins::AKS_CONTRIBUTOR,
];

/// Roles that can write to a registry.
const REGISTRY_WRITERS: &[BuiltinRole] = &[
    builtins::ACR_PUSH,
    builtins::ACR_DELETE,
    builtins::ACR_IMAGE_SIGNER,
    builtins::CONTRIBUTOR,
    builtins::OWNER,
];

/// Key Vault data-plane roles that read secret values, read certificates (with their private
/// keys) or use keys (decrypt, sign, unwrap). Key Vault Reader is not one: it reads metadata
/// only. Key Vault Contributor manages the vault resource but, on an RBAC vault, reads nothing.
const KEY_VAULT_DATA_READERS: &[BuiltinRole] = &[
    builtins::KEY_VAULT_ADMINISTRATOR,
    builtins::KEY_VAULT_SECRETS_OFFICER,
    builtins::KEY_VAULT_SECRETS_USER,
    builtins::KEY_VAULT_CERTIFICATES_OFFICER,
    builtins::KEY_VAULT_CRYPTO_OFFICER,
    builtins::KEY_VAULT_CRYPTO_USER,
    builtins::KEY_VAULT_CERTIFICATE_USER,
];

pub(crate) fn add(builder: &mut Builder<'_>) {
    api_server(builder);
    kubelet_identity(builder);
    workload_identities(builder);
}

/// A public API server without authorized ranges (AKS005) lets anyone send requests: the
/// anonymous user and unauthenticated group get whatever bindings grant them.
fn api_server(builder: &mut Builder<'_>) {
    for cluster in &builder.inventory.azure().clusters {
        let (found, rules) = builder.on_where("ManagedCluster", None, &cluster.name, |f| {
            f.rule_id == "AKS005"
        });
        let (found, rules) = if found.is_empty() {
            let (all, _) = builder.any_of("AKS005");
            let mine: Vec<usize> = all
                .into_iter()
                .filter(|&i| builder.findings[i].object.name == cluster.name.as_str())
                .collect();
            let rules = mine.iter().map(|&i| builder.findings[i].rule_id).collect();
            (mine, rules)
        } else {
            (found, rules)
        };
        if found.is_empty() {
            continue;
        }
        let place = Place {
            path: cluster.source.path.to_string(),
            line: cluster.pos.line,
        };
        let node = builder
            .graph
            .node(NodeRef::new("ApiServer", None, &cluster.name), Some(place));
        let fix = builder.fix(
            format!(
                "set authorized IP ranges on cluster `{}` or make it private",
                cluster.name
            ),
            2,
            &rules,
            &found,
        );
        builder.entry(
            node,
            likelihood::PUBLIC_API_SERVER,
            found,
            rules,
            "public API server without authorized IP ranges",
            fix,
        );
        for (kind, name, reason) in [
            (
                "User",
                "system:anonymous",
                "anonymous requests are this user",
            ),
            (
                "Group",
                "system:unauthenticated",
                "anonymous requests are in this group",
            ),
        ] {
            if let Some(target) = builder.graph.find(&NodeRef::new(kind, None, name)) {
                builder
                    .graph
                    .edge(node, target, Vec::new(), Vec::new(), reason, None);
            }
        }
    }
}

/// The object ID role assignments name for the cluster's kubelet identity.
fn kubelet_principal(cluster: &aksguard_model::azure::ManagedCluster) -> Option<&str> {
    cluster
        .settings
        .get("identityProfile.kubeletidentity.objectId")
        .as_str()
}

fn names_kubelet(assignment: &RoleAssignment, object_id: Option<&str>) -> bool {
    let Some(principal) = assignment.principal.as_ref() else {
        return false;
    };
    if object_id.is_some_and(|id| principal.is(id)) {
        return true;
    }
    // An expression (`…identityProfile.kubeletidentity.objectId`,
    // `kubelet_identity[0].object_id`) of the only cluster.
    let written = principal.written.to_ascii_lowercase();
    written.contains("kubeletidentity") || written.contains("kubelet_identity")
}

/// Node and IMDS → the kubelet identity → its Azure roles (only with one cluster in the
/// scan: with several, which nodes run a manifest is unknown).
fn kubelet_identity(builder: &mut Builder<'_>) {
    let Some(cluster) = builder.cluster else {
        return;
    };
    let object_id = kubelet_principal(cluster);
    let assignments: Vec<&RoleAssignment> = builder
        .inventory
        .azure()
        .role_assignments
        .iter()
        .filter(|a| names_kubelet(a, object_id))
        .collect();
    let place = Place {
        path: cluster.source.path.to_string(),
        line: cluster.pos.line,
    };
    let kubelet = builder.graph.node(
        NodeRef::new("KubeletIdentity", None, &cluster.name),
        Some(place),
    );
    let host = builder.host();
    builder.graph.edge(
        host,
        kubelet,
        Vec::new(),
        Vec::new(),
        "every node holds the kubelet identity's credentials",
        None,
    );
    if let Some(imds) =
        builder
            .graph
            .find(&NodeRef::new("InstanceMetadata", None, "169.254.169.254"))
    {
        builder.graph.edge(
            imds,
            kubelet,
            Vec::new(),
            Vec::new(),
            "IMDS hands out the kubelet identity's token",
            None,
        );
    }
    for assignment in assignments {
        let (found, rules) = builder.on_where("ManagedCluster", None, &cluster.name, |f| {
            matches!(f.rule_id, "AKS042" | "AKS043")
        });
        role_edge(
            builder,
            kubelet,
            assignment,
            found,
            rules,
            "the kubelet identity",
        );
    }
}

/// ServiceAccount → the user-assigned identity it federates to (its `client-id`
/// annotation, or a federated credential naming it) → that identity's roles.
fn workload_identities(builder: &mut Builder<'_>) {
    let azure = builder.inventory.azure();
    if azure.identities.is_empty() {
        return;
    }
    let by_client: HashMap<String, &ManagedIdentity> = azure
        .identities
        .iter()
        .filter_map(|i| Some((i.client_id.as_deref()?.trim().to_ascii_lowercase(), i)))
        .collect();
    let mut by_subject: HashMap<String, Vec<&ManagedIdentity>> = HashMap::new();
    for credential in &azure.federated_credentials {
        let (Some(subject), Some(reference)) =
            (credential.subject.as_deref(), credential.identity.as_ref())
        else {
            continue;
        };
        if let Some(identity) = azure
            .identities
            .iter()
            .find(|i| reference.names(&i.meta.key))
        {
            by_subject
                .entry(subject.trim().to_owned())
                .or_default()
                .push(identity);
        }
    }
    for (namespace, name, account) in builder.accounts.clone() {
        let mut identities: Vec<(&ManagedIdentity, String)> = Vec::new();
        for definition in builder.inventory.service_accounts(namespace, name) {
            if let Some(identity) = definition
                .annotation("azure.workload.identity/client-id")
                .and_then(|c| by_client.get(&c.trim().to_ascii_lowercase()))
            {
                identities.push((
                    identity,
                    "federated workload identity (client-id annotation)".to_owned(),
                ));
            }
        }
        for identity in by_subject
            .get(&format!("system:serviceaccount:{namespace}:{name}"))
            .into_iter()
            .flatten()
        {
            identities.push((
                identity,
                "federated credential trusts this ServiceAccount".to_owned(),
            ));
        }
        for (identity, reason) in identities {
            let place = Place {
                path: identity.meta.source.path.to_string(),
                line: identity.meta.pos.line,
            };
            let node = builder.graph.node(
                NodeRef::new("ManagedIdentity", None, &identity.meta.name),
                Some(place),
            );
            let fix = builder.fix(
                format!(
                    "remove the federation of ServiceAccount `{namespace}/{name}` to identity `{}`",
                    identity.meta.name
                ),
                3,
                &[],
                &[],
            );
            builder
                .graph
                .edge(account, node, Vec::new(), Vec::new(), reason, Some(fix));
            for assignment in azure.role_assignments.iter().filter(|a| {
                a.principal.as_ref().is_some_and(|p| {
                    identity.principal_id.as_deref().is_some_and(|id| p.is(id))
                        || p.names(&identity.meta.key)
                })
            }) {
                let needle = format!("`{}`", identity.meta.name);
                let (found, rules): (Vec<usize>, Vec<&'static str>) = builder
                    .any_of("IDN005")
                    .0
                    .into_iter()
                    .filter(|&i| builder.findings[i].message.contains(&needle))
                    .map(|i| (i, builder.findings[i].rule_id))
                    .unzip();
                role_edge(builder, node, assignment, found, rules, "the identity");
            }
        }
    }
}

/// From an identity node to what one of its role assignments reaches: registry push (a
/// writing role on a registry), Key Vault secrets (a data-plane Key Vault role on a vault or
/// above it) or a privileged role on a subscription, resource group or resource. Other roles
/// (Reader, AcrPull, Key Vault Reader, …) reach no crown jewel.
fn role_edge(
    builder: &mut Builder<'_>,
    from: usize,
    assignment: &RoleAssignment,
    found: Vec<usize>,
    rules: Vec<&'static str>,
    who: &str,
) {
    let Some(role) = assignment
        .role
        .as_deref()
        .map(builtins::resolve_role)
        .and_then(|r| r.builtin())
    else {
        return;
    };
    let scope = assignment
        .scope
        .as_ref()
        .map_or("", |s| s.key.as_deref().unwrap_or(s.written.as_str()))
        .trim();
    let place = Place {
        path: assignment.source.path.to_string(),
        line: assignment.pos.line,
    };
    // Keep only the findings about this kind of assignment (a cluster holds both AKS042 and
    // AKS043 findings).
    let registry = registry_name(scope);
    let wanted: &[&str] = if registry.is_some() {
        &["AKS042"]
    } else {
        &["AKS043", "IDN005"]
    };
    let (found, rules): (Vec<usize>, Vec<&'static str>) = found
        .into_iter()
        .zip(rules)
        .filter(|(_, rule)| wanted.contains(rule))
        .unzip();
    if let Some(registry) = registry {
        if !REGISTRY_WRITERS.contains(&role) {
            return;
        }
        let node = builder
            .graph
            .node(NodeRef::new("Registry", None, registry), Some(place));
        builder
            .graph
            .mark_jewel(node, "registry push", impact::REGISTRY_PUSH);
        let fix = builder.fix(
            format!(
                "replace {who}'s {} on registry `{registry}` with AcrPull",
                role.name
            ),
            1,
            &rules,
            &found,
        );
        builder.graph.edge(
            from,
            node,
            found,
            rules,
            format!("{} on the registry", role.name),
            Some(fix),
        );
        return;
    }
    if KEY_VAULT_DATA_READERS.contains(&role) {
        key_vault_edge(builder, from, role, scope, place, who);
        return;
    }
    if !PRIVILEGED.contains(&role) {
        return;
    }
    let Some(parts) = id_parts(scope) else {
        return;
    };
    let (level, label, impact) = match (parts.resource_group, parts.provider_path) {
        (None, None) => (
            "subscription",
            format!(
                "{} on subscription {}",
                role.name,
                parts.subscription.unwrap_or("?")
            ),
            impact::AZURE_SUBSCRIPTION_ROLE,
        ),
        (Some(group), None) => (
            "resource group",
            format!("{} on resource group {group}", role.name),
            impact::AZURE_RESOURCE_GROUP_ROLE,
        ),
        (_, Some(_)) => (
            "resource",
            format!(
                "{} on {}",
                role.name,
                scope.rsplit('/').next().unwrap_or(scope)
            ),
            impact::AZURE_RESOURCE_ROLE,
        ),
    };
    let node = builder
        .graph
        .node(NodeRef::new("AzureRole", None, &label), Some(place));
    builder.graph.mark_jewel(
        node,
        match level {
            "subscription" => "Azure subscription role",
            "resource group" => "Azure resource group role",
            _ => "Azure resource role",
        },
        impact,
    );
    let fix = builder.fix(
        format!(
            "remove {who}'s {} assignment at the {level} (grant a narrower role)",
            role.name
        ),
        2,
        &rules,
        &found,
    );
    builder.graph.edge(
        from,
        node,
        found,
        rules,
        format!("holds {label}"),
        Some(fix),
    );
}

/// An identity → the Key Vaults a data-plane role lets it read: one vault (or one secret, key
/// or certificate in it) when the scope is a vault, every vault of a resource group or
/// subscription when the role is assigned there. A scope that is neither (another resource,
/// an expression aksguard cannot resolve) reaches no vault. No rule flags these assignments
/// (reading its own vault is what an app's identity is for), so the edge names no findings;
/// the path shows how the internet reaches that identity.
fn key_vault_edge(
    builder: &mut Builder<'_>,
    from: usize,
    role: BuiltinRole,
    scope: &str,
    place: Place,
    who: &str,
) {
    let Some(parts) = id_parts(scope) else {
        return;
    };
    let (name, on) = match (parts.resource_group, parts.provider_path) {
        (_, Some(path)) => {
            let Some(vault) = key_vault_path(path) else {
                return;
            };
            (vault.to_owned(), format!("vault `{vault}`"))
        }
        (Some(group), None) => (
            format!("every Key Vault in resource group {group}"),
            format!("resource group `{group}`"),
        ),
        (None, None) => {
            let subscription = parts.subscription.unwrap_or("?");
            (
                format!("every Key Vault in subscription {subscription}"),
                format!("subscription `{subscription}`"),
            )
        }
    };
    let node = builder
        .graph
        .node(NodeRef::new("KeyVault", None, &name), Some(place));
    builder
        .graph
        .mark_jewel(node, "Key Vault secrets", impact::KEY_VAULT_SECRETS);
    let fix = builder.fix(
        format!("remove {who}'s {} assignment on {on}", role.name),
        2,
        &[],
        &[],
    );
    builder.graph.edge(
        from,
        node,
        Vec::new(),
        Vec::new(),
        format!("{} on {}", role.name, on.replace('`', "")),
        Some(fix),
    );
}

/// What a Key Vault scope's provider path names: the vault (`Microsoft.KeyVault/vaults/<name>`)
/// or one object in it (`…/vaults/<name>/secrets/<secret>`), as `<name>` or
/// `<name>/secrets/<secret>`; `None` for any other resource.
fn key_vault_path(provider_path: &str) -> Option<&str> {
    let prefix = "microsoft.keyvault/vaults/";
    let head = provider_path.get(..prefix.len())?;
    let rest = provider_path[prefix.len()..].trim_matches('/');
    let vault = rest.split('/').next().unwrap_or("");
    let valid = head.eq_ignore_ascii_case(prefix)
        && !vault.is_empty()
        && vault.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then_some(rest)
}

/// The registry name at the end of a registry resource ID (`…/registries/<name>`).
fn registry_name(scope: &str) -> Option<&str> {
    let (prefix, name) = scope.rsplit_once('/')?;
    let valid = prefix.to_ascii_lowercase().ends_with("/registries")
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::key_vault_path;

    #[test]
    fn key_vault_scopes_name_the_vault_or_an_object_in_it() {
        assert_eq!(
            key_vault_path("Microsoft.KeyVault/vaults/kv-shop"),
            Some("kv-shop")
        );
        assert_eq!(
            key_vault_path("microsoft.keyvault/vaults/kv-shop/secrets/db-password/"),
            Some("kv-shop/secrets/db-password")
        );
        assert_eq!(key_vault_path("Microsoft.KeyVault/vaults/"), None);
        assert_eq!(key_vault_path("Microsoft.KeyVault/vaults/[kv]"), None);
        assert_eq!(
            key_vault_path("Microsoft.Storage/storageAccounts/kvstore"),
            None
        );
        assert_eq!(key_vault_path("Microsoft.KeyVault"), None);
    }
}
