//! `aksguard-loadgen`: load for the aksguard admission webhook over loopback HTTPS.
//! Exit status: 0 when every request succeeded as expected, 1 when some did not, 2 on a
//! setup error (bad flag, non-loopback URL, unreadable CA).

use aksguard_loadgen::check::Expect;
use aksguard_loadgen::client::{Dialer, Protocol, tls_config};
use aksguard_loadgen::pacing::Schedule;
use aksguard_loadgen::payload::ReviewTemplate;
use aksguard_loadgen::report::{Report, Setup};
use aksguard_loadgen::run::{Burst, Payload, Plan, run};
use aksguard_loadgen::target::Target;
use aksguard_loadgen::units::{Rate, parse_duration, parse_rate};
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RequestKind {
    /// POST the built-in ~6 KB Deployment AdmissionReview (CREATE), a new uid each time.
    Review,
    /// POST malformed reviews in turn (truncated, v1beta1, no request, not JSON).
    Malformed,
    /// GET without a body, e.g. /healthz: TLS and HTTP cost without judging.
    Get,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExpectArg {
    /// HTTP 200, AdmissionReview v1 with our uid and allowed: true.
    Allowed,
    /// HTTP 200, AdmissionReview v1 with our uid and allowed: false.
    Denied,
    /// HTTP 200, AdmissionReview v1 with our uid, any decision.
    Any,
}

/// Load generator for the aksguard admission webhook (loopback HTTPS only).
#[derive(Debug, Parser)]
#[command(name = "aksguard-loadgen", version)]
struct Args {
    /// Target URL; the host must be a loopback IP literal (127.0.0.1, [::1]).
    #[arg(long, default_value = "https://127.0.0.1:8443/validate")]
    url: String,
    /// PEM file with the CA certificate(s) to trust (nothing else is trusted).
    #[arg(long)]
    ca: PathBuf,
    /// Name the server certificate must carry (default: the URL's IP address).
    #[arg(long)]
    server_name: Option<String>,
    /// Speak HTTP/2 (ALPN h2) instead of HTTP/1.1.
    #[arg(long)]
    http2: bool,
    /// Keep-alive connections, one request in flight on each.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Requests per second (open loop), or `max` (each connection sends as soon as answered).
    #[arg(long, default_value = "max", value_parser = parse_rate)]
    rate: Rate,
    /// Measured time.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Unmeasured time at the same load before it.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    warmup: Duration,
    /// Deadline per request (connect included).
    #[arg(long, default_value = "3s", value_parser = parse_duration)]
    timeout: Duration,
    #[arg(long, value_enum, default_value_t = RequestKind::Review)]
    request: RequestKind,
    /// Expected decision for `--request review` (malformed expects HTTP 400, get HTTP 200).
    #[arg(long, value_enum, default_value_t = ExpectArg::Allowed)]
    expect: ExpectArg,
    /// Also send this many malformed reviews back to back (each must get HTTP 400).
    #[arg(long, default_value_t = 0)]
    burst_malformed: u64,
    /// When the burst starts, from the start of the warm-up.
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    burst_at: Duration,
    /// Connections the burst opens (apart from the main ones).
    #[arg(long, default_value_t = 2)]
    burst_connections: usize,
    /// Sample this server process's VmRSS/VmHWM and CPU (from /proc).
    #[arg(long)]
    server_pid: Option<u32>,
    /// How often to sample the server's memory.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    sample_every: Duration,
    /// Runtime threads of the generator (1: everything on one thread, leaving the other
    /// core(s) to the server).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match setup_and_run(&args) {
        Ok(report) => {
            print!("{}", report.to_text());
            if let Some(path) = &args.json {
                let json = serde_json::to_string_pretty(&report).expect("report serializes");
                if let Err(err) = std::fs::write(path, json + "\n") {
                    eprintln!("aksguard-loadgen: --json {}: {err}", path.display());
                    return ExitCode::from(2);
                }
            }
            if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(message) => {
            eprintln!("aksguard-loadgen: {message}");
            ExitCode::from(2)
        }
    }
}

fn setup_and_run(args: &Args) -> Result<Report, String> {
    if args.connections == 0 || args.connections > 1024 {
        return Err("--connections must be from 1 to 1024".into());
    }
    if args.threads == 0 || args.threads > 64 {
        return Err("--threads must be from 1 to 64".into());
    }
    if args.duration.is_zero() {
        return Err("--duration must be more than 0".into());
    }
    let target = Target::parse(&args.url).map_err(|err| format!("--url {}: {err}", args.url))?;
    let protocol = if args.http2 {
        Protocol::Http2
    } else {
        Protocol::Http1
    };
    let tls = tls_config(&args.ca, protocol)?;
    let dialer = Dialer::new(
        target,
        tls,
        args.server_name.as_deref(),
        protocol,
        args.timeout,
    )?;
    let template = Arc::new(ReviewTemplate::deployment());
    let (payload, expect, body_bytes, expect_label) = match args.request {
        RequestKind::Review => {
            let expect = match args.expect {
                ExpectArg::Allowed => Expect::Allowed,
                ExpectArg::Denied => Expect::Denied,
                ExpectArg::Any => Expect::AnyDecision,
            };
            let label = format!("{:?}", args.expect).to_lowercase();
            (
                Payload::Review(template.clone()),
                expect,
                template.len(),
                label,
            )
        }
        RequestKind::Malformed => (
            Payload::Malformed(template.clone()),
            Expect::Status(400),
            template.len() / 2,
            "status 400".to_string(),
        ),
        RequestKind::Get => (
            Payload::Get,
            Expect::Status(200),
            0,
            "status 200".to_string(),
        ),
    };
    let burst = (args.burst_malformed > 0).then_some(Burst {
        at: args.burst_at,
        count: args.burst_malformed,
        connections: args.burst_connections,
    });
    let plan = Plan {
        connections: args.connections,
        rate: args.rate.0.and_then(Schedule::new),
        warmup: args.warmup,
        duration: args.duration,
        timeout: args.timeout,
        payload,
        expect,
        burst,
        server_pid: args.server_pid,
        sample_every: args.sample_every,
    };
    let setup = Setup {
        url: args.url.clone(),
        protocol: protocol.label(),
        connections: args.connections,
        rate: args.rate.0,
        request: format!("{:?}", args.request).to_lowercase(),
        body_bytes,
        expect: expect_label,
        warmup_s: args.warmup.as_secs_f64(),
        duration_s: args.duration.as_secs_f64(),
        threads: args.threads,
    };
    let runtime = if args.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    }
    .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let outcome = runtime.block_on(run(Arc::new(dialer), Arc::new(plan)));
    Ok(Report::new(setup, &outcome, args.server_pid))
}
