//! The listing against a local API server that speaks the real protocol (aksguard_fakekube,
//! HTTPS with its own CA and a bearer token, reached through the kubeconfig it writes):
//! paging, 410 restarts, 429 with Retry-After, 403 on one kind, 401, a stalled server, a
//! malformed page, pod-template custom resources, owner dedup and `-n`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aksguard_fakekube::{
    Background, Cluster, Expire, Faults, Malformed, Options, Stall, Store, StoreOptions, Throttle,
};
use aksguard_kube::{ClusterListing, ClusterRequest, ProgressEvent, list_cluster};
use aksguard_model::{Finding, Node, Object};

const TOKEN: &str = "t0ken-for-listing-tests";
const CONTEXT: &str = "fake";

const MANIFESTS: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: v1
kind: Pod
metadata:
  name: p1
  namespace: a
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{\"kind\":\"Pod\"}'
    team: shop
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: a}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p3, namespace: a}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p4, namespace: b}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p5, namespace: b}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: myacr.azurecr.io/web:1.0}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: b}
spec:
  schedule: '0 1 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: myacr.azurecr.io/job:1.0}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: b}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: a}
stringData: {password: hunter2}
---
apiVersion: apps.example.com/v1
kind: Widget
metadata: {name: w, namespace: a}
spec:
  template:
    spec: {containers: [{name: app, image: myacr.azurecr.io/widget:1.0}]}
---
apiVersion: things.example.com/v1
kind: Gadget
metadata: {name: g, namespace: a}
spec: {size: 3}
";

/// A running server and the kubeconfig that reaches it.
struct Served {
    server: Background,
    _dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn serve(faults: Faults, owned_objects: bool) -> Served {
    serve_with(faults, owned_objects, Some(TOKEN))
}

fn serve_with(faults: Faults, owned_objects: bool, token: Option<&str>) -> Served {
    aksguard_fakekube::install_crypto_provider();
    let mut cluster = Cluster::new();
    cluster.add_yaml(MANIFESTS, "listing.rs");
    let store = Store::build(&cluster.finish(), StoreOptions { owned_objects });
    let server = Background::start(
        store,
        Options {
            token: token.map(str::to_owned),
            faults,
            ..Options::default()
        },
    )
    .expect("start the fake API server");
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    server
        .write_kubeconfig(&kubeconfig, CONTEXT)
        .expect("write kubeconfig");
    Served {
        server,
        _dir: dir,
        kubeconfig,
    }
}

fn request(served: &Served) -> ClusterRequest {
    ClusterRequest {
        kubeconfig: Some(served.kubeconfig.clone()),
        page_size: 2,
        timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(10),
        ..ClusterRequest::default()
    }
}

/// Lists with a hook that keeps every object's label and judges nothing.
fn list(request: &ClusterRequest) -> (Result<ClusterListing, String>, Vec<ProgressEvent>) {
    let events = Mutex::new(Vec::new());
    let hook = |_: &mut Object| -> Vec<Finding> { Vec::new() };
    let progress = |event: ProgressEvent| events.lock().unwrap().push(event);
    let result = list_cluster(request, &hook, &progress);
    (result, events.into_inner().unwrap())
}

fn ok(request: &ClusterRequest) -> ClusterListing {
    match list(request).0 {
        Ok(listing) => listing,
        Err(fatal) => panic!("the listing failed: {fatal}"),
    }
}

fn labels(listing: &ClusterListing) -> BTreeSet<String> {
    listing
        .objects
        .iter()
        .map(|o| o.source.path.to_string())
        .collect()
}

fn of_kind<'a>(listing: &'a ClusterListing, kind: &str) -> Vec<&'a Object> {
    listing.objects.iter().filter(|o| o.kind == kind).collect()
}

fn errors(listing: &ClusterListing) -> Vec<String> {
    listing.errors.iter().map(|e| e.message.clone()).collect()
}

