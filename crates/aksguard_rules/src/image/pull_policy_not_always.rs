use aksguard_model::{ContainerView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::image::container_image;
use crate::image::reference::Part;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, Kubescape, Polaris},
    broader, same,
};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "IMG004",
    slug: "mutable-image-not-always-pulled",
    title: "Mutable image reference without imagePullPolicy Always",
    family: Family::Image,
    severity: Severity::Low,
    checks: "Any container (init, regular or ephemeral) whose image has no digest (a mutable \
             tag) and whose effective `imagePullPolicy` is not `Always`. The effective policy \
             is the explicit one, or when absent (or null, or not a string) the Kubernetes \
             default: `Always` when the tag is `latest` or there is no tag, `IfNotPresent` \
             otherwise. So `app:1.0` with no policy fires, while `app` or `app:latest` with \
             no policy does not (IMG001 reports those). An explicit `IfNotPresent` or `Never` \
             fires; images with a digest never fire. Placeholders do not hide what the literal \
             text shows (`$REGISTRY/app:1.0` and `gcr.io/PROJECT_ID/app:1.0` with no policy \
             fire); a placeholder that holds or may hold the tag (`app:${TAG}`, `$IMAGE`) may \
             hold a digest too, which makes the image Unknown and not reported. Missing, \
             non-string and unparsable images are not reported.",
    rationale: "With `IfNotPresent`, a node keeps running whatever it cached under a tag: after \
                the tag is re-pushed with a security fix, nodes that already have the old \
                image never pick it up, and pods on other nodes run the new one. `Always` \
                makes the kubelet resolve the tag at every start (a cheap manifest check when \
                the layers are cached), and also re-checks the pod's pull credentials, so a \
                pod cannot use a private image another pod cached on the same node.",
    remediation: "Pin the image by digest, or set `imagePullPolicy: Always` on the container.",
    references: &[
        guides::OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT,
        Reference::Peer(broader(
            Polaris,
            "pullPolicyNotAlways",
            "Polaris wants `imagePullPolicy: Always` written out; IMG004 reads the \
             effective policy, which Kubernetes defaults to Always for untagged and `:latest` \
             images",
        )),
        Reference::Peer(same(Kubescape, "image-pull-policy-is-not-set-to-always")),
        Reference::Peer(same(Checkov, "CKV_K8S_15")),
    ],
    fix: crate::RuleFix::SAFE,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some((node, text, image)) = container_image(container) else {
        return;
    };
    // A digest, written or possibly hidden in a placeholder, makes the reference immutable.
    if image.digest != Part::Absent {
        return;
    }
    let explicit = container
        .get("imagePullPolicy")
        .and_then(|n| n.as_str())
        .filter(|p| !p.is_empty());
    let (policy, how) = match explicit {
        Some(policy) => (policy, "set"),
        None => match image.effective_tag() {
            Part::Known("latest") => ("Always", "defaulted"),
            Part::Known(_) => ("IfNotPresent", "defaulted"),
            // The default depends on a tag a placeholder holds.
            Part::Absent | Part::Unknown => return,
        },
    };
    if policy == "Always" {
        return;
    }
    out.report(
        Violation::in_container(
            container,
            node.pos,
            format!(
                "container `{}` image `{text}` has no digest and imagePullPolicy `{policy}` \
             ({how}); nodes that cached the tag do not pull it again",
                container.name()
            ),
        )
        .with_fix(patch::set(
            "Set `imagePullPolicy: Always` (or pin the image by digest).",
            FixSafety::Safe,
            patch::container_path(container, &["imagePullPolicy"]),
            "Always",
        )),
    );
}
