//! Where the store is: `--store [URL]`, else `AKSGUARD_STORE`, else a SQLite file in the
//! user's data directory (XDG).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::StoreError;

/// A store's location. `Debug` shows [`StoreLocation::redacted`]: a location that ends up
/// in a log or a panic message never carries a password.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// `sqlite://PATH` (also `sqlite:PATH`); created with its parent directories.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, kept as given (sqlx parses it: host, port,
    /// database, `sslmode`, …).
    Postgres(String),
}

const FORMS: &str = "use sqlite://PATH (a file, created if missing) or \
                     postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE";

impl StoreLocation {
    /// Parses a URL given by `--store` or `AKSGUARD_STORE`. Anything else (a bare path, a
    /// `mysql://` URL, a typo in the scheme) is an error that says which forms exist: a store
    /// that silently went somewhere else would lose history.
    pub fn parse(text: &str) -> Result<StoreLocation, StoreError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(StoreError::InvalidLocation(format!(
                "the store URL is empty; {FORMS}"
            )));
        }
        if let Some(rest) = strip_scheme(trimmed, "sqlite") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(StoreError::InvalidLocation(format!(
                    "the store URL `{trimmed}` names no file; {FORMS}"
                )));
            }
            if path == ":memory:" || path.contains('?') {
                // An in-memory store keeps no history; sqlx's `?mode=…` options would make
                // the same file open differently from one scan to the next.
                return Err(StoreError::InvalidLocation(format!(
                    "the store URL `{trimmed}` is not a file path (no `:memory:`, no `?options`); \
                     {FORMS}"
                )));
            }
            return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
        }
        if strip_scheme(trimmed, "postgres").is_some()
            || strip_scheme(trimmed, "postgresql").is_some()
        {
            let location = StoreLocation::Postgres(trimmed.to_string());
            let after_scheme = &trimmed[trimmed.find(':').map_or(0, |i| i + 1)..];
            if !after_scheme.starts_with("//") {
                return Err(StoreError::InvalidLocation(format!(
                    "the store URL `{}` is not a PostgreSQL URL; {FORMS}",
                    location.redacted()
                )));
            }
            // sqlx's own parser decides what it accepts (host, port, sslmode, …); its message
            // is not shown, as it may quote the URL with its password.
            if PgConnectOptions::from_str(trimmed).is_err() {
                return Err(StoreError::InvalidLocation(format!(
                    "the store URL `{}` is not a valid PostgreSQL URL (check the host, the port \
                     and percent-encoding of special characters); {FORMS}",
                    location.redacted()
                )));
            }
            return Ok(location);
        }
        Err(StoreError::InvalidLocation(format!(
            "`{}` is not a store URL; {FORMS}",
            redact_url(trimmed)
        )))
    }

    /// The location a scan uses: `flag` (`--store URL`), else `env` (`AKSGUARD_STORE`), else
    /// the default SQLite file ([`StoreLocation::default_sqlite_path`]). The boolean says the
    /// default was used (the CLI prints the path the first time the file is created).
    pub fn resolve(
        flag: Option<&str>,
        env: Option<&str>,
    ) -> Result<(StoreLocation, bool), StoreError> {
        if let Some(flag) = flag {
            return Ok((StoreLocation::parse(flag)?, false));
        }
        if let Some(env) = env {
            if env.trim().is_empty() {
                return Err(StoreError::InvalidLocation(format!(
                    "AKSGUARD_STORE is set but empty; unset it for the default store or {FORMS}"
                )));
            }
            return StoreLocation::parse(env)
                .map(|location| (location, false))
                .map_err(|err| StoreError::InvalidLocation(format!("AKSGUARD_STORE: {err}")));
        }
        Ok((
            StoreLocation::Sqlite(StoreLocation::default_sqlite_path()?),
            true,
        ))
    }

    /// `$XDG_DATA_HOME/aksguard/history.sqlite3`, else
    /// `$HOME/.local/share/aksguard/history.sqlite3`; an error when neither is set.
    pub fn default_sqlite_path() -> Result<PathBuf, StoreError> {
        default_sqlite_path_from(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
    }

    /// The location as it may be printed or logged: a PostgreSQL URL with its password (and
    /// any `password=` query parameter) replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => format!("sqlite://{}", path.display()),
            StoreLocation::Postgres(url) => redact_url(url),
        }
    }
}

