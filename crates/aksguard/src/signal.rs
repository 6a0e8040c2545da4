//! The process's stop signals, shared by the long-running commands (`serve`, `webhook`):
//! signals belong to the process, so the binary owns them and the servers are handed the
//! wait as a future.

/// Waits for SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C); the signal's name.
/// The handlers are installed when the future is first polled, so a server that awaits it
/// after binding still leaves the default action in place while it starts.
pub async fn stop_signal() -> Result<&'static str, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term =
            signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            result = tokio::signal::ctrl_c() => result.map(|()| "SIGINT").map_err(|e| e.to_string()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .map(|()| "SIGINT")
            .map_err(|e| e.to_string())
    }
}
