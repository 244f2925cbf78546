//! Decoding under limits: the header's dimensions are checked before a pixel is allocated, and
//! every allocation the decoder makes counts against one budget, so a decompression bomb is an
//! error, not an out-of-memory kill. Then the picture is turned upright (EXIF orientation) and
//! into sRGB (an embedded RGB profile is applied); nothing of the file's metadata survives.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::{ImageError, Limits, sniff::Format};

/// Decoded pixels, 8 bits per channel, upright and in sRGB.
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    /// 3 (RGB) or 4 (RGBA, only when some pixel is not opaque).
    pub channels: u8,
    pub data: Vec<u8>,
}

pub(crate) fn decode(bytes: &[u8], format: Format, limits: &Limits) -> Result<Pixels, ImageError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(ImageError::TooLarge(format!(
            "the file is {} MB; the limit is {} MB",
            bytes.len() / 1_000_000,
            limits.max_input_bytes / 1_000_000
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut budget = image::Limits::default();
    budget.max_image_width = Some(limits.max_side);
    budget.max_image_height = Some(limits.max_side);
    budget.max_alloc = Some(limits.max_alloc);
    reader.limits(budget);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooLarge(format!(
            "{width}×{height} is {:.0} megapixels; the limit is {} megapixels",
            (f64::from(width) * f64::from(height)) / 1e6,
            limits.max_pixels / 1_000_000
        )));
    }
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt("the image has no pixels".into()));
    }
    // A broken EXIF block or profile is not worth refusing a photo for: it is dropped anyway.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let opaque = !image.color().has_alpha() || is_opaque(&image);
    let (channels, mut data) = if opaque {
        (3u8, image.into_rgb8().into_raw())
    } else {
        (4u8, image.into_rgba8().into_raw())
    };
    if let Some(icc) = icc {
        to_srgb(&icc, channels, &mut data);
    }
    Ok(Pixels {
        width,
        height,
        channels,
        data,
    })
}

fn corrupt(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::TooLarge(
            "decoding the image would take more memory than the limit allows".into(),
        ),
        image::ImageError::Unsupported(u) => ImageError::Unsupported(format!("{u}")),
        other => ImageError::Corrupt(format!("{other}")),
    }
}

fn is_opaque(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(i) => i.pixels().all(|p| p.0[3] == u8::MAX),
        DynamicImage::ImageLumaA8(i) => i.pixels().all(|p| p.0[1] == u8::MAX),
        DynamicImage::ImageRgba16(i) => i.pixels().all(|p| p.0[3] == u16::MAX),
        DynamicImage::ImageLumaA16(i) => i.pixels().all(|p| p.0[1] == u16::MAX),
        other => !other.color().has_alpha(),
    }
}

/// Applies an embedded RGB profile so the pixels are sRGB, as browsers assume for WebP without
/// one. A profile that cannot be read, or a CMYK or grey one (the decoder has already turned
/// those pixels into RGB), is left out: the pixels stay as decoded.
fn to_srgb(icc: &[u8], channels: u8, data: &mut [u8]) {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let Ok(profile) = ColorProfile::new_from_slice(icc) else {
        return;
    };
    if profile.color_space != DataColorSpace::Rgb {
        return;
    }
    let layout = if channels == 4 {
        Layout::Rgba
    } else {
        Layout::Rgb
    };
    let srgb = ColorProfile::new_srgb();
    let Ok(transform) =
        profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
    else {
        return;
    };
    let source = data.to_vec();
    let _ = transform.transform(&source, data);
}
