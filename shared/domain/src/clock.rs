//! The one clock reading leases and deadlines compare against.

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}
