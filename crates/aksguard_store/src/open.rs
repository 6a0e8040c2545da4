//! Opening a store: connect (creating a SQLite file and its directory), refuse a schema
//! newer than ours, migrate when behind (only then: a read-only role opens a current store).

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::db::{Engine, Failure, Pool};
use crate::migrate;
use crate::{StoreError, StoreLocation};

/// How long a writer waits for SQLite's write lock before it gives up (then retries).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening waits for a connection: a PostgreSQL server that is down or unreachable
/// fails within this, naming the store.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Pool sizes. SQLite has one writer at a time anyway (WAL lets readers run beside it);
/// PostgreSQL's default server allows 100 connections, shared by the whole fleet.
const SQLITE_CONNECTIONS: u32 = 4;
/// How often opening a SQLite store retries a migration another process raced it to.
const SQLITE_MIGRATE_ATTEMPTS: u32 = 5;
const POSTGRES_CONNECTIONS: u32 = 8;

/// Connects without migrating.
pub(crate) async fn connect(location: &StoreLocation) -> Result<Pool, StoreError> {
    let cannot = |err: &dyn std::fmt::Display| {
        StoreError::Open(format!(
            "cannot open the store {}: {err}",
            location.redacted()
        ))
    };
    match location {
        StoreLocation::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|err| cannot(&format!("cannot create {}: {err}", parent.display())))?;
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(SQLITE_CONNECTIONS)
                .acquire_timeout(SQLITE_BUSY_TIMEOUT + CONNECT_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(|err| cannot(&err))?;
            Ok(Pool::Sqlite(pool))
        }
        StoreLocation::Postgres(url) => {
            // sqlx's parse error may quote the URL: say only that it is invalid.
            let options = PgConnectOptions::from_str(url)
                .map_err(|_| cannot(&"not a valid PostgreSQL URL"))?
                .application_name("aksguard");
            // One connection first, bounded: a server that is down (refused) or unreachable
            // (no answer) fails at once with its own reason, instead of the pool retrying
            // until its timeout and reporting only that it timed out.
            let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
                .await
                .map_err(|_| cannot(&format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())))?
                .map_err(|err| cannot(&err))?;
            let _ = probe.close().await;
            let pool = PgPoolOptions::new()
                .max_connections(POSTGRES_CONNECTIONS)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_lazy_with(options);
            Ok(Pool::Postgres(pool))
        }
    }
}

/// The newest migration applied, or 0 for an empty database.
pub(crate) async fn applied_version(pool: &Pool) -> Result<i64, Failure> {
    let exists_sql = match pool.engine() {
        Engine::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
             AND name = '_sqlx_migrations'"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = current_schema() \
             AND tablename = '_sqlx_migrations'"
        }
    };
    let exists = pool
        .fetch_optional("reading the schema version", exists_sql, &[], |row| {
            row.int("n")
        })
        .await?
        .unwrap_or(0);
    if exists == 0 {
        return Ok(0);
    }
    Ok(pool
        .fetch_optional(
            "reading the schema version",
            "SELECT MAX(version) AS v FROM _sqlx_migrations WHERE success",
            &[],
            |row| row.opt_int("v"),
        )
        .await?
        .flatten()
        .unwrap_or(0))
}

/// Refuses a newer schema, then applies our migrations up to `up_to` (all when `None`).
pub(crate) async fn migrate(
    pool: &Pool,
    location: &StoreLocation,
    up_to: Option<i64>,
) -> Result<(), StoreError> {
    let known = migrate::newest_version();
    let found = applied_version(pool).await.map_err(|failure| {
        StoreError::Open(format!(
            "cannot read the schema version of the store {}: {}",
            location.redacted(),
            StoreError::from(failure)
        ))
    })?;
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    // Already there: touch nothing. Running the migrator anyway would create its table and
    // take its lock, which a read-only role (a dashboard's) is not allowed to do.
    if found >= up_to.unwrap_or(known) {
        return Ok(());
    }
    let migrator = migrate::migrator(pool.engine(), up_to);
    let result = match pool {
        // PostgreSQL: sqlx holds an advisory lock while migrating, so concurrent openers
        // take turns.
        Pool::Postgres(pool) => migrator.run(pool).await,
        // SQLite: sqlx takes no lock, so two scans opening a new file at once can both try
        // a migration; the loser's transaction fails ("table already exists") and rolls
        // back. Run again: the winner's versions are then applied and skipped.
        Pool::Sqlite(sqlite) => {
            let mut attempt = 0;
            loop {
                attempt += 1;
                match migrator.run(sqlite).await {
                    Err(_) if attempt < SQLITE_MIGRATE_ATTEMPTS => {
                        tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
                    }
                    result => break result,
                }
            }
        }
    };
    result.map_err(|err| {
        StoreError::Open(format!(
            "cannot migrate the store {} to schema version {}: {err}",
            location.redacted(),
            up_to.unwrap_or(known)
        ))
    })
}