impl std::fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            StoreLocation::Postgres(_) => {
                f.debug_tuple("Postgres").field(&self.redacted()).finish()
            }
        }
    }
}

/// `text` without `scheme:` (case-insensitive), if it starts with it.
fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    let (head, rest) = text.split_at_checked(scheme.len())?;
    if head.eq_ignore_ascii_case(scheme) {
        rest.strip_prefix(':')
    } else {
        None
    }
}

/// The XDG rule: `XDG_DATA_HOME` only when absolute (the specification says to ignore a
/// relative one), else `HOME/.local/share`.
fn default_sqlite_path_from(
    xdg_data_home: Option<OsString>,
    home: Option<OsString>,
) -> Result<PathBuf, StoreError> {
    let base = match xdg_data_home.filter(|dir| Path::new(dir).is_absolute()) {
        Some(dir) => PathBuf::from(dir),
        None => match home.filter(|dir| !dir.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local").join("share"),
            None => {
                return Err(StoreError::InvalidLocation(format!(
                    "no default store: neither XDG_DATA_HOME nor HOME is set; pass --store or \
                     set AKSGUARD_STORE ({FORMS})"
                )));
            }
        },
    };
    Ok(base.join("aksguard").join("history.sqlite3"))
}

/// `text` with the password of its `user:password@` part and the value of any `password=`
/// query parameter replaced by `***`. Works on anything URL-like, so an error about a
/// malformed URL can quote it safely.
pub(crate) fn redact_url(text: &str) -> String {
    let (base, query) = match text.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (text, None),
    };
    let mut out = String::with_capacity(text.len());
    match base.find("://") {
        Some(scheme_end) => {
            let authority_start = scheme_end + 3;
            let authority_end = base[authority_start..]
                .find('/')
                .map_or(base.len(), |i| authority_start + i);
            let authority = &base[authority_start..authority_end];
            out.push_str(&base[..authority_start]);
            match authority.rfind('@') {
                Some(at) => {
                    let userinfo = &authority[..at];
                    match userinfo.split_once(':') {
                        Some((user, _password)) => {
                            out.push_str(user);
                            out.push_str(":***");
                        }
                        None => out.push_str(userinfo),
                    }
                    out.push_str(&authority[at..]);
                }
                None => out.push_str(authority),
            }
            out.push_str(&base[authority_end..]);
        }
        None => out.push_str(base),
    }
    if let Some(query) = query {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|part| match part.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => part.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> String {
        match StoreLocation::parse(text) {
            Err(StoreError::InvalidLocation(message)) => message,
            other => panic!("{text}: expected InvalidLocation, got {other:?}"),
        }
    }

    #[test]
    fn sqlite_urls_name_a_file() {
        assert_eq!(
            StoreLocation::parse("sqlite:///var/lib/aksguard/h.db").unwrap(),
            StoreLocation::Sqlite(PathBuf::from("/var/lib/aksguard/h.db"))
        );
        assert_eq!(
            StoreLocation::parse("sqlite:relative/h.db").unwrap(),
            StoreLocation::Sqlite(PathBuf::from("relative/h.db"))
        );
        assert_eq!(
            StoreLocation::parse("SQLITE://h.db").unwrap(),
            StoreLocation::Sqlite(PathBuf::from("h.db"))
        );
    }

    #[test]
    fn postgres_urls_are_kept_as_given() {
        for url in [
            "postgres://scanner@db.example:5432/aksguard",
            "postgresql://scanner:s3cret@10.0.0.4/aksguard?sslmode=require",
        ] {
            assert_eq!(
                StoreLocation::parse(url).unwrap(),
                StoreLocation::Postgres(url.to_string())
            );
        }
    }

    #[test]
    fn anything_else_is_an_error_naming_the_forms() {
        for text in [
            "",
            "   ",
            "/tmp/history.db",
            "mysql://root@localhost/db",
            "postgress://u@h/db",
            "sqlite://",
            "sqlite::memory:",
            "sqlite://h.db?mode=ro",
            "postgres:nohost",
        ] {
            let message = invalid(text);
            assert!(
                message.contains("sqlite://PATH") && message.contains("postgres://"),
                "{text}: {message}"
            );
        }
        assert!(invalid("postgres://u@host:notaport/db").contains("port"));
    }

    #[test]
    fn errors_never_quote_a_password() {
        for text in [
            "postgress://admin:hunter2@db/aksguard",
            "postgres://admin:hunter2@host:99999999/db",
            "mysql://admin:hunter2@db/x?password=hunter2",
        ] {
            let message = invalid(text);
            assert!(!message.contains("hunter2"), "{message}");
            assert!(message.contains("***"), "{message}");
        }
    }

    #[test]
    fn redacted_hides_passwords_only() {
        let location = StoreLocation::parse(
            "postgres://admin:p%40ss:w@db.example:5432/aksguard?sslmode=require&password=x2",
        )
        .unwrap();
        assert_eq!(
            location.redacted(),
            "postgres://admin:***@db.example:5432/aksguard?sslmode=require&password=***"
        );
        assert!(!format!("{location:?}").contains("p%40ss"));
        let plain = StoreLocation::Postgres("postgres://scanner@db/aksguard".into());
        assert_eq!(plain.redacted(), "postgres://scanner@db/aksguard");
        let file = StoreLocation::Sqlite(PathBuf::from("/data/h.sqlite3"));
        assert_eq!(file.redacted(), "sqlite:///data/h.sqlite3");
    }

    #[test]
    fn resolve_prefers_the_flag_then_the_environment_then_the_default() {
        let (location, default) =
            StoreLocation::resolve(Some("sqlite://flag.db"), Some("sqlite://env.db")).unwrap();
        assert_eq!(location, StoreLocation::Sqlite("flag.db".into()));
        assert!(!default);
        let (location, default) = StoreLocation::resolve(None, Some("sqlite://env.db")).unwrap();
        assert_eq!(location, StoreLocation::Sqlite("env.db".into()));
        assert!(!default);
        let message = StoreLocation::resolve(None, Some("bogus"))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("AKSGUARD_STORE: "), "{message}");
        let message = StoreLocation::resolve(None, Some(""))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("AKSGUARD_STORE is set but empty"),
            "{message}"
        );
        assert!(StoreLocation::resolve(Some(""), None).is_err());
    }

    #[test]
    fn default_path_follows_xdg() {
        assert_eq!(
            default_sqlite_path_from(Some("/xdg".into()), Some("/home/u".into())).unwrap(),
            PathBuf::from("/xdg/aksguard/history.sqlite3")
        );
        // A relative XDG_DATA_HOME is ignored, as the specification says.
        assert_eq!(
            default_sqlite_path_from(Some("rel".into()), Some("/home/u".into())).unwrap(),
            PathBuf::from("/home/u/.local/share/aksguard/history.sqlite3")
        );
        assert_eq!(
            default_sqlite_path_from(None, Some("/home/u".into())).unwrap(),
            PathBuf::from("/home/u/.local/share/aksguard/history.sqlite3")
        );
        let message = default_sqlite_path_from(None, None)
            .unwrap_err()
            .to_string();
        assert!(message.contains("XDG_DATA_HOME") && message.contains("--store"));
    }
}
