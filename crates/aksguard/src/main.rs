//! The `aksguard` binary: argument parsing and dispatch only; the work lives in the library
//! crates.

mod cli;
mod commands;
mod progress;
mod signal;

use std::process::ExitCode;

use clap::Parser;

// Scans allocate millions of small tree nodes from several threads; mimalloc does that about
// a third faster than glibc malloc and returns memory to the system more promptly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    aksguard_load::yaml::quiet_fallback_panics();
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Scan(args) => commands::scan::run(&args),
        cli::Command::Rules(args) => commands::rules::run(&args),
        cli::Command::Rule(args) => commands::rule::run(&args),
        cli::Command::Frameworks(args) => commands::frameworks::run(&args),
        cli::Command::WhoCan(args) => commands::who_can::run(&args),
        cli::Command::ExplainSource(args) => commands::explain_source::run(&args),
        cli::Command::Config(args) => commands::config::run(&args),
        cli::Command::Webhook(args) => commands::webhook::run(&args),
        cli::Command::Serve(args) => commands::serve::run(&args),
        cli::Command::Export(cli::ExportCommand::Vap(args)) => commands::export::run_vap(&args),
        cli::Command::History(args) => commands::history::run(&args),
        cli::Command::Diff(args) => commands::diff::run(&args),
        cli::Command::Store(command) => commands::store::run(&command),
        cli::Command::Fix(args) => commands::fix::run(&args),
        cli::Command::Policy(cli::PolicyCommand::Test(args)) => commands::policy::run_test(&args),
        cli::Command::Paths(args) => commands::paths::run(&args),
    };
    ExitCode::from(code)
}
