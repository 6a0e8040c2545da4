//! Every rule, in ID order. Families list their rules in their own `mod.rs`.

use std::sync::LazyLock;

use crate::meta::Rule;
use crate::{acr, cluster, identity, image, namespace, network, pod, rbac, reliability, secret};

static RULES: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    let mut rules: Vec<&'static Rule> = [
        pod::RULES,
        image::RULES,
        secret::RULES,
        namespace::RULES,
        network::RULES,
        identity::RULES,
        reliability::RULES,
        rbac::RULES,
        cluster::RULES,
        acr::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    rules.sort_by_key(|r| r.id);
    rules
});

pub fn all_rules() -> &'static [&'static Rule] {
    &RULES
}

/// A rule by ID (case-insensitive) or slug.
pub fn find_rule(id_or_slug: &str) -> Option<&'static Rule> {
    all_rules()
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_slug) || r.slug == id_or_slug)
}
