use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::image::container_image;
use crate::image::reference::ImageRef;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Kubescape, same};

pub(crate) static RULE: Rule = Rule {
    id: "IMG003",
    slug: "image-registry-not-allowed",
    title: "Image from a registry outside the allowed list",
    family: Family::Image,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) whose image registry is not in the \
             `allowed_registries` setting (default `*.azurecr.io`, `mcr.microsoft.com`). \
             Images without a registry come from Docker Hub and are checked as `docker.io` \
             (`index.docker.io` counts as `docker.io`). Matching is case-insensitive: `*.x` \
             matches any subdomain of `x` but not `x` itself, `*` matches everything, and \
             other entries match exactly. An entry without a port matches the registry host \
             whatever its port (`myacr.azurecr.io:443`); an entry with a port must match \
             host and port. An empty list allows everything. A registry written as a \
             placeholder (`$REGISTRY/app`, `<DOCKER_REPO>/app`, `{{ .Values.image }}`) is \
             Unknown: not reported, and the scan notes each such container as not judged; a \
             placeholder after a literal registry (`gcr.io/PROJECT_ID/app`) hides only the \
             path, and the registry is judged. Missing, non-string and unparsable images are \
             not reported.",
    rationale: "Every image a pod runs is code with the pod's access. Images from public or \
                unvetted registries can be replaced, typosquatted or pulled from accounts that \
                are later compromised, and they escape the scanning, quarantine and signing of \
                your own Azure Container Registry. Importing them into ACR (`az acr import`) \
                and attaching the ACR to the AKS cluster keeps the supply chain under your \
                control; Azure Policy can enforce the same list at admission.",
    remediation: "Import the image into your Azure Container Registry (`az acr import`) and \
                  reference it from there, or add its registry to `allowed_registries` if it \
                  is trusted.",
    references: &[
        Reference::CisAks("5.1.4"),
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
        Reference::Guide(
            "Import container images to a container registry",
            "https://learn.microsoft.com/azure/container-registry/container-registry-import-images",
        ),
        Reference::Peer(same(Kubescape, "container-image-repository")),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some((node, text, image)) = container_image(container) else {
        return;
    };
    let allowed = &out.settings().allowed_registries;
    if allowed.iter().all(|entry| entry.trim().is_empty()) {
        return;
    }
    let Some(registry) = image.registry() else {
        out.unknown_value(Violation::in_container(
            container,
            node.pos,
            format!(
                "container `{}` image `{text}`: the registry is a placeholder",
                container.name()
            ),
        ));
        return;
    };
    if allowed.iter().any(|entry| registry_allowed(&image, entry)) {
        return;
    }
    let list = allowed
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    out.report(Violation::in_container(
        container,
        node.pos,
        format!(
            "container `{}` image `{text}` comes from registry `{}`, which is not in the \
             allowed registries ({list})",
            container.name(),
            registry
        ),
    ));
}

/// Whether one `allowed_registries` entry admits the image's registry.
fn registry_allowed(image: &ImageRef<'_>, entry: &str) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    let entry = match entry.as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_owned(),
        _ => entry,
    };
    if entry.is_empty() {
        return false;
    }
    if entry == "*" {
        return true;
    }
    let host_only = !entry.trim_start_matches("*.").contains(':');
    let registry = if host_only {
        image.registry_host()
    } else {
        image.registry()
    };
    let Some(registry) = registry else {
        return false;
    };
    match entry.strip_prefix("*.") {
        Some(parent) => registry
            .strip_suffix(parent)
            .and_then(|sub| sub.strip_suffix('.'))
            .is_some_and(|sub| !sub.is_empty()),
        None => registry == entry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(image: &str, entry: &str) -> bool {
        registry_allowed(&ImageRef::parse(image).unwrap(), entry)
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        assert!(allowed("myacr.azurecr.io/app:1", "*.azurecr.io"));
        assert!(allowed("a.b.azurecr.io/app:1", "*.azurecr.io"));
        assert!(allowed("MyAcr.AzureCR.io/app:1", "*.AZURECR.IO"));
        assert!(!allowed("azurecr.io/app:1", "*.azurecr.io"));
        assert!(!allowed("evilazurecr.io/app:1", "*.azurecr.io"));
        assert!(!allowed("myacr.azurecr.io.evil.com/app:1", "*.azurecr.io"));
        assert!(allowed("myacr.azurecr.io:443/app:1", "*.azurecr.io"));
    }

    #[test]
    fn exact_entries_and_ports() {
        assert!(allowed("mcr.microsoft.com/app:1", "mcr.microsoft.com"));
        assert!(!allowed("x.mcr.microsoft.com/app:1", "mcr.microsoft.com"));
        assert!(allowed("registry:5000/app", "registry"));
        assert!(allowed("registry:5000/app", "registry:5000"));
        assert!(!allowed("registry:5001/app", "registry:5000"));
        assert!(!allowed("registry/app", "registry:5000"));
        assert!(allowed("nginx", "docker.io"));
        assert!(allowed("nginx", "index.docker.io"));
        assert!(allowed("index.docker.io/nginx", "docker.io"));
        assert!(allowed("anything.io/app", "*"));
        assert!(!allowed("nginx", "  "));
    }

    #[test]
    fn placeholders_after_the_registry_keep_it_known() {
        assert!(!allowed("gcr.io/PROJECT_ID/app:1.0", "*.azurecr.io"));
        assert!(allowed("myacr.azurecr.io/${APP}:1.0", "*.azurecr.io"));
        // An unresolved registry is allowed by nothing but is not judged either (the rule
        // notes it), not even by `*`'s short cut here.
        assert!(!allowed("$REGISTRY/app:1.0", "docker.io"));
    }
}
