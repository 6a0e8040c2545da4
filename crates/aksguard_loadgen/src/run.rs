//! One load run: N keep-alive connections share one schedule (open loop at a fixed rate, or as
//! fast as they can), a warm-up whose requests are not measured, an optional burst of
//! malformed reviews on separate connections, and samples of the server's memory and CPU.

use crate::check::{Expect, Failure, check};
use crate::client::{Connection, Dialer};
use crate::pacing::{Schedule, latency_start};
use crate::payload::{ReviewTemplate, malformed_body};
use crate::procstat::{self, Memory};
use crate::summary::Latencies;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What each request carries.
#[derive(Debug, Clone)]
pub enum Payload {
    /// POST the Deployment review, a new uid per request.
    Review(Arc<ReviewTemplate>),
    /// POST malformed reviews in turn.
    Malformed(Arc<ReviewTemplate>),
    /// GET without a body (e.g. /healthz: TLS + HTTP cost without judging).
    Get,
}

impl Payload {
    fn request(&self, ticket: u64) -> (Option<Bytes>, String) {
        match self {
            Payload::Review(template) => {
                let (body, uid) = template.render(ticket);
                (Some(body), uid)
            }
            Payload::Malformed(template) => (Some(malformed_body(template, ticket)), String::new()),
            Payload::Get => (None, String::new()),
        }
    }
}

/// A burst of malformed reviews sent back to back on their own connections.
#[derive(Debug, Clone, Copy)]
pub struct Burst {
    /// When, counted from the start of the warm-up.
    pub at: Duration,
    pub count: u64,
    pub connections: usize,
}

/// Everything a run needs besides the dialer.
#[derive(Debug, Clone)]
pub struct Plan {
    pub connections: usize,
    /// `None`: each connection sends its next request as soon as the last one is answered.
    pub rate: Option<Schedule>,
    pub warmup: Duration,
    pub duration: Duration,
    /// Whole-request deadline (connect included when a connection must be opened).
    pub timeout: Duration,
    pub payload: Payload,
    pub expect: Expect,
    pub burst: Option<Burst>,
    /// The server process to sample (memory every `sample_every`, CPU over the measured part).
    pub server_pid: Option<u32>,
    pub sample_every: Duration,
}

/// Counts and latencies of one worker, or all of them merged.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// From the due time (see [`latency_start`]), measured requests that succeeded.
    pub latency: Latencies,
    /// From the moment the request was sent until the response was read.
    pub service: Latencies,
    pub ok: u64,
    pub failures: BTreeMap<Failure, u64>,
    pub warmup_ok: u64,
    pub warmup_failures: BTreeMap<Failure, u64>,
    /// Requests started (warm-up included).
    pub attempted: u64,
    pub connections_opened: u64,
    /// When the last measured request finished.
    pub last_done: Option<Instant>,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.latency.merge(&other.latency);
        self.service.merge(&other.service);
        self.ok += other.ok;
        self.warmup_ok += other.warmup_ok;
        for (failure, n) in other.failures {
            *self.failures.entry(failure).or_default() += n;
        }
        for (failure, n) in other.warmup_failures {
            *self.warmup_failures.entry(failure).or_default() += n;
        }
        self.attempted += other.attempted;
        self.connections_opened += other.connections_opened;
        self.last_done = self.last_done.max(other.last_done);
    }

    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    pub fn warmup_failed(&self) -> u64 {
        self.warmup_failures.values().sum()
    }
}

/// A memory sample of the server, `at` seconds after the start of the warm-up.
#[derive(Debug, Clone, Copy)]
pub struct MemorySample {
    pub at: Duration,
    pub memory: Memory,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub main: Tally,
    /// Requests due before the end that were never started (the generator fell too far behind).
    pub unsent: u64,
    /// From the end of the warm-up to the last measured response.
    pub measured_elapsed: Duration,
    pub burst: Option<Tally>,
    pub server_memory: Vec<MemorySample>,
    /// CPU used over the measured part.
    pub server_cpu: Option<Duration>,
    pub generator_cpu: Option<Duration>,
}

