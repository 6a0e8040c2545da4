//! `aksguard fix`: turns the [`aksguard_model::PatchOp`]s and IaC changes on findings into
//! byte edits of the files they came from, keeping everything else byte for byte, and
//! verifies each fix by re-scanning the edited text in memory.
//!
//! Modules (one job each): [`yaml`] (manifests, YAML and JSON: patch operations as byte
//! edits), [`verify`] (re-parse and re-scan through `aksguard_scan`), [`plan`] (which
//! findings, in which order, what was declined), [`diff`] and [`write`] (what the CLI
//! prints or writes), [`edits`] (`fix.edits` for reports); [`terraform`] and [`arm`] (IaC
//! changes as byte edits, through [`iac`]), [`generate`] (missing objects for absence
//! findings, `fix --generate`), [`az_script`] (the reviewed `az` script, `fix --az`).

pub mod arm;
pub mod az_script;
pub mod diff;
pub mod edits;
pub mod generate;
pub mod iac;
mod iac_plan;
pub mod plan;
pub mod terraform;
pub mod verify;
pub mod write;
pub mod yaml;

pub use edits::fill_edits;
pub use plan::{Declined, FileChange, FixOptions, FixPlan, plan};
pub use write::write_change;
