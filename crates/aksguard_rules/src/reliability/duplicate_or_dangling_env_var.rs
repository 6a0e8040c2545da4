use std::collections::HashMap;

use aksguard_model::{ContainerView, FixSafety, Inventory, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::KubeLinter, WORKLOAD_KINDS, broader, same};
use crate::reliability::helpers::{
    find_in_reach, named_in_reach, namespace_display, namespace_of, of_kind_in_reach,
};

pub(crate) static RULE: Rule = Rule {
    id: "REL007",
    slug: "duplicate-or-dangling-env-var",
    title: "Container env var is duplicated or refers to a missing Secret or ConfigMap",
    family: Family::Reliability,
    severity: Severity::Low,
    checks: "Every container (init, regular, ephemeral). Always: an `env` entry whose `name` an \
             earlier entry of the same container already used (reported at each later occurrence). \
             Only with `--complete`: an `env[].valueFrom.secretKeyRef` / `configMapKeyRef` or \
             `envFrom[].secretRef` / `configMapRef` naming a Secret or ConfigMap that is not in \
             the workload's namespace. References with `optional: true` are exempt. Secrets that \
             are created from other objects count as present: a Bitnami `SealedSecret` or an \
             External Secrets `ExternalSecret` (`spec.target.name`, default its own name) of that \
             name, and the `spec.secretObjects[].secretName` of a Secrets Store CSI \
             `SecretProviderClass` (synced once a pod mounts it). Keys inside the Secret or \
             ConfigMap are not checked. Objects without `metadata.namespace` may be applied into \
             any namespace, so they are matched with objects of every namespace, and every \
             namespace also sees them. Reported at the duplicate entry or at the reference's \
             `name`.",
    rationale: "With duplicate names only the last definition takes effect, and \
                `kubectl apply` merges env entries by name, so the value a pod gets depends on \
                how it was deployed; a misconfiguration that passes review. A reference to a \
                Secret or ConfigMap that does not exist keeps the pod in \
                CreateContainerConfigError: the rollout stalls, and during an AKS node drain \
                the evicted pods cannot start anywhere.",
    remediation: "Remove or rename the duplicate env entry; create the referenced Secret or \
                  ConfigMap in the workload's namespace (or fix the name), or mark the \
                  reference `optional: true` if the workload can start without it.",
    references: &[
        crate::guides::APP_CLUSTER_RELIABILITY,
        Reference::Peer(same(KubeLinter, "duplicate-env-var").judging(WORKLOAD_KINDS)),
        Reference::Peer(
            broader(
                KubeLinter,
                "env-var-value-from",
                "kube-linter also checks that the key exists in the Secret or ConfigMap; \
             REL007 that the object exists",
            )
            .judging(WORKLOAD_KINDS)
            .complete(),
        ),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Remove the earlier definition of a duplicated env var (the later one is what the container gets); create a missing Secret or ConfigMap.",
        ),
        ..crate::RuleFix::SAFE
    },
    linux_only: false,
    reads_other_objects: true,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let env = container.get("env").map(Node::items).unwrap_or_default();
    // Per name: the line of its first entry and the index of its latest one.
    let mut seen: HashMap<&str, (u32, usize)> = HashMap::new();
    for (index, entry) in env.iter().enumerate() {
        let Some(name) = entry.get("name").and_then(Node::as_str) else {
            continue;
        };
        match seen.get_mut(name) {
            None => {
                seen.insert(name, (entry.pos.line, index));
            }
            Some((line, previous)) => {
                let fix = remove_overridden(container, &env[..=index], name, *previous);
                out.report(
                    Violation::in_container(
                        container,
                        entry.pos,
                        format!(
                            "env var `{name}` is defined again in container `{}` \
                             ({}.env[{index}]; first at line {line}): only the last \
                             definition takes effect",
                            container.name(),
                            container.path()
                        ),
                    )
                    .with_fix(fix),
                );
                *previous = index;
            }
        }
    }
    if !out.settings().complete {
        return;
    }
    let inventory = out.inventory();
    let namespace = namespace_of(container.pod.object);
    let mut references: Vec<(&str, &Node)> = Vec::new();
    for entry in env {
        for (kind, key) in [("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")] {
            references.extend(
                entry
                    .get("valueFrom")
                    .and_then(|v| v.get(key))
                    .map(|r| (kind, r)),
            );
        }
    }
    for entry in container
        .get("envFrom")
        .map(Node::items)
        .unwrap_or_default()
    {
        for (kind, key) in [("Secret", "secretRef"), ("ConfigMap", "configMapRef")] {
            references.extend(entry.get(key).map(|r| (kind, r)));
        }
    }
    for (kind, reference) in references {
        // Optional references may dangle; a kind the scan could not read (a live scan never
        // lists Secrets) proves nothing by its absence.
        if reference.get("optional").and_then(Node::as_bool) == Some(true)
            || !out.settings().complete_for(&[kind])
        {
            continue;
        }
        let Some(name_node) = reference.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str().filter(|n| !n.is_empty()) else {
            continue;
        };
        let present = match kind {
            "Secret" => secret_provided(inventory, namespace, name),
            _ => find_in_reach(inventory, namespace, "ConfigMap", name).is_some(),
        };
        if !present {
            out.report(
                Violation::in_container(
                    container,
                    name_node.pos,
                    format!(
                        "container `{}` takes env from {kind} `{name}`, which is not in {}: \
                         the pod cannot start",
                        container.name(),
                        namespace_display(namespace)
                    ),
                )
                .with_fix(patch::manual(&format!(
                    "Create {kind} `{name}` in the workload's namespace, fix the name, or mark \
                     the reference `optional: true`."
                ))),
            );
        }
    }
}

