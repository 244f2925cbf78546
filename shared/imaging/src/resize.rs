//! Responsive widths with `fast_image_resize` (SIMD convolution, Lanczos3, alpha-aware). Each
//! width is made from the nearest larger one rather than from the full decode: a 320 px
//! picture from a 640 px one costs a fraction of one from 4000 px, and looks the same.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use crate::{ImageError, Pixels};

/// `source` at every width of `widths` no wider than it (the source's own width stands in for
/// the wider ones), widest first, without duplicates.
pub(crate) fn widths(source: &Pixels, widths: &[u32]) -> Result<Vec<Pixels>, ImageError> {
    let mut targets: Vec<u32> = widths.iter().map(|&w| w.clamp(1, source.width)).collect();
    targets.sort_unstable_by(|a, b| b.cmp(a));
    targets.dedup();
    let mut out: Vec<Pixels> = Vec::with_capacity(targets.len());
    for width in targets {
        let from = out.last().unwrap_or(source);
        let next = to_size(from, width, height_at(source, width)?)?;
        out.push(next);
    }
    Ok(out)
}

/// The height of `source` at `width`, rounded: from the original's ratio, so a width made from
/// a smaller one has the same height as one made from the original.
fn height_at(source: &Pixels, width: u32) -> Result<u32, ImageError> {
    let height = ((u64::from(source.height) * u64::from(width) + u64::from(source.width) / 2)
        / u64::from(source.width.max(1)))
    .max(1);
    u32::try_from(height).map_err(|_| ImageError::TooLarge("height".into()))
}

/// `source` scaled to `width`, keeping its aspect ratio.
pub(crate) fn to_width(source: &Pixels, width: u32) -> Result<Pixels, ImageError> {
    to_size(source, width, height_at(source, width)?)
}

fn to_size(source: &Pixels, width: u32, height: u32) -> Result<Pixels, ImageError> {
    if width == source.width && height == source.height {
        return Ok(Pixels {
            width,
            height,
            channels: source.channels,
            data: source.data.clone(),
        });
    }
    let pixel_type = if source.channels == 4 {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let from = ImageRef::new(source.width, source.height, &source.data, pixel_type)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    let mut to = Image::new(width, height, pixel_type);
    Resizer::new()
        .resize(
            &from,
            &mut to,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)),
        )
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(Pixels {
        width,
        height,
        channels: source.channels,
        data: to.into_vec(),
    })
}
