//! The run's report, as JSON (for scripts) and as text (for people).

use crate::run::{Outcome, Tally};
use crate::summary::{Summary, throughput};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// What was asked for, echoed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    pub url: String,
    pub protocol: &'static str,
    pub connections: usize,
    /// Requests per second; `None` = as fast as the connections go (closed loop).
    pub rate: Option<u64>,
    pub request: String,
    pub body_bytes: usize,
    pub expect: String,
    pub warmup_s: f64,
    pub duration_s: f64,
    pub threads: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Measured requests started.
    pub sent: u64,
    pub ok: u64,
    pub failed: u64,
    pub failures: BTreeMap<String, u64>,
    /// Due before the end but never started: the generator could not keep the schedule.
    pub unsent: u64,
    pub warmup_ok: u64,
    pub warmup_failures: BTreeMap<String, u64>,
    /// TCP+TLS connections opened; more than `connections` means some were lost and reopened.
    pub connections_opened: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessFigures {
    pub pid: Option<u32>,
    /// Samples: seconds since the start of the warm-up, VmRSS and VmHWM in KiB.
    pub memory: Vec<MemoryFigure>,
    pub peak_hwm_kib: Option<u64>,
    /// CPU seconds over the measured part, and the same divided by its wall time.
    pub cpu_s: Option<f64>,
    pub cores: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct MemoryFigure {
    pub t_s: f64,
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BurstFigures {
    pub sent: u64,
    /// Answered with the expected HTTP 400.
    pub rejected_400: u64,
    pub failures: BTreeMap<String, u64>,
    pub connections_opened: u64,
    pub latency: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub setup: Setup,
    pub counts: Counts,
    pub throughput_rps: f64,
    pub measured_s: f64,
    /// With a fixed rate: whether the server kept up (throughput at least 99% of the rate; a
    /// server that falls behind answers every request, late, so `passed` alone does not say).
    pub kept_rate: Option<bool>,
    /// Counted from each request's due time (queueing behind busy connections included).
    pub latency: Summary,
    /// Counted from the send (the server's answer time as one client sees it).
    pub service_time: Summary,
    pub server: Option<ProcessFigures>,
    pub generator: ProcessFigures,
    pub burst: Option<BurstFigures>,
    /// No measured or warm-up request failed, none was left unsent, every burst request got 400.
    pub passed: bool,
}

fn labels(failures: &BTreeMap<crate::check::Failure, u64>) -> BTreeMap<String, u64> {
    failures
        .iter()
        .map(|(failure, n)| (failure.to_string(), *n))
        .collect()
}

fn cpu_figures(cpu: Option<Duration>, wall: Duration) -> (Option<f64>, Option<f64>) {
    let secs = cpu.map(|cpu| cpu.as_secs_f64());
    let cores = secs.and_then(|s| (wall.as_secs_f64() > 0.0).then(|| s / wall.as_secs_f64()));
    (secs, cores)
}

impl Report {
    pub fn new(setup: Setup, outcome: &Outcome, server_pid: Option<u32>) -> Report {
        let main: &Tally = &outcome.main;
        let counts = Counts {
            sent: main.ok + main.failed(),
            ok: main.ok,
            failed: main.failed(),
            failures: labels(&main.failures),
            unsent: outcome.unsent,
            warmup_ok: main.warmup_ok,
            warmup_failures: labels(&main.warmup_failures),
            connections_opened: main.connections_opened,
        };
        let wall = outcome.measured_elapsed;
        let server = server_pid.map(|pid| {
            let memory: Vec<MemoryFigure> = outcome
                .server_memory
                .iter()
                .map(|sample| MemoryFigure {
                    t_s: sample.at.as_secs_f64(),
                    rss_kib: sample.memory.rss_kib,
                    hwm_kib: sample.memory.hwm_kib,
                })
                .collect();
            let (cpu_s, cores) = cpu_figures(outcome.server_cpu, wall);
            ProcessFigures {
                pid: Some(pid),
                peak_hwm_kib: memory.iter().map(|m| m.hwm_kib).max(),
                memory,
                cpu_s,
                cores,
            }
        });
        let (cpu_s, cores) = cpu_figures(outcome.generator_cpu, wall);
        let generator = ProcessFigures {
            pid: Some(std::process::id()),
            memory: Vec::new(),
            peak_hwm_kib: crate::procstat::memory(std::process::id()).map(|m| m.hwm_kib),
            cpu_s,
            cores,
        };
        let burst = outcome.burst.as_ref().map(|burst| BurstFigures {
            sent: burst.ok + burst.failed(),
            rejected_400: burst.ok,
            failures: labels(&burst.failures),
            connections_opened: burst.connections_opened,
            latency: burst.latency.summary(),
        });
        let passed = counts.failed == 0
            && counts.unsent == 0
            && main.warmup_failed() == 0
            && counts.ok > 0
            && burst.as_ref().is_none_or(|b| b.failures.is_empty());
        let throughput_rps = throughput(main.ok, wall);
        Report {
            kept_rate: setup.rate.map(|rate| kept_rate(throughput_rps, rate)),
            setup,
            throughput_rps,
            measured_s: wall.as_secs_f64(),
            latency: main.latency.summary(),
            service_time: main.service.summary(),
            counts,
            server,
            generator,
            burst,
            passed,
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let s = &self.setup;
        let rate = s.rate.map_or_else(
            || "max rate (closed loop)".to_string(),
            |r| format!("{r}/s"),
        );
        let _ = writeln!(
            out,
            "aksguard-loadgen {}: {}, {} connections, {rate}, {:.0} s after {:.0} s warm-up, {} generator thread(s)",
            s.url, s.protocol, s.connections, s.duration_s, s.warmup_s, s.threads
        );
        let _ = writeln!(
            out,
            "  request: {} ({} bytes), expect {}",
            s.request, s.body_bytes, s.expect
        );
        let c = &self.counts;
        let _ = writeln!(
            out,
            "  requests: {} sent, {} ok, {} failed, {} unsent; warm-up {} ok, {} failed; {} connection(s) opened",
            c.sent,
            c.ok,
            c.failed,
            c.unsent,
            c.warmup_ok,
            c.warmup_failures.values().sum::<u64>(),
            c.connections_opened
        );
        for (kind, n) in c.failures.iter().chain(&c.warmup_failures) {
            let _ = writeln!(out, "    failed: {kind}: {n}");
        }
        let _ = writeln!(
            out,
            "  throughput: {:.1}/s over {:.2} s{}",
            self.throughput_rps,
            self.measured_s,
            match (self.kept_rate, s.rate) {
                (Some(false), Some(rate)) => format!(" (behind the offered {rate}/s)"),
                _ => String::new(),
            }
        );
        let line = |name: &str, l: &Summary| {
            format!(
                "  {name}: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms (mean {:.3} ms)\n",
                l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms, l.mean_ms
            )
        };
        out.push_str(&line("latency (from due time)", &self.latency));
        out.push_str(&line("service time (from send)", &self.service_time));
        if let Some(server) = &self.server {
            let last = server.memory.last();
            let _ = writeln!(
                out,
                "  server pid {}: VmRSS {} (peak VmHWM {}), CPU {}",
                server.pid.unwrap_or(0),
                last.map_or("?".into(), |m| mib(m.rss_kib)),
                server.peak_hwm_kib.map_or("?".into(), mib),
                cores(server.cores)
            );
        }
        let _ = writeln!(
            out,
            "  generator: CPU {}, VmHWM {}",
            cores(self.generator.cores),
            self.generator.peak_hwm_kib.map_or("?".into(), mib)
        );
        if let Some(burst) = &self.burst {
            let _ = writeln!(
                out,
                "  malformed burst: {} sent, {} answered 400, p99 {:.3} ms, {} connection(s)",
                burst.sent, burst.rejected_400, burst.latency.p99_ms, burst.connections_opened
            );
            for (kind, n) in &burst.failures {
                let _ = writeln!(out, "    burst failed: {kind}: {n}");
            }
        }
        let _ = writeln!(out, "  {}", if self.passed { "PASS" } else { "FAIL" });
        out
    }
}

/// A run kept its rate when it answered at least 99% of it per second.
pub fn kept_rate(throughput_rps: f64, rate: u64) -> bool {
    throughput_rps >= rate as f64 * 0.99
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn cores(cores: Option<f64>) -> String {
    cores.map_or("?".into(), |c| format!("{c:.2} cores"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_answering_late_did_not_keep_the_rate() {
        assert!(kept_rate(4_999.0, 5_000));
        assert!(kept_rate(4_950.0, 5_000));
        assert!(!kept_rate(3_001.0, 5_000));
    }

    #[test]
    fn text_flags_failures_and_a_missed_rate() {
        let outcome = crate::run::Outcome {
            main: Tally::default(),
            unsent: 0,
            measured_elapsed: Duration::from_secs(1),
            burst: None,
            server_memory: Vec::new(),
            server_cpu: None,
            generator_cpu: None,
        };
        let setup = Setup {
            url: "https://127.0.0.1:8443/validate".into(),
            protocol: "HTTP/1.1",
            connections: 8,
            rate: Some(5000),
            request: "review".into(),
            body_bytes: 5926,
            expect: "allowed".into(),
            warmup_s: 1.0,
            duration_s: 1.0,
            threads: 1,
        };
        let report = Report::new(setup, &outcome, None);
        // nothing answered: not a pass, and the rate was not kept
        assert!(!report.passed);
        assert_eq!(report.kept_rate, Some(false));
        let text = report.to_text();
        assert!(text.contains("behind the offered 5000/s"), "{text}");
        assert!(text.trim_end().ends_with("FAIL"), "{text}");
    }
}