/// The fix of the duplicate of `name` that ends `env`: remove the entry at `previous`, the
/// definition it overrides. The kubelet builds the environment in order, the last entry of
/// a name winning, so the container gets the same environment, unless an entry from there
/// on refers to the overridden value as `$(name)` (expanded when that entry is read, as in
/// `PATH: $(PATH):/extra`): then the choice is the user's.
fn remove_overridden(
    container: &ContainerView<'_>,
    env: &[Node],
    name: &str,
    previous: usize,
) -> aksguard_model::Fix {
    let reference = format!("$({name})");
    let referenced = env.iter().skip(previous + 1).any(|entry| {
        entry
            .get("value")
            .and_then(Node::as_str)
            .is_some_and(|v| v.contains(&reference))
    });
    if referenced {
        return patch::manual(&format!(
            "Remove or rename one definition of `{name}` (a later entry reads the \
             overridden value as `{reference}`)."
        ));
    }
    patch::remove(
        &format!(
            "Remove the overridden definition of env var `{name}` (env[{previous}]) from \
             container `{}`.",
            container.name()
        ),
        FixSafety::Safe,
        patch::container_path(container, &["env"])
            .index(u32::try_from(previous).unwrap_or(u32::MAX)),
    )
}

/// A Secret named `name` exists in `namespace`, or an object there creates it.
fn secret_provided(inventory: &Inventory, namespace: &str, name: &str) -> bool {
    let named = named_in_reach(inventory, namespace, name).any(|o| {
        matches!(o.kind.as_str(), "Secret" | "SealedSecret")
            || (o.kind == "ExternalSecret" && o.root.at("spec.target.name").is_none())
    });
    named
        || of_kind_in_reach(inventory, namespace, "ExternalSecret")
            .any(|o| o.root.at("spec.target.name").and_then(Node::as_str) == Some(name))
        || of_kind_in_reach(inventory, namespace, "SecretProviderClass").any(|o| {
            o.root
                .at("spec.secretObjects")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|s| s.get("secretName").and_then(Node::as_str) == Some(name))
        })
}
