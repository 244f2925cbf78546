//! Pixels for the image and optimize stages: what a file really is ([`sniff`]), decoding it
//! under limits (upright, sRGB, no metadata kept), responsive widths with a SIMD resizer, lossy
//! WebP through libwebp, and a tiny inline placeholder ([`optimize`]); and the offline image
//! generator ([`art`]). No I/O: callers bring bytes and store what comes back.

pub mod art;
mod decode;
mod encode;
mod resize;
pub mod sniff;

use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use decode::Pixels;
pub use sniff::{Format, sniff};

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Not an image this stage accepts (the reason says what it is instead).
    #[error("{0}")]
    Unsupported(String),
    /// Over a size, dimension or memory limit.
    #[error("{0}")]
    TooLarge(String),
    /// An image of an accepted format that does not decode.
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    /// The encoder refused (never expected for pixels that decoded).
    #[error("encoding failed: {0}")]
    Encode(String),
}

/// What one decode may cost. The defaults keep a 40-megapixel photo well inside a 1024 MB
/// function: its RGBA pixels are 160 MB, and the decoder's own buffers count against
/// `max_alloc`.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_input_bytes: u64,
    pub max_side: u32,
    pub max_pixels: u64,
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 40 * 1_000_000,
            max_side: 16_384,
            max_pixels: 50 * 1_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

/// The responsive widths pages use; none is made wider than its source.
pub const DEFAULT_WIDTHS: [u32; 5] = [320, 640, 1024, 1600, 2400];
/// Lossy WebP quality (libwebp's 0–100 scale).
pub const DEFAULT_QUALITY: f32 = 80.0;
/// libwebp's effort (0 fastest – 6 smallest). Chosen by `scripts/bench-images`: see the images
/// section of docs/BENCHMARKS.md for the bytes and time of each method.
pub const DEFAULT_METHOD: u8 = 4;

#[derive(Clone, Debug)]
pub struct Options {
    pub widths: Vec<u32>,
    pub quality: f32,
    pub method: u8,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            widths: DEFAULT_WIDTHS.to_vec(),
            quality: DEFAULT_QUALITY,
            method: DEFAULT_METHOD,
        }
    }
}

/// One encoded width.
#[derive(Clone, Debug, Serialize)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    /// Size of the WebP file.
    pub bytes: usize,
    /// Hex SHA-256 of the file: its content-hashed key is built from it.
    pub sha256: String,
    #[serde(skip)]
    pub webp: Vec<u8>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
}

/// Milliseconds per stage.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    pub decode_ms: f64,
    pub resize_ms: f64,
    pub encode_ms: f64,
    pub placeholder_ms: f64,
    pub total_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Optimized {
    pub source: Source,
    /// Widest first.
    pub variants: Vec<Variant>,
    /// A blurred stand-in shown until the picture arrives: a `data:image/webp;base64,…` URI of
    /// about 16 px across, a few hundred bytes.
    pub placeholder: String,
    pub timings: Timings,
}

/// Sniffs, decodes under `limits`, and makes every width of `options` (capped at the source's
/// width) as WebP, encoding widths on parallel threads.
pub fn optimize(bytes: &[u8], options: &Options, limits: &Limits) -> Result<Optimized, ImageError> {
    let start = Instant::now();
    let format = sniff(bytes)?;
    let pixels = decode::decode(bytes, format, limits)?;
    let decoded = Instant::now();
    let resized = resize::widths(&pixels, &options.widths)?;
    let resized_at = Instant::now();
    let encoded = encode::all(&resized, options.quality, options.method)?;
    let encoded_at = Instant::now();
    let smallest = resized.last().unwrap_or(&pixels);
    let placeholder = placeholder(smallest)?;
    let end = Instant::now();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
    let variants = resized
        .iter()
        .zip(encoded)
        .map(|(p, webp)| Variant {
            width: p.width,
            height: p.height,
            bytes: webp.len(),
            sha256: hex(&Sha256::digest(&webp)),
            webp,
        })
        .collect();
    Ok(Optimized {
        source: Source {
            format,
            width: pixels.width,
            height: pixels.height,
            bytes: bytes.len(),
        },
        variants,
        placeholder,
        timings: Timings {
            decode_ms: ms(start, decoded),
            resize_ms: ms(decoded, resized_at),
            encode_ms: ms(resized_at, encoded_at),
            placeholder_ms: ms(encoded_at, end),
            total_ms: ms(start, end),
        },
    })
}

/// Encodes pixels (e.g. the offline generator's) as a lossless PNG original.
pub fn png(pixels: &Pixels) -> Result<Vec<u8>, ImageError> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let color = if pixels.channels == 4 {
        image::ExtendedColorType::Rgba8
    } else {
        image::ExtendedColorType::Rgb8
    };
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels.data, pixels.width, pixels.height, color)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// A variant's content-hashed file name: the same bytes always get the same name, so it can be
/// cached for good (`Cache-Control: immutable`).
pub fn variant_name(variant: &Variant) -> String {
    format!(
        "{}-{}w.webp",
        variant.sha256.get(..32).unwrap_or(&variant.sha256),
        variant.width
    )
}

fn placeholder(pixels: &Pixels) -> Result<String, ImageError> {
    use base64::Engine;
    let width = 16.min(pixels.width);
    let tiny = resize::to_width(pixels, width)?;
    let webp = encode::webp(&tiny, 40.0, 4)?;
    Ok(format!(
        "data:image/webp;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(webp)
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
