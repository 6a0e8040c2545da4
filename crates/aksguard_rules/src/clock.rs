//! The one clock: what "today" is for every date aksguard judges (AKS017/AKS041 version
//! support ends, exception expiry, baseline dates).
//!
//! Today is the current date in UTC, so that the same scan gives the same verdict on a
//! laptop in Sydney and a CI runner in Virginia; `--as-of YYYY-MM-DD` (or `AKSGUARD_AS_OF`)
//! replaces it for reproducible runs. Nothing else reads the system clock.

pub use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The current date in UTC.
pub fn today_utc() -> Date {
    TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    // `Date::until` counts in days unless asked for larger units, and two valid dates are
    // never too far apart for it, so the fallback is never taken.
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_between_counts_calendar_days() {
        assert_eq!(days_between(date(2026, 2, 28), date(2026, 3, 1)), 1);
        assert_eq!(days_between(date(2024, 2, 28), date(2024, 3, 1)), 2);
        assert_eq!(days_between(date(2026, 3, 1), date(2026, 2, 28)), -1);
        assert_eq!(days_between(date(1970, 1, 1), date(2000, 3, 1)), 11_017);
    }

    #[test]
    fn today_is_a_real_recent_date() {
        assert!(today_utc() > date(2026, 1, 1));
    }
}
