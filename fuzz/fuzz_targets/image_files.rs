//! Image files as users upload them and providers return them: any bytes are a clear error or
//! WebP widths no wider than the source, inside the decode limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_imaging::{Limits, Options, optimize};

fuzz_target!(|data: &[u8]| {
    let options = Options {
        widths: vec![48, 16],
        quality: 50.0,
        method: 0,
    };
    // Small limits keep each run fast; the real ones differ only in size.
    let limits = Limits {
        max_input_bytes: 1_000_000,
        max_side: 1024,
        max_pixels: 1_000_000,
        max_alloc: 32 * 1024 * 1024,
    };
    if let Ok(out) = optimize(data, &options, &limits) {
        assert!(!out.variants.is_empty());
        for variant in &out.variants {
            assert!(variant.width <= out.source.width && !variant.webp.is_empty());
        }
    }
});
