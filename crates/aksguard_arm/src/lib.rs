//! aksguard's Azure input: the AKS clusters a credential can see, and the Azure resources
//! the rules judge with them, read through Azure Resource Manager REST into the same
//! [`AzureResources`] a file scan builds.
//!
//! Every response body goes through aksguard_load's readers ([`aksguard_load::json`],
//! [`aksguard_load::azure::from_document`]), the ones that read `az` and REST JSON files, so a
//! resource read live and the same resource read from a file are judged identically. Each
//! resource's source is `azure://<resource id>`.
//!
//! What is read, per subscription: its managed clusters (all, one resource group's, or the one
//! named) and its Defender for Cloud pricings; per cluster: its agent pools, maintenance
//! configurations, diagnostic settings, the role assignments at its scope, and the role
//! assignments of its kubelet identity in its subscription; per registry such an assignment
//! names: the registry and the role assignments at its scope. Resource Manager returns
//! everything that exists, so a list read in full is conclusive: a cluster whose diagnostic
//! settings (or maintenance configurations) were read holds them all, even none. A list that
//! could not be read is an error entry and an [`UnreadableAzure`], and its rules stay "not
//! conclusive".
//!
//! The API is synchronous; a tokio runtime lives inside [`read_azure`].

pub mod api;
mod client;
pub mod credential;
pub mod endpoint;
#[cfg(feature = "fake-server")]
pub mod fake;
mod read;

use std::time::Duration;

use aksguard_model::LoadError;
use aksguard_model::azure::AzureResources;

pub use client::RetryPolicy;
pub use credential::{Choice, Credential};
pub use endpoint::{ENDPOINT_VAR, Endpoint};

/// What to read.
#[derive(Clone, Debug)]
pub struct AzureRequest {
    /// Subscription IDs; empty: every subscription the credential sees.
    pub subscriptions: Vec<String>,
    pub resource_group: Option<String>,
    /// One cluster by name (in `resource_group` when given, else in any).
    pub aks_name: Option<String>,
    /// The Resource Manager endpoint (`AKSGUARD_ARM_ENDPOINT`); `None`: the public cloud's.
    pub endpoint: Option<String>,
    /// The whole read: what is not read by then is missing (an error entry).
    pub timeout: Duration,
    /// One request, including reading its body.
    pub request_timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    pub retry: RetryPolicy,
}

impl Default for AzureRequest {
    fn default() -> Self {
        AzureRequest {
            subscriptions: Vec::new(),
            resource_group: None,
            aks_name: None,
            endpoint: None,
            timeout: Duration::from_secs(300),
            request_timeout: Duration::from_secs(60),
            concurrency: 8,
            retry: RetryPolicy::default(),
        }
    }
}

/// A kind of resource that could not be read at one scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableAzure {
    /// `Microsoft.Insights/diagnosticSettings`, …
    pub resource_type: &'static str,
    /// The kind as the rules name it (`DiagnosticSetting`, `DefenderPricing`, …), `None`
    /// when no rule misses it (agent pools: the cluster body lists its pools too).
    pub rule_kind: Option<&'static str>,
    /// The resource ID (or subscription) it was read at.
    pub scope: String,
    pub reason: String,
}

/// What was read.
#[derive(Debug, Default)]
pub struct AzureListing {
    pub azure: AzureResources,
    /// One per failed read (403, malformed JSON, timeouts, …): the scan's exit code is 2.
    pub errors: Vec<LoadError>,
    pub unreadable: Vec<UnreadableAzure>,
    /// Which credential and endpoint were used, what was read (never a token).
    pub notes: Vec<String>,
    /// Requests sent (retries and pages included).
    pub requests: usize,
}

/// One list or resource read, for a progress line.
#[derive(Clone, Debug)]
pub struct ProgressEvent {
    pub resource_type: &'static str,
    pub scope: String,
    /// Items read; `None` when the read failed.
    pub items: Option<usize>,
}

/// Reads what `request` asks for, signing requests with `credential`. `Err` only when
/// nothing can be read: a bad request, an endpoint refused, the credential refused (401) or
/// unable to produce a token, no subscription to read.
pub fn read_azure(
    request: &AzureRequest,
    credential: &Credential,
    progress: &(dyn Fn(ProgressEvent) + Sync),
) -> Result<AzureListing, String> {
    read::validate(request)?;
    let endpoint = Endpoint::parse(request.endpoint.as_deref())?;
    let client = client::Client::new(
        endpoint,
        credential.clone(),
        request.concurrency,
        request.request_timeout,
        request.retry.clone(),
    )?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the Azure reader: {e}"))?;
    let reader = read::Reader::new(request, &client, progress);
    let finished =
        runtime.block_on(async { tokio::time::timeout(request.timeout, reader.read_all()).await });
    match finished {
        Ok(Ok(())) => {}
        Ok(Err(fatal)) => return Err(fatal),
        Err(_) => reader.timed_out(request.timeout),
    }
    let mut listing = reader.finish();
    listing
        .notes
        .insert(0, format!("Azure: signed with {}", credential.describe()));
    Ok(listing)
}
