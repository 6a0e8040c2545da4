//! The `aksguard` binary: argument parsing and dispatch only; the work lives in the library
//! crates.

mod cli;
mod commands;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Scan(args) => commands::scan::run(&args),
        cli::Command::Rules(args) => commands::rules::run(&args),
        cli::Command::Rule(args) => commands::rule::run(&args),
        cli::Command::Frameworks(args) => commands::frameworks::run(&args),
        cli::Command::WhoCan(args) => commands::who_can::run(&args),
        cli::Command::Config(args) => commands::config::run(&args),
    };
    ExitCode::from(code)
}
