//! Dashboard load benchmark (bench/dashboard.sh runs it on SQLite and PostgreSQL).
//!
//! 1. Seeds a synthetic fleet through `Store::record` when the store is empty: `--targets`
//!    targets × `--days` daily runs of `--findings` findings each, with churn: every day
//!    about `--churn` percent of a target's findings are fixed and as many new ones appear,
//!    and a few change severity; a few targets stopped being scanned (stale).
//! 2. Serves the whole application (pages, API, metrics, the security layers) on 127.0.0.1:0
//!    with a timing layer outermost, so the server-side time of each request is measured
//!    inside the server from the first byte of routing to the response head.
//! 3. For each of the fleet page `/`, a target page `/targets/{id}` (rotating over the
//!    targets) and `/api/v1/fleet`: a warm-up, then `--requests` requests with `--concurrency`
//!    keep-alive clients; prints p50/p95/p99 server-side and client-side (loopback, body
//!    read) as a markdown table. Every answer must be 200.
//!
//! usage: cargo run --release -p aksguard_server --example dashboard_load -- --store URL
//!        [--targets 200] [--days 90] [--findings 300] [--churn 3] [--requests 2000]
//!        [--concurrency 8] [--warmup 50] [--seed-only]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aksguard_model::Severity;
use aksguard_server::{AppState, Protection, app};
use aksguard_store::{
    FindingRecord, FrameworkScore, RunRecord, Store, StoreLocation, TargetKind, TargetSpec,
};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use hdrhistogram::Histogram;
use jiff::Timestamp;

struct Args {
    store: String,
    targets: usize,
    days: usize,
    findings: usize,
    churn_percent: u64,
    requests: usize,
    concurrency: usize,
    warmup: usize,
    seed_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        store: String::new(),
        targets: 200,
        days: 90,
        findings: 300,
        churn_percent: 3,
        requests: 2000,
        concurrency: 8,
        warmup: 50,
        seed_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--seed-only" {
            args.seed_only = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--store" => args.store = value.clone(),
            "--targets" => args.targets = number()?,
            "--days" => args.days = number()?,
            "--findings" => args.findings = number()?,
            "--churn" => args.churn_percent = number()? as u64,
            "--requests" => args.requests = number()?,
            "--concurrency" => args.concurrency = number()?.max(1),
            "--warmup" => args.warmup = number()?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.store.is_empty() {
        return Err("--store URL is required".into());
    }
    Ok(args)
}

/// A small deterministic generator (xorshift64*): the same fleet every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const RULES: &[(&str, Severity)] = &[
    ("POD001", Severity::Critical),
    ("POD002", Severity::High),
    ("POD003", Severity::High),
    ("POD006", Severity::Medium),
    ("POD010", Severity::Medium),
    ("POD013", Severity::High),
    ("POD020", Severity::Low),
    ("POD024", Severity::Low),
    ("IMG001", Severity::Medium),
    ("IMG003", Severity::High),
    ("NET001", Severity::Medium),
    ("NET004", Severity::Low),
    ("RBAC001", Severity::Critical),
    ("RBAC002", Severity::High),
    ("RBAC005", Severity::Medium),
    ("AKS001", Severity::High),
    ("AKS007", Severity::Medium),
    ("AKS012", Severity::Info),
    ("SEC002", Severity::High),
    ("SEC004", Severity::Info),
];
const NAMESPACES: &[&str] = &[
    "default",
    "web",
    "api",
    "payments",
    "data",
    "monitoring",
    "ingress",
    "batch",
    "auth",
    "kube-system",
];
const KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "CronJob",
    "Role",
    "Service",
];

/// One synthetic finding number `n` of a target.
fn finding(target: usize, n: u64, rng: &mut Rng) -> FindingRecord {
    let (rule, severity) = RULES[rng.below(RULES.len() as u64) as usize];
    let namespace = NAMESPACES[rng.below(NAMESPACES.len() as u64) as usize];
    let kind = KINDS[rng.below(KINDS.len() as u64) as usize];
    FindingRecord {
        fingerprint: format!("{:016x}", (target as u64) << 40 | n),
        rule_id: rule.into(),
        severity,
        title: format!("{rule}: synthetic rule title"),
        message: format!("{kind} workload-{n} in {namespace} breaks {rule}"),
        api_version: "apps/v1".into(),
        kind: kind.into(),
        namespace: Some(namespace.into()),
        name: format!("workload-{n}"),
        container: Some("app".into()),
        path: format!("cluster://{namespace}/{kind}/workload-{n}"),
        line: 0,
        remediation: format!("See the documentation of {rule}."),
        suppression: n
            .is_multiple_of(97)
            .then(|| "exception: accepted risk".to_owned()),
    }
}

