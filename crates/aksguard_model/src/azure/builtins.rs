//! Azure built-in role definitions and Azure Policy initiatives that rules (and the attack-path
//! graph) recognise, by name and by their well-known definition GUIDs: one dated table, like
//! the AKS version table.
//!
//! As of 2026-12-06, every GUID below was checked against Microsoft's own references:
//! - roles: "Azure built-in roles for Privileged" (Owner, Contributor, User Access
//!   Administrator, Role Based Access Control Administrator),
//!   <https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged>;
//!   "Azure built-in roles for Containers" (the Acr* and Azure Kubernetes Service roles),
//!   <https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers>;
//!   "Azure built-in roles for General" (Reader),
//!   <https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general>;
//!   "Azure built-in roles for Security" (the Key Vault data-plane roles and Key Vault
//!   Reader),
//!   <https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security>
//!   (the generated pages' role JSON, `id`/`name` and `roleName`);
//! - initiatives: Azure Policy's built-in policy set definitions,
//!   <https://github.com/Azure/azure-policy/tree/master/built-in-policies/policySetDefinitions/Kubernetes>
//!   (`Kubernetes_PSPBaselineStandard.json`, `Kubernetes_PSPRestrictedStandard.json`,
//!   `AKS_CISBenchmark.json`), listed on
//!   <https://learn.microsoft.com/azure/governance/policy/samples/built-in-initiatives>. The
//!   pod security initiatives' `effect` parameter allows `audit`/`deny`/`disabled` (any case)
//!   and defaults to `Audit`; the CIS Kubernetes benchmark initiative (preview) allows only
//!   `Audit` and `Disabled`, so it can report but never deny.

use super::refs::Ref;

/// The date the tables were last checked against Microsoft's references.
pub const CHECKED_ON: &str = "2026-12-06";

/// A built-in Azure role definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinRole {
    /// `roleName` exactly as Azure spells it.
    pub name: &'static str,
    /// The role definition GUID (`…/roleDefinitions/<guid>`), lower case.
    pub guid: &'static str,
}

pub const OWNER: BuiltinRole = BuiltinRole {
    name: "Owner",
    guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
};
pub const CONTRIBUTOR: BuiltinRole = BuiltinRole {
    name: "Contributor",
    guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
};
pub const USER_ACCESS_ADMINISTRATOR: BuiltinRole = BuiltinRole {
    name: "User Access Administrator",
    guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
};
pub const RBAC_ADMINISTRATOR: BuiltinRole = BuiltinRole {
    name: "Role Based Access Control Administrator",
    guid: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
};
pub const READER: BuiltinRole = BuiltinRole {
    name: "Reader",
    guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
};
pub const AKS_CLUSTER_ADMIN: BuiltinRole = BuiltinRole {
    name: "Azure Kubernetes Service Cluster Admin Role",
    guid: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
};
pub const AKS_CLUSTER_USER: BuiltinRole = BuiltinRole {
    name: "Azure Kubernetes Service Cluster User Role",
    guid: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
};
pub const AKS_CONTRIBUTOR: BuiltinRole = BuiltinRole {
    name: "Azure Kubernetes Service Contributor Role",
    guid: "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
};
pub const AKS_RBAC_CLUSTER_ADMIN: BuiltinRole = BuiltinRole {
    name: "Azure Kubernetes Service RBAC Cluster Admin",
    guid: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
};
pub const AKS_RBAC_ADMIN: BuiltinRole = BuiltinRole {
    name: "Azure Kubernetes Service RBAC Admin",
    guid: "3498e952-d568-435e-9b2c-8d77e338d7f7",
};
pub const AKS_RBAC_READER: BuiltinRole = BuiltinRole {
    name: "Azure Kubernetes Service RBAC Reader",
    guid: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
};
pub const ACR_PULL: BuiltinRole = BuiltinRole {
    name: "AcrPull",
    guid: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
};
pub const ACR_PUSH: BuiltinRole = BuiltinRole {
    name: "AcrPush",
    guid: "8311e382-0749-4cb8-b61a-304f252e45ec",
};
pub const ACR_DELETE: BuiltinRole = BuiltinRole {
    name: "AcrDelete",
    guid: "c2f4ef07-c644-48eb-af81-4b1b4947fb11",
};
pub const ACR_IMAGE_SIGNER: BuiltinRole = BuiltinRole {
    name: "AcrImageSigner",
    guid: "6cef56e8-d556-48e5-a04f-b8e64114680f",
};
pub const ACR_QUARANTINE_READER: BuiltinRole = BuiltinRole {
    name: "AcrQuarantineReader",
    guid: "cdda3590-29a3-44f6-95f2-9f980659eb04",
};
pub const ACR_QUARANTINE_WRITER: BuiltinRole = BuiltinRole {
    name: "AcrQuarantineWriter",
    guid: "c8d4ff99-41c3-41a8-9f60-21dfdad59608",
};
pub const KEY_VAULT_ADMINISTRATOR: BuiltinRole = BuiltinRole {
    name: "Key Vault Administrator",
    guid: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
};
pub const KEY_VAULT_SECRETS_OFFICER: BuiltinRole = BuiltinRole {
    name: "Key Vault Secrets Officer",
    guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
};
pub const KEY_VAULT_SECRETS_USER: BuiltinRole = BuiltinRole {
    name: "Key Vault Secrets User",
    guid: "4633458b-17de-408a-b874-0445c86b69e6",
};
pub const KEY_VAULT_CERTIFICATES_OFFICER: BuiltinRole = BuiltinRole {
    name: "Key Vault Certificates Officer",
    guid: "a4417e6f-fecd-4de8-b567-7b0420556985",
};
pub const KEY_VAULT_CRYPTO_OFFICER: BuiltinRole = BuiltinRole {
    name: "Key Vault Crypto Officer",
    guid: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
};
pub const KEY_VAULT_CRYPTO_USER: BuiltinRole = BuiltinRole {
    name: "Key Vault Crypto User",
    guid: "12338af0-0e69-4776-bea7-57ae8d297424",
};
/// Reads a vault's metadata (names, properties), never a secret's value or a key's use.
/// Reads certificate contents, private keys included (its data actions include
/// `secrets/getSecret/action`).
pub const KEY_VAULT_CERTIFICATE_USER: BuiltinRole = BuiltinRole {
    name: "Key Vault Certificate User",
    guid: "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
};
pub const KEY_VAULT_READER: BuiltinRole = BuiltinRole {
    name: "Key Vault Reader",
    guid: "21090545-7ca7-4776-b22c-e363652d74d2",
};