/// Runs the plan to the end (bounded: the whole run lasts at most warm-up + duration + two
/// request timeouts, plus the burst when it is scheduled later).
pub async fn run(dialer: Arc<Dialer>, plan: Arc<Plan>) -> Outcome {
    let start = Instant::now();
    let measure_from = start + plan.warmup;
    let next_ticket = Arc::new(AtomicU64::new(0));

    let workers: Vec<_> = (0..plan.connections.max(1))
        .map(|_| {
            tokio::spawn(worker(
                dialer.clone(),
                plan.clone(),
                start,
                next_ticket.clone(),
            ))
        })
        .collect();
    let burst = plan
        .burst
        .map(|burst| tokio::spawn(burst_run(dialer.clone(), plan.clone(), start, burst)));
    let sampler = plan
        .server_pid
        .map(|pid| tokio::spawn(sample_memory(pid, start, plan.clone())));

    tokio::time::sleep_until(measure_from.into()).await;
    let cpu_at_measure = (
        plan.server_pid
            .and_then(|pid| procstat::cpu(&pid.to_string())),
        procstat::cpu("self"),
    );

    let mut main = Tally::default();
    for handle in workers {
        // a worker never panics on bad input; a panic here is a bug worth seeing
        main.merge(handle.await.expect("worker task"));
    }
    let cpu_at_end = (
        plan.server_pid
            .and_then(|pid| procstat::cpu(&pid.to_string())),
        procstat::cpu("self"),
    );
    let burst = match burst {
        Some(handle) => Some(handle.await.expect("burst task")),
        None => None,
    };
    let server_memory = match sampler {
        Some(handle) => handle.await.expect("sampler task"),
        None => Vec::new(),
    };

    let due = match plan.rate {
        Some(schedule) => schedule.due_within(plan.warmup + plan.duration),
        None => main.attempted,
    };
    let measured_elapsed = main
        .last_done
        .map(|last| last.saturating_duration_since(measure_from))
        .unwrap_or(plan.duration);
    let used =
        |before: Option<Duration>, after: Option<Duration>| Some(after?.saturating_sub(before?));
    Outcome {
        unsent: due.saturating_sub(main.attempted),
        main,
        measured_elapsed,
        burst,
        server_memory,
        server_cpu: used(cpu_at_measure.0, cpu_at_end.0),
        generator_cpu: used(cpu_at_measure.1, cpu_at_end.1),
    }
}

/// One keep-alive connection taking requests off the shared schedule.
async fn worker(
    dialer: Arc<Dialer>,
    plan: Arc<Plan>,
    start: Instant,
    next_ticket: Arc<AtomicU64>,
) -> Tally {
    let mut tally = Tally::default();
    let mut connection: Option<Connection> = None;
    let total = plan.warmup + plan.duration;
    let end = start + total;
    // a generator this far behind its schedule stops; what is left is reported as unsent
    let give_up = end + plan.timeout;
    let measure_from = start + plan.warmup;
    loop {
        let picked = Instant::now();
        if picked >= give_up {
            break;
        }
        let ticket = next_ticket.fetch_add(1, Ordering::Relaxed);
        let due = match plan.rate {
            Some(schedule) => {
                let offset = schedule.offset(ticket);
                if offset >= total {
                    break;
                }
                start + offset
            }
            None if picked >= end => break,
            None => picked,
        };
        if due > picked {
            tokio::time::sleep_until(due.into()).await;
        }
        let (body, uid) = plan.payload.request(ticket);
        tally.attempted += 1;
        let sent = Instant::now();
        let result = exchange(&dialer, &mut connection, &mut tally, body, plan.timeout).await;
        let done = Instant::now();
        let result = result.and_then(|reply| check(plan.expect, reply.status, &reply.body, &uid));
        let measured = due >= measure_from;
        match (result, measured) {
            (Ok(()), true) => {
                tally.ok += 1;
                tally
                    .latency
                    .record(done - latency_start(due, picked, sent));
                tally.service.record(done - sent);
                tally.last_done = Some(done);
            }
            (Ok(()), false) => tally.warmup_ok += 1,
            (Err(failure), true) => {
                *tally.failures.entry(failure).or_default() += 1;
                tally.last_done = Some(done);
            }
            (Err(failure), false) => *tally.warmup_failures.entry(failure).or_default() += 1,
        }
    }
    tally
}

