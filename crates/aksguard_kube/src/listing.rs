//! The live listing: discovery, then the resources in phases (owners before what they own),
//! a few lists at once, each paged (`limit` + `continue`) and restarted on 410 Gone. Pages go
//! to worker threads that build each object and hand it to the scan's per-object hook as soon
//! as it is built, so memory holds a few pages and the trimmed objects, never the raw cluster.
//!
//! The API is synchronous (the CLI is): tokio runs inside, on the calling thread.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use aksguard_load::Limits;
use aksguard_load::admission::load_admission_object;
use aksguard_model::{Finding, LoadError, Object};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::connect::{Connection, connect};
use crate::crd::{ListTarget, pod_template_resource, scalable_resource};
use crate::discovery::discover;
use crate::fetch::{Failure, Http};
use crate::items::{clean_item, controller_uid, label, metadata_str};
use crate::resources::{NEVER_LISTED, Phase, resources};

/// How many times a list is restarted after its continue token expired (410 Gone).
pub const MAX_RESTARTS: u32 = 3;

/// What to list, from where, within which bounds.
#[derive(Clone, Debug)]
pub struct ClusterRequest {
    /// `--kubeconfig FILE`; else `KUBECONFIG`, `~/.kube/config`, then in-cluster.
    pub kubeconfig: Option<PathBuf>,
    /// `--context NAME`; else the kubeconfig's current context.
    pub context: Option<String>,
    /// `-n NS`: namespaced kinds only in these (cluster-scoped kinds are always listed).
    pub namespaces: Vec<String>,
    /// The whole listing's time.
    pub timeout: Duration,
    /// One request's time.
    pub request_timeout: Duration,
    /// Objects per page (`limit`).
    pub page_size: u32,
    /// Lists at once.
    pub concurrency: usize,
    /// Threads that build objects and run the per-object hook.
    pub workers: usize,
    /// The loader's limits for each object.
    pub limits: Limits,
}

impl Default for ClusterRequest {
    fn default() -> Self {
        ClusterRequest {
            kubeconfig: None,
            context: None,
            namespaces: Vec::new(),
            timeout: Duration::from_secs(600),
            request_timeout: Duration::from_secs(60),
            page_size: 500,
            concurrency: 4,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().min(4)),
            limits: Limits::default(),
        }
    }
}

/// A resource the scan could not (wholly) read: the rules that need its kind cannot be
/// conclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableResource {
    pub kind: String,
    /// Empty for the core group.
    pub group: String,
    /// The plural resource name (`deployments`).
    pub resource: String,
    /// The verb that failed (`list`).
    pub verb: String,
    /// Why, in a few words (`forbidden`, `timed out`, `malformed page 3`).
    pub reason: String,
}

/// How much of one resource was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceCount {
    /// `deployments.apps`.
    pub resource: String,
    pub kind: String,
    /// The apiVersion listed.
    pub api_version: String,
    pub pages: usize,
    /// Items the server returned (after a restart, those of the last attempt too).
    pub listed: usize,
    /// Objects judged.
    pub judged: usize,
    /// Workloads left to their listed controller.
    pub owned: usize,
}

/// A step of the listing, for a progress line per resource on a terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgressEvent {
    Started {
        resource: String,
    },
    Page {
        resource: String,
        pages: usize,
        objects: usize,
    },
    Done {
        resource: String,
        objects: usize,
    },
    Failed {
        resource: String,
        message: String,
    },
}

/// What the cluster held, judged object by object.
#[derive(Debug, Default)]
pub struct ClusterListing {
    /// The kubeconfig context (`in-cluster` in a pod): the `<context>` of every location.
    pub context: String,
    /// The API server's URL.
    pub server: String,
    /// The objects built, after the per-object hook trimmed them.
    pub objects: Vec<Object>,
    /// What the per-object hook returned.
    pub findings: Vec<Finding>,
    /// Resources that failed (403, timeouts, malformed pages) and objects that did not load.
    pub errors: Vec<LoadError>,
    /// Resources not (wholly) read.
    pub unreadable: Vec<UnreadableResource>,
    /// What a reader of the report should know: owners, absent kinds, versions.
    pub notes: Vec<String>,
    /// Per resource listed, in listing order.
    pub counts: Vec<ResourceCount>,
}

