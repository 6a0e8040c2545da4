//! The engine: which rules run (selection) and running them over a scan's objects.

pub mod run;
pub mod select;

pub use run::{evaluate, sort_findings};
pub use select::{SelectError, select_rules};
