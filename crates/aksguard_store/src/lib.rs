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
//! # Schema
//!
//! The same tables on both engines (`migrations/sqlite`, `migrations/postgres`; INTEGER on
//! SQLite is BIGINT on PostgreSQL). Times are unix milliseconds; severities are ranks
//! (0 info … 4 critical) so "at least" and "highest first" are integer comparisons.
//!
//! | table | key | columns |
//! |---|---|---|
//! | `targets` | `id`; `key` UNIQUE | `kind`, `key`, `name`, `created_at` |
//! | `runs` | `id`; `uid` UNIQUE; (`target_id`, `sequence`) UNIQUE | `target_id` → targets, `sequence` (1, 2, … per target), times, `tool_version`, `ruleset_hash`, `commit_id`, `files`, `objects`, counts per severity, `suppressed`, `errors`, `new_count`, `resolved_count`, `changed_count` |
//! | `run_frameworks` | (`run_id`, `framework`) | `score`, `assessed`, `controls`, `passed`, `failed`; deleted with the run |
//! | `run_errors` | `id`; index on `run_id` | `path`, `line`, `message`; deleted with the run |
//! | `run_vulnerabilities` | `run_id` | the `--vulns` reports' `reports`, `images`, distinct IDs per severity (`critical` … `low`), `fixable`, IMG005's `containers`; deleted with the run (migration 3) |
//! | `run_attack_paths` | `run_id` | `total` attack paths; deleted with the run (migration 3) |
//! | `run_top_paths` | (`run_id`, `rank`) | the top paths' `risk` and readable `chain`; deleted with the run (migration 3) |
//! | `findings` | `id`; UNIQUE (`target_id`, `fingerprint`) WHERE `resolved_run IS NULL` | one **episode**: `target_id` → targets, `fingerprint`, the attributes as last seen (rule, severity, title, message, object, container, path, line, remediation, `suppression`), `first_seen_run`/`first_seen_at`, `resolved_run`/`resolved_at`, `last_seen_at` |
//! | `_sqlx_migrations` | `version` | the schema versions applied (sqlx) |
//!
//! Indexes for the read side (migration 2): `runs (target_id, id)` (history, the fleet's last
//! runs per target, the previous run), `findings (target_id, first_seen_run)` and
//! `findings (target_id, resolved_run)` (the episodes open at a run).
//!
//! An episode is **open at run R** when `first_seen_run <= R AND (resolved_run IS NULL OR
//! resolved_run > R)`: run IDs grow per target in commit order because writers of one target
//! are serialised (PostgreSQL: `SELECT … FOR UPDATE` on the target row; SQLite:
//! `BEGIN IMMEDIATE`). Episode run columns are plain numbers, not foreign keys: pruning
//! deletes old runs but keeps the episodes still open after them. A run's counts are those of
//! the episodes open at it (so `findings_at(R)` and `run(R).counts` agree, including findings
//! a run could not judge and kept open).
//!
//! Writing a run ([`Store::record`]) loads the target's open episodes (fingerprint →
//! attributes), then writes only differences: new episodes in bulk (multi-row `INSERT` in
//! chunks on SQLite, `UNNEST` arrays on PostgreSQL), resolutions in bulk, changed attributes
//! in place. Conflicts with concurrent writers (serialization failures, deadlocks, a busy
//! SQLite) are retried a bounded number of times.
//!
//! Nothing secret is ever stored: the store holds what the reports hold (messages are
//! already masked by the rules that read secret-looking values), and a PostgreSQL URL's
//! password is never printed ([`StoreLocation::redacted`]).

mod db;
mod error;
mod export;
mod fleet_cache;
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
    AttackPaths, FindingRecord, FrameworkScore, RecordedRun, RunError, RunRecord, SeverityCounts,
    StoredPath, TargetKind, TargetSpec, VulnSummary,
};
pub use store::Store;
pub use target::{
    DetectedTarget, ScannedAks, ScannedCluster, ScannedInputs, check_target_name, detect_target,
};

#[cfg(feature = "test-support")]
pub mod test_support;
