//! Where the store is: `--store [URL]`, else `AKSGUARD_STORE`, else a SQLite file in the
//! user's data directory (XDG).

use std::path::PathBuf;

use crate::StoreError;

/// A store's location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// `sqlite://PATH` (also `sqlite:PATH`); created with its parent directories.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, kept as given (sqlx parses it: host, port,
    /// database, `sslmode`, …).
    Postgres(String),
}

impl StoreLocation {
    /// Parses a URL given by `--store` or `AKSGUARD_STORE`. Anything else (a bare path, a
    /// `mysql://` URL, a typo in the scheme) is an error that says which forms exist: a store
    /// that silently went somewhere else would lose history.
    pub fn parse(text: &str) -> Result<StoreLocation, StoreError> {
        let _ = text;
        todo!("i14-store")
    }

    /// The location a scan uses: `flag` (`--store URL`), else `env` (`AKSGUARD_STORE`), else
    /// the default SQLite file ([`StoreLocation::default_sqlite_path`]). The boolean says the
    /// default was used (the CLI prints the path the first time the file is created).
    pub fn resolve(
        flag: Option<&str>,
        env: Option<&str>,
    ) -> Result<(StoreLocation, bool), StoreError> {
        let _ = (flag, env);
        todo!("i14-store")
    }

    /// `$XDG_DATA_HOME/aksguard/history.sqlite3`, else
    /// `$HOME/.local/share/aksguard/history.sqlite3`; an error when neither is set.
    pub fn default_sqlite_path() -> Result<PathBuf, StoreError> {
        todo!("i14-store")
    }

    /// The location as it may be printed or logged: a PostgreSQL URL with its password (and
    /// any `password=` query parameter) replaced by `***`.
    pub fn redacted(&self) -> String {
        todo!("i14-store")
    }
}
