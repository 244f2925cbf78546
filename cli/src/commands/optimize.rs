//! `visions-ai optimize FILE --out DIR`: the optimize stage's own code on a file here. Writes
//! one WebP per width (named by content hash, as the stage keys them) and prints JSON: the
//! source, each output's size, the placeholder and per-stage timings.

use std::path::PathBuf;

use anyhow::Context;
use visions_imaging::{DEFAULT_METHOD, DEFAULT_QUALITY, DEFAULT_WIDTHS, Limits, Options};

#[derive(clap::Args)]
pub struct Args {
    /// A JPEG, PNG, GIF or WebP.
    file: PathBuf,
    /// Widths to make, comma-separated (none is made wider than the source).
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_WIDTHS)]
    widths: Vec<u32>,
    /// Lossy WebP quality, 0–100.
    #[arg(long, default_value_t = DEFAULT_QUALITY)]
    quality: f32,
    /// libwebp effort, 0 (fastest) to 6 (smallest).
    #[arg(long, default_value_t = DEFAULT_METHOD, value_parser = clap::value_parser!(u8).range(0..=6))]
    method: u8,
    /// Where to write the WebP files.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !(0.0..=100.0).contains(&args.quality) {
        anyhow::bail!("--quality must be between 0 and 100");
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let options = Options {
        widths: args.widths,
        quality: args.quality,
        method: args.method,
    };
    let optimized = visions_imaging::optimize(&bytes, &options, &Limits::default())
        .with_context(|| format!("{} was not optimized", args.file.display()))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut files = Vec::new();
    for variant in &optimized.variants {
        let name = visions_imaging::variant_name(variant);
        let path = args.out.join(&name);
        std::fs::write(&path, &variant.webp)
            .with_context(|| format!("writing {}", path.display()))?;
        files.push(serde_json::json!({
            "file": path,
            "width": variant.width,
            "height": variant.height,
            "bytes": variant.bytes,
        }));
    }
    let report = serde_json::json!({
        "source": optimized.source,
        "outputs": files,
        "placeholder": optimized.placeholder,
        "timings": optimized.timings,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
