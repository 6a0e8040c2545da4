use aksguard_model::{PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD030",
    slug: "host-aliases-set",
    title: "Pod overrides name resolution with hostAliases",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "A pod template whose spec sets `hostAliases` to a non-empty list; reported once \
             per pod, at the field, with no container. An empty list, null, or a value that is \
             not a list is ignored. Applies to Windows pods too.",
    rationale: "`hostAliases` writes entries into every container's `/etc/hosts`, silently \
                overriding DNS for the names listed. It can pin Azure service endpoints \
                (Key Vault, storage, the registry) to fixed or attacker-chosen IPs, bypassing \
                Private DNS zones and DNS-based egress controls, and it hides the redirection \
                from anyone looking at cluster DNS.",
    remediation: "Remove `hostAliases` from the pod spec and publish the names through DNS \
                  instead (an Azure Private DNS zone, a Service, or a CoreDNS custom \
                  configuration in `coredns-custom`).",
    references: &[
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Guide(
            "Customize CoreDNS with AKS",
            "https://learn.microsoft.com/azure/aks/coredns-custom",
        ),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let Some(aliases) = pod.get("hostAliases").filter(|n| !n.items().is_empty()) else {
        return;
    };
    let count = aliases.items().len();
    let entries = if count == 1 { "entry" } else { "entries" };
    out.report(
        Violation::at(
            aliases.pos,
            format!(
                "pod overrides /etc/hosts with {count} host alias {entries} ({})",
                pod.path("hostAliases")
            ),
        )
        .with_fix(patch::remove(
            "Remove `hostAliases`; resolve names through DNS.",
            FixSafety::Review,
            patch::pod_path(pod, &["hostAliases"]),
        )),
    );
}
