//! What the public form endpoint reads from anyone: the token in the address, and the body as
//! a form or as JSON, through to the message it would store.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_domain::form::{FormFields, FormToken};

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let _ = FormToken::new(b"0123456789abcdef0123456789abcdef").verify(&token);
    let now = time::OffsetDateTime::UNIX_EPOCH;
    let id = uuid::Uuid::nil();
    if let Ok(fields) = serde_urlencoded::from_bytes::<FormFields>(data) {
        let _ = fields.is_spam();
        let _ = fields.submission(id, now);
    }
    if let Ok(fields) = serde_json::from_slice::<FormFields>(data) {
        let _ = fields.submission(id, now);
    }
});
