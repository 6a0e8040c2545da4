//! [`crate::Store::record`]: one run in, in one transaction, writing only what changed.
//!
//! The target's open episodes are loaded into memory (fingerprint → attributes) and
//! compared with the run's findings: a fingerprint not open yet is a new episode, an open
//! one with other attributes is updated in place, an open one missing from the run is
//! resolved (only if its rule judged this run and its file loaded). Unchanged findings are
//! not written at all.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;

use crate::StoreError;
use crate::db::{Engine, Failure, Pool, Tx, Value};
use crate::record::{FindingRecord, RecordedRun, RunRecord, SeverityCounts};
use crate::rows::{millis, severity_from_rank, severity_rank};

/// How often a run is retried after a conflict with a concurrent writer (serialization
/// failure, deadlock, busy database) before the error is returned.
const ATTEMPTS: u32 = 8;

/// Rows per multi-row `INSERT` on SQLite: 500 finding rows bind 8,500 values, well under
/// SQLite's 32,766 (and each full chunk reuses one prepared statement).
const SQLITE_CHUNK: usize = 500;
/// Rows per `UNNEST` insert on PostgreSQL (a few arrays per statement, any length; chunks
/// keep one message bounded).
const POSTGRES_CHUNK: usize = 5_000;

pub(crate) async fn record(pool: &Pool, run: &RunRecord) -> Result<RecordedRun, StoreError> {
    retrying(|| record_once(pool, run))
        .await
        .map_err(|err| match err {
            StoreError::Query(message) => {
                StoreError::Query(format!("recording run {}: {message}", run.uid))
            }
            other => other,
        })
}

/// Runs a write transaction again after a conflict with a concurrent writer, at most
/// [`ATTEMPTS`] times, backing off a little more each time.
pub(crate) async fn retrying<T, F, Fut>(mut attempt_once: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_once().await {
            Ok(value) => return Ok(value),
            Err(failure) if failure.is_retryable() && attempt < ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(5 << attempt.min(6))).await;
            }
            Err(failure) => return Err(failure.into()),
        }
    }
}

/// The attributes of a finding episode that a run can change (everything but the identity).
#[derive(Clone, Debug, PartialEq)]
struct Attributes {
    rule_id: String,
    severity: i64,
    title: String,
    message: String,
    api_version: String,
    kind: String,
    namespace: Option<String>,
    name: String,
    container: Option<String>,
    path: String,
    line: i64,
    remediation: String,
    suppression: Option<String>,
}

impl Attributes {
    fn of(finding: &FindingRecord) -> Attributes {
        Attributes {
            rule_id: finding.rule_id.clone(),
            severity: severity_rank(finding.severity),
            title: finding.title.clone(),
            message: finding.message.clone(),
            api_version: finding.api_version.clone(),
            kind: finding.kind.clone(),
            namespace: finding.namespace.clone(),
            name: finding.name.clone(),
            container: finding.container.clone(),
            path: finding.path.clone(),
            line: i64::from(finding.line),
            remediation: finding.remediation.clone(),
            suppression: finding.suppression.clone(),
        }
    }

    fn count_into(&self, counts: &mut SeverityCounts, suppressed: &mut u32) {
        if self.suppression.is_some() {
            *suppressed += 1;
        } else if let Ok(severity) = severity_from_rank(self.severity) {
            counts.add(severity);
        }
    }
}

struct OpenEpisode {
    id: i64,
    attributes: Attributes,
}

