//! Image providers' answers, upload URLs' grants and upload keys: any input is an error or a
//! well-formed value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_domain::asset::{UploadGrant, parse_original_key};
use visions_llm::images::{parse_openai, parse_stability};

fuzz_target!(|data: &[u8]| {
    let _ = parse_openai(data);
    let _ = parse_stability(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = UploadGrant::verify(b"fuzz-key", text, time::OffsetDateTime::UNIX_EPOCH);
        if let Some((owner, id)) = parse_original_key(text) {
            assert_eq!(visions_domain::asset::original_key(&owner, id), text);
        }
    }
});
