use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::pos_of;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS036",
    slug: "free-tier-cluster",
    title: "Cluster running user workloads is on the Free tier (no uptime SLA)",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every AKS cluster whose `sku.tier` (Terraform `sku_tier`) is `Free` or absent \
             (the API default is Free) and that can run user workloads: at least one node pool \
             is not reserved for system pods, i.e. it is in `User` mode, or it is a System \
             pool without the `CriticalAddonsOnly=true:NoSchedule` (or `NoExecute`) taint. A \
             cluster whose pools are all tainted System pools, or whose pools are not known, \
             passes; an unresolvable tier or pool mode/taints never fire. `Standard`, \
             `Premium` and the legacy `Paid` pass.",
    rationale: "The Free tier has no financially backed uptime SLA for the API server and is \
                sized for testing: its control plane has limited capacity, so a busy \
                production cluster can see API throttling and slow admission and \
                security-policy decisions. Microsoft recommends the Standard tier for \
                production workloads.",
    remediation: "Move the cluster to the Standard tier (`az aks update --tier standard`; no \
                  downtime) and set `sku.tier: Standard` in templates.",
    references: &[
        Reference::Guide(
            "Free, Standard, and Premium pricing tiers for AKS cluster management",
            "https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_170")),
    ],
    fix: crate::RuleFix {
        summary: Some("Move the cluster to the Standard tier."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --tier standard"],
        iac: &[crate::IacSetting::new(
            "sku.tier",
            "\"Standard\"",
            "sku_tier",
            "\"Standard\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

/// Whether the pool reserves its nodes for system pods: `Some(true)` for a System pool with
/// the CriticalAddonsOnly taint, `Some(false)` when user pods can land on it, `None` when
/// unknown.
fn reserved_for_system(pool: &NodePool) -> Option<bool> {
    match pool.settings.get("mode") {
        Lookup::Known(node) if node.as_str()?.eq_ignore_ascii_case("system") => {}
        Lookup::Known(_) | Lookup::Absent => return Some(false),
        Lookup::Unknown(_) => return None,
    }
    match pool.settings.get("nodeTaints") {
        Lookup::Known(taints) => Some(
            taints
                .items()
                .iter()
                .any(|t| t.as_str().is_some_and(is_critical_addons_only_taint)),
        ),
        Lookup::Absent => Some(false),
        Lookup::Unknown(_) => None,
    }
}

/// `CriticalAddonsOnly=true:NoSchedule` (or `:NoExecute`), spaces and key case tolerated.
pub(crate) fn is_critical_addons_only_taint(taint: &str) -> bool {
    let taint: String = taint.chars().filter(|c| !c.is_whitespace()).collect();
    let Some((key_value, effect)) = taint.split_once(':') else {
        return false;
    };
    let (key, value) = key_value.split_once('=').unwrap_or((key_value, ""));
    key.eq_ignore_ascii_case("CriticalAddonsOnly")
        && (value.is_empty() || value.eq_ignore_ascii_case("true"))
        && (effect.eq_ignore_ascii_case("NoSchedule") || effect.eq_ignore_ascii_case("NoExecute"))
}

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    const PATH: &str = "sku.tier";
    let tier = match cluster.settings.get(PATH) {
        Lookup::Known(node) => match node.as_str() {
            Some(tier) if tier.trim().eq_ignore_ascii_case("free") => Some(tier),
            _ => return,
        },
        Lookup::Absent => None,
        Lookup::Unknown(_) => return,
    };
    let user_pool = cluster
        .node_pools
        .iter()
        .find(|pool| reserved_for_system(pool) == Some(false));
    let Some(user_pool) = user_pool else {
        return;
    };
    let state = match tier {
        Some(tier) => format!("`{PATH}` is `{tier}`"),
        None => format!("`{PATH}` is not set (defaults to Free)"),
    };
    let message = format!(
        "{state} while node pool `{}` can run user workloads: the Free tier has no uptime \
         SLA and a control plane sized for testing.",
        user_pool.name
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
