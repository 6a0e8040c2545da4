use aksguard_model::{Node, Object, PodServiceAccount, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, Kubescape, Polaris},
    narrower, same,
};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD016",
    slug: "automounted-service-account-token",
    title: "Pod automounts its service-account token",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Every pod template whose `automountServiceAccountToken` is not `false`: absent, \
             null, `true` or not a boolean; one finding per pod template (container: null) at \
             the field, or at the pod spec when it is absent. An absent or null pod field \
             inherits the ServiceAccount's: the pod passes when its ServiceAccount \
             (`serviceAccountName`, else the deprecated `serviceAccount`, else `default`, in \
             the pod's namespace; objects without a namespace match accounts without one) is \
             in the scan with `automountServiceAccountToken: false`. An explicit `true` on the \
             pod overrides the ServiceAccount and always fires. When the ServiceAccount is not \
             in the scan the finding rests on its absence, and the message says so unless \
             `--complete` is given (then a missing `default` account is the bare one \
             Kubernetes creates). Tokens mounted on purpose through a `projected` volume's \
             `serviceAccountToken` source are not reported. Applies to Windows pods too.",
    rationale: "By default every container gets a token for the pod's ServiceAccount under \
                /var/run/secrets/kubernetes.io/serviceaccount. Most workloads never call the \
                Kubernetes API, yet anyone who compromises the container can use the token \
                against the AKS API server with whatever RBAC the ServiceAccount holds, \
                including the namespace `default` account's; Azure access should come from \
                Microsoft Entra Workload ID, which mounts its own projected token.",
    remediation: "Set `automountServiceAccountToken: false` in the pod spec (or on its \
                  ServiceAccount); workloads that call the Kubernetes API should use a dedicated \
                  ServiceAccount with least-privilege RBAC and mount its token explicitly.",
    references: &[
        Reference::CisAks("4.1.6"),
        Reference::Guide(
            "Best practices for cluster security and upgrades in AKS",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-security",
        ),
        Reference::Peer(same(Polaris, "automountServiceAccountToken")),
        Reference::Peer(same(Checkov, "CKV_K8S_38")),
        Reference::Peer(same(Kubescape, "automount-service-account")),
        Reference::Peer(narrower(
            Kubescape,
            "serviceaccount-token-mount",
            "kubescape fails a mounted token only where the ServiceAccount is bound \
             to a role; POD016 every automounted token",
        )),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: true,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let field = pod.get("automountServiceAccountToken");
    if field.and_then(Node::as_bool) == Some(false) {
        return;
    }
    let account = PodServiceAccount::of(pod);
    let disables = |sa: &Object| {
        sa.root
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool)
            == Some(false)
    };
    // A duplicated account (two files define it) disables automount only if every
    // definition does: the finding holds for whichever one is applied last.
    let definitions: Vec<&Object> = out
        .inventory()
        .service_accounts(account.namespace, account.name)
        .collect();
    let found = definitions
        .iter()
        .find(|sa| !disables(sa))
        .or(definitions.first())
        .copied();
    let account_disables = !definitions.is_empty() && definitions.iter().all(|sa| disables(sa));
    let path = pod.path("automountServiceAccountToken");
    let sa = format!("ServiceAccount `{}`", account.display());
    let state = match field {
        Some(node) if node.as_bool() == Some(true) && account_disables => {
            format!("{path}: true, which overrides {sa}'s `automountServiceAccountToken: false`")
        }
        Some(node) if node.as_bool() == Some(true) => format!("{path}: true"),
        Some(node) if !node.is_null() => format!("{path} is not a boolean"),
        unset => {
            if account_disables {
                return;
            }
            let unset = match unset {
                Some(_) => format!("{path} is null"),
                None => format!("{path} is not set"),
            };
            let inherited = match found {
                // Named only when the definitions disagree (messages, and so fingerprints,
                // of the common case stay as they were).
                Some(definition) if definitions.iter().any(|sa| disables(sa)) => format!(
                    "{sa} is defined {} times and the one at {}:{} does not set \
                     `automountServiceAccountToken: false`",
                    definitions.len(),
                    definition.source.path,
                    definition.root.pos.line
                ),
                Some(_) => format!("{sa} does not set `automountServiceAccountToken: false`"),
                None if out.settings().complete_for(&["ServiceAccount"])
                    && account.is_default() =>
                {
                    format!(
                        "{sa} is not in the inventory, so it is the one Kubernetes creates, which \
                     automounts"
                    )
                }
                None if out.settings().complete_for(&["ServiceAccount"]) => {
                    format!("{sa} is not in the inventory")
                }
                None => format!(
                    "{sa} is not in the scanned files and may disable automount; pass \
                     --complete if these files are the whole cluster state"
                ),
            };
            format!("{unset} and {inherited}")
        }
    };
    out.report(
        Violation::at(
            field.map_or(pod.spec.pos, |n| n.pos),
            format!(
                "pod automounts the token of ServiceAccount `{}` ({state})",
                account.name
            ),
        )
        .with_fix(patch::set(
            "Set `automountServiceAccountToken: false` in the pod spec.",
            FixSafety::Review,
            patch::pod_path(pod, &["automountServiceAccountToken"]),
            false,
        )),
    );
}