async fn record_once(pool: &Pool, run: &RunRecord) -> Result<RecordedRun, Failure> {
    let mut tx = pool.begin_write().await?;
    let engine = tx.engine();
    let target_id = lock_target(&mut tx, run).await?;

    if let Some(stored) = stored_run(&mut tx, &run.uid).await? {
        // Nothing to write; the transaction rolls back on drop.
        return Ok(stored);
    }

    let previous: Option<(i64, i64)> = tx
        .fetch_optional(
            "reading the target's latest run",
            "SELECT sequence, finished_at FROM runs WHERE target_id = $1 \
             ORDER BY sequence DESC LIMIT 1",
            &[target_id.into()],
            |row| Ok((row.int("sequence")?, row.int("finished_at")?)),
        )
        .await?;
    let sequence = previous.map_or(1, |(sequence, _)| sequence + 1);
    let previous_finished = previous.map(|(_, finished)| finished);

    let open = load_open(&mut tx, target_id).await?;

    // The run's findings by fingerprint (a report listing one fingerprint twice keeps the
    // first: one episode per fingerprint).
    let mut seen: HashMap<&str, &FindingRecord> = HashMap::with_capacity(run.findings.len());
    let mut current: Vec<&FindingRecord> = Vec::with_capacity(run.findings.len());
    for finding in &run.findings {
        if seen.insert(finding.fingerprint.as_str(), finding).is_none() {
            current.push(finding);
        }
    }

    let mut inserts: Vec<&FindingRecord> = Vec::new();
    let mut updates: Vec<(i64, Attributes)> = Vec::new();
    let mut counts = SeverityCounts::default();
    let mut suppressed = 0u32;
    for finding in &current {
        let attributes = Attributes::of(finding);
        attributes.count_into(&mut counts, &mut suppressed);
        match open.get(finding.fingerprint.as_str()) {
            None => inserts.push(finding),
            Some(episode) if episode.attributes != attributes => {
                updates.push((episode.id, attributes));
            }
            Some(_) => {}
        }
    }

    let judged: HashSet<&str> = run.rules_judged.iter().map(String::as_str).collect();
    let failed_paths: HashSet<&str> = run.errors.iter().map(|e| e.path.as_str()).collect();
    let mut resolutions: Vec<i64> = Vec::new();
    for (fingerprint, episode) in &open {
        if seen.contains_key(fingerprint.as_str()) {
            continue;
        }
        let rule_ran = judged.contains(episode.attributes.rule_id.as_str());
        let file_loaded = !path_failed(&episode.attributes.path, &failed_paths);
        if rule_ran && file_loaded {
            resolutions.push(episode.id);
        } else {
            // Not judged this run: still open, and still counted as open at this run.
            episode.attributes.count_into(&mut counts, &mut suppressed);
        }
    }
    resolutions.sort_unstable();

    let finished = millis(run.finished_at);
    let run_id = insert_run(
        &mut tx,
        run,
        target_id,
        sequence,
        counts,
        suppressed,
        [inserts.len(), resolutions.len(), updates.len()],
    )
    .await?;
    insert_frameworks(&mut tx, run, run_id).await?;
    insert_errors(&mut tx, run, run_id).await?;
    insert_vulnerabilities_and_paths(&mut tx, run, run_id).await?;
    match engine {
        Engine::Sqlite => {
            insert_findings_sqlite(&mut tx, target_id, run_id, finished, &inserts).await?
        }
        Engine::Postgres => {
            insert_findings_postgres(&mut tx, target_id, run_id, finished, &inserts).await?
        }
    }
    resolve(&mut tx, run_id, finished, previous_finished, &resolutions).await?;
    for (id, attributes) in &updates {
        update_episode(&mut tx, *id, attributes).await?;
    }
    tx.commit().await?;

    Ok(RecordedRun {
        run_id,
        target_id,
        sequence,
        new: to_u32(inserts.len()),
        resolved: to_u32(resolutions.len()),
        changed: to_u32(updates.len()),
        duplicate: false,
    })
}

