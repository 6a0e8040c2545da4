//! aksguard-fakekube: a local Kubernetes API server for tests and benchmarks. It serves a set
//! of objects as a cluster holds them ([`Cluster`] → [`Declared`] → [`Store`]) with the real
//! protocol: discovery (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/{g}`, `/apis/{g}/{v}`),
//! lists with `limit` and opaque `continue` tokens, gets, and kube-apiserver's `Status` bodies for
//! failures. [`Faults`] injects 403, 410, 429 (with `Retry-After`), 401, stalls and malformed
//! pages. It listens on loopback over TLS (a fresh rcgen CA) or plain HTTP, with bearer-token
//! authentication, and writes a kubeconfig for its clients.
//!
//! As the real server does, items of built-in kinds in a list carry no `apiVersion`/`kind`
//! (the list's `kind` names them); custom resources keep theirs.

pub mod apply;
pub mod catalog;
pub mod cluster;
pub mod faults;
pub mod generate;
pub mod server;
pub mod status;
pub mod store;
pub mod tls;

pub use cluster::{Cluster, Declared, Skipped};
pub use faults::{Expire, Faults, Malformed, Stall, Throttle};
pub use server::{Logged, Options, Running, start};
pub use store::{Store, StoreOptions};

/// Installs aws-lc-rs as the process's rustls provider (the workspace's one provider), for
/// clients in the same process.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// A server running on its own thread with its own runtime, for synchronous callers (tests
/// that run the CLI as a process). Dropping it stops the server.
pub struct Background {
    running: Option<Running>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Background {
    /// Starts `store` with `options` on a two-thread runtime.
    pub fn start(store: Store, options: Options) -> Result<Background, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        let running = runtime.block_on(start(store, options))?;
        Ok(Background {
            running: Some(running),
            runtime: Some(runtime),
        })
    }

    pub fn running(&self) -> &Running {
        self.running.as_ref().expect("running until dropped")
    }
}

impl std::ops::Deref for Background {
    type Target = Running;
    fn deref(&self) -> &Running {
        self.running()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let (Some(running), Some(runtime)) = (self.running.take(), self.runtime.take()) {
            runtime.block_on(async {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), running.shutdown())
                    .await;
            });
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        }
    }
}
