//! Scratch stores for tests (feature `test-support`), so every store test runs on both
//! engines.
//!
//! - [`Scratch::sqlite`]: a SQLite file in a temporary directory (removed on drop).
//! - [`Scratch::postgres`]: a fresh database on the PostgreSQL of
//!   `AKSGUARD_TEST_POSTGRES_URL` (an admin URL, e.g. the one `.ci/run` starts on loopback),
//!   dropped on drop. `None` with a message on stderr when the variable is unset; a panic
//!   when `AKSGUARD_REQUIRE_POSTGRES=1` (CI), so a missing server fails instead of skipping.
//! - [`Scratch::all`]: both (SQLite only where PostgreSQL is absent and not required).

use crate::StoreLocation;

pub struct Scratch {
    location: StoreLocation,
}

impl Scratch {
    pub fn sqlite() -> Scratch {
        todo!("i14-store")
    }

    pub fn postgres() -> Option<Scratch> {
        todo!("i14-store")
    }

    pub fn all() -> Vec<Scratch> {
        todo!("i14-store")
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
