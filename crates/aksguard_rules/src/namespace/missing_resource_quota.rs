use aksguard_model::{Inventory, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::namespace::{anchor_of, is_namespace_name, is_system_namespace};

pub(crate) static RULE: Rule = Rule {
    id: "NS003",
    slug: "missing-resource-quota",
    title: "Namespace with workloads has no ResourceQuota or LimitRange",
    family: Family::Namespace,
    severity: Severity::Low,
    checks: "Every namespace that holds at least one workload (any object with a pod \
             template, CronJobs included), whether its Namespace manifest is in the scan or it \
             is only referenced by `metadata.namespace`, when the scan has neither a \
             `ResourceQuota` nor a `LimitRange` (apiVersion `v1`) in that namespace; one \
             finding per namespace, on `Namespace/<name>`, located at the Namespace \
             manifest's `metadata.name` or, without one, at the `metadata.namespace` of the \
             namespace's first object. Either object passes the namespace: each caps what \
             one tenant can take. The verdict rests on an absence, so unless `--complete` is \
             given the message says the quota may live outside the scanned files. Objects \
             without `metadata.namespace` are not judged: their namespace is chosen at deploy \
             time (`helm --namespace`, kubectl context) and is usually set up elsewhere; nor are \
             names that are not valid namespace names (template placeholders). The \
             Kubernetes and AKS system namespaces are exempt (AKS sizes its own add-ons; user \
             workloads there are NS004's).",
    rationale: "Without a ResourceQuota or LimitRange a single namespace can request every \
                CPU, memory and pod slot of the node pools: a runaway deployment or a \
                compromised workload starves the other tenants of the AKS cluster (and can \
                drive cluster-autoscaler costs), and containers without limits are admitted \
                with no ceiling at all.",
    remediation: "Add a `ResourceQuota` (requests/limits for CPU and memory, pod count) and a \
                  `LimitRange` (default and maximum container requests and limits) to the \
                  namespace.",
    references: &[
        Reference::Guide(
            "Best practices for basic scheduler features in AKS",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-scheduler",
        ),
        Reference::Guide(
            "Best practices for cluster isolation in AKS",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-isolation",
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Workloads named in a message before "and N more".
const LISTED: usize = 3;

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for namespace in inventory.namespaces() {
        if is_system_namespace(namespace) || !is_namespace_name(namespace) {
            continue;
        }
        // The same object may be in several scanned files; name it once.
        let mut workloads: Vec<(&str, &str)> = Vec::new();
        for (object, _) in inventory.workloads_in(namespace) {
            let key = (
                object.kind.as_str(),
                object.name.as_deref().unwrap_or("<unnamed>"),
            );
            if !workloads.contains(&key) {
                workloads.push(key);
            }
        }
        if workloads.is_empty() {
            continue;
        }
        let capped = ["ResourceQuota", "LimitRange"].iter().any(|kind| {
            inventory
                .of_kind_in(kind, namespace)
                .any(|o| o.api_version == "v1")
        });
        if capped {
            continue;
        }
        let Some((anchor, pos)) = anchor_of(inventory, namespace) else {
            continue;
        };
        let mut names: Vec<String> = workloads
            .iter()
            .take(LISTED)
            .map(|(kind, name)| format!("{kind} `{name}`"))
            .collect();
        if workloads.len() > LISTED {
            names.push(format!("and {} more", workloads.len() - LISTED));
        }
        let scope = if out
            .settings()
            .complete_for(&["ResourceQuota", "LimitRange"])
        {
            ""
        } else {
            " (none in the scanned files; they may live elsewhere — pass --complete if these \
             files are the whole cluster state)"
        };
        out.report(
            Violation::at(
                pos,
                format!(
                    "namespace `{namespace}` runs workloads ({}) but has no ResourceQuota or \
                     LimitRange{scope}",
                    names.join(", ")
                ),
            )
            .on_namespace(namespace, anchor),
        );
    }
}