/// Whether a loading error of this run covers `path`: an error on the path itself or on
/// anything above it. A live scan reports a kind it could not list as an error on
/// `cluster://<context>`, an Azure read as one on `azure://…`, an unreadable directory as
/// one on the directory; none of the findings below such an error can be taken as fixed.
fn path_failed(path: &str, failed: &HashSet<&str>) -> bool {
    if failed.is_empty() {
        return false;
    }
    if failed.contains(path) || failed.contains("") {
        return true;
    }
    path.match_indices('/')
        .any(|(i, _)| failed.contains(&path[..i]) || failed.contains(&path[..=i]))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Creates the target on first use and locks its row: from here until commit this writer
/// is the only one of this target (PostgreSQL: `FOR UPDATE`; SQLite: the whole database is
/// already locked by `BEGIN IMMEDIATE`). The name and kind follow the latest run.
async fn lock_target(tx: &mut Tx, run: &RunRecord) -> Result<i64, Failure> {
    let target = &run.target;
    let sql = match tx.engine() {
        Engine::Sqlite => "SELECT id, kind, name FROM targets WHERE key = $1",
        Engine::Postgres => "SELECT id, kind, name FROM targets WHERE key = $1 FOR UPDATE",
    };
    let lock =
        |row: &dyn crate::db::StoreRow| Ok((row.int("id")?, row.text("kind")?, row.text("name")?));
    // Usually the target exists: one statement. A new one is inserted (a concurrent writer
    // inserting the same key makes this a no-op that waits for it) and then locked.
    let mut found = tx
        .fetch_optional(
            "locking the target",
            sql,
            &[target.key.as_str().into()],
            lock,
        )
        .await?;
    if found.is_none() {
        tx.execute(
            "creating the target",
            "INSERT INTO targets (kind, key, name, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO NOTHING",
            &[
                target.kind.as_str().into(),
                target.key.as_str().into(),
                target.name.as_str().into(),
                millis(Timestamp::now()).into(),
            ],
        )
        .await?;
        found = tx
            .fetch_optional(
                "locking the target",
                sql,
                &[target.key.as_str().into()],
                lock,
            )
            .await?;
    }
    let (id, kind, name) = found.ok_or_else(|| {
        Failure::Store(StoreError::Query(format!(
            "the target `{}` vanished while recording a run",
            target.key
        )))
    })?;
    if kind != target.kind.as_str() || name != target.name {
        tx.execute(
            "renaming the target",
            "UPDATE targets SET kind = $1, name = $2 WHERE id = $3",
            &[
                target.kind.as_str().into(),
                target.name.as_str().into(),
                id.into(),
            ],
        )
        .await?;
    }
    Ok(id)
}

/// The run already stored under `uid`, as a duplicate.
async fn stored_run(tx: &mut Tx, uid: &str) -> Result<Option<RecordedRun>, Failure> {
    tx.fetch_optional(
        "looking up the run's uid",
        "SELECT id, target_id, sequence, new_count, resolved_count, changed_count \
         FROM runs WHERE uid = $1",
        &[uid.into()],
        |row| {
            let count = |column: &str| -> Result<u32, StoreError> {
                Ok(u32::try_from(row.int(column)?).unwrap_or(u32::MAX))
            };
            Ok(RecordedRun {
                run_id: row.int("id")?,
                target_id: row.int("target_id")?,
                sequence: row.int("sequence")?,
                new: count("new_count")?,
                resolved: count("resolved_count")?,
                changed: count("changed_count")?,
                duplicate: true,
            })
        },
    )
    .await
}

async fn load_open(tx: &mut Tx, target_id: i64) -> Result<HashMap<String, OpenEpisode>, Failure> {
    let rows = tx
        .fetch_all(
            "loading the target's open findings",
            "SELECT id, fingerprint, rule_id, severity, title, message, api_version, kind, \
             namespace, name, container, path, line, remediation, suppression \
             FROM findings WHERE target_id = $1 AND resolved_run IS NULL",
            &[target_id.into()],
            |row| {
                Ok((
                    row.text("fingerprint")?,
                    OpenEpisode {
                        id: row.int("id")?,
                        attributes: Attributes {
                            rule_id: row.text("rule_id")?,
                            severity: row.int("severity")?,
                            title: row.text("title")?,
                            message: row.text("message")?,
                            api_version: row.text("api_version")?,
                            kind: row.text("kind")?,
                            namespace: row.opt_text("namespace")?,
                            name: row.text("name")?,
                            container: row.opt_text("container")?,
                            path: row.text("path")?,
                            line: row.int("line")?,
                            remediation: row.text("remediation")?,
                            suppression: row.opt_text("suppression")?,
                        },
                    },
                ))
            },
        )
        .await?;
    Ok(rows.into_iter().collect())
}

async fn insert_run(
    tx: &mut Tx,
    run: &RunRecord,
    target_id: i64,
    sequence: i64,
    counts: SeverityCounts,
    suppressed: u32,
    [new, resolved, changed]: [usize; 3],
) -> Result<i64, Failure> {
    let int = |n: usize| Value::from(i64::try_from(n).unwrap_or(i64::MAX));
    let values = [
        target_id.into(),
        sequence.into(),
        run.uid.as_str().into(),
        millis(run.started_at).into(),
        millis(run.finished_at).into(),
        millis(Timestamp::now()).into(),
        run.tool_version.as_str().into(),
        run.ruleset_hash.as_str().into(),
        run.commit.as_deref().into(),
        i64::try_from(run.files).unwrap_or(i64::MAX).into(),
        i64::try_from(run.objects).unwrap_or(i64::MAX).into(),
        i64::from(counts.critical).into(),
        i64::from(counts.high).into(),
        i64::from(counts.medium).into(),
        i64::from(counts.low).into(),
        i64::from(counts.info).into(),
        i64::from(suppressed).into(),
        int(run.errors.len()),
        int(new),
        int(resolved),
        int(changed),
    ];
    tx.fetch_optional(
        "inserting the run",
        "INSERT INTO runs (target_id, sequence, uid, started_at, finished_at, recorded_at, \
         tool_version, ruleset_hash, commit_id, files, objects, critical, high, medium, low, \
         info, suppressed, errors, new_count, resolved_count, changed_count) VALUES ($1, $2, \
         $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         RETURNING id",
        &values,
        |row| row.int("id"),
    )
    .await?
    .ok_or_else(|| Failure::Store(StoreError::Query("inserting the run returned no id".into())))
}

/// `($1, $2, …), (…), …` for `rows` rows of `columns` placeholders starting after `offset`.
/// `(?, ?, …), (?, …)`: `rows` rows of `columns` anonymous SQLite parameters.
fn anonymous_rows(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

fn placeholders(rows: usize, columns: usize, offset: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(offset + row * columns + column + 1).to_string());
        }
        out.push(')');
    }
    out
}

