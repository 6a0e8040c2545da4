//! The store: one API over a SQLite or a PostgreSQL pool.

use jiff::Timestamp;

use crate::query::{
    ExportSummary, FindingQuery, FleetEntry, PruneSummary, RunDiff, RunSummary, StoredFinding,
    TargetInfo,
};
use crate::record::{RecordedRun, RunError, RunRecord};
use crate::{StoreError, StoreLocation};

/// An open, migrated store. Cheap to clone (pools are shared); safe to use from many tasks.
#[derive(Clone, Debug)]
pub struct Store {
    location: StoreLocation,
}

impl Store {
    /// Opens (creating a SQLite file and its directory if needed) and migrates to the newest
    /// schema this aksguard knows. SQLite runs in WAL mode with a busy timeout; a schema newer
    /// than ours is [`StoreError::SchemaTooNew`].
    pub async fn open(location: &StoreLocation) -> Result<Store, StoreError> {
        let _ = location;
        todo!("i14-store")
    }

    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// The schema version the store is at.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        todo!("i14-store")
    }

    /// Writes one run in one transaction: the target (created on first use), the run row,
    /// its scores and errors, new finding episodes, resolutions and changed attributes. A
    /// crash mid-write leaves the previous state; concurrent writers of one target are
    /// serialised (PostgreSQL: a row lock on the target; SQLite: `BEGIN IMMEDIATE`); a `uid`
    /// already stored returns the stored run with `duplicate: true`.
    pub async fn record(&self, run: &RunRecord) -> Result<RecordedRun, StoreError> {
        let _ = run;
        todo!("i14-store")
    }

    /// Every target, by name.
    pub async fn targets(&self) -> Result<Vec<TargetInfo>, StoreError> {
        todo!("i14-store")
    }

    /// The target `selector` names: its numeric ID, its exact name or its exact key. A name
    /// shared by several targets is [`StoreError::Invalid`] listing their keys.
    pub async fn target(&self, selector: &str) -> Result<TargetInfo, StoreError> {
        let _ = selector;
        todo!("i14-store")
    }

    /// The fleet page: every target with its latest run and its last `trend_points` runs.
    pub async fn fleet(&self, trend_points: usize) -> Result<Vec<FleetEntry>, StoreError> {
        let _ = trend_points;
        todo!("i14-store")
    }

    /// A target's runs, newest first, at most `limit`.
    pub async fn runs(
        &self,
        target_id: i64,
        limit: Option<u64>,
    ) -> Result<Vec<RunSummary>, StoreError> {
        let _ = (target_id, limit);
        todo!("i14-store")
    }

    /// One run.
    pub async fn run(&self, run_id: i64) -> Result<RunSummary, StoreError> {
        let _ = run_id;
        todo!("i14-store")
    }

    /// The run before `run_id` of the same target, if any.
    pub async fn previous_run(&self, run_id: i64) -> Result<Option<RunSummary>, StoreError> {
        let _ = run_id;
        todo!("i14-store")
    }

    /// A run's loading errors.
    pub async fn run_errors(&self, run_id: i64) -> Result<Vec<RunError>, StoreError> {
        let _ = run_id;
        todo!("i14-store")
    }

    /// The findings open at `run_id` (as they stood then), filtered.
    pub async fn findings_at(
        &self,
        run_id: i64,
        query: &FindingQuery,
    ) -> Result<Vec<StoredFinding>, StoreError> {
        let _ = (run_id, query);
        todo!("i14-store")
    }

    /// New, fixed and still-open findings from run `from` to run `to` (any two runs; usually
    /// two of one target). `list_still_open` also lists the findings open at both.
    pub async fn diff(
        &self,
        from: i64,
        to: i64,
        list_still_open: bool,
    ) -> Result<RunDiff, StoreError> {
        let _ = (from, to, list_still_open);
        todo!("i14-store")
    }

    /// Deletes runs finished before `now - keep_days` (never a target's latest run) and the
    /// finding episodes resolved before the oldest run kept; targets keep their identity.
    pub async fn prune(&self, keep_days: u32, now: Timestamp) -> Result<PruneSummary, StoreError> {
        let _ = (keep_days, now);
        todo!("i14-store")
    }

    /// Everything, as JSON lines (`{"type":"target",…}`, `{"type":"run",…}`,
    /// `{"type":"finding",…}`), streamed: memory stays bounded by one page of rows.
    pub async fn export(
        &self,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<ExportSummary, StoreError> {
        let _ = out;
        todo!("i14-store")
    }
}
