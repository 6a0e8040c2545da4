//! `aksguard fix`: turns the [`aksguard_model::PatchOp`]s and IaC changes on findings into
//! byte edits of the files they came from, keeping everything else byte for byte, and
//! verifies each fix by re-scanning the edited text in memory.
//!
//! Modules (one job each): `yaml` (manifests, YAML and JSON), `terraform` (hcl-edit), `arm`
//! (ARM JSON templates), `generate` (missing objects for absence findings), `az_script`
//! (the reviewed `az` remediation script).

pub mod arm;
pub mod az_script;
pub mod generate;
pub mod iac;
pub mod terraform;
