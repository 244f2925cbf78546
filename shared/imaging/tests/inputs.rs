//! What users and providers really send: each file gives a correct output or a clear error,
//! never a panic, inside the memory of a 1024 MB function.
#![allow(clippy::panic)] // Test helpers assert by panicking.

use image::{ImageEncoder, Rgb, RgbImage};
use visions_imaging::{ImageError, Limits, Options, art, optimize};

fn photo(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    })
}

fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("encodes");
    out
}

fn options(widths: &[u32]) -> Options {
    Options {
        widths: widths.to_vec(),
        ..Options::default()
    }
}

fn error(bytes: &[u8]) -> String {
    match optimize(bytes, &Options::default(), &Limits::default()) {
        Ok(o) => panic!("accepted: {}×{}", o.source.width, o.source.height),
        Err(e) => e.to_string(),
    }
}

/// A WebP's dimensions from its VP8/VP8L/VP8X header, as a browser reads them.
fn webp_size(webp: &[u8]) -> (u32, u32) {
    let decoded = image::load_from_memory_with_format(webp, image::ImageFormat::WebP)
        .expect("the output is a WebP a decoder reads");
    (decoded.width(), decoded.height())
}

#[test]
fn a_photo_becomes_every_width_up_to_its_own_with_a_placeholder() {
    let source = jpeg(&photo(1200, 800), 90);
    let out = optimize(&source, &Options::default(), &Limits::default()).expect("optimizes");
    let widths: Vec<u32> = out.variants.iter().map(|v| v.width).collect();
    assert_eq!(widths, [1200, 1024, 640, 320], "never above the source");
    for v in &out.variants {
        assert_eq!(webp_size(&v.webp), (v.width, v.height));
        assert_eq!(v.height, (v.width * 800 + 600) / 1200);
        assert_eq!(v.bytes, v.webp.len());
        assert_eq!(v.sha256.len(), 64);
    }
    assert!(out.placeholder.starts_with("data:image/webp;base64,"));
    assert!(out.placeholder.len() < 1200, "{}", out.placeholder.len());
}

#[test]
fn exif_orientation_is_applied_and_no_metadata_survives() {
    // A 300×200 JPEG whose EXIF says "rotate 90° clockwise" and carries a GPS block.
    let plain = jpeg(&photo(300, 200), 85);
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation = 6
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]); // GPS IFD at 38
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]); // GPSLatitudeRef
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut file = vec![0xFF, 0xD8, 0xFF, 0xE1];
    file.extend_from_slice(&u16::try_from(app1.len() + 2).expect("small").to_be_bytes());
    file.extend_from_slice(&app1);
    file.extend_from_slice(plain.get(2..).expect("past SOI"));
    let out = optimize(&file, &options(&[320]), &Limits::default()).expect("optimizes");
    assert_eq!(
        (out.source.width, out.source.height),
        (200, 300),
        "turned upright"
    );
    let webp = &out.variants.first().expect("one width").webp;
    for marker in [b"Exif".as_slice(), b"EXIF", b"ICCP", b"XMP "] {
        assert!(
            !webp.windows(4).any(|w| w == marker),
            "metadata chunk in output"
        );
    }
}