/// The per-object hook: runs the per-object rules and trims the object.
pub type ObjectHook<'a> = &'a (dyn Fn(&mut Object) -> Vec<Finding> + Sync);
/// Where progress goes.
pub type ProgressHook<'a> = &'a (dyn Fn(ProgressEvent) + Sync);

/// Lists the cluster. `Err` only when nothing can be listed: no configuration, the server
/// unreachable, the credentials rejected (401, at any point). Everything else is an error
/// entry in the listing, and the rest is listed.
pub fn list_cluster(
    request: &ClusterRequest,
    on_object: ObjectHook<'_>,
    progress: ProgressHook<'_>,
) -> Result<ClusterListing, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let started = Instant::now();
    let Connection {
        client,
        context,
        server,
    } = runtime.block_on(connect(
        request.kubeconfig.as_deref(),
        request.context.as_deref(),
        request.request_timeout,
    ))?;
    let http = Http {
        client,
        request_timeout: request.request_timeout,
        deadline: started + request.timeout,
    };
    let served = runtime.block_on(discover(&http, &server, resources()))?;

    let mut listing = ClusterListing {
        context: context.clone(),
        server: server.clone(),
        ..ClusterListing::default()
    };
    let shared = Shared {
        context,
        limits: &request.limits,
        on_object,
        seen: Mutex::new(HashSet::new()),
        pod_template_crds: Mutex::new(Vec::new()),
        namespaces: Mutex::new(HashSet::new()),
    };
    for (target, why) in &served.unknown {
        listing.fail(
            &shared.context,
            target,
            "list",
            why.clone(),
            "discovery failed",
        );
    }
    let mut namespace_listed = false;
    for phase in [
        Phase::Context,
        Phase::Controllers,
        Phase::Owned,
        Phase::Pods,
    ] {
        let mut targets: Vec<ListTarget> = served
            .targets
            .iter()
            .filter(|t| t.phase == phase)
            .cloned()
            .collect();
        if phase == Phase::Controllers {
            let found = std::mem::take(&mut *lock(&shared.pod_template_crds));
            let mut names = Vec::new();
            for crd in found {
                let known = served
                    .targets
                    .iter()
                    .chain(&targets)
                    .any(|t| t.group == crd.group && t.resource == crd.resource);
                if !known {
                    names.push(crd.qualified_name());
                    targets.push(crd);
                }
            }
            if !names.is_empty() {
                listing.notes.push(format!(
                    "custom resources with a pod template or a scale subresource (what \
                     autoscalers target), found from their CustomResourceDefinitions, listed \
                     too: {}",
                    names.join(", ")
                ));
            }
        }
        if Instant::now() >= http.deadline {
            listing.out_of_time(&shared.context, &targets, request.timeout);
            continue;
        }
        let outcome = run_phase(&runtime, &http, &shared, &targets, request, progress);
        let outcome = outcome?;
        for (target, result) in targets.iter().zip(outcome.results) {
            if target.kind == "Namespace" && result.0.failures.is_empty() {
                namespace_listed = true;
            }
            listing.record(&shared.context, target, result);
        }
        listing.objects.extend(outcome.objects);
        listing.findings.extend(outcome.findings);
        listing.errors.extend(outcome.errors);
        if phase == Phase::Context && namespace_listed {
            let existing = lock(&shared.namespaces);
            for namespace in &request.namespaces {
                if !existing.contains(namespace) {
                    listing.errors.push(LoadError::new(
                        format!("cluster://{}", shared.context),
                        None,
                        format!("namespace `{namespace}` (-n) does not exist in the cluster"),
                    ));
                }
            }
        }
    }
    listing.notes.extend(notes(&served, &listing.counts));
    listing
        .objects
        .sort_by(|a, b| a.source.path.cmp(&b.source.path));
    Ok(listing)
}

/// What the worker threads share.
struct Shared<'a> {
    context: String,
    limits: &'a Limits,
    on_object: ObjectHook<'a>,
    /// Uids of the objects seen (judged or left to their owner): the owners a workload may
    /// name, and the objects a restarted list returns again.
    seen: Mutex<HashSet<String>>,
    /// Pod-template and scalable resources found in the CustomResourceDefinitions.
    pod_template_crds: Mutex<Vec<ListTarget>>,
    /// Names of the listed Namespaces (to check `-n`).
    namespaces: Mutex<HashSet<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked is re-raised when joined; the data stays usable meanwhile.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A page of items on its way to a worker.
