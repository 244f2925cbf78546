//! Lossy WebP through libwebp 1.6 (`libwebp-sys` 0.14; its safe wrapper crate `webp` is still
//! on libwebp 1.3, so the dozen lines over the C API live here). Widths are encoded on parallel
//! threads, widest first, one thread per core, so the widest width's encode starts at once
//! and the small ones fill in around it.

use std::sync::Mutex;

use crate::{ImageError, Pixels};

pub(crate) fn webp(pixels: &Pixels, quality: f32, method: u8) -> Result<Vec<u8>, ImageError> {
    use libwebp_sys as sys;
    let channels = usize::from(pixels.channels);
    let width = i32::try_from(pixels.width).map_err(|_| too_wide())?;
    let height = i32::try_from(pixels.height).map_err(|_| too_wide())?;
    let stride = i32::try_from(pixels.width as usize * channels).map_err(|_| too_wide())?;
    if pixels.data.len() != pixels.width as usize * pixels.height as usize * channels
        || !(3..=4).contains(&channels)
    {
        return Err(ImageError::Encode(
            "pixel buffer and dimensions disagree".into(),
        ));
    }
    let mut config = sys::WebPConfig::new()
        .map_err(|()| ImageError::Encode("libwebp refused its default configuration".into()))?;
    config.quality = quality.clamp(0.0, 100.0);
    config.method = i32::from(method.min(6));
    let mut picture = sys::WebPPicture::new()
        .map_err(|()| ImageError::Encode("libwebp refused to set up a picture".into()))?;
    picture.width = width;
    picture.height = height;
    let mut writer = std::mem::MaybeUninit::<sys::WebPMemoryWriter>::uninit();
    // SAFETY: the buffer was checked above to hold `height` rows of `stride` bytes; the writer
    // is initialised before libwebp uses it and freed, with the picture, on every path.
    unsafe {
        sys::WebPMemoryWriterInit(writer.as_mut_ptr());
        let mut writer = writer.assume_init();
        let imported = if channels == 4 {
            sys::WebPPictureImportRGBA(&mut picture, pixels.data.as_ptr(), stride)
        } else {
            sys::WebPPictureImportRGB(&mut picture, pixels.data.as_ptr(), stride)
        };
        picture.writer = Some(sys::WebPMemoryWrite);
        picture.custom_ptr = (&raw mut writer).cast();
        let ok = imported != 0
            && sys::WebPValidateConfig(&config) != 0
            && sys::WebPEncode(&config, &mut picture) != 0;
        let out = if ok && !writer.mem.is_null() {
            Ok(std::slice::from_raw_parts(writer.mem, writer.size).to_vec())
        } else {
            Err(ImageError::Encode(format!(
                "libwebp error {:?}",
                picture.error_code
            )))
        };
        sys::WebPPictureFree(&mut picture);
        sys::WebPMemoryWriterClear(&mut writer);
        out
    }
}

fn too_wide() -> ImageError {
    ImageError::TooLarge("the picture is too large to encode".into())
}

type Encoded = Result<Vec<u8>, ImageError>;

/// Every picture of `all` as WebP, in the same order.
pub(crate) fn all(all: &[Pixels], quality: f32, method: u8) -> Result<Vec<Vec<u8>>, ImageError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(all.len())
        .max(1);
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<Encoded>>> = Mutex::new((0..all.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = {
                        let Ok(mut next) = next.lock() else { return };
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(pixels) = all.get(index) else { return };
                    let result = webp(pixels, quality, method);
                    if let Ok(mut results) = results.lock()
                        && let Some(slot) = results.get_mut(index)
                    {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .map_err(|_| ImageError::Encode("an encoding thread failed".into()))?
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(ImageError::Encode("a width was not encoded".into()))))
        .collect()
}
