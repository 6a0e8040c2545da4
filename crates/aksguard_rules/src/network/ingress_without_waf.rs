use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{annotation_node, is_ingress, name};

const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
const WAF_ANNOTATION: &str = "appgw.ingress.kubernetes.io/waf-policy-for-path";
const PRIVATE_IP_ANNOTATION: &str = "appgw.ingress.kubernetes.io/use-private-ip";
/// The IngressClass name and the legacy annotation value of the Application Gateway Ingress
/// Controller.
const AGIC_CLASSES: &[&str] = &["azure-application-gateway", "azure/application-gateway"];

pub(crate) static RULE: Rule = Rule {
    id: "NET009",
    slug: "ingress-without-waf",
    title: "Public Ingress is not behind a web application firewall",
    family: Family::Network,
    severity: Severity::Low,
    checks: "Every Ingress (networking.k8s.io or extensions) with rules or a default backend. \
             Its class is `spec.ingressClassName`, else the `kubernetes.io/ingress.class` \
             annotation. Application Gateway Ingress Controller classes \
             (`azure-application-gateway`, `azure/application-gateway`): private when \
             `appgw.ingress.kubernetes.io/use-private-ip` is \"true\" (not reported), else \
             reported when `appgw.ingress.kubernetes.io/waf-policy-for-path` is absent or \
             empty (a WAF policy attached to the gateway itself is not visible in manifests). \
             Any other class or none (ingress-nginx, the application routing add-on's \
             `webapprouting.kubernetes.azure.com`, Traefik, …) has no WAF in front from the \
             manifest's point of view and is taken to be public, because whether its \
             controller's load balancer is internal is not visible on the Ingress; reported \
             at the class (else the object's first line).",
    rationale: "An internet-facing ingress passes every request straight to the application: \
                injection, path traversal and protocol attacks reach the pods unfiltered. AKS \
                guidance puts public HTTP entry points behind Azure Application Gateway or \
                Front Door with a Web Application Firewall policy (OWASP core rule set, bot \
                protection).",
    remediation: "Serve public hosts through Application Gateway with a WAF policy (annotate the \
                  Ingress with `appgw.ingress.kubernetes.io/waf-policy-for-path` or attach a \
                  policy to the gateway), put Azure Front Door with WAF in front of the \
                  controller, or make the ingress private; add an exception for Ingresses whose \
                  controller is internal-only.",
    references: &[
        Reference::Guide(
            "Annotations for Application Gateway Ingress Controller",
            "https://learn.microsoft.com/azure/application-gateway/ingress-controller-annotations",
        ),
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Put the public hosts behind a web application firewall (Application Gateway WAF policy or Front Door), or make the ingress private.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !is_ingress(object) {
        return;
    }
    let Some(spec) = object.root.get("spec") else {
        return;
    };
    let routes = !spec
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
        .is_empty()
        || ["defaultBackend", "backend"]
            .iter()
            .any(|k| spec.get(k).is_some_and(|n| !n.is_null()));
    if !routes {
        return;
    }
    let class_node = spec
        .get("ingressClassName")
        .filter(|n| n.as_str().is_some())
        .or_else(|| annotation_node(object, CLASS_ANNOTATION).filter(|n| n.as_str().is_some()));
    let class = class_node.and_then(Node::as_str).map(str::trim);
    let pos = class_node.map_or(object.pos(), |n| n.pos);
    let is_true = |key: &str| {
        object
            .annotation(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    };
    let message = match class {
        Some(c) if AGIC_CLASSES.contains(&c) => {
            if is_true(PRIVATE_IP_ANNOTATION) {
                return;
            }
            if object
                .annotation(WAF_ANNOTATION)
                .is_some_and(|v| !v.trim().is_empty())
            {
                return;
            }
            format!(
                "public Ingress `{}` on Application Gateway has no {WAF_ANNOTATION} annotation: \
                 unless a WAF policy is attached to the gateway itself, requests reach the \
                 backends unfiltered",
                name(object)
            )
        }
        Some(c) => format!(
            "Ingress `{}` (class `{c}`) is not behind a web application firewall; if its \
             controller is internet-facing, requests reach the backends unfiltered",
            name(object)
        ),
        None => format!(
            "Ingress `{}` (default ingress class) is not behind a web application firewall; if \
             its controller is internet-facing, requests reach the backends unfiltered",
            name(object)
        ),
    };
    out.report(Violation::at(pos, message));
}
