//! What the bytes are, whatever the file is called or the client claims: the optimize stage
//! trusts neither a file name nor a content type.

use crate::ImageError;

/// The formats the optimize stage decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Gif => image::ImageFormat::Gif,
            Format::Webp => image::ImageFormat::WebP,
        }
    }
}

/// The format of `bytes`, or why they are not an image this stage accepts.
pub fn sniff(bytes: &[u8]) -> Result<Format, ImageError> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if bytes.is_empty() {
        return Err(ImageError::Unsupported("the file is empty".into()));
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()) {
        return Ok(Format::Webp);
    }
    Err(ImageError::Unsupported(refusal(bytes).into()))
}

/// A clear reason for bytes that are not JPEG, PNG, GIF or WebP.
fn refusal(bytes: &[u8]) -> &'static str {
    if bytes.get(4..8) == Some(b"ftyp".as_slice()) {
        return match bytes.get(8..12) {
            Some(b"avif" | b"avis") => {
                "AVIF images are not accepted: upload a JPEG, PNG, GIF or WebP"
            }
            Some(b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1") => {
                "HEIC images are not accepted: export the photo as JPEG (or set the camera to \"Most Compatible\")"
            }
            _ => "a video or ISO media file is not an image",
        };
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return "the file is a ZIP archive, not an image";
    }
    if bytes.starts_with(b"%PDF") {
        return "the file is a PDF document, not an image";
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return "TIFF images are not accepted: upload a JPEG, PNG, GIF or WebP";
    }
    if bytes.starts_with(b"BM") {
        return "BMP images are not accepted: upload a JPEG, PNG, GIF or WebP";
    }
    let text = String::from_utf8_lossy(bytes.get(..512).unwrap_or(bytes)).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.contains("<svg") {
        return "SVG is not accepted (it can carry scripts): upload a JPEG, PNG, GIF or WebP";
    }
    if text.starts_with("<!doctype html") || text.starts_with("<html") || text.contains("<head") {
        return "the file is an HTML document, not an image";
    }
    if text.starts_with('<') {
        return "the file is XML or markup, not an image";
    }
    if text.starts_with('{') || text.starts_with('[') {
        return "the file is JSON, not an image";
    }
    "the file is not a JPEG, PNG, GIF or WebP image"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(bytes: &[u8]) -> String {
        match sniff(bytes) {
            Err(e) => e.to_string(),
            Ok(f) => format!("accepted as {f:?}"),
        }
    }

    #[test]
    fn the_bytes_decide_not_the_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest").ok(), Some(Format::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").ok(), Some(Format::Webp));
        assert!(reason(b"").contains("empty"));
        assert!(reason(b"PK\x03\x04zip").contains("ZIP"));
        assert!(reason(b"\0\0\0\x18ftypheic\0\0").contains("HEIC"));
        assert!(reason(b"<?xml version=\"1.0\"?><svg onload=alert(1)>").contains("SVG"));
        assert!(reason(b"\xEF\xBB\xBF  <!DOCTYPE html><html>").contains("HTML"));
        assert!(reason(b"RIFF\0\0\0\0WAVE").contains("not a JPEG"));
    }
}
