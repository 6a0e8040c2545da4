//! POD: pod and container security (RULES.md "POD").

use crate::meta::Rule;

mod helpers;
mod privileged_container;

pub(crate) const RULES: &[&Rule] = &[&privileged_container::RULE];
