//! SEC: secrets and credentials (RULES.md).

use crate::meta::Rule;

pub(crate) const RULES: &[&Rule] = &[];
