//! `aksguard scan --cluster` and `--azure`: what a live source adds to the scan. The listing
//! is done by `aksguard_kube` and `aksguard_arm`; this file turns the flags into their
//! requests and their answers into the scan's inputs.

use std::time::{Duration, SystemTime};

use aksguard_arm::{AzureRequest, Credential, ProgressEvent, UnreadableAzure, read_azure};
use aksguard_kube::publish::publish_reports;
use aksguard_kube::resources::{NEVER_LISTED, resources};
use aksguard_kube::{
    ClusterListing, ClusterRequest, ProgressEvent as ClusterProgress, list_cluster,
};
use aksguard_model::azure::AzureResources;
use aksguard_model::{Finding, LoadError, Object};
use aksguard_report::{ScanReport, policyreport};
use aksguard_scan::{Pipeline, Unreadable};
use aksguard_store::{ScannedAks, ScannedCluster};

use crate::cli::ScanArgs;

/// What one live source added to a scan.
#[derive(Default)]
pub struct LiveInput {
    /// What was read, as findings name it (`cluster://<context>`, `azure://…`), for the
    /// error a scan of nothing gets.
    pub label: String,
    /// Kubernetes objects, already through [`Pipeline::on_object`] (they have shed their
    /// bulk); their findings are in `findings`.
    pub objects: Vec<Object>,
    pub findings: Vec<Finding>,
    pub azure: AzureResources,
    /// Each a clear error naming what could not be read; the scan exits 2.
    pub errors: Vec<LoadError>,
    /// Kinds the source could not read (403s, Secrets never listed).
    pub unreadable: Vec<Unreadable>,
    pub notes: Vec<String>,
    /// The cluster read (`--cluster`), for the history store's target.
    pub scanned_cluster: Option<ScannedCluster>,
    /// The AKS clusters read (`--azure`), likewise.
    pub scanned_aks: Vec<ScannedAks>,
}

/// The live cluster of `--cluster` (`None` without the flag). Each listed object goes through
/// `pipeline.on_object` as it arrives, so memory stays bounded by what cross-object rules keep.
pub fn cluster(args: &ScanArgs, pipeline: &Pipeline<'_>, show_progress: bool) -> Option<LiveInput> {
    if !args.cluster {
        return None;
    }
    let request = cluster_request(args);
    let progress = |event: ClusterProgress| {
        if show_progress {
            print_progress(&event);
        }
    };
    let listed = list_cluster(&request, &|object| pipeline.on_object(object), &progress);
    let mut input = match listed {
        Ok(listing) => from_listing(listing, &request.namespaces),
        Err(fatal) => cluster_not_read(&request, fatal),
    };
    // Kinds never listed (Secrets: their list returns the values): rules that judge them are
    // file-only, and no rule takes their absence as proof.
    input.unreadable.extend(
        NEVER_LISTED
            .iter()
            .map(|(kind, why)| Unreadable::new(*kind, *why)),
    );
    Some(input)
}

/// The cluster, credentials and bounds the flags name (`--kubeconfig`, `--context`, `-n`,
/// `--live-timeout`), for the listing and for publishing.
fn cluster_request(args: &ScanArgs) -> ClusterRequest {
    ClusterRequest {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        namespaces: args.namespaces.clone(),
        timeout: Duration::from_secs(args.live_timeout.max(1)),
        ..ClusterRequest::default()
    }
}