/// Requests the server received for `path_part` with status `status`.
fn requests(served: &Served, path_part: &str, status: u16) -> usize {
    served
        .server
        .requests()
        .iter()
        .filter(|r| r.path.contains(path_part) && r.status == status)
        .count()
}

#[test]
fn every_page_is_listed_and_items_become_manifests() {
    let served = serve(Faults::default(), false);
    let (result, events) = list(&request(&served));
    let listing = result.expect("listing");
    assert_eq!(listing.context, CONTEXT);
    assert!(errors(&listing).is_empty(), "{:?}", errors(&listing));
    let labels = labels(&listing);
    for expected in [
        "cluster://fake/a/Pod/p1",
        "cluster://fake/b/Pod/p5",
        "cluster://fake/a/Deployment/web",
        "cluster://fake/b/CronJob/nightly",
        "cluster://fake/ClusterRole/reader",
        "cluster://fake/Namespace/a",
        "cluster://fake/b/ConfigMap/settings",
    ] {
        assert!(labels.contains(expected), "{expected} not in {labels:?}");
    }
    // Five pods in pages of two: three pages, the later ones asked with a continue token.
    assert_eq!(of_kind(&listing, "Pod").len(), 5);
    let pods = listing
        .counts
        .iter()
        .find(|c| c.resource == "pods")
        .expect("pods counted");
    assert_eq!((pods.pages, pods.listed, pods.judged), (3, 5, 5));
    let continued = served
        .server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods" && r.query.contains("continue="))
        .count();
    assert_eq!(continued, 2);
    assert!(
        served
            .server
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/pods"))
            .all(|r| r.query.contains("limit=2"))
    );

    // As a manifest: apiVersion and kind set from the list, server fields gone.
    let p1 = listing
        .objects
        .iter()
        .find(|o| o.name.as_deref() == Some("p1"))
        .unwrap();
    assert_eq!((p1.api_version.as_str(), p1.kind.as_str()), ("v1", "Pod"));
    assert!(p1.root.get("status").is_none());
    let metadata = p1.root.get("metadata").unwrap();
    assert!(metadata.get("managedFields").is_none());
    let annotations = metadata.get("annotations").unwrap();
    assert!(
        annotations
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .is_none()
    );
    assert_eq!(annotations.get("team").and_then(Node::as_str), Some("shop"));

    // Secrets are never asked for; not-served groups are a note.
    assert_eq!(
        served
            .server
            .requests()
            .iter()
            .filter(|r| r.path.contains("secrets"))
            .count(),
        0
    );
    assert!(of_kind(&listing, "Secret").is_empty());
    let notes = listing.notes.join("\n");
    assert!(
        notes.contains("azureidentities.aadpodidentity.k8s.io"),
        "{notes}"
    );
    assert!(notes.contains("Secrets are never read"), "{notes}");
    // A progress event per resource: started, then done.
    assert!(events.contains(&ProgressEvent::Done {
        resource: "pods".to_owned(),
        objects: 5
    }));
    assert!(events.contains(&ProgressEvent::Started {
        resource: "deployments.apps".to_owned()
    }));
}

#[test]
fn custom_resources_with_a_pod_template_are_found_from_their_crds() {
    let served = serve(Faults::default(), false);
    let listing = ok(&request(&served));
    let labels = labels(&listing);
    assert!(labels.contains("cluster://fake/a/Widget/w"), "{labels:?}");
    let widget = of_kind(&listing, "Widget");
    assert_eq!(widget[0].api_version, "apps.example.com/v1");
    // Gadgets embed no pod template: their CRD is read, they are not listed.
    assert!(of_kind(&listing, "Gadget").is_empty());
    assert!(labels.contains("cluster://fake/CustomResourceDefinition/gadgets.things.example.com"));
    assert_eq!(
        requests(&served, "/apis/things.example.com/v1/gadgets", 200),
        0
    );
    assert!(
        listing
            .notes
            .iter()
            .any(|n| n.contains("widgets.apps.example.com")),
        "{:?}",
        listing.notes
    );
}