/// Every built-in role the table knows.
pub const ROLES: &[BuiltinRole] = &[
    OWNER,
    CONTRIBUTOR,
    USER_ACCESS_ADMINISTRATOR,
    RBAC_ADMINISTRATOR,
    READER,
    AKS_CLUSTER_ADMIN,
    AKS_CLUSTER_USER,
    AKS_CONTRIBUTOR,
    AKS_RBAC_CLUSTER_ADMIN,
    AKS_RBAC_ADMIN,
    AKS_RBAC_READER,
    ACR_PULL,
    ACR_PUSH,
    ACR_DELETE,
    ACR_IMAGE_SIGNER,
    ACR_QUARANTINE_READER,
    ACR_QUARANTINE_WRITER,
    KEY_VAULT_ADMINISTRATOR,
    KEY_VAULT_SECRETS_OFFICER,
    KEY_VAULT_SECRETS_USER,
    KEY_VAULT_CERTIFICATES_OFFICER,
    KEY_VAULT_CRYPTO_OFFICER,
    KEY_VAULT_CRYPTO_USER,
    KEY_VAULT_CERTIFICATE_USER,
    KEY_VAULT_READER,
];

/// What a role assignment's role names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleMatch {
    /// A built-in role of the table.
    Builtin(BuiltinRole),
    /// A role definition GUID, or a plain role name, that the table does not know (a custom
    /// role, or a built-in one no rule needs): kept as written.
    Other(String),
    /// An expression whose value is unknown (`[variables('role')]`, `var.role`,
    /// `data.azurerm_role_definition.x.id`): nothing can be said about it.
    Unresolved,
}

impl RoleMatch {
    /// The built-in role, when it is one.
    pub fn builtin(&self) -> Option<BuiltinRole> {
        match self {
            RoleMatch::Builtin(role) => Some(*role),
            _ => None,
        }
    }

    /// Whether this is `role`.
    pub fn is(&self, role: BuiltinRole) -> bool {
        self.builtin() == Some(role)
    }
}

