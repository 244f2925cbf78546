//! One optimize run per file, as the optimize stage does it, for `scripts/bench-images` to time
//! from outside (CPU, wall, peak memory) beside libvips and cwebp.
//! `cargo bench -p visions-imaging --bench optimize -- OUT_DIR METHOD QUALITY FILE…`

use visions_imaging::{Limits, Options, optimize};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [out, method, quality, files @ ..] = args.as_slice() else {
        eprintln!("usage: optimize OUT_DIR METHOD QUALITY FILE…");
        std::process::exit(2);
    };
    let options = Options {
        method: method.parse().unwrap_or(4),
        quality: quality.parse().unwrap_or(80.0),
        ..Options::default()
    };
    for file in files {
        let result = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                optimize(&bytes, &options, &Limits::default()).map_err(|e| e.to_string())
            });
        match result {
            Ok(optimized) => {
                let stem = std::path::Path::new(file)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                for v in &optimized.variants {
                    let path = format!("{out}/{stem}-{}.webp", v.width);
                    if let Err(e) = std::fs::write(&path, &v.webp) {
                        eprintln!("{path}: {e}");
                    }
                }
                println!(
                    "{}",
                    serde_json::json!({"file": file, "timings": optimized.timings,
                        "bytes": optimized.variants.iter().map(|v| v.bytes).sum::<usize>()})
                );
            }
            Err(e) => eprintln!("{file}: {e}"),
        }
    }
}
