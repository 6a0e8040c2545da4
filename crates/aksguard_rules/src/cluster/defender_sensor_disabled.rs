use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const ENABLED: &str = "securityProfile.defender.securityMonitoring.enabled";

pub(crate) static RULE: Rule = Rule {
    id: "AKS011",
    slug: "defender-sensor-disabled",
    title: "Microsoft Defender for Containers sensor not enabled on the AKS cluster",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster: fires when \
             `securityProfile.defender.securityMonitoring.enabled` (Terraform: a \
             `microsoft_defender` block) is known false or absent (the default is off). An \
             unresolvable value never fires. Reported at `enabled`, else at its enclosing \
             object when that is written, else at the cluster's first line. The subscription's \
             Defender for Containers plan is AKS040's concern.",
    rationale: "Without the Defender sensor, AKS runtime threats (crypto miners, reverse \
                shells, privileged container launches, access to node credentials) go \
                undetected: the sensor supplies the node and container events Defender for \
                Containers alerts on.",
    remediation: "Enable the Defender sensor (`az aks update --enable-defender`, optionally \
                  `--defender-config <file>` naming a Log Analytics workspace; ARM \
                  `securityProfile.defender.securityMonitoring.enabled: true` with \
                  `logAnalyticsWorkspaceResourceId`; Terraform `microsoft_defender { \
                  log_analytics_workspace_id = ... }`).",
    references: &[
        Reference::Guide(
            "Overview of Container security in Microsoft Defender for Containers",
            "https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-introduction",
        ),
        guides::AKS_CLUSTER_SECURITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Enable the Microsoft Defender for Containers sensor."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --enable-defender"],
        iac: &[crate::IacSetting::new(
            "securityProfile.defender.securityMonitoring.enabled",
            "true",
            "microsoft_defender.log_analytics_workspace_id",
            "\"<workspace-id>\"",
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
        Lookup::Absent => {
            "`securityProfile.defender.securityMonitoring.enabled` not set; the default is off"
        }
        _ => "`securityProfile.defender.securityMonitoring.enabled: false`",
    };
    let message = format!(
        "The Microsoft Defender for Containers sensor is not enabled \
         ({state}): runtime threats \
         in the cluster go undetected."
    );
    out.report(Violation::at(attr_pos(cluster, ENABLED), message));
}