/// Resolves a role as a role assignment gives it: a role name (`AcrPull`, `Azure Kubernetes
/// Service RBAC Cluster Admin`, any case), a bare GUID, a role definition ID
/// (`/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`), or an
/// expression that carries the GUID literally (ARM `subscriptionResourceId(
/// 'Microsoft.Authorization/roleDefinitions', '<guid>')`). The role is the last GUID in the
/// text: a role definition ID's subscription GUID comes before it.
pub fn resolve_role(text: &str) -> RoleMatch {
    let text = text.trim();
    if let Some(guid) = last_guid(text) {
        return match ROLES.iter().find(|r| r.guid.eq_ignore_ascii_case(guid)) {
            Some(role) => RoleMatch::Builtin(*role),
            None => RoleMatch::Other(guid.to_ascii_lowercase()),
        };
    }
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '(' | ')'));
    if !plain {
        return RoleMatch::Unresolved;
    }
    match ROLES.iter().find(|r| r.name.eq_ignore_ascii_case(text)) {
        Some(role) => RoleMatch::Builtin(*role),
        None => RoleMatch::Other(text.to_owned()),
    }
}

/// The last GUID-shaped run (8-4-4-4-12 hex digits) in `text`.
pub fn last_guid(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(35)).rev().find_map(|start| {
        let candidate = text.get(start..start + 36)?;
        let boundary_before = start == 0 || !bytes[start - 1].is_ascii_hexdigit();
        let boundary_after = bytes.get(start + 36).is_none_or(|b| !b.is_ascii_hexdigit());
        (boundary_before && boundary_after && is_guid(candidate)).then_some(candidate)
    })
}

/// Whether `text` is exactly a GUID (8-4-4-4-12 hex digits).
pub fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Which standard a built-in Kubernetes initiative enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitiativeStandard {
    PodSecurityBaseline,
    PodSecurityRestricted,
    CisKubernetes,
}

/// A built-in Azure Policy initiative (policy set definition) for Kubernetes clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinInitiative {
    /// `displayName` as Azure spells it.
    pub name: &'static str,
    /// The policy set definition GUID
    /// (`/providers/Microsoft.Authorization/policySetDefinitions/<guid>`).
    pub guid: &'static str,
    pub standard: InitiativeStandard,
    /// Whether its `effect` parameter allows `Deny` (the CIS initiative only audits).
    pub can_deny: bool,
    /// The `effect` parameter's default value.
    pub default_effect: &'static str,
}

impl BuiltinInitiative {
    /// Its policy set definition ID, as `az policy assignment create
    /// --policy-set-definition` takes it.
    pub fn id(&self) -> String {
        format!(
            "/providers/Microsoft.Authorization/policySetDefinitions/{}",
            self.guid
        )
    }
}

pub const POD_SECURITY_BASELINE: BuiltinInitiative = BuiltinInitiative {
    name: "Kubernetes cluster pod security baseline standards for Linux-based workloads",
    guid: "a8640138-9b0a-4a28-b8cb-1666c838647d",
    standard: InitiativeStandard::PodSecurityBaseline,
    can_deny: true,
    default_effect: "Audit",
};
pub const POD_SECURITY_RESTRICTED: BuiltinInitiative = BuiltinInitiative {
    name: "Kubernetes cluster pod security restricted standards for Linux-based workloads",
    guid: "42b8ef37-b724-4e24-bbc8-7a7708edfe00",
    standard: InitiativeStandard::PodSecurityRestricted,
    can_deny: true,
    default_effect: "Audit",
};
pub const CIS_KUBERNETES: BuiltinInitiative = BuiltinInitiative {
    name: "[Preview]: Kubernetes cluster should follow the security control recommendations \
           of Center for Internet Security (CIS) Kubernetes benchmark",
    guid: "4fd005fd-51be-478f-a8fb-149d48b20d48",
    standard: InitiativeStandard::CisKubernetes,
    can_deny: false,
    default_effect: "Audit",
};

/// Every built-in Kubernetes pod security initiative the table knows.
pub const INITIATIVES: &[BuiltinInitiative] = &[
    POD_SECURITY_BASELINE,
    POD_SECURITY_RESTRICTED,
    CIS_KUBERNETES,
];

/// The built-in initiative a policy assignment's `policyDefinitionId` names (by the GUID at
/// its end, any case), if it is one of the table.
pub fn initiative(definition: &str) -> Option<BuiltinInitiative> {
    let guid = last_guid(definition.trim())?;
    INITIATIVES
        .iter()
        .find(|i| i.guid.eq_ignore_ascii_case(guid))
        .copied()
}

