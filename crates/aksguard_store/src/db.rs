//! One small surface over the two engines: a pool, a transaction, bound values and rows.
//! The store's SQL is written once with `$1, $2, …` placeholders, which both SQLite and
//! PostgreSQL accept; only bulk writes and locking differ by engine (see `write.rs`).
//!
//! Every SQL text passed here is built from constants of this crate (plus placeholders);
//! values are always bound, never spliced into the text.

use sqlx::postgres::{PgArguments, PgPool, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{AssertSqlSafe, Postgres, Row, Sqlite, Transaction};

use crate::StoreError;

/// A connection pool of either engine.
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The engine a statement runs on, for the few places where SQL differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// A value bound to a placeholder. Arrays exist on PostgreSQL only (`UNNEST`, `= ANY`).
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Real(f64),
    IntArray(Vec<i64>),
    TextArray(Vec<String>),
    OptTextArray(Vec<Option<String>>),
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Value {
        Value::Int(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(Some(value.to_string()))
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(Some(value))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Value {
        Value::Text(value)
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Value {
        Value::Text(value.map(str::to_string))
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Value {
        Value::Real(value)
    }
}

/// A result row of either engine, read by column name.
pub(crate) trait StoreRow {
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn real(&self, column: &str) -> Result<f64, StoreError>;
}

macro_rules! impl_store_row {
    ($row:ty) => {
        impl StoreRow for $row {
            fn int(&self, column: &str) -> Result<i64, StoreError> {
                self.try_get(column)
                    .map_err(|err| column_error(column, err))
            }
            fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
                self.try_get(column)
                    .map_err(|err| column_error(column, err))
            }
            fn text(&self, column: &str) -> Result<String, StoreError> {
                self.try_get(column)
                    .map_err(|err| column_error(column, err))
            }
            fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
                self.try_get(column)
                    .map_err(|err| column_error(column, err))
            }
            fn real(&self, column: &str) -> Result<f64, StoreError> {
                self.try_get(column)
                    .map_err(|err| column_error(column, err))
            }
        }
    };
}

impl_store_row!(SqliteRow);
impl_store_row!(PgRow);

fn column_error(column: &str, err: sqlx::Error) -> StoreError {
    StoreError::Query(format!("reading column `{column}`: {err}"))
}

/// A failure inside the store: a database error (kept whole, so a writer can tell a
/// serialization failure or a busy database, which it retries, from anything else) or a
/// store error already said.
#[derive(Debug)]
pub(crate) enum Failure {
    Db { operation: String, err: sqlx::Error },
    Store(StoreError),
}

impl Failure {
    pub(crate) fn db(operation: &str, err: sqlx::Error) -> Failure {
        Failure::Db {
            operation: operation.to_string(),
            err,
        }
    }

    /// A conflict with a concurrent writer that the same transaction, run again, gets past:
    /// PostgreSQL serialization failures, deadlocks and unique violations (two writers
    /// racing on a new target or a retried `uid`), SQLite's busy and locked results.
    pub(crate) fn is_retryable(&self) -> bool {
        let Failure::Db {
            err: sqlx::Error::Database(db),
            ..
        } = self
        else {
            return false;
        };
        let Some(code) = db.code() else {
            return false;
        };
        match db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
            // Extended result codes: the primary code is the low byte (5 BUSY, 6 LOCKED).
            Some(_) => code
                .parse::<i32>()
                .is_ok_and(|code| matches!(code & 0xff, 5 | 6)),
            None => matches!(&*code, "40001" | "40P01" | "23505"),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Failure {
        Failure::Store(err)
    }
}

impl From<Failure> for StoreError {
    fn from(failure: Failure) -> StoreError {
        match failure {
            Failure::Db { operation, err } => StoreError::Query(format!("{operation}: {err}")),
            Failure::Store(err) => err,
        }
    }
}

type SqliteQuery = Query<'static, Sqlite, SqliteArguments>;
type PgQuery = Query<'static, Postgres, PgArguments>;

fn sqlite_query(sql: &str, values: &[Value]) -> Result<SqliteQuery, Failure> {
    let mut query = sqlx::query(AssertSqlSafe(sql.to_string()));
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.clone()),
            Value::Real(v) => query.bind(*v),
            Value::IntArray(_) | Value::TextArray(_) | Value::OptTextArray(_) => {
                return Err(Failure::Store(StoreError::Query(
                    "internal error: an array bound on SQLite".to_string(),
                )));
            }
        };
    }
    Ok(query)
}

fn pg_query(sql: &str, values: &[Value]) -> PgQuery {
    let mut query = sqlx::query(AssertSqlSafe(sql.to_string()));
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.clone()),
            Value::Real(v) => query.bind(*v),
            Value::IntArray(v) => query.bind(v.clone()),
            Value::TextArray(v) => query.bind(v.clone()),
            Value::OptTextArray(v) => query.bind(v.clone()),
        };
    }
    query
}

