//! The one scan pipeline. Every way aksguard judges objects (files, the admission webhook, a
//! live cluster) goes through it, so a finding, an exception or a severity override means the
//! same everywhere:
//!
//! 1. [`ScanSettings::resolve`]: `aksguard.toml` merged with the caller's overrides, "today",
//!    the baseline to apply and the one to write;
//! 2. [`limit_to_framework`]: optionally, only one compliance framework's rules;
//! 3. [`Pipeline`]: the rules that judge one object alone run as objects arrive
//!    ([`Pipeline::on_object`]), the rest over the inventory ([`Pipeline::finish`]), then
//!    `[severity]` overrides, the minimum severity, `aksguard.io/ignore` annotations,
//!    exceptions and baselines, into an [`Outcome`].
//!
//! [`scan_objects`] runs step 3 in one call over objects that are already loaded.

pub mod explain;
mod exposure;
mod extra;
mod framework;
mod pipeline;
mod settings;
mod unreadable;
pub mod vulns;

pub use exposure::raise_by_reach;
pub use extra::{AdmissionRequest, ExtraRules, ExtraRulesFactory};
pub use framework::{assess_frameworks, limit_to_framework};
pub use pipeline::{Outcome, Pipeline};
pub use settings::{Baseline, ScanSettings, SettingsRequest};
pub use unreadable::Unreadable;

use aksguard_model::azure::AzureResources;
use aksguard_model::{Inventory, Object};
use aksguard_rules::Rule;

/// Runs `rules` over objects that are already loaded (the webhook's review, a live cluster's
/// listing) with everything `aksguard scan` applies after loading. `inputs` names what was
/// scanned in the error a scan of nothing gets. Objects keep their bulk.
pub fn scan_objects(
    objects: Vec<Object>,
    azure: AzureResources,
    rules: &[&'static Rule],
    settings: &ScanSettings,
    inputs: &str,
) -> (Inventory, Outcome) {
    scan_objects_with(objects, azure, rules, settings, inputs, None)
}

/// [`scan_objects`] with extra rules (users' policies) beside `rules`.
pub fn scan_objects_with(
    objects: Vec<Object>,
    azure: AzureResources,
    rules: &[&'static Rule],
    settings: &ScanSettings,
    inputs: &str,
    extra: Option<std::sync::Arc<dyn ExtraRules>>,
) -> (Inventory, Outcome) {
    let mut pipeline = Pipeline::new(rules, settings);
    if let Some(extra) = extra {
        pipeline = pipeline.with_extra(extra);
    }
    let inventory = Inventory::new(objects).with_azure(azure);
    let early = pipeline.judge_alone(&inventory);
    let outcome = pipeline.finish(&inventory, early, Vec::new(), inputs);
    (inventory, outcome)
}