/// `--publish-policyreports`: the report's PolicyReports (the `policyreport` renderer's
/// objects, results stamped `at`) applied to the scanned cluster, stale ones deleted. `Err`
/// says what failed; the caller makes it an error of the scan.
pub fn publish_policyreports(
    args: &ScanArgs,
    report: &ScanReport,
    at: SystemTime,
) -> Result<String, String> {
    let documents = policyreport::documents(report, at);
    // A scan with errors (a kind it could not list, a cluster it could not read) is partial:
    // its reports are applied, but the ones it no longer writes are kept, not deleted.
    let complete = report.errors.is_empty();
    let published = publish_reports(
        &cluster_request(args),
        &documents,
        policyreport::MANAGED_BY,
        complete,
    )?;
    let mut summary = format!(
        "applied {} PolicyReport object(s) to cluster `{}`",
        published.applied.len(),
        published.context
    );
    if !complete {
        summary.push_str("; stale reports kept: the scan had errors, so it is partial");
    }
    if !published.deleted.is_empty() {
        summary.push_str(&format!(
            "; deleted {} stale: {}",
            published.deleted.len(),
            published.deleted.join(", ")
        ));
    }
    Ok(summary)
}

/// The scan's inputs from a listing: its objects, findings and errors, and every resource it
/// could not read as an unread kind.
fn from_listing(listing: ClusterListing, namespaces: &[String]) -> LiveInput {
    let unreadable = listing
        .unreadable
        .iter()
        .map(|u| {
            let resource = if u.group.is_empty() {
                u.resource.clone()
            } else {
                format!("{}.{}", u.resource, u.group)
            };
            Unreadable::new(
                u.kind.clone(),
                format!("{} {resource}: {}", u.verb, u.reason),
            )
        })
        .collect();
    LiveInput {
        scanned_cluster: Some(ScannedCluster {
            server: listing.server.clone(),
            context: listing.context.clone(),
            namespaces: namespaces.to_vec(),
        }),
        scanned_aks: Vec::new(),
        label: format!("cluster://{}", listing.context),
        objects: listing.objects,
        findings: listing.findings,
        azure: AzureResources::default(),
        errors: listing.errors,
        unreadable,
        notes: listing.notes,
    }
}

/// Nothing could be listed (no kubeconfig, the server unreachable, the credentials rejected):
/// one error, and every kind a live scan lists is unread, so that no absence counts as proof
/// (the scan is complete only over what it read).
fn cluster_not_read(request: &ClusterRequest, fatal: String) -> LiveInput {
    let label = match &request.context {
        Some(context) => format!("cluster://{context}"),
        None => "cluster://".to_owned(),
    };
    LiveInput {
        errors: vec![LoadError::new(label.clone(), None, fatal)],
        unreadable: resources()
            .iter()
            .map(|r| Unreadable::new(r.kind, "the cluster could not be read"))
            .collect(),
        label,
        ..LiveInput::default()
    }
}

/// One line per resource on stderr (a terminal only: the caller decides).
fn print_progress(event: &ClusterProgress) {
    match event {
        ClusterProgress::Done { resource, objects } => {
            eprintln!("  listed {resource}: {objects} object(s)");
        }
        ClusterProgress::Failed { resource, message } if !message.is_empty() => {
            eprintln!("  {resource}: {message}");
        }
        ClusterProgress::Failed { resource, .. } => eprintln!("  {resource}: not listed"),
        ClusterProgress::Started { .. } | ClusterProgress::Page { .. } => {}
    }
}

