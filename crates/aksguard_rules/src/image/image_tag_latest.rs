use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::image::container_image;
use crate::image::reference::Part;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Polaris},
    same,
};

pub(crate) static RULE: Rule = Rule {
    id: "IMG001",
    slug: "image-tag-latest",
    title: "Image uses the latest tag or no tag",
    family: Family::Image,
    severity: Severity::Medium,
    checks: "Any container (init, regular or ephemeral) whose `image` has no tag, or the tag \
             `latest` (compared case-insensitively), and no digest. An image without a tag \
             resolves to `:latest` (`nginx` is `docker.io/library/nginx:latest`). An image \
             with a digest (`app@sha256:…`, `app:latest@sha256:…`) is immutable and passes; a \
             registry port is not a tag (`registry:5000/app` has no tag and fires). Placeholders \
             left for a later tool do not hide what the literal text shows: \
             `$REGISTRY/app:latest` and `gcr.io/PROJECT_ID/app` fire, while a placeholder \
             that holds or may hold the tag (`app:${TAG}`, `$IMAGE`, `{{ .Values.image }}`) \
             makes it Unknown and is not reported. Missing, non-string and unparsable images \
             are not reported.",
    rationale: "`latest` moves: each node pulls whatever the tag points to when it first needs \
                the image, so replicas can run different builds, a rollback redeploys the new \
                code, and nothing records which build (and which vulnerabilities) is running. \
                Traceable tags let Microsoft Defender for Containers and ACR scanning results \
                be matched to what actually runs on the AKS nodes.",
    remediation: "Reference a specific version tag (ideally an immutable one built by your \
                  pipeline, e.g. the commit SHA) or pin the image by digest \
                  (`image@sha256:…`).",
    references: &[
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
        guides::CONTAINER_REGISTRY_IMAGE_TAG_VERSION,
        Reference::Peer(same(KubeLinter, "latest-tag")),
        Reference::Peer(same(Polaris, "tagNotSpecified")),
        Reference::Peer(same(Checkov, "CKV_K8S_14")),
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
    // A digest, written or possibly hidden in a placeholder, pins the image.
    if image.digest != Part::Absent {
        return;
    }
    let problem = match image.tag {
        Part::Absent => match image.canonical() {
            Some(canonical) => format!("has no tag (it resolves to `{canonical}`)"),
            None => "has no tag (it resolves to `:latest`)".to_owned(),
        },
        Part::Known(tag) if tag.eq_ignore_ascii_case("latest") => format!("uses the `{tag}` tag"),
        Part::Known(_) | Part::Unknown => return,
    };
    out.report(Violation::in_container(
        container,
        node.pos,
        format!(
            "container `{}` image `{text}` {problem}; pin a version tag or digest",
            container.name()
        ),
    ));
}