struct Page {
    target: usize,
    items: Vec<Box<RawValue>>,
}

/// The envelope of a list: its items stay unparsed until a worker takes them.
#[derive(Deserialize)]
struct ListBody {
    #[serde(default)]
    metadata: ListMeta,
    #[serde(default)]
    items: Option<Vec<Box<RawValue>>>,
}

#[derive(Deserialize, Default)]
struct ListMeta {
    #[serde(rename = "continue", default)]
    continue_token: Option<String>,
}

/// How one resource's list went.
#[derive(Default)]
struct ListResult {
    pages: usize,
    listed: usize,
    /// (what failed, short reason) per failure; a failed resource is unreadable.
    failures: Vec<(String, String)>,
}

/// What a worker built.
#[derive(Default)]
struct WorkerOutput {
    objects: Vec<Object>,
    findings: Vec<Finding>,
    errors: Vec<LoadError>,
    /// Per target index: (judged, owned).
    counts: BTreeMap<usize, (usize, usize)>,
}

struct PhaseOutcome {
    results: Vec<(ListResult, usize, usize)>,
    objects: Vec<Object>,
    findings: Vec<Finding>,
    errors: Vec<LoadError>,
}

/// Lists `targets` (a few at once) while workers build what arrives.
fn run_phase(
    runtime: &tokio::runtime::Runtime,
    http: &Http,
    shared: &Shared<'_>,
    targets: &[ListTarget],
    request: &ClusterRequest,
    progress: ProgressHook<'_>,
) -> Result<PhaseOutcome, String> {
    let workers = request.workers.max(1);
    let (sender, receiver) = mpsc::channel::<Page>(workers * 2);
    let receiver = Mutex::new(receiver);
    let (fetched, outputs) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| work(&receiver, shared, targets)))
            .collect();
        let fetched = runtime.block_on(list_all(http, targets, sender, request, progress));
        let outputs: Vec<WorkerOutput> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (fetched, outputs)
    });
    let fetched = fetched?;
    let mut outcome = PhaseOutcome {
        results: Vec::new(),
        objects: Vec::new(),
        findings: Vec::new(),
        errors: Vec::new(),
    };
    let mut counts = vec![(0, 0); targets.len()];
    for output in outputs {
        outcome.objects.extend(output.objects);
        outcome.findings.extend(output.findings);
        outcome.errors.extend(output.errors);
        for (index, (judged, owned)) in output.counts {
            counts[index].0 += judged;
            counts[index].1 += owned;
        }
    }
    outcome.results = fetched
        .into_iter()
        .zip(counts)
        .map(|(result, (judged, owned))| (result, judged, owned))
        .collect();
    Ok(outcome)
}

/// Every target's list, `concurrency` at once; `Err` on a fatal failure (401).
async fn list_all(
    http: &Http,
    targets: &[ListTarget],
    sender: mpsc::Sender<Page>,
    request: &ClusterRequest,
    progress: ProgressHook<'_>,
) -> Result<Vec<ListResult>, String> {
    let sender = &sender;
    let mut lists = futures_util::stream::iter(targets.iter().enumerate())
        .map(|(index, target)| async move {
            let result = list_one(http, index, target, sender, request, progress).await;
            (index, result)
        })
        .buffer_unordered(request.concurrency.max(1));
    let mut results: Vec<Option<ListResult>> = targets.iter().map(|_| None).collect();
    while let Some((index, result)) = lists.next().await {
        results[index] = Some(result?);
    }
    Ok(results.into_iter().map(Option::unwrap_or_default).collect())
}