/// Whether a principal reference or name is one of `allowed` (object IDs or principal names,
/// compared ignoring case and surrounding blanks).
pub fn principal_listed(principal: Option<&Ref>, name: Option<&str>, allowed: &[String]) -> bool {
    allowed.iter().any(|a| {
        let a = a.trim();
        principal.is_some_and(|p| p.is(a) || p.written.trim().eq_ignore_ascii_case(a))
            || name.is_some_and(|n| n.trim().eq_ignore_ascii_case(a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guid_is_well_formed_lower_case_and_unique() {
        let guids: Vec<&str> = ROLES
            .iter()
            .map(|r| r.guid)
            .chain(INITIATIVES.iter().map(|i| i.guid))
            .collect();
        for guid in &guids {
            assert!(is_guid(guid), "{guid} is not a GUID");
            assert_eq!(*guid, guid.to_ascii_lowercase());
        }
        let mut unique = guids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), guids.len(), "a GUID is listed twice");
        let mut names: Vec<String> = ROLES.iter().map(|r| r.name.to_ascii_lowercase()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ROLES.len(), "a role name is listed twice");
        assert_eq!(CHECKED_ON.len(), 10);
    }

    #[test]
    fn roles_resolve_by_name_guid_or_definition_id() {
        let cases = [
            ("Owner", RoleMatch::Builtin(OWNER)),
            (
                "  azure kubernetes service rbac cluster admin ",
                RoleMatch::Builtin(AKS_RBAC_CLUSTER_ADMIN),
            ),
            (
                "0AB0B1A8-8AAC-4EFD-B8C2-3EE1FB270BE8",
                RoleMatch::Builtin(AKS_CLUSTER_ADMIN),
            ),
            (
                "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
                RoleMatch::Builtin(USER_ACCESS_ADMINISTRATOR),
            ),
            (
                "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
                RoleMatch::Builtin(CONTRIBUTOR),
            ),
            (
                "/providers/Microsoft.Authorization/roleDefinitions/11111111-2222-3333-4444-555555555555",
                RoleMatch::Other("11111111-2222-3333-4444-555555555555".into()),
            ),
            (
                "key vault secrets user",
                RoleMatch::Builtin(KEY_VAULT_SECRETS_USER),
            ),
            (
                "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '21090545-7ca7-4776-b22c-e363652d74d2')]",
                RoleMatch::Builtin(KEY_VAULT_READER),
            ),
            (
                "Storage Blob Data Reader",
                RoleMatch::Other("Storage Blob Data Reader".into()),
            ),
            ("[variables('role')]", RoleMatch::Unresolved),
            ("var.role", RoleMatch::Unresolved),
            ("data.azurerm_role_definition.x.id", RoleMatch::Unresolved),
            ("", RoleMatch::Unresolved),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve_role(text), expected, "{text}");
        }
        // A longer hex run is not a GUID.
        assert_eq!(last_guid("a8e3af657-a8ff-443c-a75c-2fe8c4bcb635"), None);
    }

    #[test]
    fn initiatives_resolve_by_their_definition_id() {
        assert_eq!(
            initiative(
                "/providers/Microsoft.Authorization/policySetDefinitions/A8640138-9B0A-4A28-B8CB-1666C838647D"
            ),
            Some(POD_SECURITY_BASELINE)
        );
        assert_eq!(
            initiative(&POD_SECURITY_RESTRICTED.id()),
            Some(POD_SECURITY_RESTRICTED)
        );
        const { assert!(!CIS_KUBERNETES.can_deny) };
        assert_eq!(
            initiative(
                "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4"
            ),
            None
        );
        assert_eq!(
            initiative("data.azurerm_policy_set_definition.pss.id"),
            None
        );
    }

    #[test]
    fn principals_are_listed_by_object_id_or_name_ignoring_case() {
        let allowed = vec![
            "Ops@Contoso.com".to_owned(),
            "0b1f3c2e-1111-2222-3333-444455556666".to_owned(),
        ];
        let id = Ref::literal("0B1F3C2E-1111-2222-3333-444455556666");
        assert!(principal_listed(Some(&id), None, &allowed));
        assert!(principal_listed(None, Some("ops@contoso.com"), &allowed));
        let other = Ref::literal("99999999-1111-2222-3333-444455556666");
        assert!(!principal_listed(
            Some(&other),
            Some("dev@contoso.com"),
            &allowed
        ));
        assert!(!principal_listed(None, None, &allowed));
    }
}
