//! Response bodies of each provider (OpenAI, Anthropic, Gemini), successful or not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_llm::{anthropic, gemini, openai, transport};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => drop(openai::parse_response(body)),
        1 => drop(anthropic::parse_response(body, "page")),
        2 => drop(gemini::parse_response(body)),
        _ => {
            let status = 400 + u16::from(selector);
            let error = transport::status_error(status, None, body, Some("sk-test-key"));
            let _ = error.retry_after();
            assert!(!format!("{error}").contains("sk-test-key"), "a key leaked");
        }
    }
});
