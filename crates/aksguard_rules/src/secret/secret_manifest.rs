use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::secret::{SA_TOKEN_TYPE, core_secret};

pub(crate) static RULE: Rule = Rule {
    id: "SEC003",
    slug: "secret-data-in-manifest",
    title: "Secret manifest carries data",
    family: Family::Secret,
    severity: Severity::High,
    checks: "A `Secret` (kind `Secret`, apiVersion `v1`) whose `data` or `stringData` mapping \
             has at least one key: one finding per field, at the `data`/`stringData` key, \
             naming the keys (never the values). An empty, null or non-mapping \
             `data`/`stringData` does not fire, so a `kubernetes.io/service-account-token` \
             Secret that only requests a token (no data) passes, as does any Secret without \
             data. Values are not inspected: an empty value still commits the key. Other \
             kinds (SealedSecret, ExternalSecret, SecretProviderClass) are not Secrets. \
             Files only: a live scan (`--cluster`) never lists Secrets, because a list returns \
             their values, so this rule judges manifests and never a running cluster.",
    rationale: "base64 in `data` is an encoding, not encryption: anyone who can read the \
                repository, the CI logs or the rendered chart has the credential, and it \
                stays in the git history after it is removed. On AKS keep secrets in Azure \
                Key Vault and project them into pods with the Secrets Store CSI driver and \
                workload identity, so no secret material lives in manifests.",
    remediation: "Remove the Secret's data from the manifest and rotate the exposed \
                  credentials; store them in Azure Key Vault and mount them with the Secrets \
                  Store CSI driver (or encrypt them for GitOps with Sealed Secrets or SOPS).",
    references: &[
        Reference::CisAks("4.5.2"),
        guides::CSI_SECRETS_STORE_DRIVER,
        Reference::Guide(
            "AKS security concepts: Kubernetes Secrets",
            "https://learn.microsoft.com/azure/aks/concepts-security#kubernetes-secrets",
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !core_secret(object) {
        return;
    }
    let kind = object
        .root
        .get("type")
        .and_then(Node::as_str)
        .unwrap_or("Opaque");
    for field in ["data", "stringData"] {
        let Some(node) = object.root.get(field) else {
            continue;
        };
        let keys: Vec<&str> = node.entries().iter().map(|e| e.key.as_str()).collect();
        if keys.is_empty() {
            continue;
        }
        let shown = keys
            .iter()
            .take(8)
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let more = if keys.len() > 8 {
            format!(" and {} more", keys.len() - 8)
        } else {
            String::new()
        };
        let what = if kind == SA_TOKEN_TYPE {
            "a service-account token"
        } else {
            "secret values"
        };
        out.report(Violation::at(
            node.pos,
            format!(
                "Secret `{}` (type `{kind}`) commits {what} in `{field}`: {} key{} \
                 ({shown}{more})",
                object.name.as_deref().unwrap_or("<unnamed>"),
                keys.len(),
                if keys.len() == 1 { "" } else { "s" },
            ),
        ));
    }
}
