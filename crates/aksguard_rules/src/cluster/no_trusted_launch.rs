use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::azure_fix::with_commands;
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{az_aks_nodepool, node_flag, pool_pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS024",
    slug: "no-trusted-launch",
    title: "Node pool without Trusted Launch (secure boot and vTPM)",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every node pool of the cluster: reported when `securityProfile.enableSecureBoot` \
             or `securityProfile.enableVTPM` is false or not set (both default to false). One \
             finding per pool naming the missing settings, at the first one's line or the \
             pool's first line. Unresolvable values are not reported. When neither is on the \
             pool was not created with Trusted Launch and must be replaced; when one is on, \
             the other can be enabled in place.",
    rationale: "Trusted Launch protects node VMs against boot kits and kernel-level rootkits: \
                secure boot lets only signed bootloaders, kernels and drivers start, and the \
                vTPM measures the boot chain so its integrity can be attested. Without them a \
                compromise that reaches the boot path persists across reboots undetected.",
    remediation: "Create node pools with Trusted Launch (`az aks nodepool add \
                  --enable-secure-boot --enable-vtpm`) and move workloads off pools without \
                  it; on a pool already created with Trusted Launch, `az aks nodepool update \
                  --enable-secure-boot --enable-vtpm` (these flags may need the aks-preview \
                  extension). ARM agent pool `securityProfile.enableSecureBoot: true` and \
                  `securityProfile.enableVTPM: true`.",
    references: &[Reference::Guide(
        "Trusted Launch for Azure Kubernetes Service (AKS)",
        "https://learn.microsoft.com/azure/aks/use-trusted-launch",
    )],
    fix: crate::RuleFix {
        summary: Some("Turn on Secure Boot and vTPM (Trusted Launch) for the node pool."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks nodepool update --resource-group {group} --cluster-name {cluster} --name {pool} --enable-secure-boot --enable-vtpm",
        ],
        iac: &[
            crate::IacSetting::arm("securityProfile.enableSecureBoot", "true"),
            crate::IacSetting::arm("securityProfile.enableVTPM", "true"),
        ],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
};

const SECURE_BOOT: &str = "securityProfile.enableSecureBoot";
const VTPM: &str = "securityProfile.enableVTPM";

/// `Some(description)` when the setting is known to be off.
fn off(pool: &NodePool, path: &str) -> Option<String> {
    match pool.settings.get(path) {
        Lookup::Absent => Some(format!("{path} is not set (defaults to false)")),
        lookup if lookup.node().and_then(node_flag) == Some(false) => {
            Some(format!("{path} is false"))
        }
        _ => None,
    }
}

fn check(cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    let missing: Vec<(&str, String)> = [SECURE_BOOT, VTPM]
        .into_iter()
        .filter_map(|path| off(pool, path).map(|state| (path, state)))
        .collect();
    let Some((first, _)) = missing.first() else {
        return;
    };
    let states: Vec<&str> = missing.iter().map(|(_, state)| state.as_str()).collect();
    let flags = "--enable-secure-boot --enable-vtpm";
    let (note, commands) = if missing.len() == 2 {
        let add = az_aks_nodepool(
            cluster,
            "add",
            "",
            &format!("{flags} <options of the old pool>"),
        )
        .replace("--name <pool>", "--name <new-pool>");
        (
            " Trusted Launch is chosen when a pool is created.",
            vec![add, az_aks_nodepool(cluster, "delete", &pool.name, "")],
        )
    } else {
        let flag = if *first == SECURE_BOOT {
            "--enable-secure-boot"
        } else {
            "--enable-vtpm"
        };
        (
            "",
            vec![az_aks_nodepool(cluster, "update", &pool.name, flag)],
        )
    };
    let message = format!(
        "node pool `{}`: {}: its nodes boot without Trusted Launch protection.{note}",
        pool.name,
        states.join("; "),
    );
    let fix = with_commands(&RULE, commands);
    out.report(Violation::at(pool_pos_of(pool, first), message).with_fix(fix));
}