#[test]
fn damaged_foreign_and_hostile_files_get_a_clear_error() {
    let whole = jpeg(&photo(640, 480), 90);
    let truncated = whole.get(..whole.len() / 3).expect("prefix");
    // A truncated JPEG either decodes what is there (as browsers do) or is reported damaged.
    match optimize(truncated, &options(&[320]), &Limits::default()) {
        Ok(out) => assert_eq!(out.source.width, 640),
        Err(e) => assert!(e.to_string().contains("damaged"), "{e}"),
    }
    assert!(error(b"").contains("empty"));
    assert!(error(b"PK\x03\x04\x14\0\0\0\x08\0").contains("ZIP"));
    assert!(
        error(br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#)
            .contains("SVG")
    );
    assert!(error(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").contains("HEIC"));
    assert!(error(b"<!DOCTYPE html><html><body>Rate limited</body></html>").contains("HTML"));
    assert!(error(whole.get(..4).expect("4 bytes")).contains("damaged"));
}

#[test]
fn a_png_declaring_65535_squared_is_refused_before_allocating() {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&65535u32.to_be_bytes());
    ihdr.extend_from_slice(&65535u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    file.extend_from_slice(&13u32.to_be_bytes());
    file.extend_from_slice(&ihdr);
    file.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    file.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
    let message = error(&file);
    assert!(
        message.contains("limit") || message.contains("megapixels"),
        "{message}"
    );
}

#[test]
fn a_decompression_bomb_is_refused_by_the_memory_budget() {
    // 8000×8000 of one colour compresses to a few kilobytes and would need 256 MB decoded.
    let mut file = Vec::new();
    let blank = vec![0u8; 8000 * 4];
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut file,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::NoFilter,
    );
    let pixels: Vec<u8> = (0..8000).flat_map(|_| blank.iter().copied()).collect();
    encoder
        .write_image(&pixels, 8000, 8000, image::ExtendedColorType::Rgba8)
        .expect("encodes");
    assert!(file.len() < 2_000_000);
    let tight = Limits {
        max_alloc: 64 * 1024 * 1024,
        ..Limits::default()
    };
    match optimize(&file, &options(&[320]), &tight) {
        Err(ImageError::TooLarge(_)) => {}
        other => panic!(
            "expected a memory refusal, got {:?}",
            other.map(|o| o.source)
        ),
    }
}

#[test]
fn cmyk_jpeg_16_bit_png_and_animated_gif_come_out_right() {
    // CMYK, as printers and stock sites export it: a cyan block must not come out red.
    let mut cmyk = Vec::new();
    let pixels: Vec<u8> = (0..64 * 64).flat_map(|_| [255u8, 0, 0, 0]).collect();
    jpeg_encoder::Encoder::new(&mut cmyk, 90)
        .encode(&pixels, 64, 64, jpeg_encoder::ColorType::Cmyk)
        .expect("encodes CMYK");
    let out = optimize(&cmyk, &options(&[32]), &Limits::default()).expect("CMYK decodes");
    let decoded = image::load_from_memory(&out.variants.first().expect("width").webp)
        .expect("webp")
        .to_rgb8();
    let p = decoded.get_pixel(16, 16).0;
    assert!(p[2] > p[0] && p[1] > p[0], "cyan, not {p:?}");

    let mut png16 = Vec::new();
    let deep: Vec<u8> = (0..100 * 50)
        .flat_map(|i: u32| {
            let v = ((i % 100) * 655) as u16;
            [v.to_be_bytes(), v.to_be_bytes(), 0u16.to_be_bytes()].concat()
        })
        .collect();
    image::codecs::png::PngEncoder::new(&mut png16)
        .write_image(&deep, 100, 50, image::ExtendedColorType::Rgb16)
        .expect("encodes 16-bit");
    let out = optimize(&png16, &options(&[64]), &Limits::default()).expect("16-bit decodes");
    assert_eq!((out.source.width, out.source.height), (100, 50));

    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        for shade in [40u8, 200] {
            let frame =
                image::RgbaImage::from_pixel(40, 30, image::Rgba([shade, shade, shade, 255]));
            encoder
                .encode_frame(image::Frame::new(frame))
                .expect("frame");
        }
    }
    let out = optimize(&gif, &options(&[40]), &Limits::default()).expect("animated GIF decodes");
    assert_eq!(out.variants.len(), 1, "the first frame, as a still");
}

#[test]
fn a_40_megapixel_photo_fits_the_default_limits() {
    let big = art::paint(
        "a 40 megapixel landscape at dusk",
        &[[30, 60, 120]],
        7300,
        5480,
    );
    let file = {
        let image = RgbImage::from_raw(big.width, big.height, big.data).expect("buffer");
        jpeg(&image, 80)
    };
    let out = optimize(&file, &Options::default(), &Limits::default()).expect("40 MP decodes");
    assert_eq!(out.variants.len(), 5);
    assert_eq!(out.variants.first().map(|v| v.width), Some(2400));
}

#[test]
fn an_embedded_display_p3_profile_is_converted_to_srgb() {
    let p3 = moxcms::ColorProfile::new_display_p3()
        .encode()
        .expect("profile bytes");
    let green = image::RgbImage::from_pixel(32, 32, Rgb([40, 180, 60]));
    let encode = |icc: Option<Vec<u8>>| {
        let mut out = Vec::new();
        let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
        if let Some(icc) = icc {
            encoder.set_icc_profile(icc).expect("PNG takes a profile");
        }
        encoder
            .write_image(green.as_raw(), 32, 32, image::ExtendedColorType::Rgb8)
            .expect("encodes");
        out
    };
    let centre = |file: Vec<u8>| {
        let out = optimize(&file, &options(&[32]), &Limits::default()).expect("optimizes");
        let webp = &out.variants.first().expect("width").webp;
        image::load_from_memory(webp)
            .expect("webp")
            .to_rgb8()
            .get_pixel(16, 16)
            .0
    };
    let tagged = centre(encode(Some(p3)));
    let untagged = centre(encode(None));
    // P3 green is more saturated than sRGB's: in sRGB it needs less red and more green.
    assert!(
        tagged[1] > untagged[1] || tagged[0] < untagged[0],
        "{tagged:?} vs {untagged:?}"
    );
}
