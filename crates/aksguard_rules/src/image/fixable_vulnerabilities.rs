use std::collections::BTreeMap;

use aksguard_model::vulns::{VulnSeverity, Vulnerability};
use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::image::vulns::ImageMatch;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Trivy, different_unit};

/// How many vulnerability IDs a message names.
const NAMED: usize = 3;

pub(crate) static RULE: Rule = Rule {
    id: "IMG005",
    slug: "image-with-fixable-vulnerabilities",
    title: "Image has critical or high vulnerabilities with fixes available",
    family: Family::Image,
    severity: Severity::High,
    checks: "Any container (init, regular or ephemeral) whose image a vulnerability report \
             given with `--vulns` (Trivy `trivy image -f json` or `trivy k8s --format json`, \
             Grype `-o json`) scanned, and which has critical or high vulnerabilities with a \
             fixed version published. The image is found by digest first (a container \
             pinned `@sha256:…` matches any scanned image with that digest), then by \
             repository and tag normalised as the runtimes resolve them (`nginx` is \
             `docker.io/library/nginx:latest`; `index.docker.io` is `docker.io`; a \
             registry port is part of the name). One finding per container lists how many \
             such vulnerabilities (distinct IDs) the image has and names the first three, \
             critical first, with the fixed version. Severity: high when one of them is \
             critical, medium when all are high; raised one level (to critical or high) when \
             the workload is exposed: on an attack path, reachable from the internet through \
             a public LoadBalancer or NodePort Service or an Ingress, privileged, or sharing \
             the node's network or PID namespace. Images no report scanned and images \
             written with placeholders are not judged and the scan notes them. Without \
             `--vulns` the rule judges nothing (reported as not judged, never as a pass).",
    rationale: "A critical or high vulnerability with a published fix is the cheapest risk to \
                remove: rebuilding or bumping the image closes it, while leaving it gives an \
                attacker a known exploit for code that runs with the pod's access. Those in \
                workloads reachable from the internet, privileged or holding a powerful \
                identity are the first links of attack paths, so they come first. Microsoft \
                Defender for Containers and ACR scanning report the same vulnerabilities in \
                the registry; this rule ties them to what actually runs.",
    remediation: "Update the affected packages to the fixed versions (rebuild the image on a \
                  patched base image, or move to a newer image tag), push it, and roll the \
                  workload out with the new tag or digest; re-scan the image.",
    references: &[
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
        Reference::Guide(
            "Vulnerability assessments for Azure with Microsoft Defender Vulnerability \
             Management",
            "https://learn.microsoft.com/azure/defender-for-cloud/agentless-vulnerability-assessment-azure",
        ),
        Reference::Peer(different_unit(
            Trivy,
            "vuln",
            "trivy reports every vulnerability of every image (whatever its severity or fix); \
             IMG005 reports one finding per workload container, only critical and high \
             vulnerabilities with a fix, ranked by the workload's exposure",
        )),
    ],
    linux_only: false,
    reads_other_objects: false,
    // Which version to move to, and whether the rebuild still works, is the team's call.
    fix: crate::RuleFix::MANUAL,
    check: Check::Container(check),
};

/// One vulnerability ID as the message names it: the worst severity any package rated it,
/// and the first package (by name) and its fixed version.
struct Fixable<'a> {
    severity: VulnSeverity,
    package: &'a str,
    fixed: &'a str,
}

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some(index) = out.settings().vulns.as_deref() else {
        // Without reports there is nothing to judge: coverage reports the rule not judged.
        return;
    };
    let Some(node) = container.get("image") else {
        return;
    };
    let Some(text) = node.as_str() else {
        return;
    };
    let image = match index.find(text) {
        ImageMatch::Digest(image) | ImageMatch::Tag(image) => image,
        ImageMatch::Unresolved => {
            out.unknown_value(Violation::in_container(
                container,
                node.pos,
                format!(
                    "container `{}` image `{text}`: a placeholder hides the image, so no \
                     vulnerability report can be matched",
                    container.name()
                ),
            ));
            return;
        }
        ImageMatch::None => {
            out.unknown_value(Violation::in_container(
                container,
                node.pos,
                format!(
                    "container `{}` image `{text}`: no vulnerability report (--vulns) \
                     scanned this image",
                    container.name()
                ),
            ));
            return;
        }
    };
    let fixable = fixable(&image.vulnerabilities);
    if fixable.is_empty() {
        return;
    }
    let critical = fixable
        .values()
        .filter(|f| f.severity == VulnSeverity::Critical)
        .count();
    let high = fixable.len() - critical;
    let mut ranked: Vec<(&str, &Fixable<'_>)> = fixable.iter().map(|(id, f)| (*id, f)).collect();
    // Critical first, then by ID: deterministic whatever the report's order.
    ranked.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.cmp(b.0)));
    let named: Vec<String> = ranked
        .iter()
        .take(NAMED)
        .map(|(id, f)| format!("{id} ({} → {})", f.package, f.fixed))
        .collect();
    let more = if ranked.len() > NAMED {
        format!(" and {} more", ranked.len() - NAMED)
    } else {
        String::new()
    };
    let severity = if critical > 0 {
        Severity::High
    } else {
        Severity::Medium
    };
    out.report(
        Violation::in_container(
            container,
            node.pos,
            format!(
                "container `{}` image `{text}` has {} critical/high {} with a fix available \
                 ({critical} critical, {high} high): {}{more}",
                container.name(),
                fixable.len(),
                if fixable.len() == 1 {
                    "vulnerability"
                } else {
                    "vulnerabilities"
                },
                named.join(", "),
            ),
        )
        .with_severity(severity),
    );
}

/// Critical and high vulnerabilities with a fixed version, by ID (several packages may share
/// one ID; the ID counts once).
fn fixable(vulnerabilities: &[Vulnerability]) -> BTreeMap<&str, Fixable<'_>> {
    let mut out: BTreeMap<&str, Fixable<'_>> = BTreeMap::new();
    for vuln in vulnerabilities {
        if vuln.severity < VulnSeverity::High {
            continue;
        }
        let Some(fixed) = vuln.fixed.as_deref() else {
            continue;
        };
        let entry = out.entry(vuln.id.as_str()).or_insert(Fixable {
            severity: vuln.severity,
            package: &vuln.package,
            fixed,
        });
        entry.severity = entry.severity.max(vuln.severity);
        if vuln.package.as_str() < entry.package {
            entry.package = &vuln.package;
            entry.fixed = fixed;
        }
    }
    out
}

/// The severity IMG005 raises an exposed workload's finding to: one level up.
pub fn raised(severity: Severity) -> Severity {
    match severity {
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
        other => other,
    }
}
