use aksguard_model::{FixSafety, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::KubeLinter, narrower};
use crate::reliability::removed_apis::{NEWEST_KNOWN_VERSION, removed_by, same_schema};

pub(crate) static RULE: Rule = Rule {
    id: "REL001",
    slug: "removed-api-version",
    title: "Object uses an API version removed in the target Kubernetes version",
    family: Family::Reliability,
    severity: Severity::Medium,
    checks: "Every object whose `apiVersion` and `kind` (compared exactly) are listed in the \
             Kubernetes deprecation guide as no longer served in the target version or \
             earlier. The target is `--k8s-version` (`1.31`, `v1.31.2`); without it, the newest \
             version aksguard's table knows (1.34), so every removed API is reported. Objects \
             inside `List` wrappers are checked one by one. Only removals are reported, not \
             deprecations that are still served; custom resources are not checked. Reported at \
             `apiVersion`, naming the removal release, the target and the replacement.",
    rationale: "The API server of the target version no longer serves the removed API: \
                `kubectl apply` and Helm fail with \"no matches for kind\", so the workload \
                cannot be deployed or changed after the upgrade. AKS supports each Kubernetes \
                minor version for about a year, so clusters must upgrade regularly; AKS stops a \
                control-plane upgrade when it sees recent calls to APIs removed in the target \
                version, and manifests in source control are where those calls come from.",
    remediation: "Change `apiVersion` to the replacement named in the finding (and adapt the \
                  fields it renamed; `kubectl convert` helps) before upgrading the cluster; \
                  PodSecurityPolicy has no replacement: use Pod Security Admission.",
    references: &[
        Reference::Guide(
            "Kubernetes: Deprecated API Migration Guide",
            "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
        ),
        Reference::Guide(
            "Stop AKS cluster upgrades automatically on API breaking changes",
            "https://learn.microsoft.com/azure/aks/stop-cluster-upgrade-api-breaking-changes",
        ),
        Reference::Peer(narrower(
            KubeLinter,
            "no-extensions-v1beta",
            "the `extensions/v1beta1` group only; REL001 every removed API version",
        )),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Change `apiVersion` to the replacement (automatic where the fields read the same); PodSecurityPolicy has no replacement.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let explicit = out.settings().kubernetes_version;
    let target = explicit.unwrap_or(NEWEST_KNOWN_VERSION);
    let Some((version, kind, (major, minor), replacement)) =
        removed_by(&object.api_version, &object.kind, target)
    else {
        return;
    };
    let target_note = match explicit {
        Some((t_major, t_minor)) => format!("target {t_major}.{t_minor}"),
        None => format!(
            "target {}.{}, the newest known version; set --k8s-version",
            target.0, target.1
        ),
    };
    let pos = object
        .root
        .get("apiVersion")
        .map_or(object.pos(), |n| n.pos);
    let violation = Violation::at(
        pos,
        format!(
            "{version} {kind} was removed in Kubernetes {major}.{minor} ({target_note}); use \
             {replacement}"
        ),
    );
    // Review: the object must then be applied to a cluster that serves the replacement
    // (every supported AKS version does).
    let fix = if same_schema(version, kind) && keeps_its_meaning(object) {
        patch::set(
            &format!("Change `apiVersion` to `{replacement}`."),
            FixSafety::Review,
            patch::object_path("apiVersion", &[]),
            *replacement,
        )
    } else {
        patch::manual(
            "Migrate to the replacement the finding names, adapting the fields it changed \
             (`kubectl convert` helps).",
        )
    };
    out.report(violation.with_fix(fix));
}

/// A policy/v1beta1 PodDisruptionBudget with an empty or missing selector covers no pod;
/// under policy/v1 an empty one covers every pod of the namespace.
fn keeps_its_meaning(object: &Object) -> bool {
    if object.kind != "PodDisruptionBudget" {
        return true;
    }
    let Some(selector) = object.root.at("spec.selector") else {
        return false;
    };
    let non_empty = |key: &str| {
        selector
            .get(key)
            .is_some_and(|n| !n.entries().is_empty() || !n.items().is_empty())
    };
    non_empty("matchLabels") || non_empty("matchExpressions")
}
