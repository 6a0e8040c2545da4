//! `aksguard-fakekube`: serve manifests as a local Kubernetes API server (for tests and the
//! live-scan benchmark), or generate a synthetic cluster's manifests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use aksguard_fakekube::{Cluster, Faults, Options, Store, StoreOptions};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "aksguard-fakekube",
    about = "A local Kubernetes API server for tests and benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the objects of YAML/JSON manifests (files or folders) until interrupted.
    Serve {
        /// Manifests to serve (files or folders, read recursively).
        #[arg(long = "objects", required = true)]
        objects: Vec<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// Plain HTTP instead of HTTPS.
        #[arg(long)]
        plain: bool,
        /// File holding the bearer token clients must send (none: every request accepted).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Write a kubeconfig for this server here.
        #[arg(long)]
        kubeconfig: Option<PathBuf>,
        /// The kubeconfig's context name.
        #[arg(long, default_value = "fakekube")]
        context: String,
        /// Faults to inject: a JSON file, or TOML when it ends in `.toml`.
        #[arg(long)]
        faults: Option<PathBuf>,
        /// Do not make the controllers' objects (ReplicaSets, Jobs, Pods).
        #[arg(long)]
        no_owned: bool,
        /// Serve wgpolicyk8s.io PolicyReports and accept their server-side apply.
        #[arg(long)]
        policy_reports: bool,
    },
    /// Write a synthetic cluster of N declared objects as YAML files.
    Generate {
        #[arg(long)]
        objects: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("aksguard-fakekube: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Generate { objects, out } => {
            let files = aksguard_fakekube::generate::write_cluster(&out, objects)?;
            println!(
                "wrote {objects} objects in {files} files under {}",
                out.display()
            );
            Ok(())
        }
        Command::Serve {
            objects,
            listen,
            plain,
            token_file,
            kubeconfig,
            context,
            faults,
            no_owned,
            policy_reports,
        } => {
            let mut cluster = Cluster::new();
            for path in &objects {
                cluster.load_path(path)?;
            }
            let declared = cluster.finish();
            let store = Store::build(
                &declared,
                StoreOptions {
                    owned_objects: !no_owned,
                },
            );
            let token = match token_file {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                        .trim()
                        .to_owned(),
                ),
                None => None,
            };
            let faults = match faults {
                Some(path) => Faults::from_file(&path)?,
                None => Faults::default(),
            };
            let options = Options {
                listen,
                tls: !plain,
                token,
                faults,
                policy_reports,
                ..Options::default()
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start a runtime: {e}"))?;
            runtime.block_on(async move {
                let declared_count = declared.objects.len();
                let stored = store.len();
                let running = aksguard_fakekube::start(store, options).await?;
                if let Some(path) = &kubeconfig {
                    running.write_kubeconfig(path, &context)?;
                }
                println!(
                    "serving {stored} objects ({declared_count} declared, {} skipped, {} duplicates) at {}",
                    declared.skipped.len(),
                    declared.duplicates.len(),
                    running.url()
                );
                wait_for_signal().await;
                running.shutdown().await;
                Ok(())
            })
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
