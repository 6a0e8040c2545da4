use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS031",
    slug: "run-command-enabled",
    title: "Run command (az aks command invoke) is not disabled",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "The cluster's `apiServerAccessProfile.disableRunCommand`: reported when it is \
             false or not set (the API default is false, run command enabled). An \
             unresolvable value is not reported.",
    rationale: "Run command (`az aks command invoke`) starts a pod in the cluster that runs \
                kubectl or helm with cluster credentials on behalf of anyone holding the \
                Azure `Microsoft.ContainerService/managedClusters/runCommand/action` \
                permission. It reaches private clusters through the Azure control plane, \
                bypassing the network isolation of a private API server.",
    remediation: "Disable run command with `az aks update --disable-run-command`, ARM \
                  `apiServerAccessProfile.disableRunCommand: true` or Terraform \
                  `run_command_enabled = false`, and reach private clusters through a jump \
                  host, VPN or Azure Bastion.",
    references: &[Reference::Guide(
        "Access a private AKS cluster using the command invoke feature",
        "https://learn.microsoft.com/azure/aks/access-private-cluster",
    )],
    fix: crate::RuleFix {
        summary: Some("Disable run command (az aks command invoke)."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --disable-run-command"],
        iac: &[crate::IacSetting::new(
            "apiServerAccessProfile.disableRunCommand",
            "true",
            "run_command_enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "apiServerAccessProfile.disableRunCommand";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get(PATH) {
        Lookup::Absent => "is not set (defaults to false)",
        lookup if lookup.node().and_then(node_flag) == Some(false) => "is false",
        _ => return,
    };
    let message = format!(
        "apiServerAccessProfile.disableRunCommand {state}: anyone with the Azure runCommand \
         permission can run kubectl in the cluster through `az aks command invoke`, even \
         when the API server is private."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
