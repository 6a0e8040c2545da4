//! The numbers the ranking uses, in one place (the crate docs and README print the same
//! tables): how likely each kind of entry point is used, how bad each crown jewel is, and how
//! costly each fix is.

use aksguard_model::{Finding, FixSafety};

use crate::graph::EdgeFix;

/// Likelihood (0–1) that an attacker on the internet uses an entry point.
pub mod likelihood {
    /// A public LoadBalancer Service with no `loadBalancerSourceRanges`.
    pub const PUBLIC_LOAD_BALANCER: f64 = 1.0;
    /// An Ingress with no WAF in front (NET009 fired on it).
    pub const INGRESS_WITHOUT_WAF: f64 = 0.9;
    /// Any other Ingress (a WAF or an ingress class aksguard cannot judge).
    pub const INGRESS: f64 = 0.7;
    /// A NodePort Service on node pools with public IPs.
    pub const PUBLIC_NODE_PORT: f64 = 0.8;
    /// A public API server without authorized IP ranges (an attacker still needs a
    /// credential or an anonymous binding).
    pub const PUBLIC_API_SERVER: f64 = 0.6;
}

/// Impact (0–10) of reaching a crown jewel.
pub mod impact {
    pub const CLUSTER_ADMIN: f64 = 10.0;
    /// Owner, Contributor, User Access Administrator or an AKS admin role on a subscription.
    pub const AZURE_SUBSCRIPTION_ROLE: f64 = 10.0;
    /// The same on a resource group.
    pub const AZURE_RESOURCE_GROUP_ROLE: f64 = 9.0;
    /// The same on one resource.
    pub const AZURE_RESOURCE_ROLE: f64 = 7.0;
    /// Push to a registry every node pulls from (supply chain).
    pub const REGISTRY_PUSH: f64 = 9.0;
    /// Root on a node (and so every pod and credential on it).
    pub const NODE_HOST: f64 = 8.0;
    /// Read every Secret of the cluster.
    pub const SECRETS_CLUSTER: f64 = 8.0;
    /// Read a Key Vault's secrets, certificates or use its keys (a data-plane Key Vault role on
    /// the vault, or on its resource group or subscription: every vault there). Like every
    /// Secret of the cluster: a vault holds the credentials apps use outside the cluster
    /// (database passwords, storage keys, TLS private keys). Not more for a wider scope:
    /// reading is the ceiling, and it stays below the roles that control a scope (9, 10),
    /// which can grant themselves this and more.
    pub const KEY_VAULT_SECRETS: f64 = 8.0;
    /// Read the Secrets of one namespace.
    pub const SECRETS_NAMESPACE: f64 = 6.0;
}

/// The fix cost (1–5) of removing an edge created by `rule`; `None` for rules with no entry
/// (the edge kind's default applies). 1: a safe one-line manifest change; 2: a change to
/// review (the app may rely on it); 3: a design change (exposure, storage); 4: a change that
/// may break the service; 5: a cluster rebuild or a platform-wide change.
pub fn rule_cost(rule: &str) -> Option<u8> {
    Some(match rule {
        // Azure role assignments: replace or remove one assignment.
        "AKS042" => 1,
        "AKS043" | "IDN005" => 2,
        // Exposure.
        "NET010" | "AKS005" => 2,
        "NET006" | "NET007" | "NET009" => 3,
        "AKS020" => 4,
        // Workload isolation.
        "POD001" | "POD003" | "POD004" | "POD009" => 2,
        "POD013" | "POD019" => 3,
        "POD016" => 2,
        "NET003" => 2,
        "AKS008" => 5,
        // RBAC: remove or narrow one binding or rule.
        "RBAC001" | "RBAC003" | "RBAC004" | "RBAC005" | "RBAC006" | "RBAC007" | "RBAC008" => 2,
        "RBAC002" => 3,
        "NS001" | "NS002" => 2,
        _ => return None,
    })
}

/// Cost of a fix by its declared safety: a `safe` fix is 1, a `manual` one at least 4.
fn safety_cost(safety: FixSafety, cost: u8) -> u8 {
    match safety {
        FixSafety::Safe => 1,
        FixSafety::Review => cost,
        FixSafety::Manual => cost.max(4),
    }
}

/// The fix of an edge: `default` (the edge kind's fix and cost), made cheaper by a rule on the
/// edge that costs less, then adjusted by the safety of the findings' own fixes when they
/// carry one (the cheapest wins).
pub fn edge_fix(
    summary: impl Into<String>,
    default: u8,
    rules: &[&'static str],
    findings: &[usize],
    all: &[Finding],
) -> EdgeFix {
    let mut cost = rules
        .iter()
        .filter_map(|r| rule_cost(r))
        .min()
        .map_or(default, |c| c.min(default));
    if let Some(by_safety) = findings
        .iter()
        .filter_map(|&i| all.get(i)?.fix.as_ref())
        .map(|fix| safety_cost(fix.safety, cost))
        .min()
    {
        cost = by_safety;
    }
    EdgeFix {
        summary: summary.into(),
        cost,
    }
}
