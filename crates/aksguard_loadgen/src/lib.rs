//! The aksguard webhook load generator: loopback HTTPS only, open-loop pacing, HDR latencies.
//! See `bench/webhook.sh` for the benchmark and soak built on it.

pub mod check;
pub mod client;
pub mod pacing;
pub mod payload;
pub mod procstat;
pub mod report;
pub mod run;
pub mod summary;
pub mod target;
pub mod units;
