//! IMG: images and supply chain (RULES.md).

use crate::meta::Rule;

pub(crate) const RULES: &[&Rule] = &[];