/// Sends one request on the worker's connection, opening one first when there is none (or the
/// server closed the idle one). Any transport failure drops the connection.
async fn exchange(
    dialer: &Dialer,
    connection: &mut Option<Connection>,
    tally: &mut Tally,
    body: Option<Bytes>,
    timeout: Duration,
) -> Result<crate::client::Reply, Failure> {
    let attempt = async {
        if !connection.as_ref().is_some_and(Connection::is_open) {
            *connection = None;
            tally.connections_opened += 1;
            *connection = Some(dialer.connect().await?);
        }
        let open = connection.as_mut().expect("set above");
        open.send(body).await
    };
    let result = match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Failure::Timeout),
    };
    if matches!(
        result,
        Err(Failure::Connect | Failure::Tls | Failure::Io | Failure::Timeout)
    ) {
        *connection = None;
    }
    result
}

/// Sends `burst.count` malformed reviews back to back over `burst.connections` new connections,
/// each expected to get HTTP 400. Every request is "measured".
async fn burst_run(dialer: Arc<Dialer>, plan: Arc<Plan>, start: Instant, burst: Burst) -> Tally {
    tokio::time::sleep_until((start + burst.at).into()).await;
    let template = match &plan.payload {
        Payload::Review(template) | Payload::Malformed(template) => template.clone(),
        Payload::Get => Arc::new(ReviewTemplate::deployment()),
    };
    let connections = burst.connections.max(1) as u64;
    let tasks: Vec<_> = (0..connections)
        .map(|k| {
            let share = burst.count / connections + u64::from(k < burst.count % connections);
            let dialer = dialer.clone();
            let template = template.clone();
            let timeout = plan.timeout;
            tokio::spawn(async move {
                let mut tally = Tally::default();
                let mut connection = None;
                for i in 0..share {
                    let body = malformed_body(&template, k + i * connections);
                    tally.attempted += 1;
                    let sent = Instant::now();
                    let result =
                        exchange(&dialer, &mut connection, &mut tally, Some(body), timeout).await;
                    let done = Instant::now();
                    match result
                        .and_then(|reply| check(Expect::Status(400), reply.status, &reply.body, ""))
                    {
                        Ok(()) => {
                            tally.ok += 1;
                            tally.latency.record(done - sent);
                            tally.service.record(done - sent);
                        }
                        Err(failure) => *tally.failures.entry(failure).or_default() += 1,
                    }
                    tally.last_done = Some(done);
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        total.merge(task.await.expect("burst connection task"));
    }
    total
}

/// Samples the server's memory at the start and every `sample_every` until the end of the
/// run, printing each sample to stderr as it comes (a soak shows its trend live).
async fn sample_memory(pid: u32, start: Instant, plan: Arc<Plan>) -> Vec<MemorySample> {
    let end = start + plan.warmup + plan.duration;
    let every = plan.sample_every.max(Duration::from_millis(100));
    let mut samples = Vec::new();
    let mut k: u32 = 0;
    loop {
        let at = start + every * k;
        if at > end {
            break;
        }
        tokio::time::sleep_until(at.into()).await;
        take_sample(pid, start, &mut samples);
        k += 1;
    }
    tokio::time::sleep_until(end.into()).await;
    if samples
        .last()
        .is_none_or(|last| last.at + Duration::from_millis(50) < end - start)
    {
        take_sample(pid, start, &mut samples);
    }
    samples
}

fn take_sample(pid: u32, start: Instant, samples: &mut Vec<MemorySample>) {
    let at = start.elapsed();
    match procstat::memory(pid) {
        Some(memory) => {
            eprintln!(
                "[aksguard-loadgen] t={:>6.1}s server pid {pid}: VmRSS {:.1} MiB, VmHWM {:.1} MiB",
                at.as_secs_f64(),
                memory.rss_kib as f64 / 1024.0,
                memory.hwm_kib as f64 / 1024.0
            );
            samples.push(MemorySample { at, memory });
        }
        None => eprintln!(
            "[aksguard-loadgen] t={:>6.1}s server pid {pid}: /proc/{pid}/status unreadable (exited?)",
            at.as_secs_f64()
        ),
    }
}
