//! The store: one API over a SQLite or a PostgreSQL pool.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::db::{Engine, Pool, Value};
use crate::fleet_cache::{FleetCache, Shape, Signature};
use crate::query::{
    ExportSummary, FindingQuery, FleetEntry, PruneSummary, RunDiff, RunSummary, StoredFinding,
    TargetInfo, TrendPoint,
};
use crate::record::{
    AttackPaths, RecordedRun, RunError, RunRecord, SeverityCounts, StoredPath, VulnSummary,
};
use crate::rows::{
    FINDING_COLUMNS, RUN_COLUMNS, TARGET_SELECT, attach_frameworks, count, framework_row, millis,
    run_summary, severity_from_rank, severity_rank, stored_finding, target_info, trend_point,
};
use crate::{StoreError, StoreLocation, export, open, write};

/// An open, migrated store. Cheap to clone (pools are shared); safe to use from many tasks.
#[derive(Clone)]
pub struct Store {
    location: StoreLocation,
    pool: Pool,
    /// Shared by clones: a dashboard's handlers all see one.
    fleet_cache: FleetCache,
}

/// Only the redacted location: the pools' own `Debug` would print their connect options,
/// a PostgreSQL password included.
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location.redacted())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating a SQLite file and its directory if needed) and migrates to the newest
    /// schema this aksguard knows. SQLite runs in WAL mode with a busy timeout; a schema newer
    /// than ours is [`StoreError::SchemaTooNew`].
    pub async fn open(location: &StoreLocation) -> Result<Store, StoreError> {
        let pool = open::connect(location).await?;
        open::migrate(&pool, location, None).await?;
        Ok(Store {
            location: location.clone(),
            pool,
            fleet_cache: FleetCache::default(),
        })
    }

    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// The schema version the store is at.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(open::applied_version(&self.pool).await?)
    }

    /// Writes one run in one transaction: the target (created on first use), the run row,
    /// its scores and errors, new finding episodes, resolutions and changed attributes. A
    /// crash mid-write leaves the previous state; concurrent writers of one target are
    /// serialised (PostgreSQL: a row lock on the target; SQLite: `BEGIN IMMEDIATE`); a `uid`
    /// already stored returns the stored run with `duplicate: true`.
    pub async fn record(&self, run: &RunRecord) -> Result<RecordedRun, StoreError> {
        write::record(&self.pool, run).await
    }

    /// Every target, by name.
    pub async fn targets(&self) -> Result<Vec<TargetInfo>, StoreError> {
        let sql = format!("{TARGET_SELECT} ORDER BY t.name, t.id");
        Ok(self
            .pool
            .fetch_all("listing targets", &sql, &[], target_info)
            .await?)
    }

    /// The target `selector` names: its numeric ID, its exact name or its exact key. A name
    /// shared by several targets is [`StoreError::Invalid`] listing their keys.
    pub async fn target(&self, selector: &str) -> Result<TargetInfo, StoreError> {
        if let Ok(id) = selector.parse::<i64>()
            && let Some(target) = self.target_by_id(id).await?
        {
            return Ok(target);
        }
        let sql = format!("{TARGET_SELECT} WHERE t.name = $1 ORDER BY t.id");
        let mut named = self
            .pool
            .fetch_all("finding a target", &sql, &[selector.into()], target_info)
            .await?;
        match named.len() {
            0 => {}
            1 => return Ok(named.remove(0)),
            _ => {
                let keys: Vec<String> = named
                    .iter()
                    .map(|t| format!("{} (ID {})", t.key, t.id))
                    .collect();
                return Err(StoreError::Invalid(format!(
                    "the name `{selector}` matches {} targets; name one by ID or key: {}",
                    named.len(),
                    keys.join(", ")
                )));
            }
        }
        let sql = format!("{TARGET_SELECT} WHERE t.key = $1");
        self.pool
            .fetch_optional("finding a target", &sql, &[selector.into()], target_info)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no target `{selector}` in the store {} (name a target by the ID, name or \
                     key `aksguard history` lists)",
                    self.location.redacted()
                ))
            })
    }

    async fn target_by_id(&self, id: i64) -> Result<Option<TargetInfo>, StoreError> {
        let sql = format!("{TARGET_SELECT} WHERE t.id = $1");
        Ok(self
            .pool
            .fetch_optional("finding a target", &sql, &[id.into()], target_info)
            .await?)
    }

    /// Every target with its latest run (with framework scores) and its last `trend_points`
    /// runs as trend points, each with its counts and its scores per framework.
    pub async fn fleet(&self, trend_points: usize) -> Result<Vec<FleetEntry>, StoreError> {
        self.fleet_entries(trend_points, true).await
    }

    /// [`Store::fleet`] with trend points that carry counts only (`scores` empty): what the
    /// fleet page, the metrics and `history` need. It reads a quarter of the rows.
    pub async fn fleet_counts(&self, trend_points: usize) -> Result<Vec<FleetEntry>, StoreError> {
        self.fleet_entries(trend_points, false).await
    }

    /// The fleet view, from the cache while the runs are unchanged (see `fleet_cache`).
    async fn fleet_entries(
        &self,
        trend_points: usize,
        trend_scores: bool,
    ) -> Result<Vec<FleetEntry>, StoreError> {
        let shape = Shape {
            trend_points,
            trend_scores,
        };
        let signature = Signature::read(&self.pool).await?;
        if let Some(entries) = self.fleet_cache.get(signature, shape) {
            return Ok(entries.as_ref().clone());
        }
        let entries = self.read_fleet(trend_points, trend_scores).await?;
        self.fleet_cache
            .put(signature, shape, std::sync::Arc::new(entries.clone()));
        Ok(entries)
    }

    async fn read_fleet(
        &self,
        trend_points: usize,
        trend_scores: bool,
    ) -> Result<Vec<FleetEntry>, StoreError> {
        let targets = self.targets().await?;
        // Each target's latest run in full, found through the (target_id, id) index.
        let latest_join = "JOIN runs r ON r.id = (SELECT MAX(r2.id) FROM runs r2 \
                           WHERE r2.target_id = t.id)";
        let sql = format!(
            "SELECT {} FROM targets t {latest_join}",
            prefixed(RUN_COLUMNS, "r")
        );
        let mut latest = self
            .pool
            .fetch_all("reading the fleet's latest runs", &sql, &[], run_summary)
            .await?;
        let sql = format!(
            "SELECT f.run_id, f.framework, f.score, f.assessed, f.controls, f.passed, \
             f.failed FROM targets t {latest_join} JOIN run_frameworks f ON f.run_id = r.id"
        );
        let scores = self
            .pool
            .fetch_all("reading the fleet's scores", &sql, &[], framework_row)
            .await?;
        attach_frameworks(&mut latest, scores);

        // The trend: only the columns a point shows. Each target's last N runs through the
        // (target_id, id) index, never a scan of every run: PostgreSQL with a LATERAL
        // subquery per target; SQLite (no LATERAL) with each target's lower bound looked up
        // once into a materialised CTE, then one index range per target. (Written as a
        // correlated bound inside the join, SQLite's planner flattened it and re-ran the
        // bound for every run row: 30x slower on 200 targets × 90 runs.)
        let points = i64::try_from(trend_points.max(1)).unwrap_or(i64::MAX);
        // `CROSS JOIN … ON` keeps SQLite's join order (bounds first); PostgreSQL has no
        // `CROSS JOIN … ON` and needs no hint.
        let (with, from, join) = match self.pool.engine() {
            Engine::Postgres => (
                "",
                "targets t CROSS JOIN LATERAL (SELECT id, target_id, finished_at, critical, \
                 high, medium, low, info FROM runs WHERE runs.target_id = t.id \
                 ORDER BY runs.id DESC LIMIT $1) r",
                "JOIN",
            ),
            Engine::Sqlite => (
                "WITH bounds AS MATERIALIZED (SELECT t.id AS target_id, COALESCE((SELECT r2.id \
                 FROM runs r2 WHERE r2.target_id = t.id ORDER BY r2.id DESC LIMIT 1 \
                 OFFSET $1 - 1), 0) AS low FROM targets t) ",
                "bounds b CROSS JOIN runs r ON r.target_id = b.target_id AND r.id >= b.low",
                "CROSS JOIN",
            ),
        };
        let sql = format!(
            "{with}SELECT r.id, r.target_id, r.finished_at, r.critical, r.high, r.medium, \
             r.low, r.info FROM {from} ORDER BY r.target_id, r.id"
        );
        let mut trend = self
            .pool
            .fetch_all(
                "reading the fleet's trends",
                &sql,
                &[points.into()],
                trend_point,
            )
            .await?;
        if trend_scores {
            let sql = format!(
                "{with}SELECT f.run_id, f.framework, f.score FROM {from} \
                 {join} run_frameworks f ON f.run_id = r.id"
            );
            let mut scores = self
                .pool
                .fetch_all(
                    "reading the fleet's score trends",
                    &sql,
                    &[points.into()],
                    |row| {
                        Ok((
                            row.int("run_id")?,
                            row.text("framework")?,
                            row.real("score")?,
                        ))
                    },
                )
                .await?;
            scores.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            let mut scores = scores.into_iter().peekable();
            // Both lists are in run-ID order within a target; merge by ID.
            let mut by_id: Vec<&mut TrendPoint> =
                trend.iter_mut().map(|(_, point)| point).collect();
            by_id.sort_by_key(|point| point.run_id);
            for point in by_id {
                while scores.next_if(|score| score.0 < point.run_id).is_some() {}
                while let Some((_, framework, score)) =
                    scores.next_if(|score| score.0 == point.run_id)
                {
                    point.scores.push((framework, score));
                }
            }
        }

        let mut trends: HashMap<i64, Vec<TrendPoint>> = HashMap::new();
        for (target_id, point) in trend {
            trends.entry(target_id).or_default().push(point);
        }
        let mut latest: HashMap<i64, RunSummary> =
            latest.into_iter().map(|run| (run.target_id, run)).collect();
        Ok(targets
            .into_iter()
            .map(|target| FleetEntry {
                latest: latest.remove(&target.id),
                trend: trends.remove(&target.id).unwrap_or_default(),
                target,
            })
            .collect())
    }

    /// A target's runs, newest first, at most `limit`.
    pub async fn runs(
        &self,
        target_id: i64,
        limit: Option<u64>,
    ) -> Result<Vec<RunSummary>, StoreError> {
        if self.target_by_id(target_id).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "no target with ID {target_id}"
            )));
        }
        let limit = limit.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE target_id = $1 ORDER BY id DESC LIMIT $2"
        );
        let mut runs = self
            .pool
            .fetch_all(
                "listing runs",
                &sql,
                &[target_id.into(), limit.into()],
                run_summary,
            )
            .await?;
        if let (Some(newest), Some(oldest)) = (runs.first(), runs.last()) {
            let scores = self
                .pool
                .fetch_all(
                    "reading framework scores",
                    "SELECT f.run_id, f.framework, f.score, f.assessed, f.controls, f.passed, \
                     f.failed FROM run_frameworks f JOIN runs r ON r.id = f.run_id \
                     WHERE r.target_id = $1 AND r.id BETWEEN $2 AND $3",
                    &[target_id.into(), oldest.id.into(), newest.id.into()],
                    framework_row,
                )
                .await?;
            attach_frameworks(&mut runs, scores);
        }
        Ok(runs)
    }

    /// One run.
    pub async fn run(&self, run_id: i64) -> Result<RunSummary, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let run = self
            .pool
            .fetch_optional("reading a run", &sql, &[run_id.into()], run_summary)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no run with ID {run_id}")))?;
        self.with_frameworks(run).await
    }

    async fn with_frameworks(&self, run: RunSummary) -> Result<RunSummary, StoreError> {
        let scores = self
            .pool
            .fetch_all(
                "reading framework scores",
                "SELECT run_id, framework, score, assessed, controls, passed, failed \
                 FROM run_frameworks WHERE run_id = $1",
                &[run.id.into()],
                framework_row,
            )
            .await?;
        let mut runs = [run];
        attach_frameworks(&mut runs, scores);
        let [run] = runs;
        Ok(run)
    }

    /// The run before `run_id` of the same target, if any.
    pub async fn previous_run(&self, run_id: i64) -> Result<Option<RunSummary>, StoreError> {
        let run = self.run(run_id).await?;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE target_id = $1 AND id < $2 \
             ORDER BY id DESC LIMIT 1"
        );
        let previous = self
            .pool
            .fetch_optional(
                "reading the previous run",
                &sql,
                &[run.target_id.into(), run.id.into()],
                run_summary,
            )
            .await?;
        match previous {
            Some(previous) => Ok(Some(self.with_frameworks(previous).await?)),
            None => Ok(None),
        }
    }

    /// A run's loading errors.
    pub async fn run_errors(&self, run_id: i64) -> Result<Vec<RunError>, StoreError> {
        self.run(run_id).await?;
        Ok(self
            .pool
            .fetch_all(
                "reading the run's errors",
                "SELECT path, line, message FROM run_errors WHERE run_id = $1 ORDER BY id",
                &[run_id.into()],
                |row| {
                    Ok(RunError {
                        path: row.text("path")?,
                        line: row
                            .opt_int("line")?
                            .map(|line| u32::try_from(line).unwrap_or(0)),
                        message: row.text("message")?,
                    })
                },
            )
            .await?)
    }

    /// A run's image vulnerabilities (`scan --vulns`); `None` when the run had no reports.
    pub async fn run_vulnerabilities(
        &self,
        run_id: i64,
    ) -> Result<Option<VulnSummary>, StoreError> {
        self.run(run_id).await?;
        Ok(self
            .pool
            .fetch_optional(
                "reading the run's vulnerabilities",
                "SELECT reports, images, critical, high, medium, low, fixable, containers \
                 FROM run_vulnerabilities WHERE run_id = $1",
                &[run_id.into()],
                |row| {
                    Ok(VulnSummary {
                        reports: count(row, "reports")?,
                        images: count(row, "images")?,
                        critical: count(row, "critical")?,
                        high: count(row, "high")?,
                        medium: count(row, "medium")?,
                        low: count(row, "low")?,
                        fixable: count(row, "fixable")?,
                        containers: count(row, "containers")?,
                    })
                },
            )
            .await?)
    }

    /// A run's attack paths (how many, the top ones by rank); `None` when the run did not
    /// compute them.
    pub async fn run_attack_paths(&self, run_id: i64) -> Result<Option<AttackPaths>, StoreError> {
        self.run(run_id).await?;
        let total = self
            .pool
            .fetch_optional(
                "reading the run's attack paths",
                "SELECT total FROM run_attack_paths WHERE run_id = $1",
                &[run_id.into()],
                |row| count(row, "total"),
            )
            .await?;
        let Some(total) = total else {
            return Ok(None);
        };
        let top = self
            .pool
            .fetch_all(
                "reading the run's top attack paths",
                "SELECT risk, chain FROM run_top_paths WHERE run_id = $1 ORDER BY rank",
                &[run_id.into()],
                |row| {
                    Ok(StoredPath {
                        risk: row.real("risk")?,
                        chain: row.text("chain")?,
                    })
                },
            )
            .await?;
        Ok(Some(AttackPaths { total, top }))
    }

    /// The findings open at `run_id` (as they stood then), filtered.
    pub async fn findings_at(
        &self,
        run_id: i64,
        query: &FindingQuery,
    ) -> Result<Vec<StoredFinding>, StoreError> {
        let run = self.run(run_id).await?;
        self.open_at(&run, query).await
    }

    /// The episodes open at `run` (see the crate docs: first seen at or before it, not
    /// resolved by then), filters in SQL.
    async fn open_at(
        &self,
        run: &RunSummary,
        query: &FindingQuery,
    ) -> Result<Vec<StoredFinding>, StoreError> {
        let mut values: Vec<Value> = vec![run.target_id.into(), run.id.into()];
        let mut sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE target_id = $1 \
             AND first_seen_run <= $2 AND (resolved_run IS NULL OR resolved_run > $2)"
        );
        if !query.include_suppressed {
            sql.push_str(" AND suppression IS NULL");
        }
        // Each `?` of a clause becomes the placeholder of its one value.
        let mut filter = |clause: &str, value: Value| {
            values.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", values.len())));
        };
        if let Some(rule_id) = &query.rule_id {
            filter(" AND rule_id = ?", rule_id.as_str().into());
        }
        if let Some(severity) = query.min_severity {
            filter(" AND severity >= ?", severity_rank(severity).into());
        }
        if let Some(namespace) = &query.namespace {
            filter(" AND namespace = ?", namespace.as_str().into());
        }
        if let Some(kind) = &query.kind {
            filter(" AND kind = ?", kind.as_str().into());
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
            filter(
                " AND (LOWER(message) LIKE ? ESCAPE '\\' OR LOWER(name) LIKE ? ESCAPE '\\' \
                 OR LOWER(title) LIKE ? ESCAPE '\\')",
                like_pattern(text).into(),
            );
        }
        let limit = query
            .limit
            .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
        filter(
            " ORDER BY severity DESC, rule_id, COALESCE(namespace, ''), kind, name, COALESCE(container, ''), id LIMIT ?",
            limit.into(),
        );
        filter(" OFFSET ?", offset.into());
        Ok(self
            .pool
            .fetch_all("reading findings", &sql, &values, stored_finding)
            .await?)
    }

    /// New, fixed and still-open findings from run `from` to run `to` (any two runs; usually
    /// two of one target). `list_still_open` also lists the findings open at both.
    /// Suppressed findings are left out (one that became suppressed counts as fixed).
    pub async fn diff(
        &self,
        from: i64,
        to: i64,
        list_still_open: bool,
    ) -> Result<RunDiff, StoreError> {
        let from_run = self.run(from).await?;
        let to_run = self.run(to).await?;
        if !list_still_open && from_run.target_id == to_run.target_id && from_run.id < to_run.id {
            return self.diff_forward(from_run, to_run).await;
        }
        let all = FindingQuery::default();
        let before = self.open_at(&from_run, &all).await?;
        let after = self.open_at(&to_run, &all).await?;
        let before_prints: std::collections::HashSet<&str> =
            before.iter().map(|f| f.fingerprint.as_str()).collect();
        let after_prints: std::collections::HashSet<&str> =
            after.iter().map(|f| f.fingerprint.as_str()).collect();
        let fixed: Vec<StoredFinding> = before
            .iter()
            .filter(|f| !after_prints.contains(f.fingerprint.as_str()))
            .cloned()
            .collect();
        let mut new = Vec::new();
        let mut still_open = Vec::new();
        let mut still_open_counts = SeverityCounts::default();
        for finding in after {
            if before_prints.contains(finding.fingerprint.as_str()) {
                still_open_counts.add(finding.severity);
                if list_still_open {
                    still_open.push(finding);
                }
            } else {
                new.push(finding);
            }
        }
        Ok(RunDiff {
            from: from_run,
            to: to_run,
            new,
            fixed,
            still_open,
            still_open_counts,
        })
    }

    /// [`Store::diff`] of an earlier and a later run of one target, without the still-open
    /// list: only the episodes that changed between them are read, and the still-open ones
    /// are counted in SQL. A dashboard's target page diffs its last two runs on every view;
    /// reading both runs' open findings in full (two × every open finding) was most of its
    /// time. Same answer as the general path, which the store's tests compare.
    ///
    /// An episode open at `to` that was first seen at or before `from` was open at `from`
    /// too, so only episodes first seen after `from` can be new, and only episodes resolved
    /// by `to` can be fixed; a fingerprint with another episode open at the other run (fixed
    /// and seen again in between) is neither, as in the general path.
    async fn diff_forward(
        &self,
        from_run: RunSummary,
        to_run: RunSummary,
    ) -> Result<RunDiff, StoreError> {
        const OPEN_AT: &str = "target_id = $1 AND first_seen_run <= $R \
             AND (resolved_run IS NULL OR resolved_run > $R) AND suppression IS NULL";
        let open_at = |run: &str| OPEN_AT.replace("$R", run);
        let order = "ORDER BY severity DESC, rule_id, COALESCE(namespace, ''), kind, name, \
                     COALESCE(container, ''), id";
        let values = [
            to_run.target_id.into(),
            from_run.id.into(),
            to_run.id.into(),
        ];
        let new_sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE {} AND first_seen_run > $2 \
             AND fingerprint NOT IN (SELECT fingerprint FROM findings WHERE {}) {order}",
            open_at("$3"),
            open_at("$2"),
        );
        let fixed_sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE {} AND resolved_run <= $3 \
             AND fingerprint NOT IN (SELECT fingerprint FROM findings WHERE {}) {order}",
            open_at("$2"),
            open_at("$3"),
        );
        let counts_sql = format!(
            "SELECT severity, COUNT(*) AS n FROM findings WHERE {} GROUP BY severity",
            open_at("$2")
        );
        let new = self
            .pool
            .fetch_all("reading new findings", &new_sql, &values, stored_finding)
            .await?;
        let fixed = self
            .pool
            .fetch_all(
                "reading fixed findings",
                &fixed_sql,
                &values,
                stored_finding,
            )
            .await?;
        let open_counts = self
            .pool
            .fetch_all(
                "counting open findings",
                &counts_sql,
                &[to_run.target_id.into(), to_run.id.into()],
                |row| Ok((severity_from_rank(row.int("severity")?)?, row.int("n")?)),
            )
            .await?;
        // Open at `to` = new + still open.
        let mut still_open_counts = SeverityCounts::default();
        for (severity, n) in open_counts {
            *still_open_counts.count_mut(severity) = u32::try_from(n).unwrap_or(u32::MAX);
        }
        for finding in &new {
            still_open_counts.remove(finding.severity);
        }
        Ok(RunDiff {
            from: from_run,
            to: to_run,
            new,
            fixed,
            still_open: Vec::new(),
            still_open_counts,
        })
    }

    /// Deletes runs finished before `now - keep_days` (never a target's latest run) and the
    /// finding episodes resolved before the oldest run kept; targets keep their identity.
    pub async fn prune(&self, keep_days: u32, now: Timestamp) -> Result<PruneSummary, StoreError> {
        let cutoff = now
            .checked_sub(jiff::SignedDuration::from_hours(i64::from(keep_days) * 24))
            .map_err(|err| StoreError::Invalid(format!("cannot keep {keep_days} days: {err}")))?;
        let pool = &self.pool;
        let cutoff_ms = millis(cutoff);
        let (runs_deleted, findings_deleted) = write::retrying(|| async move {
            let mut tx = pool.begin_write().await?;
            // Scores and errors go with their runs (ON DELETE CASCADE).
            let runs_deleted = tx
                .execute(
                    "deleting old runs",
                    "DELETE FROM runs WHERE finished_at < $1 AND id <> (SELECT MAX(r2.id) \
                     FROM runs r2 WHERE r2.target_id = runs.target_id)",
                    &[cutoff_ms.into()],
                )
                .await?;
            // An episode resolved at or before a target's oldest kept run was open at none
            // of the kept runs.
            let findings_deleted = tx
                .execute(
                    "deleting old findings",
                    "DELETE FROM findings WHERE resolved_run IS NOT NULL AND resolved_run <= \
                     (SELECT MIN(r.id) FROM runs r WHERE r.target_id = findings.target_id)",
                    &[],
                )
                .await?;
            tx.commit().await?;
            Ok((runs_deleted, findings_deleted))
        })
        .await?;
        Ok(PruneSummary {
            cutoff: Some(cutoff),
            runs_deleted,
            findings_deleted,
        })
    }

    /// Everything, as JSON lines (`{"type":"target",…}`, `{"type":"run",…}`,
    /// `{"type":"finding",…}`), streamed: memory stays bounded by one page of rows.
    pub async fn export(
        &self,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<ExportSummary, StoreError> {
        export::export(&self.pool, out).await
    }
}

/// `a, b` → `p.a, p.b`.
fn prefixed(columns: &str, prefix: &str) -> String {
    columns
        .split(',')
        .map(|column| format!("{prefix}.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `%text%` for a case-insensitive `LIKE`, with `%`, `_` and `\` taken literally.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