/// One resource, in each namespace asked for (or across all), page by page.
async fn list_one(
    http: &Http,
    index: usize,
    target: &ListTarget,
    sender: &mpsc::Sender<Page>,
    request: &ClusterRequest,
    progress: ProgressHook<'_>,
) -> Result<ListResult, String> {
    let name = target.qualified_name();
    progress(ProgressEvent::Started {
        resource: name.clone(),
    });
    let namespaces: Vec<Option<&str>> = if target.namespaced && !request.namespaces.is_empty() {
        request
            .namespaces
            .iter()
            .map(|n| Some(n.as_str()))
            .collect()
    } else {
        vec![None]
    };
    let mut result = ListResult::default();
    for namespace in namespaces {
        let whose = match namespace {
            Some(namespace) => format!("{name} in namespace {namespace}"),
            None => name.clone(),
        };
        let mut restarts = 0;
        'restart: loop {
            let mut continue_token: Option<String> = None;
            let mut page_number = 0;
            loop {
                page_number += 1;
                let mut path = format!(
                    "{}?limit={}",
                    target.list_path(namespace),
                    request.page_size
                );
                if let Some(token) = &continue_token {
                    path.push_str("&continue=");
                    path.push_str(&percent_encode(token));
                }
                let body = match http.get(&path).await {
                    Ok(body) => body,
                    Err(Failure::Gone) if restarts < MAX_RESTARTS => {
                        restarts += 1;
                        continue 'restart;
                    }
                    Err(Failure::Unauthorized) => {
                        return Err(format!(
                            "credentials rejected (401 Unauthorized) while listing {whose}: \
                             the token or client certificate is expired or invalid"
                        ));
                    }
                    Err(failure) => {
                        let failed = failure_message(
                            target,
                            namespace,
                            (&whose, page_number),
                            &failure,
                            http,
                            request,
                        );
                        progress(ProgressEvent::Failed {
                            resource: name.clone(),
                            message: failed.0.clone(),
                        });
                        result.failures.push(failed);
                        break 'restart;
                    }
                };
                let page: ListBody = match serde_json::from_slice(&body) {
                    Ok(page) => page,
                    Err(e) => {
                        let message =
                            format!("cannot read {whose}: page {page_number} is not a list ({e})");
                        progress(ProgressEvent::Failed {
                            resource: name.clone(),
                            message: message.clone(),
                        });
                        result
                            .failures
                            .push((message, format!("malformed page {page_number}")));
                        break 'restart;
                    }
                };
                drop(body);
                let items = page.items.unwrap_or_default();
                result.pages += 1;
                result.listed += items.len();
                progress(ProgressEvent::Page {
                    resource: name.clone(),
                    pages: result.pages,
                    objects: result.listed,
                });
                if !items.is_empty()
                    && sender
                        .send(Page {
                            target: index,
                            items,
                        })
                        .await
                        .is_err()
                {
                    // The workers are gone: only when one panicked, which is re-raised.
                    break 'restart;
                }
                match page.metadata.continue_token.filter(|t| !t.is_empty()) {
                    Some(token) => continue_token = Some(token),
                    None => break 'restart,
                }
            }
        }
    }
    if result.failures.is_empty() {
        progress(ProgressEvent::Done {
            resource: name,
            objects: result.listed,
        });
    }
    Ok(result)
}

/// The message and the short reason of a failed list.
fn failure_message(
    target: &ListTarget,
    namespace: Option<&str>,
    (whose, page): (&str, usize),
    failure: &Failure,
    http: &Http,
    request: &ClusterRequest,
) -> (String, String) {
    match failure {
        Failure::Forbidden => (forbidden_message(target, namespace), "forbidden".to_owned()),
        Failure::Gone => (
            format!(
                "cannot list {whose}: the list expired (410 Gone) {} times in a row",
                MAX_RESTARTS + 1
            ),
            "list expired".to_owned(),
        ),
        Failure::TimedOut if Instant::now() >= http.deadline => (
            format!(
                "cannot list {whose}: the scan's timeout ({}s) ran out at page {page}",
                request.timeout.as_secs()
            ),
            "timed out".to_owned(),
        ),
        Failure::TimedOut => (
            format!(
                "cannot list {whose}: no answer within {}s (page {page})",
                request.request_timeout.as_secs()
            ),
            "timed out".to_owned(),
        ),
        other => (
            format!("cannot list {whose} (page {page}): {}", other.describe()),
            other.describe(),
        ),
    }
}

