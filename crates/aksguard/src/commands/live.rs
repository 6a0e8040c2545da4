//! `aksguard scan --cluster` and `--azure`: what a live source adds to the scan. The listing
//! is done by `aksguard_kube` and `aksguard_arm`; this file turns the flags into their
//! requests and their answers into the scan's inputs.

use aksguard_model::azure::AzureResources;
use aksguard_model::{Finding, LoadError, Object};
use aksguard_scan::{Pipeline, Unreadable};

use crate::cli::ScanArgs;

/// What one live source added to a scan.
#[derive(Default)]
pub struct LiveInput {
    /// What was read, as findings name it (`cluster://<context>`, `azure://…`), for the
    /// error a scan of nothing gets.
    pub label: String,
    /// Kubernetes objects, already through [`Pipeline::on_object`] (they have shed their
    /// bulk); their findings are in `findings`.
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    pub azure: AzureResources,
    /// Each a clear error naming what could not be read; the scan exits 2.
    pub errors: Vec<LoadError>,
    /// Kinds the source could not read (403s, Secrets never listed).
    pub unreadable: Vec<Unreadable>,
    pub notes: Vec<String>,
}

/// The live cluster of `--cluster` (`None` without the flag). Each listed object goes through
/// `pipeline.on_object` as it arrives, so memory stays bounded by what cross-object rules keep.
pub fn cluster(args: &ScanArgs, pipeline: &Pipeline<'_>, show_progress: bool) -> Option<LiveInput> {
    if !args.cluster {
        return None;
    }
    let _ = (pipeline, show_progress);
    let mut input = LiveInput {
        label: "cluster://".to_owned(),
        errors: vec![LoadError::new(
            "cluster://",
            None,
            "live cluster scans are not built yet",
        )],
        ..LiveInput::default()
    };
    input.unreadable.push(secrets_never_listed());
    Some(input)
}

/// A live scan never lists Secrets: the list verb returns every value. Rules that judge
/// Secrets (SEC003, SEC004) are file-only, and no rule takes a missing Secret as proof.
fn secrets_never_listed() -> Unreadable {
    Unreadable::new(
        "Secret",
        "a live scan never lists Secrets, whose list returns their values",
    )
}

/// The Azure resources of `--azure` (`None` without the flag).
pub fn azure(args: &ScanArgs, show_progress: bool) -> Option<LiveInput> {
    if !args.azure {
        return None;
    }
    let _ = show_progress;
    Some(LiveInput {
        label: "azure://".to_owned(),
        errors: vec![LoadError::new(
            "azure://",
            None,
            "live Azure scans are not built yet",
        )],
        ..LiveInput::default()
    })
}
