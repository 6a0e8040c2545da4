//! What can go wrong with a store, said so the user knows where and what to do.

/// A store error. Messages name the store by [`crate::StoreLocation::redacted`] (never a
/// password) and say what failed.
#[derive(Debug)]
pub enum StoreError {
    /// `--store`/`AKSGUARD_STORE` is not a store URL we understand.
    InvalidLocation(String),
    /// The store could not be opened, created or migrated.
    Open(String),
    /// The database holds a schema newer than this aksguard knows (forward-only: an older
    /// binary never writes into a newer schema).
    SchemaTooNew { found: i64, known: i64 },
    /// A query failed (the message names the operation).
    Query(String),
    /// A run, target or finding the caller named does not exist.
    NotFound(String),
    /// The caller asked for something that cannot be answered (two runs of a diff with no
    /// run before the first, a target name matching several targets, …).
    Invalid(String),
    /// Writing the export failed.
    Io(std::io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::InvalidLocation(message)
            | StoreError::Open(message)
            | StoreError::Query(message)
            | StoreError::NotFound(message)
            | StoreError::Invalid(message) => f.write_str(message),
            StoreError::SchemaTooNew { found, known } => write!(
                f,
                "the store's schema is version {found}, newer than this aksguard knows ({known}); \
                 use a newer aksguard"
            ),
            StoreError::Io(err) => write!(f, "cannot write the export: {err}"),
        }
    }
}

impl std::error::Error for StoreError {}
