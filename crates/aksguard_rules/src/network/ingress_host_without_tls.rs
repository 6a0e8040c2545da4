use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::network::helpers::{is_ingress, name};
use crate::peer::{
    PeerTool::{Kubescape, Polaris},
    narrower, same,
};

pub(crate) static RULE: Rule = Rule {
    id: "NET008",
    slug: "ingress-host-without-tls",
    title: "Ingress serves a host without TLS",
    family: Family::Network,
    severity: Severity::Medium,
    checks: "Every Ingress (networking.k8s.io or extensions). With no `spec.tls` entries and \
             some `spec.rules` (or a default backend), one finding at `spec.rules` (or the \
             default backend). With `spec.tls`, each rule whose host no `tls[].hosts` entry \
             covers, reported at its host: hosts compare case-insensitively, a TLS host \
             `*.example.com` covers exactly one more label (`a.example.com`, not \
             `a.b.example.com` or `example.com`), and a wildcard rule host is covered only by \
             the same wildcard. A rule without a host (any host) is covered only by a TLS entry \
             without `hosts`, which applies to the controller's default host.",
    rationale: "Hosts served without TLS carry credentials, session cookies and data in clear \
                text between clients and the ingress, open to interception and tampering on \
                any network on the way. AKS ingress controllers (application routing, \
                ingress-nginx, Application Gateway) terminate TLS only for the hosts listed in \
                the Ingress's `tls` section.",
    remediation: "Add a `spec.tls` entry listing every rule host with a certificate Secret \
                  (for example from Azure Key Vault through the application routing add-on or \
                  cert-manager).",
    references: &[
        Reference::CisAks("5.4.5"),
        Reference::Guide(
            "Set up a custom domain name and SSL certificate with the application routing \
             add-on",
            "https://learn.microsoft.com/azure/aks/app-routing-dns-ssl",
        ),
        Reference::Peer(same(Kubescape, "ingress-no-tls").judging(&["Ingress"])),
        Reference::Peer(narrower(
            Polaris,
            "tlsSettingsMissing",
            "Polaris asks for any `tls` entry; NET008 also for a TLS entry covering \
             every host the rules serve",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
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
    let rules = spec.get("rules").map(Node::items).unwrap_or_default();
    let tls = spec.get("tls").map(Node::items).unwrap_or_default();
    if tls.is_empty() {
        let hosts: Vec<&str> = rules
            .iter()
            .filter_map(|r| r.get("host").and_then(Node::as_str))
            .collect();
        let served = if hosts.is_empty() {
            "its traffic is served".to_owned()
        } else {
            format!("host(s) {} are served", hosts.join(", "))
        };
        let located = if !rules.is_empty() {
            spec.get("rules")
        } else {
            spec.get("defaultBackend").or_else(|| spec.get("backend"))
        };
        if let Some(node) = located {
            out.report(Violation::at(
                node.pos,
                format!(
                    "Ingress `{}` has no spec.tls: {served} over plain HTTP",
                    name(object)
                ),
            ));
        }
        return;
    }
    let tls_hosts: Vec<&str> = tls
        .iter()
        .flat_map(|t| t.get("hosts").map(Node::items).unwrap_or_default())
        .filter_map(Node::as_str)
        .collect();
    let default_host_tls = tls.iter().any(|t| {
        t.get("hosts")
            .map(Node::items)
            .unwrap_or_default()
            .is_empty()
    });
    for (index, rule) in rules.iter().enumerate() {
        match rule.get("host").filter(|h| !h.is_null()) {
            Some(host_node) => {
                let host = host_node.as_str().unwrap_or_default();
                if !tls_hosts.iter().any(|t| covers(t, host)) {
                    out.report(Violation::at(
                        host_node.pos,
                        format!(
                            "Ingress `{}` rule {index} host {host} is listed in no \
                             spec.tls[].hosts entry, so it is served without TLS",
                            name(object)
                        ),
                    ));
                }
            }
            None if !default_host_tls => out.report(Violation::at(
                rule.pos,
                format!(
                    "Ingress `{}` rule {index} has no host (matches every host) and no \
                     spec.tls entry without hosts covers the default host, so it is served \
                     without TLS",
                    name(object)
                ),
            )),
            None => {}
        }
    }
}

/// Whether a TLS host (`*.example.com` or `www.example.com`) covers a rule host.
fn covers(tls_host: &str, host: &str) -> bool {
    if tls_host.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(suffix) = tls_host.strip_prefix("*.") else {
        return false;
    };
    match host.split_once('.') {
        Some((label, rest)) => {
            !label.is_empty() && label != "*" && rest.eq_ignore_ascii_case(suffix)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("*.example.com", "a.example.com"));
        assert!(covers("*.Example.com", "A.example.COM"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(covers("*.example.com", "*.example.com"));
        assert!(!covers("a.example.com", "*.example.com"));
        assert!(!covers("*.b.example.com", "*.example.com"));
    }
}