/// The Azure resources of `--azure` (`None` without the flag), read through Azure Resource
/// Manager by `aksguard_arm` with the credential the environment selects.
pub fn azure(args: &ScanArgs, show_progress: bool) -> Option<LiveInput> {
    if !args.azure {
        return None;
    }
    let mut input = LiveInput {
        label: "azure://".to_owned(),
        ..LiveInput::default()
    };
    // `--azure` makes the scan complete (Resource Manager returns everything that exists);
    // without `--cluster` or `--complete` nothing says the Kubernetes objects are all there,
    // so their kinds stay unread and no absence of one counts as proof.
    let cluster_unread: Vec<Unreadable> = if args.cluster || args.complete {
        Vec::new()
    } else {
        cluster_kinds()
            .into_iter()
            .map(|kind| {
                Unreadable::new(
                    kind,
                    "--azure reads Azure, not the cluster's objects (add --cluster, or \
                     --complete when the files hold them all)",
                )
            })
            .collect()
    };
    let credential = match Credential::from_env() {
        Ok(credential) => credential,
        Err(message) => {
            input.errors.push(LoadError::new("azure://", None, message));
            input.unreadable = azure_not_read(cluster_unread);
            return Some(input);
        }
    };
    let request = AzureRequest {
        subscriptions: args.subscriptions.clone(),
        resource_group: args.resource_group.clone(),
        aks_name: args.aks_name.clone(),
        endpoint: std::env::var(aksguard_arm::ENDPOINT_VAR).ok(),
        timeout: Duration::from_secs(args.live_timeout.max(1)),
        ..AzureRequest::default()
    };
    let progress = |event: ProgressEvent| {
        if show_progress {
            let name = event.scope.rsplit('/').next().unwrap_or_default();
            match event.items {
                Some(n) => eprintln!("azure: {} of {name}: {n}", event.resource_type),
                None => eprintln!("azure: {} of {name}: not read", event.resource_type),
            }
        }
    };
    match read_azure(&request, &credential, &progress) {
        Ok(listing) => {
            input.scanned_aks = listing
                .azure
                .clusters
                .iter()
                .filter_map(|cluster| {
                    Some(ScannedAks {
                        id: cluster.id.clone()?,
                        name: cluster.name.clone(),
                    })
                })
                .collect();
            input.azure = listing.azure;
            input.errors = listing.errors;
            input.notes = listing.notes;
            input.unreadable = unread_kinds(&listing.unreadable);
            input.unreadable.extend(cluster_unread);
        }
        // Nothing could be read (the credential refused, no subscription): one error, the
        // files of the scan are still judged, and no Azure kind's absence is proof.
        Err(message) => {
            input.errors.push(LoadError::new("azure://", None, message));
            input.unreadable = azure_not_read(cluster_unread);
        }
    }
    Some(input)
}

/// Every Kubernetes kind a live cluster scan lists or a rule names, each once.
fn cluster_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = resources().iter().map(|r| r.kind).collect();
    for rule in aksguard_rules::all_rules() {
        let needs = rule.needs();
        for target in needs.targets.iter().chain(needs.complete_targets) {
            if let aksguard_rules::Target::Kind(kind) = target {
                kinds.push(kind);
            }
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Every Azure kind the rules name as unread (the read failed before anything was read),
/// with `others`.
fn azure_not_read(others: Vec<Unreadable>) -> Vec<Unreadable> {
    let mut kinds: Vec<&str> = aksguard_arm::api::Kind::ALL
        .iter()
        .filter_map(|k| k.rule_kind())
        .collect();
    kinds.dedup();
    let mut unread: Vec<Unreadable> = Vec::new();
    for kind in kinds {
        if !unread.iter().any(|u| u.kind == kind) {
            unread.push(Unreadable::new(
                kind,
                "Azure Resource Manager could not be read",
            ));
        }
    }
    unread.extend(others);
    unread
}

/// One entry per kind the rules name, however many scopes denied it.
fn unread_kinds(unreadable: &[UnreadableAzure]) -> Vec<Unreadable> {
    let mut kinds: Vec<(&str, Vec<&UnreadableAzure>)> = Vec::new();
    for entry in unreadable {
        let Some(kind) = entry.rule_kind else {
            continue;
        };
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, entries)) => entries.push(entry),
            None => kinds.push((kind, vec![entry])),
        }
    }
    kinds
        .into_iter()
        .map(|(kind, entries)| {
            let first = entries[0];
            let more = match entries.len() {
                1 => String::new(),
                n => format!(" (and at {} more scope(s))", n - 1),
            };
            Unreadable::new(
                kind,
                format!(
                    "{} at {}: {}{more}",
                    first.resource_type, first.scope, first.reason
                ),
            )
        })
        .collect()
}