fn map_rows<R: StoreRow, T>(
    rows: Vec<R>,
    map: impl Fn(&dyn StoreRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, Failure> {
    rows.iter()
        .map(|row| map(row as &dyn StoreRow).map_err(Failure::Store))
        .collect()
}

impl Pool {
    #[cfg(feature = "test-support")]
    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// Runs several `;`-separated statements without binding anything (test support).
    #[cfg_attr(not(feature = "test-support"), allow(dead_code))]
    pub(crate) async fn execute_script(&self, sql: &str) -> Result<(), Failure> {
        let script = sqlx::raw_sql(AssertSqlSafe(sql.to_string()));
        match self {
            Pool::Sqlite(pool) => script.execute(pool).await.map(drop),
            Pool::Postgres(pool) => script.execute(pool).await.map(drop),
        }
        .map_err(|err| Failure::db("running a script", err))
    }

    pub(crate) fn engine(&self) -> Engine {
        match self {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    pub(crate) async fn fetch_all<T>(
        &self,
        operation: &str,
        sql: &str,
        values: &[Value],
        map: impl Fn(&dyn StoreRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, Failure> {
        match self {
            Pool::Sqlite(pool) => {
                let rows = sqlite_query(sql, values)?
                    .fetch_all(pool)
                    .await
                    .map_err(|err| Failure::db(operation, err))?;
                map_rows(rows, map)
            }
            Pool::Postgres(pool) => {
                let rows = pg_query(sql, values)
                    .fetch_all(pool)
                    .await
                    .map_err(|err| Failure::db(operation, err))?;
                map_rows(rows, map)
            }
        }
    }

    pub(crate) async fn fetch_optional<T>(
        &self,
        operation: &str,
        sql: &str,
        values: &[Value],
        map: impl Fn(&dyn StoreRow) -> Result<T, StoreError>,
    ) -> Result<Option<T>, Failure> {
        let mut rows = self.fetch_all(operation, sql, values, map).await?;
        Ok(if rows.is_empty() {
            None
        } else {
            Some(rows.swap_remove(0))
        })
    }

    /// A write transaction. On SQLite `BEGIN IMMEDIATE` takes the write lock at once (a
    /// deferred transaction that reads first and writes later can fail with SQLITE_BUSY
    /// that waiting does not fix); on PostgreSQL the writer locks what it writes.
    pub(crate) async fn begin_write(&self) -> Result<Tx, Failure> {
        match self {
            Pool::Sqlite(pool) => Ok(Tx::Sqlite(
                pool.begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|err| Failure::db("starting a write transaction", err))?,
            )),
            Pool::Postgres(pool) => {
                Ok(Tx::Postgres(pool.begin().await.map_err(|err| {
                    Failure::db("starting a write transaction", err)
                })?))
            }
        }
    }
}

/// A transaction of either engine; dropped without [`Tx::commit`] it rolls back.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    pub(crate) async fn fetch_all<T>(
        &mut self,
        operation: &str,
        sql: &str,
        values: &[Value],
        map: impl Fn(&dyn StoreRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, Failure> {
        match self {
            Tx::Sqlite(tx) => {
                let rows = sqlite_query(sql, values)?
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(|err| Failure::db(operation, err))?;
                map_rows(rows, map)
            }
            Tx::Postgres(tx) => {
                let rows = pg_query(sql, values)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(|err| Failure::db(operation, err))?;
                map_rows(rows, map)
            }
        }
    }

    pub(crate) async fn fetch_optional<T>(
        &mut self,
        operation: &str,
        sql: &str,
        values: &[Value],
        map: impl Fn(&dyn StoreRow) -> Result<T, StoreError>,
    ) -> Result<Option<T>, Failure> {
        let mut rows = self.fetch_all(operation, sql, values, map).await?;
        Ok(if rows.is_empty() {
            None
        } else {
            Some(rows.swap_remove(0))
        })
    }

    pub(crate) async fn execute(
        &mut self,
        operation: &str,
        sql: &str,
        values: &[Value],
    ) -> Result<u64, Failure> {
        match self {
            Tx::Sqlite(tx) => Ok(sqlite_query(sql, values)?
                .execute(&mut **tx)
                .await
                .map_err(|err| Failure::db(operation, err))?
                .rows_affected()),
            Tx::Postgres(tx) => Ok(pg_query(sql, values)
                .execute(&mut **tx)
                .await
                .map_err(|err| Failure::db(operation, err))?
                .rows_affected()),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), Failure> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
        .map_err(|err| Failure::db("committing the run", err))
    }
}