#[test]
fn workloads_of_a_listed_controller_are_judged_on_it_once() {
    let served = serve(Faults::default(), true);
    let listing = ok(&request(&served));
    assert!(errors(&listing).is_empty(), "{:?}", errors(&listing));
    // The Deployment's ReplicaSet and its three Pods, the CronJob's Job and its Pod exist in
    // the cluster; none is judged again.
    let count = |resource: &str| {
        listing
            .counts
            .iter()
            .find(|c| c.resource == resource)
            .cloned()
            .unwrap_or_default()
    };
    let replica_sets = count("replicasets.apps");
    assert_eq!((replica_sets.listed, replica_sets.owned), (1, 1));
    assert!(of_kind(&listing, "ReplicaSet").is_empty());
    let pods = count("pods");
    assert_eq!(pods.judged, 5, "the bare pods are judged");
    assert!(pods.owned >= 3, "{pods:?}");
    assert_eq!(pods.listed, pods.judged + pods.owned);
    assert_eq!(of_kind(&listing, "Pod").len(), 5);
    assert_eq!(count("jobs.batch").owned, count("jobs.batch").listed);
    assert!(
        listing
            .notes
            .iter()
            .any(|n| n.contains("judged on the controller") && n.contains("replicasets.apps")),
        "{:?}",
        listing.notes
    );
}

#[test]
fn an_expired_continue_token_restarts_the_list_without_doubles() {
    let served = serve(
        Faults {
            expire: vec![Expire {
                resource: "pods".to_owned(),
                page: 2,
                always: false,
            }],
            ..Faults::default()
        },
        false,
    );
    let listing = ok(&request(&served));
    assert!(errors(&listing).is_empty(), "{:?}", errors(&listing));
    assert_eq!(requests(&served, "/api/v1/pods", 410), 1);
    let pods = of_kind(&listing, "Pod");
    assert_eq!(pods.len(), 5, "each pod once");
    assert!(listing.unreadable.is_empty());
}

#[test]
fn a_list_that_keeps_expiring_is_an_error_and_unreadable() {
    let served = serve(
        Faults {
            expire: vec![Expire {
                resource: "pods".to_owned(),
                page: 2,
                always: true,
            }],
            ..Faults::default()
        },
        false,
    );
    let listing = ok(&request(&served));
    assert_eq!(
        requests(&served, "/api/v1/pods", 410),
        aksguard_kube::MAX_RESTARTS as usize + 1
    );
    let errors = errors(&listing);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("cannot list pods") && e.contains("410 Gone")),
        "{errors:?}"
    );
    assert_eq!(listing.unreadable.len(), 1);
    assert_eq!(listing.unreadable[0].kind, "Pod");
    // The rest is listed.
    assert_eq!(of_kind(&listing, "Deployment").len(), 1);
}

