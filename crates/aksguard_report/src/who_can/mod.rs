//! Rendering a who-can answer ([`aksguard_model::who_can::Answer`]) for people (an aligned
//! table with the question above it) and pipelines (JSON).

pub mod json;
pub mod table;

use aksguard_model::Binding;

/// Where a binding grants: `cluster-wide` or `namespace shop`.
fn scope_of(binding: &Binding) -> String {
    if binding.cluster_wide {
        "cluster-wide".into()
    } else {
        format!(
            "namespace {}",
            binding.namespace.as_deref().unwrap_or("(unspecified)")
        )
    }
}

#[cfg(test)]
mod fixtures;
