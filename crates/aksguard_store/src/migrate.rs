//! The schema's versions: the same numbered, forward-only migrations on both engines
//! (`migrations/sqlite`, `migrations/postgres`), compiled into the binary and applied by
//! sqlx's migrator when a store is opened.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};

use crate::db::Engine;

/// (version, description, SQLite text, PostgreSQL text). Append only: a version's text never
/// changes once released (sqlx checks each applied migration's checksum).
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../migrations/sqlite/0001_initial.sql"),
        include_str!("../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "read indexes",
        include_str!("../migrations/sqlite/0002_read_indexes.sql"),
        include_str!("../migrations/postgres/0002_read_indexes.sql"),
    ),
    (
        3,
        "vulnerabilities and attack paths",
        include_str!("../migrations/sqlite/0003_vulnerabilities_and_paths.sql"),
        include_str!("../migrations/postgres/0003_vulnerabilities_and_paths.sql"),
    ),
];

/// The newest schema version this build knows.
pub(crate) fn newest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Every version, oldest first (the migration tests walk them).
#[cfg(feature = "test-support")]
pub(crate) fn versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|m| m.0).collect()
}

/// The migrator for `engine`, up to and including `up_to` (all versions when `None`).
pub(crate) fn migrator(engine: Engine, up_to: Option<i64>) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .filter(|m| up_to.is_none_or(|up_to| m.0 <= up_to))
        .map(|&(version, description, sqlite, postgres)| {
            let sql = match engine {
                Engine::Sqlite => sqlite,
                Engine::Postgres => postgres,
            };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                AssertSqlSafe(sql).into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}
