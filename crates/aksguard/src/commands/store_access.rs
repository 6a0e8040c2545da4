//! What every history command shares: where the store is, opening it on a small runtime, and
//! choosing a target. Errors are the messages the commands print (they name the store by its
//! redacted location, never a password).

use aksguard_store::{Store, StoreError, StoreLocation, TargetInfo};
use tokio::runtime::Runtime;

/// The environment variable naming the store when `--store` gives no URL.
pub const STORE_VAR: &str = "AKSGUARD_STORE";

/// A store location and whether it is the default file (its creation is announced).
pub struct Resolved {
    pub location: StoreLocation,
    pub is_default: bool,
}

/// `flag` (`--store=URL`; empty = no URL), else `AKSGUARD_STORE` (set but empty is an
/// error: fail closed), else the default SQLite file.
pub fn resolve(flag: Option<&str>) -> Result<Resolved, String> {
    let flag = flag.filter(|text| !text.is_empty());
    let env = std::env::var(STORE_VAR).ok();
    // The store's own messages name AKSGUARD_STORE and the default file's variables.
    let (location, is_default) =
        StoreLocation::resolve(flag, env.as_deref()).map_err(|err| match flag {
            Some(_) => format!("--store: {err}"),
            None => err.to_string(),
        })?;
    Ok(Resolved {
        location,
        is_default,
    })
}

/// A runtime for the store's async API: one thread is all a command needs.
pub fn runtime() -> Result<Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the store's runtime: {err}"))
}

/// Opens (and migrates) the store; the error names its redacted location.
pub async fn open(location: &StoreLocation) -> Result<Store, String> {
    Store::open(location)
        .await
        .map_err(|err| failed(location, &err))
}

/// `history store <location>: <what failed>` (the location once: most of the store's
/// messages already name it).
pub fn failed(location: &StoreLocation, err: &StoreError) -> String {
    let message = err.to_string();
    let redacted = location.redacted();
    if message.contains(&redacted) {
        message
    } else {
        format!("history store {redacted}: {message}")
    }
}

/// The target `selector` names, or the store's only target when there is no selector.
/// Several targets and no selector is an error listing them (fail closed: never guess).
pub async fn choose_target(store: &Store, selector: Option<&str>) -> Result<TargetInfo, String> {
    let location = store.location();
    if let Some(selector) = selector {
        return store
            .target(selector)
            .await
            .map_err(|err| failed(location, &err));
    }
    let targets = store
        .targets()
        .await
        .map_err(|err| failed(location, &err))?;
    match targets.len() {
        0 => Err(format!(
            "history store {} holds no runs yet (record one with `aksguard scan … --store`)",
            location.redacted()
        )),
        1 => Ok(targets.into_iter().next().expect("one target")),
        n => {
            let listed: Vec<String> = targets
                .iter()
                .map(|t| format!("  {} ({}, {} run(s)): {}", t.name, t.id, t.runs, t.key))
                .collect();
            Err(format!(
                "history store {} holds {n} targets; choose one with --target (ID, name or \
                 key):\n{}",
                location.redacted(),
                listed.join("\n")
            ))
        }
    }
}

/// Blocks on `work` with a fresh runtime; every failure is a printable message.
pub fn block_on<T>(
    work: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    runtime()?.block_on(work)
}