async fn seed(store: &Store, args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let now = Timestamp::now().as_millisecond();
    let day = 86_400_000_i64;
    let rules_judged: Vec<String> = RULES.iter().map(|(id, _)| (*id).to_owned()).collect();
    let next_target = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    // Targets are written by a few tasks at once, as a fleet's CronJobs would.
    for _ in 0..4 {
        let store = store.clone();
        let next_target = next_target.clone();
        let rules_judged = rules_judged.clone();
        let (targets, days, findings, churn) =
            (args.targets, args.days, args.findings, args.churn_percent);
        workers.push(tokio::spawn(async move {
            loop {
                let target = next_target.fetch_add(1, Ordering::Relaxed);
                if target >= targets {
                    return Ok::<(), String>(());
                }
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (target as u64 + 1));
                let spec = TargetSpec {
                    kind: TargetKind::Aks,
                    key: format!(
                        "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-{}/providers/microsoft.containerservice/managedclusters/aks-{target:03}",
                        target % 7
                    ),
                    name: format!("aks-{target:03}"),
                };
                let mut open: Vec<FindingRecord> = (0..findings as u64)
                    .map(|n| finding(target, n, &mut rng))
                    .collect();
                let mut next_n = findings as u64;
                // One target in twenty stopped being scanned ten days ago (stale).
                let last_day = if target.is_multiple_of(20) { days.saturating_sub(10) } else { days };
                for d in 0..last_day {
                    if d > 0 {
                        let changes = (open.len() as u64 * churn).div_ceil(100);
                        for _ in 0..changes {
                            let fixed = rng.below(open.len() as u64) as usize;
                            open.swap_remove(fixed);
                            open.push(finding(target, next_n, &mut rng));
                            next_n += 1;
                        }
                        // A few change in place (a severity override, a new message).
                        for _ in 0..changes / 3 {
                            let changed = rng.below(open.len() as u64) as usize;
                            open[changed].severity = open[changed].severity.raised();
                        }
                    }
                    let finished = now - (days - d) as i64 * day + (target as i64 % 24) * 3_600_000;
                    let mut frameworks = Vec::new();
                    for (i, framework) in ["cis-aks", "pss-baseline", "pss-restricted", "aks-practices"]
                        .into_iter()
                        .enumerate()
                    {
                        frameworks.push(FrameworkScore {
                            framework: framework.into(),
                            score: 50.0 + ((target * 7 + d + i * 13) % 45) as f64,
                            assessed: 40,
                            controls: 50,
                            passed: 30,
                            failed: 10,
                        });
                    }
                    let record = RunRecord {
                        uid: format!("bench-{target:03}-{d:03}"),
                        target: spec.clone(),
                        started_at: Timestamp::from_millisecond(finished - 60_000).unwrap(),
                        finished_at: Timestamp::from_millisecond(finished).unwrap(),
                        tool_version: "0.1.0".into(),
                        ruleset_hash: "0".repeat(64),
                        rules_judged: rules_judged.clone(),
                        commit: None,
                        files: 0,
                        objects: 1200,
                        findings: open.clone(),
                        errors: vec![],
                        vulnerabilities: None,
                        attack_paths: None,
                        frameworks,
                    };
                    store
                        .record(&record)
                        .await
                        .map_err(|e| format!("record {}: {e}", record.uid))?;
                }
            }
        }));
    }
    for worker in workers {
        worker.await.map_err(|e| e.to_string())??;
    }
    eprintln!(
        "seeded {} targets × {} days × {} findings ({}% churn/day) in {:.1} s",
        args.targets,
        args.days,
        args.findings,
        args.churn_percent,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

type Timings = Arc<Mutex<HashMap<String, Histogram<u64>>>>;

/// The server-side clock: from the request entering the router to the response head, in µs,
/// by the benchmark's class of the path.
async fn timing(timings: Timings, request: Request, next: Next) -> Response {
    let class = class_of(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let micros = started.elapsed().as_micros() as u64;
    if let Ok(mut timings) = timings.lock() {
        let histogram = timings
            .entry(class)
            .or_insert_with(|| Histogram::new(3).expect("histogram"));
        let _ = histogram.record(micros.max(1));
    }
    response
}

fn class_of(path: &str) -> String {
    if path.starts_with("/targets/") {
        "/targets/{id}".into()
    } else {
        path.to_owned()
    }
}

fn percentiles(h: &Histogram<u64>) -> String {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    format!("{:.1} | {:.1} | {:.1}", ms(0.50), ms(0.95), ms(0.99))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = parse_args()?;
    let location = StoreLocation::parse(&args.store).map_err(|e| e.to_string())?;
    let store = Store::open(&location).await.map_err(|e| e.to_string())?;
    if store.targets().await.map_err(|e| e.to_string())?.is_empty() {
        seed(&store, &args).await?;
    } else {
        eprintln!("the store already holds a fleet: not seeding");
    }
    if args.seed_only {
        return Ok(());
    }
    let targets = store.targets().await.map_err(|e| e.to_string())?;
    let runs: u64 = targets.iter().map(|t| t.runs).sum();
    let timings: Timings = Arc::default();
    let state = AppState {
        store: store.clone(),
        stale_after_days: 7,
    };
    let recorder = timings.clone();
    let router = app(state, Protection::default()).layer(middleware::from_fn(
        move |request: Request, next: Next| timing(recorder.clone(), request, next),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .map_err(|e| e.to_string())?;
    let ids: Arc<Vec<i64>> = Arc::new(targets.iter().map(|t| t.id).collect());
    let engine = match location {
        StoreLocation::Sqlite(_) => "SQLite",
        StoreLocation::Postgres(_) => "PostgreSQL",
    };
    println!(
        "\n{engine}: {} targets, {runs} runs; {} requests per route, {} concurrent, {} cores\n",
        targets.len(),
        args.requests,
        args.concurrency,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| route | requests | non-200 | req/s | server p50 / p95 / p99 (ms) | client p50 / p95 / p99 (ms) |"
    );
    println!("|---|---|---|---|---|---|");
    for route in ["/", "/targets/{id}", "/api/v1/fleet"] {
        for (phase, count) in [("warmup", args.warmup), ("measure", args.requests)] {
            timings.lock().unwrap().clear();
            let sent = Arc::new(AtomicUsize::new(0));
            let client_times = Arc::new(Mutex::new(Histogram::<u64>::new(3).unwrap()));
            let failures = Arc::new(AtomicUsize::new(0));
            let started = Instant::now();
            let mut workers = Vec::new();
            for _ in 0..args.concurrency {
                let (client, sent, ids, client_times, failures) = (
                    client.clone(),
                    sent.clone(),
                    ids.clone(),
                    client_times.clone(),
                    failures.clone(),
                );
                workers.push(tokio::spawn(async move {
                    loop {
                        let n = sent.fetch_add(1, Ordering::Relaxed);
                        if n >= count {
                            return;
                        }
                        let path = route.replace("{id}", &ids[n % ids.len()].to_string());
                        let t = Instant::now();
                        let ok = match client.get(format!("http://{addr}{path}")).send().await {
                            Ok(response) => {
                                let status = response.status();
                                response.bytes().await.is_ok() && status == 200
                            }
                            Err(_) => false,
                        };
                        let micros = t.elapsed().as_micros() as u64;
                        if !ok {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                        let _ = client_times.lock().unwrap().record(micros.max(1));
                    }
                }));
            }
            for worker in workers {
                worker.await.map_err(|e| e.to_string())?;
            }
            if phase == "warmup" {
                continue;
            }
            let elapsed = started.elapsed().as_secs_f64();
            let server = timings.lock().unwrap().get(&class_of(route)).cloned();
            let server = server.map_or("n/a".to_owned(), |h| percentiles(&h));
            let client = percentiles(&client_times.lock().unwrap());
            println!(
                "| `{route}` | {count} | {} | {:.0} | {server} | {client} |",
                failures.load(Ordering::Relaxed),
                count as f64 / elapsed
            );
        }
    }
    Ok(())
}
