//! Admission latency of policies: one review (a Pod) against the gatekeeper-library
//! pod-security-policy templates, one constraint each (their first sample), as the webhook
//! would judge it. Prints p50/p99/max over many reviews after a warm-up. Target (issue 17):
//! p99 <= 2 ms. Needs ../shared (skips with a message without it).
//!
//! `cargo bench -p aksguard_policy --bench admission`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aksguard_policy::classify::documents_of_text;
use aksguard_policy::{PolicySet, Review, ScanContext, load_policies};

const WARM_UP: usize = 200;
const REVIEWS: usize = 5_000;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  hostNetwork: false
  containers:
  - name: app
    image: myregistry.azurecr.io/shop/web:1.4.2
    ports: [{containerPort: 8080}]
    securityContext:
      privileged: true
      allowPrivilegeEscalation: true
      capabilities: {add: [NET_ADMIN]}
    volumeMounts: [{name: data, mountPath: /data}]
  - name: sidecar
    image: nginx:1.27
    securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}
  volumes:
  - name: data
    hostPath: {path: /var/data}
";

fn policy_files(library: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(library)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let template = dir.join("template.yaml");
        let mut samples: Vec<PathBuf> = std::fs::read_dir(dir.join("samples"))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        samples.sort();
        let constraint = samples
            .iter()
            .map(|s| s.join("constraint.yaml"))
            .find(|c| c.exists());
        if let (true, Some(constraint)) = (template.exists(), constraint) {
            files.push(template);
            files.push(constraint);
        }
    }
    files
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let library = root.join("corpus/peers/gatekeeper-library/library/pod-security-policy");
    if !library.exists() {
        eprintln!("SKIPPED: {} not found", library.display());
        return;
    }
    let files = policy_files(&library);
    let (documents, errors) = load_policies(&files);
    assert!(errors.is_empty(), "{errors:?}");
    let constraints = documents.constraints.len();
    let (set, errors) = PolicySet::build(&documents);
    assert!(errors.is_empty(), "{errors:?}");
    let (pods, _) = documents_of_text("pod.yaml", POD);
    let pod = &pods[0];
    let context = ScanContext::default();
    let mut violations = 0;
    let mut times: Vec<Duration> = Vec::with_capacity(REVIEWS);
    for i in 0..WARM_UP + REVIEWS {
        let started = Instant::now();
        // What the webhook does per review: the object as JSON, then every policy.
        let json = pod.object.root.to_json();
        let verdicts = set.evaluate(&Review::create(&pod.object, &json), &context, None);
        let took = started.elapsed();
        assert!(verdicts.errors.is_empty(), "{:?}", verdicts.errors);
        violations = verdicts.violations.len();
        if i >= WARM_UP {
            times.push(took);
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "admission: {} templates, {constraints} constraints, {violations} violations per review; {REVIEWS} reviews: p50 {:?}, p99 {:?}, max {:?} (target p99 <= 2 ms)",
        set.rules().len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
}
