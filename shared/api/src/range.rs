//! Ranges of time in a query (`from`, `to`): RFC 3339 date-times or `YYYY-MM-DD` days (UTC).

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

/// The longest range a query may ask for.
pub const MAX_RANGE_DAYS: i64 = 366;

fn instant(field: &str, raw: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(raw, &Rfc3339)
        .ok()
        .or_else(|| {
            Date::parse(
                raw,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
            .map(|day| day.midnight().assume_utc())
        })
        .ok_or_else(|| format!("{field} must be an RFC 3339 date-time or a YYYY-MM-DD day"))
}

/// `from` and `to` as a query gives them: `to` defaults to a second after `now` (the end is
/// exclusive, and what was made in this very millisecond is in range), `from` to 30 days
/// before `to`; the range is at most [`MAX_RANGE_DAYS`] long. The error says what is wrong.
pub fn time_range(
    from: Option<&str>,
    to: Option<&str>,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    let to = match to {
        Some(raw) => instant("to", raw)?,
        None => now + Duration::seconds(1),
    };
    let from = match from {
        Some(raw) => instant("from", raw)?,
        None => to
            .checked_sub(Duration::days(30))
            .ok_or("to is too early")?,
    };
    if from >= to || to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(format!(
            "from must be before to, and the range at most {MAX_RANGE_DAYS} days"
        ));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_date_times_make_a_bounded_range() {
        let now = time::macros::datetime!(2026-12-02 10:00 UTC);
        let (from, to) = time_range(None, None, now).unwrap();
        assert_eq!((to - from).whole_days(), 30);
        assert!(to > now);
        let (from, _) =
            time_range(Some("2026-11-01"), Some("2026-12-01T00:00:00+01:00"), now).unwrap();
        assert_eq!(from, time::macros::datetime!(2026-11-01 0:00 UTC));
        assert!(time_range(Some("2026-12-02"), Some("2026-12-01"), now).is_err());
        assert!(time_range(Some("2020-01-01"), Some("2026-01-01"), now).is_err());
        assert!(
            time_range(Some("yesterday"), None, now)
                .unwrap_err()
                .contains("from")
        );
    }
}