#[test]
fn throttling_is_waited_out_as_retry_after_says() {
    let served = serve(
        Faults {
            throttle: vec![Throttle {
                resource: Some("deployments.apps".to_owned()),
                first: 2,
                retry_after_seconds: 1,
            }],
            ..Faults::default()
        },
        false,
    );
    let started = Instant::now();
    let listing = ok(&request(&served));
    assert!(errors(&listing).is_empty(), "{:?}", errors(&listing));
    assert_eq!(requests(&served, "/apis/apps/v1/deployments", 429), 2);
    assert_eq!(of_kind(&listing, "Deployment").len(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "two waits of one second each"
    );
}

#[test]
fn endless_throttling_gives_up_after_bounded_attempts() {
    let served = serve(
        Faults {
            throttle: vec![Throttle {
                resource: Some("configmaps".to_owned()),
                first: 1000,
                retry_after_seconds: 0,
            }],
            ..Faults::default()
        },
        false,
    );
    let listing = ok(&request(&served));
    assert_eq!(
        requests(&served, "/api/v1/configmaps", 429),
        aksguard_kube::MAX_RETRIES as usize + 1
    );
    assert!(
        errors(&listing)
            .iter()
            .any(|e| e.contains("cannot list configmaps") && e.contains("throttled")),
        "{:?}",
        errors(&listing)
    );
    assert_eq!(listing.unreadable[0].kind, "ConfigMap");
}

#[test]
fn a_forbidden_kind_is_an_error_and_unreadable_and_the_rest_is_listed() {
    let served = serve(
        Faults {
            forbidden: vec!["deployments.apps".to_owned()],
            ..Faults::default()
        },
        false,
    );
    let (result, events) = list(&request(&served));
    let listing = result.expect("a 403 is not fatal");
    assert_eq!(
        errors(&listing),
        [
            "cannot list deployments.apps: forbidden (the credentials need `list` on \
          deployments in group apps in all namespaces)"
        ]
    );
    assert_eq!(listing.errors[0].path, "cluster://fake");
    let unreadable = &listing.unreadable;
    assert_eq!(unreadable.len(), 1);
    assert_eq!(
        (
            unreadable[0].kind.as_str(),
            unreadable[0].group.as_str(),
            unreadable[0].resource.as_str(),
            unreadable[0].verb.as_str()
        ),
        ("Deployment", "apps", "deployments", "list")
    );
    assert!(of_kind(&listing, "Deployment").is_empty());
    assert_eq!(of_kind(&listing, "Pod").len(), 5);
    assert_eq!(of_kind(&listing, "CronJob").len(), 1);
    assert!(events.iter().any(|e| matches!(e,
        ProgressEvent::Failed { resource, message }
            if resource == "deployments.apps" && message.contains("forbidden"))));
}

#[test]
fn rejected_credentials_are_fatal_and_name_no_token() {
    // Refused from the first request.
    let served = serve(Faults::default(), false);
    let wrong = served.kubeconfig.with_file_name("wrong-kubeconfig");
    let text = std::fs::read_to_string(&served.kubeconfig).unwrap();
    assert!(text.contains(TOKEN), "the kubeconfig holds the token");
    std::fs::write(&wrong, text.replace(TOKEN, "not-the-token")).unwrap();
    let mut bad = request(&served);
    bad.kubeconfig = Some(wrong);
    let fatal = list(&bad).0.expect_err("401 is fatal");
    assert!(fatal.contains("credentials rejected"), "{fatal}");
    assert!(!fatal.contains("not-the-token") && !fatal.contains(TOKEN));

    // Refused mid-scan, as when a token expires.
    let served = serve(
        Faults {
            unauthorized_after: Some(6),
            ..Faults::default()
        },
        false,
    );
    let fatal = list(&request(&served)).0.expect_err("401 is fatal");
    assert!(fatal.contains("credentials rejected"), "{fatal}");
    assert!(!fatal.contains(TOKEN), "{fatal}");
}

#[test]
fn a_stalled_resource_times_out_and_the_rest_is_listed() {
    let served = serve(
        Faults {
            stall: vec![Stall {
                resource: Some("pods".to_owned()),
                delay_ms: None,
            }],
            ..Faults::default()
        },
        false,
    );
    let mut request = request(&served);
    request.request_timeout = Duration::from_secs(2);
    let started = Instant::now();
    let listing = ok(&request);
    assert!(started.elapsed() < Duration::from_secs(20));
    let errors = errors(&listing);
    assert_eq!(
        errors,
        ["cannot list pods: no answer within 2s (page 1)"],
        "{errors:?}"
    );
    assert_eq!(listing.unreadable[0].kind, "Pod");
    assert_eq!(listing.unreadable[0].reason, "timed out");
    assert_eq!(of_kind(&listing, "Deployment").len(), 1);
}

#[test]
fn the_overall_timeout_bounds_a_stalled_server() {
    let served = serve(
        Faults {
            stall: vec![Stall {
                resource: Some("pods".to_owned()),
                delay_ms: None,
            }],
            ..Faults::default()
        },
        false,
    );
    let mut request = request(&served);
    request.timeout = Duration::from_secs(3);
    request.request_timeout = Duration::from_secs(30);
    let started = Instant::now();
    let listing = ok(&request);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        errors(&listing)
            .iter()
            .any(|e| e.contains("cannot list pods: the scan's timeout (3s) ran out")),
        "{:?}",
        errors(&listing)
    );
}

