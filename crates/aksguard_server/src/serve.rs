//! Listening: the address policy, plain HTTP or TLS, the bounds, and a graceful stop on
//! SIGTERM (Kubernetes) or Ctrl-C: no new connections, requests in flight finish within
//! the grace period.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aksguard_store::Store;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::task::JoinHandle;

use crate::auth::{Auth, Token};
use crate::limits::Limits;
use crate::security::check_listen;
use crate::tls::TlsFiles;
use crate::{AppState, Protection, app};

/// How `aksguard serve` runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub token: Option<Token>,
    /// Serve beyond loopback without a token (a proxy in front authenticates).
    pub no_auth: bool,
    pub tls: Option<TlsFiles>,
    pub stale_after_days: u32,
    pub limits: Limits,
    /// How long a stop waits for requests in flight.
    pub grace: Duration,
    /// How long a client may take to send its request headers.
    pub header_read_timeout: Duration,
}

impl ServeOptions {
    pub fn new(listen: SocketAddr) -> ServeOptions {
        ServeOptions {
            listen,
            token: None,
            no_auth: false,
            tls: None,
            stale_after_days: 7,
            limits: Limits::default(),
            grace: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// A started server.
pub struct Running {
    /// Where it listens (the port chosen when `listen` had port 0).
    pub addr: SocketAddr,
    pub tls: bool,
    handle: Handle<SocketAddr>,
    server: JoinHandle<std::io::Result<()>>,
    grace: Duration,
}

impl Running {
    /// `http://ADDR` or `https://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops taking connections and lets requests in flight finish (up to the grace period).
    pub async fn shutdown(self) -> Result<(), String> {
        tracing::info!(
            connections = self.handle.connection_count(),
            "shutting down: finishing requests in flight"
        );
        self.handle.graceful_shutdown(Some(self.grace));
        match self.server.await {
            Ok(Ok(())) => {
                tracing::info!("stopped");
                Ok(())
            }
            Ok(Err(e)) => Err(format!("server error: {e}")),
            Err(e) => Err(format!("server task failed: {e}")),
        }
    }
}

/// Checks the listen policy, loads the certificate, binds and starts serving `store`.
/// Errors are the message to show (and exit 2).
pub async fn start(options: ServeOptions, store: Store) -> Result<Running, String> {
    check_listen(options.listen, options.token.as_ref(), options.no_auth)?;
    let tls = options.tls.as_ref().map(TlsFiles::load).transpose()?;
    let auth = match &options.token {
        Some(token) => Some(Arc::new(Auth::new(token.clone(), tls.is_some())?)),
        None => None,
    };
    let state = AppState {
        store,
        stale_after_days: options.stale_after_days,
    };
    let app = app(
        state,
        Protection {
            auth,
            limits: options.limits,
        },
    );
    let listener = std::net::TcpListener::bind(options.listen)
        .map_err(|e| format!("--listen {}: cannot bind: {e}", options.listen))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("--listen {}: {e}", options.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let handle = Handle::new();
    let service = app.into_make_service();
    let server = match tls {
        Some(config) => {
            let mut server =
                axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(config))
                    .map_err(|e| format!("--listen {addr}: {e}"))?;
            // A client that never finishes its headers does not hold a connection forever.
            server
                .http_builder()
                .http1()
                .header_read_timeout(options.header_read_timeout);
            tokio::spawn(server.handle(handle.clone()).serve(service))
        }
        None => {
            let mut server =
                axum_server::from_tcp(listener).map_err(|e| format!("--listen {addr}: {e}"))?;
            server
                .http_builder()
                .http1()
                .header_read_timeout(options.header_read_timeout);
            tokio::spawn(server.handle(handle.clone()).serve(service))
        }
    };
    let running = Running {
        addr,
        tls: options.tls.is_some(),
        handle,
        server,
        grace: options.grace,
    };
    tracing::info!(
        url = %running.url(),
        token = options.token.is_some(),
        "serving the scan history on {}",
        running.url()
    );
    Ok(running)
}

/// Serves on its own runtime until `signal` resolves (the binary passes its wait for
/// SIGTERM or Ctrl-C, which yields the signal's name), then stops gracefully. `open` runs
/// first on that runtime (opening the store).
pub fn serve_until_signal<F, S>(options: ServeOptions, open: F, signal: S) -> Result<(), String>
where
    F: std::future::Future<Output = Result<Store, String>>,
    S: std::future::Future<Output = Result<&'static str, String>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        // The address policy first: a refused --listen should not wait on the store.
        check_listen(options.listen, options.token.as_ref(), options.no_auth)?;
        let store = open.await?;
        let running = start(options, store).await?;
        let signal = signal.await?;
        tracing::info!(signal, "signal received");
        running.shutdown().await
    })
}

/// Logs as text lines on stderr, info and above.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in a collected log.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
