//! `aksguard store prune|export|info`: the history store's upkeep.

use std::io::Write;

use jiff::Timestamp;
use serde_json::json;

use crate::cli::{FrameworksFormat, StoreCommand, StoreExportArgs, StoreInfoArgs, StorePruneArgs};
use crate::commands::history::to_json;
use crate::commands::history_format::time;
use crate::commands::store_access::{self, failed};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(command: &StoreCommand) -> u8 {
    let done = match command {
        StoreCommand::Prune(args) => prune(args),
        StoreCommand::Export(args) => export(args),
        StoreCommand::Info(args) => info(args),
    };
    match done {
        Ok(()) => EXIT_CLEAN,
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_ERROR
        }
    }
}

fn prune(args: &StorePruneArgs) -> Result<(), String> {
    let location = store_access::resolve(args.store.store.as_deref())?.location;
    let summary = store_access::block_on(async {
        let store = store_access::open(&location).await?;
        store
            .prune(args.keep_days, Timestamp::now())
            .await
            .map_err(|e| failed(&location, &e))
    })?;
    let cutoff = summary
        .cutoff
        .map(|at| format!(" (finished before {} UTC)", time(at)))
        .unwrap_or_default();
    println!(
        "pruned {} run(s){cutoff} and {} resolved finding(s) from {}; each target's latest run \
         is kept",
        summary.runs_deleted,
        summary.findings_deleted,
        location.redacted()
    );
    Ok(())
}

fn export(args: &StoreExportArgs) -> Result<(), String> {
    let location = store_access::resolve(args.store.store.as_deref())?.location;
    let summary = store_access::block_on(async {
        let store = store_access::open(&location).await?;
        let write_error = |err: std::io::Error| match &args.output {
            Some(path) => format!("cannot write {}: {err}", path.display()),
            None => format!("cannot write the export: {err}"),
        };
        let mut out: Box<dyn Write + Send> = match &args.output {
            Some(path) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(path).map_err(write_error)?,
            )),
            None => Box::new(std::io::BufWriter::new(std::io::stdout())),
        };
        let summary = store
            .export(&mut out)
            .await
            .map_err(|e| failed(&location, &e))?;
        out.flush().map_err(write_error)?;
        Ok(summary)
    })?;
    eprintln!(
        "note: exported {} target(s), {} run(s) and {} finding(s) from {}",
        summary.targets,
        summary.runs,
        summary.findings,
        location.redacted()
    );
    Ok(())
}

fn info(args: &StoreInfoArgs) -> Result<(), String> {
    let location = store_access::resolve(args.store.store.as_deref())?.location;
    let (schema, fleet) = store_access::block_on(async {
        let store = store_access::open(&location).await?;
        let schema = store
            .schema_version()
            .await
            .map_err(|e| failed(&location, &e))?;
        let fleet = store
            .fleet_counts(1)
            .await
            .map_err(|e| failed(&location, &e))?;
        Ok((schema, fleet))
    })?;
    let runs: u64 = fleet.iter().map(|entry| entry.target.runs).sum();
    let open: u64 = fleet
        .iter()
        .filter_map(|entry| entry.latest.as_ref())
        .map(|run| u64::from(run.counts.total()))
        .sum();
    let last = fleet
        .iter()
        .filter_map(|entry| entry.target.last_run_at)
        .max();
    match args.format {
        FrameworksFormat::Json => print!(
            "{}",
            to_json(&json!({
                "location": location.redacted(),
                "engine": engine(&location),
                "schema_version": schema,
                "targets": fleet.len(),
                "runs": runs,
                "open_findings": open,
                "last_run_at": last,
            }))
        ),
        FrameworksFormat::Text => {
            println!("location:       {}", location.redacted());
            println!("engine:         {}", engine(&location));
            println!("schema version: {schema}");
            println!("targets:        {}", fleet.len());
            println!("runs:           {runs}");
            println!("open findings:  {open} (at each target's latest run)");
            println!(
                "last run:       {}",
                last.map(|at| format!("{} UTC", time(at)))
                    .unwrap_or_else(|| "-".into())
            );
        }
    }
    Ok(())
}

fn engine(location: &aksguard_store::StoreLocation) -> &'static str {
    match location {
        aksguard_store::StoreLocation::Sqlite(_) => "sqlite",
        aksguard_store::StoreLocation::Postgres(_) => "postgres",
    }
}
