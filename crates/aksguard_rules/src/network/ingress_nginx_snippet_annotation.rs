use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{is_ingress, name};
use crate::patch;
use crate::peer::{PeerTool::Checkov, narrower};
use aksguard_model::FixSafety;

const PREFIX: &str = "nginx.ingress.kubernetes.io/";

pub(crate) static RULE: Rule = Rule {
    id: "NET013",
    slug: "ingress-nginx-snippet-annotation",
    title: "Ingress injects raw NGINX configuration through a snippet annotation",
    family: Family::Network,
    severity: Severity::High,
    checks: "Every Ingress (networking.k8s.io or extensions) with an annotation \
             `nginx.ingress.kubernetes.io/<name>-snippet`: server-snippet, \
             configuration-snippet, auth-snippet, stream-snippet, modsecurity-snippet and any \
             other `-snippet` annotation of ingress-nginx (and the application routing \
             add-on, which runs it) with a non-empty value, whatever its content and whatever \
             the Ingress class. One \
             finding per annotation, at its line.",
    rationale: "Snippet annotations paste raw configuration into the NGINX config of the shared \
                ingress controller, which runs with a token able to read every Secret in the \
                cluster. Anyone allowed to create an Ingress can use them to read that token \
                or other tenants' TLS keys, or run Lua code in the controller (CVE-2021-25742); \
                the same configuration-injection class made the controller's admission webhook \
                an unauthenticated remote-code-execution path (CVE-2025-1974, \
                \"IngressNightmare\"). Recent controller versions disable snippets by default.",
    remediation: "Replace the snippet with the dedicated ingress-nginx annotations or a \
                  ConfigMap setting, keep `allow-snippet-annotations` false on the controller, \
                  and upgrade ingress-nginx to a patched release.",
    references: &[
        crate::guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Cve("CVE-2021-25742"),
        Reference::Cve("CVE-2025-1974"),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_153",
            "snippets with Lua code only; NET013 any snippet annotation",
        )),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_154",
            "snippets with `alias` only; NET013 any snippet annotation",
        )),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !is_ingress(object) {
        return;
    }
    let Some(annotations) = object.metadata().and_then(|m| m.get("annotations")) else {
        return;
    };
    for entry in annotations.entries() {
        let Some(snippet) = entry
            .key
            .strip_prefix(PREFIX)
            .filter(|rest| rest.ends_with("-snippet"))
        else {
            continue;
        };
        if entry.value.as_str().is_none_or(|v| v.trim().is_empty()) {
            continue;
        }
        out.report(
            Violation::at(
                entry.value.pos,
                format!(
                    "Ingress `{}` sets the {snippet} annotation ({}), injecting raw configuration \
                 into the shared ingress-nginx controller",
                    name(object),
                    entry.key
                ),
            )
            .with_fix(patch::remove(
                &format!("Remove the annotation `{}`.", entry.key),
                FixSafety::Review,
                patch::object_path("metadata.annotations", &[entry.key.as_str()]),
            )),
        );
    }
}