#[test]
fn a_malformed_page_is_an_error_naming_resource_and_page() {
    let served = serve(
        Faults {
            malformed: vec![Malformed {
                resource: "pods".to_owned(),
                page: 2,
            }],
            ..Faults::default()
        },
        false,
    );
    let listing = ok(&request(&served));
    let errors = errors(&listing);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("cannot read pods: page 2 is not a list"),
        "{errors:?}"
    );
    assert_eq!(listing.unreadable[0].reason, "malformed page 2");
    // Page 1's two pods are kept, and the other resources are listed.
    assert_eq!(of_kind(&listing, "Pod").len(), 2);
    assert_eq!(of_kind(&listing, "Deployment").len(), 1);
}

#[test]
fn namespaces_limit_namespaced_kinds_only() {
    let served = serve(Faults::default(), false);
    let mut request = request(&served);
    request.namespaces = vec!["a".to_owned()];
    let listing = ok(&request);
    assert!(errors(&listing).is_empty(), "{:?}", errors(&listing));
    let pods = of_kind(&listing, "Pod");
    assert_eq!(pods.len(), 3);
    assert!(pods.iter().all(|p| p.namespace.as_deref() == Some("a")));
    assert!(of_kind(&listing, "CronJob").is_empty());
    assert!(of_kind(&listing, "ConfigMap").is_empty());
    // Cluster-scoped kinds are still listed, every Namespace included.
    assert_eq!(of_kind(&listing, "Namespace").len(), 2);
    assert_eq!(of_kind(&listing, "ClusterRole").len(), 1);
    assert!(requests(&served, "/api/v1/namespaces/a/pods", 200) > 0);
    assert_eq!(requests(&served, "/api/v1/pods", 200), 0);

    // A namespace that does not exist is an error, not an empty pass.
    let mut typo = request.clone();
    typo.namespaces = vec!["shpo".to_owned()];
    let listing = ok(&typo);
    assert!(
        errors(&listing)
            .iter()
            .any(|e| e.contains("namespace `shpo` (-n) does not exist")),
        "{:?}",
        errors(&listing)
    );
}

#[test]
fn a_missing_context_or_kubeconfig_is_fatal_and_says_which() {
    let served = serve(Faults::default(), false);
    let mut request = request(&served);
    request.context = Some("prod".to_owned());
    let fatal = list(&request).0.expect_err("no such context");
    assert!(
        fatal.contains("no context `prod`") && fatal.contains(CONTEXT),
        "{fatal}"
    );
    request.context = None;
    request.kubeconfig = Some(served.kubeconfig.with_file_name("absent"));
    let fatal = list(&request).0.expect_err("no such file");
    assert!(fatal.contains("cannot read kubeconfig"), "{fatal}");
}

#[test]
fn a_panicking_hook_is_raised_not_a_hang() {
    let served = serve(Faults::default(), false);
    let mut request = request(&served);
    // One object per page: more pages than the queue holds once no worker takes them.
    request.workers = 1;
    request.page_size = 1;
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let hook = |_: &mut Object| -> Vec<Finding> { panic!("a rule's bug") };
            list_cluster(&request, &hook, &|_| {})
        });
        let _ = done.send(outcome.is_err());
    });
    let panicked = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("the listing ended instead of hanging");
    assert!(panicked, "the hook's panic reaches the caller");
}
