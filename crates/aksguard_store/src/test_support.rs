//! Scratch stores for tests (feature `test-support`), so every store test runs on both
//! engines.
//!
//! - [`Scratch::sqlite`]: a SQLite file in a temporary directory (removed on drop).
//! - [`Scratch::postgres`]: a fresh database on the PostgreSQL of
//!   `AKSGUARD_TEST_POSTGRES_URL` (an admin URL, e.g. the one `.ci/run` starts on loopback),
//!   dropped on drop. `None` with a message on stderr when the variable is unset; a panic
//!   when `AKSGUARD_REQUIRE_POSTGRES=1` (CI), so a missing server fails instead of skipping.
//! - [`Scratch::all`]: both (SQLite only where PostgreSQL is absent and not required).
//!
//! Locally: `.ci/postgres.sh start` prints the admin URL (first line) and the cluster's
//! directory (second line, for `.ci/postgres.sh stop DIR`).

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

use crate::{StoreError, StoreLocation};

/// The admin URL of the PostgreSQL the tests may create databases on.
pub const POSTGRES_URL_VAR: &str = "AKSGUARD_TEST_POSTGRES_URL";
/// Set to `1` where PostgreSQL must be there (CI): its absence fails the test.
pub const REQUIRE_POSTGRES_VAR: &str = "AKSGUARD_REQUIRE_POSTGRES";

pub struct Scratch {
    location: StoreLocation,
    /// Keeps the SQLite file's directory until the scratch store is dropped.
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database to drop: (admin URL, database name).
    database: Option<(String, String)>,
}

impl Scratch {
    pub fn sqlite() -> Scratch {
        let dir = tempfile::tempdir().expect("creating a temporary directory for a SQLite store");
        // A directory that does not exist yet: opening must create it.
        let path = dir.path().join("store").join("history.sqlite3");
        Scratch {
            location: StoreLocation::Sqlite(path),
            _dir: Some(dir),
            database: None,
        }
    }

    pub fn postgres() -> Option<Scratch> {
        let required = std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1");
        let admin = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                assert!(
                    !required,
                    "{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set \
                     (start one with `.ci/postgres.sh start`)"
                );
                eprintln!(
                    "skipping the PostgreSQL half of this test: {POSTGRES_URL_VAR} is not set \
                     (`.ci/postgres.sh start` prints one)"
                );
                return None;
            }
        };
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "aksguard_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let url = with_database(&admin, &name);
        let create = format!("CREATE DATABASE {name}");
        if let Err(err) = on_admin(&admin, create) {
            let redacted = StoreLocation::Postgres(admin.clone()).redacted();
            panic!("cannot create a scratch database on {redacted}: {err}");
        }
        Some(Scratch {
            location: StoreLocation::Postgres(url),
            _dir: None,
            database: Some((admin, name)),
        })
    }

    pub fn all() -> Vec<Scratch> {
        let mut all = vec![Scratch::sqlite()];
        all.extend(Scratch::postgres());
        all
    }

    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// `sqlite` or `postgres`, for test messages.
    pub fn engine(&self) -> &'static str {
        match self.location {
            StoreLocation::Sqlite(_) => "sqlite",
            StoreLocation::Postgres(_) => "postgres",
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.database.take() {
            // FORCE ends the test's own pool connections, still open if its Store lives on.
            if let Err(err) = on_admin(
                &admin,
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ) {
                eprintln!("could not drop the scratch database {name}: {err}");
            }
        }
    }
}

/// Runs one statement on the admin database. Drop cannot be async and tests may already be
/// inside a runtime, so it runs on a thread of its own with its own small runtime.
fn on_admin(admin: &str, statement: String) -> Result<(), String> {
    let admin = admin.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| err.to_string())?;
        runtime.block_on(async move {
            let connecting = PgConnection::connect(&admin);
            let mut conn = tokio::time::timeout(std::time::Duration::from_secs(10), connecting)
                .await
                .map_err(|_| "no answer within 10s".to_string())?
                .map_err(|err| err.to_string())?;
            conn.execute(AssertSqlSafe(statement))
                .await
                .map_err(|err| err.to_string())?;
            conn.close().await.map_err(|err| err.to_string())
        })
    })
    .join()
    .map_err(|_| "the admin thread panicked".to_string())?
}

/// `url` with its database (the path) replaced by `database`, query kept.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The schema versions this build knows, oldest first (for migration tests).
pub fn schema_versions() -> Vec<i64> {
    crate::migrate::versions()
}

/// Creates or migrates the store at `location` to schema `version` only (not the newest),
/// so a test can write data as an older aksguard would and then open it with
/// [`crate::Store::open`].
pub async fn migrate_to(location: &StoreLocation, version: i64) -> Result<(), StoreError> {
    let pool = crate::open::connect(location).await?;
    crate::open::migrate(&pool, location, Some(version)).await?;
    pool.close().await;
    Ok(())
}

/// Runs SQL on the store at `location` (test data written as an older version would, or a
/// schema "from the future"). Statements separated by `;` run in order.
pub async fn execute_raw(location: &StoreLocation, sql: &str) -> Result<(), StoreError> {
    let pool = crate::open::connect(location).await?;
    let result = pool.execute_script(sql).await;
    pool.close().await;
    result.map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    #[test]
    fn with_database_replaces_the_path_only() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}
