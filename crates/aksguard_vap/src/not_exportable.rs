//! Why a rule is not exported. Rules that judge Azure resources or several objects at once
//! get their reason from their metadata ([`generic_reason`]); every other rule without a
//! translation is listed here by ID, and a test keeps this list and the translations
//! disjoint and complete.

use aksguard_rules::{Family, Rule};

use crate::rules::NotExportable;

const fn entry(id: &'static str, reason: &'static str) -> NotExportable {
    NotExportable { id, reason }
}

/// Single-object Kubernetes rules without a CEL translation, by ID.
pub const NOT_EXPORTABLE: &[NotExportable] = &[
    entry(
        "POD021",
        "the default namespace comes from the client's context when a manifest names none; \
         an admission request always carries the resolved namespace, a different question",
    ),
    entry(
        "POD024",
        "the rule exempts Jobs and CronJobs by kind, but at admission their Pods arrive as \
         bare Pods: a policy on Pods would block every Job",
    ),
    entry(
        "IDN001",
        "Entra pod identity is recognised by labels, bindings and custom resources not \
         translated",
    ),
    entry(
        "IMG001",
        "image reference parsing (registry, tag, digest) is not translated to CEL",
    ),
    entry(
        "IMG002",
        "image reference parsing (registry, tag, digest) is not translated to CEL",
    ),
    entry(
        "IMG003",
        "depends on the allowed-registries list of aksguard.toml, which a static policy \
         cannot read",
    ),
    entry(
        "IMG004",
        "image reference parsing (registry, tag, digest) is not translated to CEL",
    ),
    entry(
        "IMG005",
        "judges images against vulnerability reports given with `--vulns`, which the API \
         server does not have",
    ),
    entry(
        "IMG006",
        "image reference parsing (registry, tag, digest) is not translated to CEL",
    ),
    entry(
        "NET005",
        "not translated yet: NetworkPolicy objects (expressible, but without a translation and its tests)",
    ),
    entry(
        "NET006",
        "not translated yet: Service annotations for Azure load balancers (expressible, but without a translation and its tests)",
    ),
    entry(
        "NET008",
        "not translated yet: Ingresses (expressible, but without a translation and its tests)",
    ),
    entry(
        "NET009",
        "not translated yet: Ingress classes and WAF annotations (expressible, but without a translation and its tests)",
    ),
    entry(
        "NET010",
        "not translated yet: Service source ranges (expressible, but without a translation and its tests)",
    ),
    entry(
        "NET013",
        "not translated yet: Ingress annotations (expressible, but without a translation and its tests)",
    ),
    entry(
        "NS001",
        "not translated yet: Namespace labels (expressible, but without a translation and its tests)",
    ),
    entry(
        "NS002",
        "not translated yet: Namespace labels (expressible, but without a translation and its tests)",
    ),
    entry(
        "NS004",
        "the AKS system namespaces are better kept with the binding's namespaceSelector",
    ),
    entry(
        "RBAC007",
        "not translated yet: bindings' subjects (expressible, but without a translation and its tests)",
    ),
    entry(
        "RBAC008",
        "not translated yet: bindings' subjects (expressible, but without a translation and its tests)",
    ),
    entry(
        "REL001",
        "removed API versions never reach admission: the API server no longer serves them",
    ),
    entry(
        "REL005",
        "the API server's own validation rejects a workload whose selector does not match its \
         template labels before admission policies run, so a policy would never see one",
    ),
    entry(
        "SEC002",
        "secret detection uses regular expressions and entropy, not expressible in CEL \
         within cost limits",
    ),
    entry(
        "SEC003",
        "not translated yet: Secrets (expressible, but without a translation and its tests)",
    ),
    entry(
        "SEC004",
        "not translated yet: Secrets (expressible, but without a translation and its tests)",
    ),
    entry(
        "SEC005",
        "Key Vault CSI SecretProviderClass objects are not translated",
    ),
];

/// The reason a rule cannot be exported that follows from what it judges, if any.
pub(crate) fn generic_reason(rule: &Rule) -> Option<&'static str> {
    match rule.family {
        Family::Cluster => Some(
            "judges the AKS cluster's Azure configuration, which no Kubernetes admission \
             request carries",
        ),
        Family::Registry => Some(
            "judges the Azure container registry's configuration, which no Kubernetes \
             admission request carries",
        ),
        _ if rule.is_inventory_rule() || rule.reads_other_objects => Some(
            "judges an object together with other objects of the scan; an admission policy \
             sees one object",
        ),
        _ => None,
    }
}
