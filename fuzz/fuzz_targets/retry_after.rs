//! `Retry-After` / `retry-after-ms` headers and Gemini's `retryDelay`, as any provider may
//! send them.
#![no_main]

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (first, second) = text.split_once('\n').unwrap_or((&text, ""));
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(first) {
        headers.insert("retry-after", value);
    }
    if let Ok(value) = HeaderValue::from_str(second) {
        headers.insert("retry-after-ms", value);
    }
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let _ = visions_llm::transport::retry_after(&headers, now);
    let body = format!(
        r#"{{"error":{{"details":[{{"retryDelay":"{}s"}}]}}}}"#,
        first.escape_default()
    );
    let _ = visions_llm::transport::status_error(429, None, body.as_bytes(), None).retry_after();
});
