//! Open-loop pacing: request number `n` is due at `start + n / rate`, whatever happened to the
//! requests before it. A server that stalls therefore cannot slow the offered load down
//! ("coordinated omission"); the wait shows up in the latency instead.

use std::time::{Duration, Instant};

/// A fixed request rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    per_second: u64,
}

impl Schedule {
    /// `per_second` must be at least 1.
    pub fn new(per_second: u64) -> Option<Schedule> {
        (per_second > 0).then_some(Schedule { per_second })
    }

    pub fn per_second(&self) -> u64 {
        self.per_second
    }

    /// When request `ticket` is due, relative to the start. Computed from the ticket number
    /// (never by adding intervals), so rounding does not drift over a long run.
    pub fn offset(&self, ticket: u64) -> Duration {
        let nanos = u128::from(ticket) * 1_000_000_000 / u128::from(self.per_second);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// How many requests are due strictly before `span` has elapsed.
    pub fn due_within(&self, span: Duration) -> u64 {
        // tickets t with t * 1e9 / rate < span  <=>  t < ceil(span * rate / 1e9)
        let scaled = span.as_nanos() * u128::from(self.per_second);
        let count = scaled.div_ceil(1_000_000_000);
        u64::try_from(count).unwrap_or(u64::MAX)
    }
}

/// Where a request's latency starts counting.
///
/// A connection that picked its request up late (`picked` after `due`: every connection was
/// busy) makes the request wait because of the server, so latency counts from `due`. A request
/// picked up early sleeps until `due`; the timer wakes up to a millisecond late, which is the
/// generator's own delay, so latency counts from the moment it was actually `sent`.
pub fn latency_start(due: Instant, picked: Instant, sent: Instant) -> Instant {
    if picked > due { due } else { sent }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_rate_is_refused() {
        assert_eq!(Schedule::new(0), None);
    }

    #[test]
    fn offsets_are_exact_and_do_not_drift() {
        let schedule = Schedule::new(3).unwrap();
        assert_eq!(schedule.offset(0), Duration::ZERO);
        assert_eq!(schedule.offset(1), Duration::from_nanos(333_333_333));
        assert_eq!(schedule.offset(3), Duration::from_secs(1));
        // one billion requests later: still exact, where summing 333_333_333 ns would be off
        assert_eq!(
            schedule.offset(3_000_000_000),
            Duration::from_secs(1_000_000_000)
        );
        let fast = Schedule::new(5_000).unwrap();
        assert_eq!(fast.offset(1), Duration::from_micros(200));
        assert_eq!(fast.offset(5_000 * 300), Duration::from_secs(300));
    }

    #[test]
    fn due_within_counts_requests_before_the_end() {
        let schedule = Schedule::new(5_000).unwrap();
        assert_eq!(schedule.due_within(Duration::ZERO), 0);
        assert_eq!(schedule.due_within(Duration::from_secs(1)), 5_000);
        assert_eq!(schedule.due_within(Duration::from_micros(200)), 1);
        assert_eq!(schedule.due_within(Duration::from_micros(201)), 2);
        assert_eq!(schedule.due_within(Duration::from_secs(300)), 1_500_000);
        let odd = Schedule::new(3).unwrap();
        assert_eq!(odd.due_within(Duration::from_secs(1)), 3);
        // consistency with offset: ticket n is due within span iff offset(n) < span
        for span_ms in [0u64, 1, 333, 334, 999, 1000, 1001] {
            let span = Duration::from_millis(span_ms);
            let count = odd.due_within(span);
            assert!(count == 0 || odd.offset(count - 1) < span, "{span_ms}");
            assert!(odd.offset(count) >= span, "{span_ms}");
        }
    }

    #[test]
    fn late_pickups_count_from_the_due_time_and_timer_slack_does_not() {
        let due = Instant::now();
        let ms = Duration::from_millis(1);
        // picked up early, the timer woke 1 ms late: count from the send
        assert_eq!(latency_start(due, due - ms, due + ms), due + ms);
        // picked up on time
        assert_eq!(latency_start(due, due, due), due);
        // every connection was busy for 5 ms: the wait counts
        assert_eq!(latency_start(due, due + 5 * ms, due + 5 * ms), due);
    }
}
