//! Shared by the rules about Azure role assignments around a cluster (AKS043, IDN005): how a
//! finding names the principal, and the exact `az role assignment delete` that removes the
//! assignment.

use aksguard_model::azure::builtins::{self, RoleMatch};
use aksguard_model::azure::refs::UNKNOWN_SEGMENT;
use aksguard_model::azure::{AzureResources, Ref, RoleAssignment};

/// Quotes a value for a POSIX shell when it holds anything beyond `[A-Za-z0-9._/@:-]`.
pub(crate) fn shell_word(value: &str) -> String {
    if !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b'@' | b':')
        })
    {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// The role as a command-line word: the built-in's name, a GUID, or as written.
pub(crate) fn role_word(assignment: &RoleAssignment) -> String {
    match assignment.role.as_deref().map(builtins::resolve_role) {
        Some(RoleMatch::Builtin(role)) => shell_word(role.name),
        Some(RoleMatch::Other(other)) => shell_word(&other),
        _ => "<role>".to_owned(),
    }
}

/// The role's name for messages.
pub(crate) fn role_name(assignment: &RoleAssignment) -> String {
    match assignment.role.as_deref().map(builtins::resolve_role) {
        Some(RoleMatch::Builtin(role)) => role.name.to_owned(),
        Some(RoleMatch::Other(other)) if builtins::is_guid(&other) => {
            format!("role definition {other}")
        }
        Some(RoleMatch::Other(other)) => other,
        _ => assignment
            .role
            .clone()
            .unwrap_or_else(|| "<unknown role>".to_owned()),
    }
}

/// The principal's object ID for `--assignee`: the GUID the assignment names, else the
/// principal ID of the identity it names, else its principal name, else a placeholder.
pub(crate) fn assignee(assignment: &RoleAssignment, azure: &AzureResources) -> String {
    let principal = assignment.principal.as_ref();
    if let Some(id) = principal
        .and_then(|p| p.key.as_deref())
        .filter(|k| builtins::is_guid(k.trim()))
    {
        return id.trim().to_owned();
    }
    if let Some(id) = principal
        .and_then(|p| azure.identity_by_principal(p))
        .and_then(|i| i.principal_id.as_deref())
        .filter(|id| builtins::is_guid(id.trim()))
    {
        return id.trim().to_owned();
    }
    match assignment.principal_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => shell_word(name),
        _ => "<principal-object-id>".to_owned(),
    }
}

/// How a message names the principal: its name, type and object ID as far as known, or the
/// identity of the scan it is.
pub(crate) fn describe_principal(assignment: &RoleAssignment, azure: &AzureResources) -> String {
    let principal = assignment.principal.as_ref();
    let identity = principal.and_then(|p| azure.identity_by_principal(p));
    let name = assignment
        .principal_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| identity.map(|i| i.meta.name.clone()));
    let kind = assignment
        .principal_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| identity.map(|_| "user-assigned managed identity".to_owned()));
    let id = principal.map(|p| p.written.trim().to_owned());
    let mut text = match (&name, &kind) {
        (Some(name), Some(kind)) => format!("`{name}` ({kind}"),
        (Some(name), None) => format!("`{name}` ("),
        (None, Some(kind)) => format!("a {kind} ("),
        (None, None) => "a principal (".to_owned(),
    };
    match id {
        Some(id) if !id.is_empty() => {
            if !text.ends_with('(') {
                text.push_str(", ");
            }
            text.push_str(&format!("object ID `{id}`)"));
        }
        _ if text.ends_with(" (") => {
            text.truncate(text.len() - 2);
        }
        _ => text.push(')'),
    }
    text
}

/// The scope as a command-line word: its ID when fully known, else `fallback` (the cluster's
/// own ID for a cluster scope), else a placeholder.
pub(crate) fn scope_word(scope: &Ref, fallback: Option<&str>) -> String {
    scope
        .id()
        .filter(|id| !id.contains(UNKNOWN_SEGMENT))
        .or(fallback)
        .map_or_else(|| "<scope-id>".to_owned(), shell_word)
}

