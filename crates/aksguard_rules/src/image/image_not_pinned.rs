use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::image::container_image;
use crate::image::placeholder;
use crate::image::reference::digest_problem;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, Kubescape},
    same,
};

pub(crate) static RULE: Rule = Rule {
    id: "IMG002",
    slug: "image-not-pinned-by-digest",
    title: "Image not pinned by digest",
    family: Family::Image,
    severity: Severity::Low,
    checks: "Any container (init, regular or ephemeral) whose `image` has no `@sha256:` digest \
             (64 lowercase hex digits). A tag plus digest (`app:1.2@sha256:…`) passes, since \
             the runtime pulls by the digest. A digest with another algorithm (`sha512`, \
             `blake3`) does not count as pinned and fires. An invalid digest fires too, with \
             what is wrong with it: a sha256 digest that is not 64 lowercase hex digits \
             (`@sha256:abc`, upper case), a sha384/sha512 one of the wrong length, another \
             algorithm with fewer than 32 hex digits; the kubelet refuses such an image \
             (InvalidImageName). Missing and non-string images, and references invalid \
             elsewhere than their digest, are not reported. Placeholders elsewhere do not hide \
             the digest's absence (`$REGISTRY/app:1.0`, `gcr.io/PROJECT_ID/app:1.0` fire); a \
             placeholder at the end of the image may hold a digest (`app:${TAG}`, `$IMAGE`), \
             which makes it Unknown and not reported.",
    rationale: "Tags, even version tags, can be re-pushed: whoever can write to the registry \
                (or a compromised pipeline) can swap the content behind `app:1.2` and every \
                node that pulls it afterwards runs the new image. A digest names the exact \
                content, so what was scanned and approved in ACR is what runs on AKS, and \
                signature verification (Notation, AKS Image Integrity) has a fixed subject.",
    remediation: "Reference images by digest (`myacr.azurecr.io/app:1.2@sha256:…`), resolved by \
                  your CI/CD pipeline when it builds or promotes the image.",
    references: &[
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
        guides::CONTAINER_REGISTRY_IMAGE_TAG_VERSION,
        Reference::Peer(same(Checkov, "CKV_K8S_43")),
        Reference::Peer(same(Kubescape, "image-not-pinned-to-digest")),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some((node, text, image)) = container_image(container) else {
        check_invalid_digest(container, out);
        return;
    };
    // `None`: a placeholder may hold the digest (`app:${TAG}`, `$IMAGE`).
    if image.is_pinned() != Some(false) {
        return;
    }
    out.report(Violation::in_container(
        container,
        node.pos,
        format!(
            "container `{}` image `{text}` is not pinned by a sha256 digest",
            container.name()
        ),
    ));
}

/// An image the reference grammar rejects because of its `@digest` part is not pinned: the
/// kubelet refuses it (InvalidImageName), and the fix is the same, a valid digest. An image
/// with a placeholder is left alone: the placeholder may expand to a valid digest.
fn check_invalid_digest(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some(node) = container.get("image") else {
        return;
    };
    let Some(text) = node.as_str() else {
        return;
    };
    if placeholder::mask(text).is_some() {
        return;
    }
    let Some((_, digest)) = text.split_once('@') else {
        return;
    };
    let Some(problem) = digest_problem(digest) else {
        return;
    };
    out.report(Violation::in_container(
        container,
        node.pos,
        format!(
            "container `{}` image `{text}` is not pinned: its digest `{digest}` is invalid \
             ({problem}), so the kubelet refuses the image (InvalidImageName)",
            container.name()
        ),
    ));
}
