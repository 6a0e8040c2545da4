//! Which cluster, and with which credentials: `--kubeconfig FILE`, else `KUBECONFIG`, else
//! `~/.kube/config`, with `--context NAME` or the current context; with no kubeconfig at all,
//! the pod's service account (in-cluster). The context's name is what findings name
//! (`cluster://<context>/…`); in a pod it is `in-cluster`.

use std::path::Path;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// The context name of the in-cluster configuration.
pub const IN_CLUSTER: &str = "in-cluster";

/// A client for the chosen cluster.
pub struct Connection {
    pub client: Client,
    pub context: String,
    /// The API server's URL, for messages (it holds no credential).
    pub server: String,
}

/// Connects as the request says. Errors name the file or context and never carry credentials
/// (kube's kubeconfig errors name paths and fields, not values).
pub async fn connect(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
    request_timeout: Duration,
) -> Result<Connection, String> {
    let (mut config, context) = choose_config(kubeconfig, context).await?;
    // Each request gets our own timeout, retries and 429 handling: kube's retry layer would
    // retry out of sight, without Retry-After.
    config.default_retry = false;
    // Our per-request timeout fires first and says what timed out; kube's is only a backstop.
    config.read_timeout = Some(request_timeout + Duration::from_secs(5));
    config.connect_timeout = Some(request_timeout.min(Duration::from_secs(30)));
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config)
        .map_err(|e| format!("cannot build a client for context `{context}` ({server}): {e}"))?;
    Ok(Connection {
        client,
        context,
        server,
    })
}

async fn choose_config(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<(Config, String), String> {
    let file = match kubeconfig {
        Some(path) => Some(
            Kubeconfig::read_from(path)
                .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display()))?,
        ),
        None => read_default_kubeconfig(context.is_some())?,
    };
    let Some(file) = file else {
        // No kubeconfig anywhere: a pod's service account, or nothing.
        let config = Config::incluster().map_err(|e| {
            format!(
                "no kubeconfig (--kubeconfig, KUBECONFIG or ~/.kube/config) and not running in \
                 a pod ({e})"
            )
        })?;
        return Ok((config, IN_CLUSTER.to_owned()));
    };
    let name = match context {
        Some(name) => name.to_owned(),
        None => file.current_context.clone().ok_or_else(|| {
            "the kubeconfig names no current context: pass --context NAME".to_owned()
        })?,
    };
    if !file.contexts.iter().any(|c| c.name == name) {
        let known: Vec<&str> = file.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "no context `{name}` in the kubeconfig (contexts: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    let options = KubeConfigOptions {
        context: Some(name.clone()),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(file, &options)
        .await
        .map_err(|e| format!("cannot use context `{name}` of the kubeconfig: {e}"))?;
    Ok((config, name))
}

/// `KUBECONFIG` (several files merged, as kubectl does) or `~/.kube/config`; `None` when
/// neither exists and no context was asked for (then the in-cluster configuration is tried).
fn read_default_kubeconfig(context_given: bool) -> Result<Option<Kubeconfig>, String> {
    let from_env = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty());
    if from_env.is_some() {
        return Kubeconfig::from_env().map_err(|e| format!("cannot read KUBECONFIG: {e}"));
    }
    let default = std::env::home_dir().map(|home| home.join(".kube").join("config"));
    match default {
        Some(path) if path.exists() => Kubeconfig::read_from(&path)
            .map(Some)
            .map_err(|e| format!("cannot read kubeconfig {}: {e}", path.display())),
        _ if context_given => Err(
            "--context names a kubeconfig context, but there is no kubeconfig (--kubeconfig, \
             KUBECONFIG or ~/.kube/config)"
                .to_owned(),
        ),
        _ => Ok(None),
    }
}