async fn insert_frameworks(tx: &mut Tx, run: &RunRecord, run_id: i64) -> Result<(), Failure> {
    for chunk in run.frameworks.chunks(SQLITE_CHUNK) {
        let mut values = Vec::with_capacity(chunk.len() * 7);
        for score in chunk {
            values.extend([
                run_id.into(),
                score.framework.as_str().into(),
                score.score.into(),
                i64::from(score.assessed).into(),
                i64::from(score.controls).into(),
                i64::from(score.passed).into(),
                i64::from(score.failed).into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO run_frameworks (run_id, framework, score, assessed, controls, passed, \
             failed) VALUES {}",
            placeholders(chunk.len(), 7, 0)
        );
        tx.execute("storing the framework scores", &sql, &values)
            .await?;
    }
    Ok(())
}

async fn insert_errors(tx: &mut Tx, run: &RunRecord, run_id: i64) -> Result<(), Failure> {
    for chunk in run.errors.chunks(SQLITE_CHUNK) {
        let mut values = Vec::with_capacity(chunk.len() * 4);
        for error in chunk {
            values.extend([
                run_id.into(),
                error.path.as_str().into(),
                error.line.map(i64::from).into(),
                error.message.as_str().into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO run_errors (run_id, path, line, message) VALUES {}",
            placeholders(chunk.len(), 4, 0)
        );
        tx.execute("storing the run's errors", &sql, &values)
            .await?;
    }
    Ok(())
}

/// `run_vulnerabilities`, `run_attack_paths` and `run_top_paths` (schema version 3), when
/// the run has them.
async fn insert_vulnerabilities_and_paths(
    tx: &mut Tx,
    run: &RunRecord,
    run_id: i64,
) -> Result<(), Failure> {
    if let Some(v) = &run.vulnerabilities {
        let values: Vec<Value> = [
            v.reports,
            v.images,
            v.critical,
            v.high,
            v.medium,
            v.low,
            v.fixable,
            v.containers,
        ]
        .into_iter()
        .map(|n| i64::from(n).into())
        .collect();
        let mut all = vec![run_id.into()];
        all.extend(values);
        let sql = format!(
            "INSERT INTO run_vulnerabilities (run_id, reports, images, critical, high, medium, \
             low, fixable, containers) VALUES {}",
            placeholders(1, 9, 0)
        );
        tx.execute("storing the run's vulnerabilities", &sql, &all)
            .await?;
    }
    if let Some(paths) = &run.attack_paths {
        let sql = format!(
            "INSERT INTO run_attack_paths (run_id, total) VALUES {}",
            placeholders(1, 2, 0)
        );
        tx.execute(
            "storing the run's attack paths",
            &sql,
            &[run_id.into(), i64::from(paths.total).into()],
        )
        .await?;
        let top = &paths.top[..paths.top.len().min(crate::record::AttackPaths::TOP)];
        if !top.is_empty() {
            let mut values = Vec::with_capacity(top.len() * 4);
            for (rank, path) in top.iter().enumerate() {
                values.extend([
                    run_id.into(),
                    (rank as i64 + 1).into(),
                    path.risk.into(),
                    path.chain.as_str().into(),
                ]);
            }
            let sql = format!(
                "INSERT INTO run_top_paths (run_id, rank, risk, chain) VALUES {}",
                placeholders(top.len(), 4, 0)
            );
            tx.execute("storing the run's top attack paths", &sql, &values)
                .await?;
        }
    }
    Ok(())
}

const FINDING_INSERT_COLUMNS: &str = "target_id, first_seen_run, first_seen_at, fingerprint, \
     rule_id, severity, title, message, api_version, kind, namespace, name, container, path, \
     line, remediation, suppression";

async fn insert_findings_sqlite(
    tx: &mut Tx,
    target_id: i64,
    run_id: i64,
    finished: i64,
    inserts: &[&FindingRecord],
) -> Result<(), Failure> {
    // Anonymous `?` parameters: SQLite looks each `$N` name up in a list while it compiles
    // the statement, which makes a 500-row `$N` insert quadratic (measured 60x slower than
    // `?`). So the three values shared by every row are bound again on each row.
    for chunk in inserts.chunks(SQLITE_CHUNK) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 17);
        let rows = anonymous_rows(chunk.len(), 17);
        for finding in chunk {
            values.extend([target_id.into(), run_id.into(), finished.into()]);
            values.extend([
                finding.fingerprint.as_str().into(),
                finding.rule_id.as_str().into(),
                severity_rank(finding.severity).into(),
                finding.title.as_str().into(),
                finding.message.as_str().into(),
                finding.api_version.as_str().into(),
                finding.kind.as_str().into(),
                finding.namespace.as_deref().into(),
                finding.name.as_str().into(),
                finding.container.as_deref().into(),
                finding.path.as_str().into(),
                i64::from(finding.line).into(),
                finding.remediation.as_str().into(),
                finding.suppression.as_deref().into(),
            ]);
        }
        let sql = format!("INSERT INTO findings ({FINDING_INSERT_COLUMNS}) VALUES {rows}");
        tx.execute("storing new findings", &sql, &values).await?;
    }
    Ok(())
}

async fn insert_findings_postgres(
    tx: &mut Tx,
    target_id: i64,
    run_id: i64,
    finished: i64,
    inserts: &[&FindingRecord],
) -> Result<(), Failure> {
    for chunk in inserts.chunks(POSTGRES_CHUNK) {
        let texts = |get: fn(&FindingRecord) -> &str| -> Value {
            Value::TextArray(chunk.iter().map(|f| get(f).to_string()).collect())
        };
        let optional = |get: fn(&FindingRecord) -> Option<&str>| -> Value {
            Value::OptTextArray(chunk.iter().map(|f| get(f).map(str::to_string)).collect())
        };
        let values = [
            target_id.into(),
            run_id.into(),
            finished.into(),
            texts(|f| &f.fingerprint),
            texts(|f| &f.rule_id),
            Value::IntArray(chunk.iter().map(|f| severity_rank(f.severity)).collect()),
            texts(|f| &f.title),
            texts(|f| &f.message),
            texts(|f| &f.api_version),
            texts(|f| &f.kind),
            optional(|f| f.namespace.as_deref()),
            texts(|f| &f.name),
            optional(|f| f.container.as_deref()),
            texts(|f| &f.path),
            Value::IntArray(chunk.iter().map(|f| i64::from(f.line)).collect()),
            texts(|f| &f.remediation),
            optional(|f| f.suppression.as_deref()),
        ];
        let sql = format!(
            "INSERT INTO findings ({FINDING_INSERT_COLUMNS}) \
             SELECT $1, $2, $3, u.* FROM UNNEST($4::text[], $5::text[], $6::bigint[], \
             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
             $13::text[], $14::text[], $15::bigint[], $16::text[], $17::text[]) AS u"
        );
        tx.execute("storing new findings", &sql, &values).await?;
    }
    Ok(())
}

async fn resolve(
    tx: &mut Tx,
    run_id: i64,
    finished: i64,
    previous_finished: Option<i64>,
    ids: &[i64],
) -> Result<(), Failure> {
    if ids.is_empty() {
        return Ok(());
    }
    match tx.engine() {
        Engine::Sqlite => {
            for chunk in ids.chunks(SQLITE_CHUNK) {
                // `?` parameters, as in `insert_findings_sqlite` (named ones compile in
                // quadratic time).
                let mut values: Vec<Value> =
                    vec![run_id.into(), finished.into(), previous_finished.into()];
                values.extend(chunk.iter().map(|&id| Value::from(id)));
                let list = vec!["?"; chunk.len()].join(", ");
                let sql = format!(
                    "UPDATE findings SET resolved_run = ?, resolved_at = ?, last_seen_at = ? \
                     WHERE id IN ({list})"
                );
                tx.execute("resolving findings", &sql, &values).await?;
            }
        }
        Engine::Postgres => {
            for chunk in ids.chunks(POSTGRES_CHUNK) {
                tx.execute(
                    "resolving findings",
                    "UPDATE findings SET resolved_run = $1, resolved_at = $2, last_seen_at = $3 \
                     WHERE id = ANY($4)",
                    &[
                        run_id.into(),
                        finished.into(),
                        previous_finished.into(),
                        Value::IntArray(chunk.to_vec()),
                    ],
                )
                .await?;
            }
        }
    }
    Ok(())
}

async fn update_episode(tx: &mut Tx, id: i64, attributes: &Attributes) -> Result<(), Failure> {
    let a = attributes;
    tx.execute(
        "updating a changed finding",
        "UPDATE findings SET rule_id = $1, severity = $2, title = $3, message = $4, \
         api_version = $5, kind = $6, namespace = $7, name = $8, container = $9, path = $10, \
         line = $11, remediation = $12, suppression = $13 WHERE id = $14",
        &[
            a.rule_id.as_str().into(),
            a.severity.into(),
            a.title.as_str().into(),
            a.message.as_str().into(),
            a.api_version.as_str().into(),
            a.kind.as_str().into(),
            a.namespace.as_deref().into(),
            a.name.as_str().into(),
            a.container.as_deref().into(),
            a.path.as_str().into(),
            a.line.into(),
            a.remediation.as_str().into(),
            a.suppression.as_deref().into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::path_failed;

    #[test]
    fn an_error_covers_its_path_and_everything_below_it() {
        let failed: HashSet<&str> = ["k8s/broken.yaml", "cluster://prod", "azure://", "charts"]
            .into_iter()
            .collect();
        for covered in [
            "k8s/broken.yaml",
            "cluster://prod/default/Deployment/web",
            "cluster://prod/ClusterRole/admin",
            "azure:///subscriptions/x/resourceGroups/rg",
            "charts/shop/templates/api.yaml",
        ] {
            assert!(path_failed(covered, &failed), "{covered}");
        }
        for not_covered in [
            "k8s/web.yaml",
            "k8s/broken.yaml.bak",
            "cluster://production/default/Deployment/web",
            "chartsold/x.yaml",
            "manifests.yaml",
        ] {
            assert!(!path_failed(not_covered, &failed), "{not_covered}");
        }
        assert!(!path_failed("k8s/web.yaml", &HashSet::new()));
    }
}