/// The worker loop: builds each item of each page into an object and hands it to the hook.
fn work(
    receiver: &Mutex<mpsc::Receiver<Page>>,
    shared: &Shared<'_>,
    targets: &[ListTarget],
) -> WorkerOutput {
    let _close = CloseOnPanic(receiver);
    let mut output = WorkerOutput::default();
    loop {
        let page = lock(receiver).blocking_recv();
        let Some(page) = page else {
            return output;
        };
        let target = &targets[page.target];
        let api_version = target.api_version();
        for raw in page.items {
            let verdict = build(shared, target, &api_version, &raw, &mut output);
            let counts = output.counts.entry(page.target).or_default();
            match verdict {
                Verdict::Judged => counts.0 += 1,
                Verdict::Owned => counts.1 += 1,
                Verdict::Again => {}
            }
        }
    }
}

/// Closes the page queue when a worker panics (a rule's bug): the lists stop instead of
/// waiting forever for room in a queue no one may empty, and the panic is re-raised when the
/// workers are joined.
struct CloseOnPanic<'a>(&'a Mutex<mpsc::Receiver<Page>>);

impl Drop for CloseOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.0).close();
        }
    }
}

enum Verdict {
    Judged,
    /// Left to its listed controller.
    Owned,
    /// Seen before (a restarted list).
    Again,
}

fn build(
    shared: &Shared<'_>,
    target: &ListTarget,
    api_version: &str,
    raw: &RawValue,
    output: &mut WorkerOutput,
) -> Verdict {
    let mut item: Value = match serde_json::from_str(raw.get()) {
        Ok(item) => item,
        Err(e) => {
            output.errors.push(LoadError::new(
                format!("cluster://{}", shared.context),
                None,
                format!("an item of {} is not JSON: {e}", target.qualified_name()),
            ));
            return Verdict::Judged;
        }
    };
    {
        let mut seen = lock(&shared.seen);
        if let Some(uid) = metadata_str(&item, "uid")
            && !seen.insert(uid.to_owned())
        {
            return Verdict::Again;
        }
        // A workload its listed controller stands for: judged there, once. Its own uid is
        // kept, so what it owns in turn (a skipped ReplicaSet's Pods) is skipped too.
        if target.phase != Phase::Context
            && controller_uid(&item).is_some_and(|owner| seen.contains(owner))
        {
            return Verdict::Owned;
        }
    }
    match target.kind.as_str() {
        "CustomResourceDefinition" if target.group == crate::resources::APIEXTENSIONS => {
            let found = pod_template_resource(&item).or_else(|| scalable_resource(&item));
            if let Some(found) = found {
                lock(&shared.pod_template_crds).push(found);
            }
        }
        "Namespace" => {
            if let Some(name) = metadata_str(&item, "name") {
                lock(&shared.namespaces).insert(name.to_owned());
            }
        }
        _ => {}
    }
    clean_item(&mut item, api_version, &target.kind);
    let name = metadata_str(&item, "name").unwrap_or("(unnamed)");
    let namespace = metadata_str(&item, "namespace").filter(|_| target.namespaced);
    let label = label(&shared.context, namespace, &target.kind, name);
    let json = item.to_string();
    drop(item);
    let (objects, errors) = load_admission_object(&label, &json, shared.limits);
    drop(json);
    output.errors.extend(errors);
    for mut object in objects {
        output.findings.extend((shared.on_object)(&mut object));
        output.objects.push(object);
    }
    Verdict::Judged
}

impl ClusterListing {
    /// Records one resource's outcome: its counts, and an error and an unreadable entry per
    /// failure.
    fn record(
        &mut self,
        context: &str,
        target: &ListTarget,
        (result, judged, owned): (ListResult, usize, usize),
    ) {
        self.counts.push(ResourceCount {
            resource: target.qualified_name(),
            kind: target.kind.clone(),
            api_version: target.api_version(),
            pages: result.pages,
            listed: result.listed,
            judged,
            owned,
        });
        for (message, reason) in result.failures {
            self.fail(context, target, "list", message, &reason);
        }
    }

