use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "SEC005",
    slug: "key-vault-without-workload-identity",
    title: "Key Vault secrets are fetched with pod or node identity, not workload identity",
    family: Family::Secret,
    severity: Severity::Medium,
    checks: "Every `SecretProviderClass` (API group `secrets-store.csi.x-k8s.io`, any version) \
             with `spec.provider: azure` whose `spec.parameters` authenticate to Key Vault with \
             AAD pod identity (`usePodIdentity` true) or with a managed identity of the node \
             (`useVMManagedIdentity` true, with or without `userAssignedIdentityID`). \
             Parameter values are read as the provider reads them: trimmed, then Go \
             `strconv.ParseBool` (`true`, `True`, `TRUE`, `t`, `T`, `1`); anything else, or \
             absent, is false. One finding per such parameter, at its value, whether or not \
             a workload identity `clientID` is also set. A class with neither (workload \
             identity through `clientID`, or a service principal through \
             `nodePublishSecretRef`) is not reported here; other providers are ignored.",
    rationale: "With `useVMManagedIdentity` the CSI driver asks IMDS for a token of a managed \
                identity attached to the node's VM scale set (often the add-on's \
                `azurekeyvaultsecretsprovider` identity or the kubelet identity): every pod \
                on those nodes that can mount the class, or reach IMDS itself, gets the same \
                Key Vault access, with no per-workload boundary. `usePodIdentity` depends on \
                deprecated AAD pod identity. Workload identity (`clientID` plus a \
                federated ServiceAccount) scopes Key Vault access to the pods that run as \
                one ServiceAccount.",
    remediation: "Set `clientID` to the client ID of a managed identity federated with the \
                  workload's ServiceAccount, remove `usePodIdentity`, `useVMManagedIdentity` \
                  and `userAssignedIdentityID`, and grant that identity only the Key Vault \
                  secrets it needs.",
    references: &[
        Reference::CisAks("5.2.1"),
        guides::CSI_SECRETS_STORE_DRIVER,
        Reference::Guide(
            "Connect your Azure identity provider to the Key Vault Secrets Store CSI Driver in AKS",
            "https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access",
        ),
        guides::WORKLOAD_IDENTITY_OVERVIEW,
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Use workload identity: set `clientID` to a federated managed identity and remove the pod and node identity settings.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let group = object.api_version.split('/').next().unwrap_or_default();
    if object.kind != "SecretProviderClass" || group != "secrets-store.csi.x-k8s.io" {
        return;
    }
    if object
        .root
        .at("spec.provider")
        .and_then(Node::as_str)
        .map(str::trim)
        != Some("azure")
    {
        return;
    }
    let Some(parameters) = object.root.at("spec.parameters") else {
        return;
    };
    let name = object.name.as_deref().unwrap_or("<unnamed>");
    if let Some(node) = enabled(parameters, "usePodIdentity") {
        out.report(Violation::at(
            node.pos,
            format!(
                "SecretProviderClass `{name}` reads Key Vault with deprecated AAD pod identity \
                 (usePodIdentity: true) instead of workload identity (clientID)"
            ),
        ));
    }
    if let Some(node) = enabled(parameters, "useVMManagedIdentity") {
        let identity = match parameters
            .get("userAssignedIdentityID")
            .and_then(Node::as_str)
            .map(str::trim)
            .filter(|id| !id.is_empty())
        {
            Some(_) => {
                "a user-assigned managed identity of the node (useVMManagedIdentity: true, \
                 userAssignedIdentityID)"
            }
            None => "the node's system-assigned managed identity (useVMManagedIdentity: true)",
        };
        out.report(Violation::at(
            node.pos,
            format!(
                "SecretProviderClass `{name}` reads Key Vault with {identity}, shared by every \
                 pod on the node, instead of workload identity (clientID)"
            ),
        ));
    }
}

/// A parameter the provider reads as true (`strings.TrimSpace` then `strconv.ParseBool`).
fn enabled<'a>(parameters: &'a Node, key: &str) -> Option<&'a Node> {
    let node = parameters.get(key)?;
    matches!(
        node.as_str()?.trim(),
        "1" | "t" | "T" | "TRUE" | "true" | "True"
    )
    .then_some(node)
}
