use aksguard_model::{ContainerView, FixSafety, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::image::container_image;
use crate::image::reference::ImageRef;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{PeerTool::Kubescape, same};

pub(crate) static RULE: Rule = Rule {
    id: "IMG006",
    slug: "deprecated-image-registry",
    title: "Image from a deprecated or frozen registry",
    family: Family::Image,
    severity: Severity::Low,
    checks: "Any container (init, regular or ephemeral) whose image comes from `k8s.gcr.io` \
             (frozen since April 2023, being shut down), or from the legacy \
             `gcr.io/google_containers` or `gcr.io/google-containers` repositories (also \
             their regional `us.`/`eu.`/`asia.gcr.io` mirrors). Registry names compare \
             case-insensitively; the port is ignored. The message suggests the \
             `registry.k8s.io` equivalent. Placeholders after the registry do not hide it \
             (`k8s.gcr.io/${IMAGE}:v1` fires); a registry written as a placeholder is Unknown \
             and not reported. Missing, non-string and unparsable images are not reported.",
    rationale: "The Kubernetes project froze `k8s.gcr.io` on 3 April 2023: it gets no new \
                images or patched versions, and it is being redirected and shut down, so \
                workloads using it stay on unpatched images and can fail to pull when a node \
                is replaced (AKS node image upgrades, autoscaling). The old Google container \
                repositories are likewise unmaintained.",
    remediation: "Pull the image from `registry.k8s.io` (same path and tag), or better, import \
                  it into your Azure Container Registry and reference it there.",
    references: &[
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
        Reference::Guide(
            "k8s.gcr.io image registry will be frozen from the 3rd of April 2023",
            "https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/",
        ),
        Reference::Peer(same(Kubescape, "rule-identify-old-k8s-registry")),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Pull the image from `registry.k8s.io` (same path, tag and digest), or from a copy in your Azure Container Registry.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some((node, text, image)) = container_image(container) else {
        return;
    };
    let Some((what, rest)) = deprecated(&image) else {
        return;
    };
    // Tag and digest as written, placeholders included (`:${TAG}` stays).
    let suggestion = format!("registry.k8s.io/{rest}{}", image.suffix);
    let violation = Violation::in_container(
        container,
        node.pos,
        format!(
            "container `{}` image `{text}` comes from {what}; use `{suggestion}` or a copy in \
             your Azure Container Registry",
            container.name()
        ),
    );
    // `registry.k8s.io` serves every image of the frozen registries under the same path, tag
    // and digest. Review: nodes must be allowed to pull from it (egress firewalls, an
    // allow-list of registries). A reference with placeholders is left to whoever fills them.
    out.report(if image.templated {
        violation.with_fix(patch::manual(&format!(
            "Pull the image from `{suggestion}` once its placeholders are filled."
        )))
    } else {
        violation.with_fix(patch::set(
            &format!(
                "Set the image of container `{}` to `{suggestion}`.",
                container.name()
            ),
            FixSafety::Review,
            patch::container_path(container, &["image"]),
            suggestion.as_str(),
        ))
    });
}

/// What makes the image's source deprecated, and its path under `registry.k8s.io`.
fn deprecated<'a>(image: &ImageRef<'a>) -> Option<(&'static str, &'a str)> {
    // A placeholder registry is Unknown: not deprecated as far as anyone can tell.
    let host = image.registry_host()?;
    if host == "k8s.gcr.io" {
        return Some(("the frozen registry `k8s.gcr.io`", image.path));
    }
    let gcr = matches!(
        host.as_str(),
        "gcr.io" | "us.gcr.io" | "eu.gcr.io" | "asia.gcr.io"
    );
    let (namespace, rest) = image.path.split_once('/')?;
    if gcr && matches!(namespace, "google_containers" | "google-containers") {
        return Some(("the deprecated `google_containers` repository", rest));
    }
    None
}
