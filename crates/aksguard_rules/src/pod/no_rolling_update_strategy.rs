use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::KubeLinter, same};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD020",
    slug: "no-rolling-update-strategy",
    title: "Workload rolls out without a rolling update strategy",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "A Deployment with `spec.strategy.type: Recreate`, or a DaemonSet or StatefulSet \
             with `spec.updateStrategy.type: OnDelete`; reported at the `type` field \
             (container: null). Values are matched exactly, as the API server does. An absent \
             strategy passes: `apps/v1` defaults all three kinds to `RollingUpdate` (the \
             `extensions/v1beta1` and `apps/v1beta1` versions that defaulted to `OnDelete` are \
             not served by any supported AKS version). Other kinds are not checked.",
    rationale: "Security fixes reach running pods only through rollouts. `OnDelete` leaves old \
                pods (and their vulnerable images or configuration) running until someone \
                deletes them by hand, and `Recreate` takes every replica down before starting \
                the new ones, so patching means an outage and tends to be postponed. Rolling \
                updates let AKS node-image upgrades and image patches roll through without \
                downtime.",
    remediation: "Set `spec.strategy.type: RollingUpdate` on Deployments (tune \
                  `maxUnavailable`/`maxSurge`) and `spec.updateStrategy.type: RollingUpdate` on \
                  DaemonSets and StatefulSets, or remove the field to get the default.",
    references: &[
        Reference::Guide(
            "Azure Well-Architected Framework review - Azure Kubernetes Service (AKS)",
            "https://learn.microsoft.com/azure/well-architected/service-guides/azure-kubernetes-service",
        ),
        Reference::Peer(same(KubeLinter, "no-rolling-update-strategy")),
    ],
    fix: crate::RuleFix {
        summary: Some("Use the `RollingUpdate` strategy (or remove the field to get the default)."),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let (path, bad) = match object.kind.as_str() {
        "Deployment" => ("spec.strategy.type", "Recreate"),
        "DaemonSet" | "StatefulSet" => ("spec.updateStrategy.type", "OnDelete"),
        _ => return,
    };
    let Some(node) = object.root.at(path).filter(|n| n.as_str() == Some(bad)) else {
        return;
    };
    let effect = match bad {
        "Recreate" => "stops every pod before starting new ones",
        _ => "replaces pods only when they are deleted by hand",
    };
    out.report(
        Violation::at(
            node.pos,
            format!("{} {effect} ({path}: {bad})", object.kind),
        )
        .with_fix(patch::set(
            &format!("Set `{path}: RollingUpdate`."),
            FixSafety::Review,
            patch::object_path(path, &[]),
            "RollingUpdate",
        )),
    );
}