/// `az role assignment delete --assignee … --role … --scope …`.
pub(crate) fn delete_command(
    assignment: &RoleAssignment,
    azure: &AzureResources,
    scope: &str,
) -> String {
    format!(
        "az role assignment delete --assignee {} --role {} --scope {scope}",
        assignee(assignment, azure),
        role_word(assignment)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_quote_only_when_needed() {
        assert_eq!(
            shell_word("/subscriptions/0/resourceGroups/rg"),
            "/subscriptions/0/resourceGroups/rg"
        );
        assert_eq!(
            shell_word("Azure Kubernetes Service Cluster Admin Role"),
            "'Azure Kubernetes Service Cluster Admin Role'"
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn scope_words_avoid_unknown_segments() {
        let known = Ref::literal("/subscriptions/0/resourceGroups/rg");
        assert_eq!(
            scope_word(&known, None),
            "/subscriptions/0/resourceGroups/rg"
        );
        let unknown = Ref::literal("/subscriptions/{unknown}/resourceGroups/{unknown}");
        assert_eq!(scope_word(&unknown, None), "<scope-id>");
        assert_eq!(
            scope_word(&unknown, Some("/subscriptions/0")),
            "/subscriptions/0"
        );
        assert_eq!(
            scope_word(&Ref::resolved("x", "tf:m#x"), None),
            "<scope-id>"
        );
    }
}

/// Model values for the rules' tests: a Terraform-declared cluster and role assignments that
/// name things by symbol, as the Terraform and ARM loaders produce them.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use aksguard_model::azure::{
        AzureFormat, ClusterRefs, Holds, ManagedCluster, Ref, RoleAssignment, Settings,
    };
    use aksguard_model::{Node, Pos, Source, Value};

    pub(crate) fn source() -> Arc<Source> {
        Arc::new(Source {
            path: "main.tf".into(),
        })
    }

    /// `azurerm_kubernetes_cluster.main` in `azurerm_resource_group.rg`, local accounts off.
    pub(crate) fn terraform_cluster() -> ManagedCluster {
        let disable = aksguard_model::node::Entry {
            key: "disableLocalAccounts".into(),
            key_pos: Pos::new(3, 3),
            value: Node::scalar("true", true, Pos::new(3, 3)),
        };
        ManagedCluster {
            name: "aks1".into(),
            id: None,
            resource_group: None,
            location: None,
            pos: Pos::new(1, 1),
            source: source(),
            format: AzureFormat::Terraform,
            settings: Settings::new(Node {
                pos: Pos::new(1, 1),
                value: Value::Map(vec![disable]),
            }),
            node_pools: Vec::new(),
            diagnostic_settings: Vec::new(),
            maintenance_configurations: Vec::new(),
            refs: ClusterRefs {
                symbols: vec!["tf:main.tf#azurerm_kubernetes_cluster.main".into()],
                resource_group: Some(Ref::resolved(
                    "azurerm_resource_group.rg.name",
                    "tf:main.tf#azurerm_resource_group.rg",
                )),
                ..ClusterRefs::default()
            },
            holds: Holds::EVERYTHING,
        }
    }

    /// A role assignment at line `line`.
    pub(crate) fn assignment(
        line: u32,
        role: &str,
        principal: Option<Ref>,
        scope: Ref,
    ) -> RoleAssignment {
        RoleAssignment {
            pos: Pos::new(line, 1),
            source: source(),
            id: None,
            role: Some(role.into()),
            principal,
            principal_name: None,
            principal_type: None,
            scope: Some(scope),
        }
    }

    /// A symbol reference as the Terraform loader writes it for `<address>.<attribute>`.
    pub(crate) fn symbol(address: &str, attribute: &str) -> Ref {
        Ref::resolved(
            format!("{address}.{attribute}"),
            format!("tf:main.tf#{address}"),
        )
    }
}