    fn fail(
        &mut self,
        context: &str,
        target: &ListTarget,
        verb: &str,
        message: String,
        reason: &str,
    ) {
        self.errors.push(LoadError::new(
            format!("cluster://{context}"),
            None,
            message,
        ));
        let unreadable = UnreadableResource {
            kind: target.kind.clone(),
            group: target.group.clone(),
            resource: target.resource.clone(),
            verb: verb.to_owned(),
            reason: reason.to_owned(),
        };
        if !self.unreadable.contains(&unreadable) {
            self.unreadable.push(unreadable);
        }
    }

    /// The overall timeout ran out before these were listed.
    fn out_of_time(&mut self, context: &str, targets: &[ListTarget], timeout: Duration) {
        if targets.is_empty() {
            return;
        }
        let names: Vec<String> = targets.iter().map(ListTarget::qualified_name).collect();
        self.errors.push(LoadError::new(
            format!("cluster://{context}"),
            None,
            format!(
                "the scan's timeout ({}s) ran out before listing {}",
                timeout.as_secs(),
                names.join(", ")
            ),
        ));
        for target in targets {
            self.unreadable.push(UnreadableResource {
                kind: target.kind.clone(),
                group: target.group.clone(),
                resource: target.resource.clone(),
                verb: "list".to_owned(),
                reason: "timed out".to_owned(),
            });
        }
    }
}

/// "cannot list deployments.apps: forbidden (the credentials need `list` on deployments in
/// group apps in all namespaces)".
fn forbidden_message(target: &ListTarget, namespace: Option<&str>) -> String {
    let group = if target.group.is_empty() {
        "the core group".to_owned()
    } else {
        format!("group {}", target.group)
    };
    let (whose, scope) = match namespace {
        Some(namespace) if target.namespaced => (
            format!("{} in namespace {namespace}", target.qualified_name()),
            format!(" in namespace {namespace}"),
        ),
        _ if target.namespaced => (target.qualified_name(), " in all namespaces".to_owned()),
        _ => (target.qualified_name(), String::new()),
    };
    format!(
        "cannot list {whose}: forbidden (the credentials need `list` on {} in {group}{scope})",
        target.resource
    )
}

/// Notes for the report: what was left to owners, absent, listed in another version, never
/// read.
fn notes(served: &crate::discovery::Served, counts: &[ResourceCount]) -> Vec<String> {
    let mut notes = Vec::new();
    let owned: Vec<String> = counts
        .iter()
        .filter(|c| c.owned > 0)
        .map(|c| format!("{} {}", c.owned, c.resource))
        .collect();
    if !owned.is_empty() {
        notes.push(format!(
            "workloads created by a listed controller are judged on the controller, not again: \
             {}",
            owned.join(", ")
        ));
    }
    if !served.absent.is_empty() {
        notes.push(format!(
            "not served by this cluster (none exist): {}",
            served.absent.join(", ")
        ));
    }
    for (resource, version) in &served.other_version {
        notes.push(format!(
            "{resource} listed in version {version}, the one the server prefers"
        ));
    }
    for (kind, why) in NEVER_LISTED {
        notes.push(format!(
            "{kind}s are never read ({why}): rules on them judge files only"
        ));
    }
    notes
}

/// A continue token in a query string.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_are_percent_encoded() {
        assert_eq!(percent_encode("eyJ2Ijo+/x=="), "eyJ2Ijo%2B%2Fx%3D%3D");
        assert_eq!(percent_encode("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn forbidden_names_the_resource_group_and_verb() {
        let deployments =
            ListTarget::from_table(crate::resources::resource_of_kind("Deployment").unwrap());
        assert_eq!(
            forbidden_message(&deployments, None),
            "cannot list deployments.apps: forbidden (the credentials need `list` on \
             deployments in group apps in all namespaces)"
        );
        let namespaces =
            ListTarget::from_table(crate::resources::resource_of_kind("Namespace").unwrap());
        assert_eq!(
            forbidden_message(&namespaces, Some("shop")),
            "cannot list namespaces: forbidden (the credentials need `list` on namespaces in \
             the core group)"
        );
        let pods = ListTarget::from_table(crate::resources::resource_of_kind("Pod").unwrap());
        assert_eq!(
            forbidden_message(&pods, Some("shop")),
            "cannot list pods in namespace shop: forbidden (the credentials need `list` on \
             pods in the core group in namespace shop)"
        );
    }
}
