//! Embedding providers' answers: any body is an error or vectors, one per text asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_llm::embeddings::{parse_gemini, parse_openai};

fuzz_target!(|data: &[u8]| {
    let count = usize::from(data.first().copied().unwrap_or(0) % 8);
    for parsed in [parse_openai(data, count), parse_gemini(data, count)] {
        if let Ok(vectors) = parsed {
            assert_eq!(vectors.len(), count);
        }
    }
});
