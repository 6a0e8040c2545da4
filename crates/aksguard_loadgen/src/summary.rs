//! Latency recording (HDR histogram, nanoseconds, 3 significant digits) and its summary.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::time::Duration;

/// Latencies above this are clamped (every request also has a timeout far below it).
const HIGHEST_NANOS: u64 = 120 * 1_000_000_000;

/// Latencies of one kind (e.g. the full response time) for one worker or the whole run.
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            histogram: Histogram::new_with_bounds(1, HIGHEST_NANOS, 3)
                .expect("static histogram bounds are valid"),
        }
    }
}

impl Latencies {
    pub fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos())
            .unwrap_or(u64::MAX)
            .clamp(1, HIGHEST_NANOS);
        self.histogram
            .record(nanos)
            .expect("value is clamped to the histogram's range");
    }

    pub fn merge(&mut self, other: &Latencies) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms share bounds");
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    pub fn summary(&self) -> Summary {
        let h = &self.histogram;
        let ms = |nanos: u64| nanos as f64 / 1e6;
        if h.is_empty() {
            return Summary::default();
        }
        Summary {
            count: h.len(),
            min_ms: ms(h.min()),
            mean_ms: h.mean() / 1e6,
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

/// Percentiles in milliseconds. Values are the histogram's bucket bounds (within 0.1%).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub min_ms: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

/// Requests per second over `elapsed` (0 when nothing elapsed).
pub fn throughput(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= b.abs() * 0.001 + 1e-9
    }

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut latencies = Latencies::default();
        // 1..=1000 microseconds, one each
        for micros in 1..=1000u64 {
            latencies.record(Duration::from_micros(micros));
        }
        let s = latencies.summary();
        assert_eq!(s.count, 1000);
        assert!(close(s.min_ms, 0.001), "{s:?}");
        assert!(close(s.p50_ms, 0.5), "{s:?}");
        assert!(close(s.p90_ms, 0.9), "{s:?}");
        assert!(close(s.p99_ms, 0.99), "{s:?}");
        assert!(close(s.p999_ms, 0.999), "{s:?}");
        assert!(close(s.max_ms, 1.0), "{s:?}");
        assert!(close(s.mean_ms, 0.5005), "{s:?}");
    }

    #[test]
    fn one_slow_request_in_a_thousand_shows_at_p999_not_p99() {
        let mut latencies = Latencies::default();
        for _ in 0..999 {
            latencies.record(Duration::from_micros(300));
        }
        latencies.record(Duration::from_millis(40));
        let s = latencies.summary();
        assert!(close(s.p99_ms, 0.3), "{s:?}");
        assert!(close(s.p999_ms, 0.3), "{s:?}");
        assert!(close(s.max_ms, 40.0), "{s:?}");
        latencies.record(Duration::from_millis(40));
        assert!(close(latencies.summary().p999_ms, 40.0));
    }

    #[test]
    fn merging_adds_counts_and_keeps_extremes() {
        let mut a = Latencies::default();
        let mut b = Latencies::default();
        a.record(Duration::from_micros(100));
        b.record(Duration::from_millis(3));
        b.record(Duration::ZERO); // clamped to 1 ns, not an error
        a.merge(&b);
        let s = a.summary();
        assert_eq!(s.count, 3);
        assert!(close(s.max_ms, 3.0));
        assert!(s.min_ms <= 0.000_001 + 1e-12);
    }

    #[test]
    fn huge_values_are_clamped_and_empty_is_zero() {
        let mut latencies = Latencies::default();
        assert_eq!(latencies.summary(), Summary::default());
        latencies.record(Duration::from_secs(3600));
        assert!(close(latencies.summary().max_ms, 120_000.0));
    }

    #[test]
    fn throughput_is_per_second() {
        assert_eq!(throughput(5_000, Duration::from_secs(2)), 2_500.0);
        assert_eq!(throughput(10, Duration::ZERO), 0.0);
    }
}
