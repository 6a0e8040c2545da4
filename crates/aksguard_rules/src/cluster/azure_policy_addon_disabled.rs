use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Rule};

const ENABLED: &str = "addonProfiles.azurepolicy.enabled";

pub(crate) static RULE: Rule = Rule {
    id: "AKS010",
    slug: "azure-policy-addon-disabled",
    title: "Azure Policy add-on (Gatekeeper) not enabled on the AKS cluster",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster: fires when `addonProfiles.azurepolicy.enabled` (Terraform \
             `azure_policy_enabled`) is known false, or when the add-on profile is absent (the \
             add-on is off by default). An unresolvable value never fires. Reported at \
             `enabled`, else at its enclosing object when that is written, else at the \
             cluster's first line.",
    rationale: "Without the Azure Policy add-on, nothing in the cluster enforces or audits \
                Azure Policy's Kubernetes definitions (privileged containers, host paths, \
                allowed registries, Pod Security baselines): a manifest that breaks policy is \
                admitted and the breach is invisible in Azure compliance reports.",
    remediation: "Enable the Azure Policy add-on (`az aks enable-addons --addons azure-policy`; \
                  ARM `addonProfiles.azurepolicy.enabled: true`; Terraform \
                  `azure_policy_enabled = true`) and assign the Kubernetes policy initiatives.",
    references: &[
        guides::POLICY_FOR_KUBERNETES,
        guides::AKS_CLUSTER_SECURITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Enable the Azure Policy add-on."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks enable-addons {cluster-args} --addons azure-policy"],
        iac: &[crate::IacSetting::new(
            "addonProfiles.azurepolicy.enabled",
            "true",
            "azure_policy_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if flag(cluster, ENABLED, false) != Some(false) {
        return;
    }
    let state = match cluster.settings.get(ENABLED) {
        Lookup::Absent => "is not enabled (no `azurepolicy` add-on profile)",
        _ => "is disabled (`addonProfiles.azurepolicy.enabled: false`)",
    };
    let message = format!(
        "The Azure Policy add-on {state}: Kubernetes policy assignments are neither \
         enforced nor audited in the cluster."
    );
    out.report(Violation::at(attr_pos(cluster, ENABLED), message));
}
