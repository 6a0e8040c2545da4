//! IMG: images and supply chain (RULES.md).

use aksguard_model::{ContainerView, Node};

use crate::meta::Rule;

mod deprecated_registry;
pub(crate) mod fixable_vulnerabilities;
mod image_not_pinned;
mod image_tag_latest;
mod placeholder;
mod pull_policy_not_always;
pub(crate) mod reference;
mod untrusted_registry;
pub(crate) mod vulns;

use reference::ImageRef;

pub(crate) const RULES: &[&Rule] = &[
    &image_tag_latest::RULE,
    &image_not_pinned::RULE,
    &untrusted_registry::RULE,
    &pull_policy_not_always::RULE,
    &fixable_vulnerabilities::RULE,
    &deprecated_registry::RULE,
];

/// A container's `image` field and its parsed reference. `None` when the field is absent,
/// not a string, or not a valid image reference (no IMG rule reports those).
pub(crate) fn container_image<'a>(
    container: &ContainerView<'a>,
) -> Option<(&'a Node, &'a str, ImageRef<'a>)> {
    let node = container.get("image")?;
    let text = node.as_str()?;
    let image = ImageRef::parse(text)?;
    Some((node, text, image))
}
