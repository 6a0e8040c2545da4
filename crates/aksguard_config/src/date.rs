//! Calendar dates: strict `YYYY-MM-DD`, and "today" for every date aksguard judges
//! (exception expiry, baseline dates, AKS017/AKS041 support ends): the UTC date from
//! [`aksguard_rules::clock`], or `--as-of` / `AKSGUARD_AS_OF` for reproducible runs.

pub use jiff::civil::Date;

/// The environment variable that fixes "today" when `--as-of` is not given.
pub const AS_OF_ENV: &str = "AKSGUARD_AS_OF";

/// Exactly `YYYY-MM-DD` naming a real day (`2025-02-30` is refused).
pub fn parse_date(text: &str) -> Result<Date, String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<i16>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Month and day have two digits, so they fit i8.
    Date::new(year, month as i8, day as i8).map_err(|_| format!("`{text}` is not a real date"))
}

/// "Today": `as_of` if given, else `AKSGUARD_AS_OF` if set, else the UTC date.
pub fn today(as_of: Option<Date>) -> Result<Date, String> {
    if let Some(date) = as_of {
        return Ok(date);
    }
    match std::env::var(AS_OF_ENV) {
        Ok(text) if !text.trim().is_empty() => {
            parse_date(text.trim()).map_err(|e| format!("{AS_OF_ENV}: {e}"))
        }
        _ => Ok(aksguard_rules::clock::today_utc()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert_eq!(parse_date("2027-03-31").unwrap().to_string(), "2027-03-31");
        assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-01",
            "25-01-01",
            "2025/01/01",
            "2025-01-01T00:00",
            " 2025-01-01",
            "",
            "２０２５-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} must be refused");
        }
    }
}
