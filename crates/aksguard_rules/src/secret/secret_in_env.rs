use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape},
    broader, narrower, same,
};

pub(crate) static RULE: Rule = Rule {
    id: "SEC001",
    slug: "secret-in-env",
    title: "Secret exposed as environment variables",
    family: Family::Secret,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) with an `env[]` entry whose \
             `valueFrom.secretKeyRef` is set, or an `envFrom[]` entry with `secretRef`: one \
             finding per reference, at the `secretKeyRef`/`secretRef` field, naming the \
             Secret, the key and the variable (never a value). `configMapKeyRef`, \
             `configMapRef`, `fieldRef` and Secrets mounted as volumes do not fire. A \
             reference that is not a mapping is ignored.",
    rationale: "Environment variables leak: they are inherited by every child process, \
                printed by crash handlers, debug endpoints and `env` in an exec session, \
                copied into logs and core dumps, and readable through /proc by anything \
                sharing the process namespace. Secrets mounted as files (or fetched from \
                Azure Key Vault by the Secrets Store CSI driver with workload identity) can \
                be rotated without a restart and are exposed to far fewer places.",
    remediation: "Mount the Secret as a volume and read it from the file, or better, fetch it \
                  from Azure Key Vault through the Secrets Store CSI driver with workload \
                  identity.",
    references: &[
        Reference::CisAks("4.5.1"),
        guides::CSI_SECRETS_STORE_DRIVER,
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(narrower(
            KubeLinter,
            "read-secret-from-env-var",
            "kube-linter fails Secret references in `env`; SEC001 also `envFrom`",
        )),
        Reference::Peer(same(Checkov, "CKV_K8S_35")),
        Reference::Peer(same(Kubescape, "rule-secrets-in-env-var")),
        Reference::Peer(broader(
            Kubescape,
            "rule-credentials-in-env-var",
            "kubescape flags secret-like names and values whatever the value, placeholders and the words `key` or `JWT` included; \
             SEC002 wants a value that could be a credential",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn text(node: Option<&Node>) -> &str {
    node.and_then(Node::as_str).unwrap_or("<unnamed>")
}

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let env = container.get("env").map(Node::items).unwrap_or_default();
    for var in env {
        let Some(reference) = var.at("valueFrom.secretKeyRef").filter(|r| r.is_map()) else {
            continue;
        };
        out.report(Violation::in_container(
            container,
            reference.pos,
            format!(
                "container `{}` exposes key `{}` of Secret `{}` as environment variable `{}`",
                container.name(),
                text(reference.get("key")),
                text(reference.get("name")),
                text(var.get("name")),
            ),
        ));
    }
    let env_from = container
        .get("envFrom")
        .map(Node::items)
        .unwrap_or_default();
    for source in env_from {
        let Some(reference) = source.get("secretRef").filter(|r| r.is_map()) else {
            continue;
        };
        let prefix = source
            .get("prefix")
            .and_then(Node::as_str)
            .filter(|p| !p.is_empty())
            .map(|p| format!(", prefix `{p}`"))
            .unwrap_or_default();
        out.report(Violation::in_container(
            container,
            reference.pos,
            format!(
                "container `{}` exposes every key of Secret `{}` as environment variables \
                 (envFrom{prefix})",
                container.name(),
                text(reference.get("name")),
            ),
        ));
    }
}
