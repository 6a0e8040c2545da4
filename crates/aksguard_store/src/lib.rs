//! aksguard's scan history. Every `aksguard scan --store` becomes one **run** of one
//! **target** (what was scanned: an AKS cluster, a kube context, a repository), written in one
//! transaction. Findings are kept by **fingerprint** as episodes (first seen → resolved), so
//! the database grows with changes, not with the number of scans: a run that sees the same
//! findings as the previous one adds a run row and nothing else.
//!
//! One API over two engines: SQLite (embedded, the default, a file in the user's data
//! directory) and PostgreSQL (a fleet's central store). sqlx with runtime queries; the same
//! versioned, forward-only migrations on both (`migrations/sqlite`, `migrations/postgres`).
//!
//! - [`StoreLocation`]: where the store is (`--store`, `AKSGUARD_STORE`, the default file).
//! - [`Store::record`]: one scan in ([`RunRecord`], built from a report by
//!   [`RunRecord::from_report`]).
//! - The read side ([`Store::targets`], [`Store::runs`], [`Store::findings_at`],
//!   [`Store::diff`], …) serves `aksguard history`/`diff`, the dashboard and its API.
//!
//! Nothing secret is ever stored: the store holds what the reports hold (messages are
//! already masked by the rules that read secret-looking values), and a PostgreSQL URL's
//! password is never printed ([`StoreLocation::redacted`]).

mod db;
mod error;
mod export;
mod location;
mod migrate;
mod open;
mod query;
mod record;
mod rows;
mod store;
mod target;
mod write;

pub use error::StoreError;
pub use location::StoreLocation;
pub use query::{
    ExportSummary, FindingQuery, FleetEntry, PruneSummary, RunDiff, RunSummary, StoredFinding,
    TargetInfo, TrendPoint,
};
pub use record::{
    FindingRecord, FrameworkScore, RecordedRun, RunError, RunRecord, SeverityCounts, TargetKind,
    TargetSpec,
};
pub use store::Store;
pub use target::{
    DetectedTarget, ScannedAks, ScannedCluster, ScannedInputs, check_target_name, detect_target,
};

#[cfg(feature = "test-support")]
pub mod test_support;
