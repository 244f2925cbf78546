//! The zip a user downloads: every file under the export's folder, with fixed timestamps so the
//! same version exported twice gives the same bytes; and its unpacking on the user's side.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::Bundle;

pub fn zip(bundle: &Bundle) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for file in &bundle.files {
        // Pictures are compressed already.
        let method = if file.path.ends_with(".webp") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        writer.start_file(format!("{}/{}", bundle.root, file.path), options)?;
        writer.write_all(&file.bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// The most an export may unpack to: far above any page, far below a zip bomb.
pub const MAX_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("the download is not a zip: {0}")]
    NotZip(#[from] zip::result::ZipError),
    #[error("the zip holds a path that leaves its folder: {0:?}")]
    UnsafePath(String),
    #[error("the export unpacks to more than its limit")]
    TooLarge,
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Unpacks an export into `folder`, without its top folder; returns the number of files.
/// A path that would leave the folder is refused, and so is an archive that unpacks to more
/// than [`MAX_UNPACKED_BYTES`] (whatever sizes its headers claim).
pub fn unpack(zip: &[u8], folder: &Path) -> Result<usize, UnpackError> {
    unpack_within(zip, folder, MAX_UNPACKED_BYTES)
}

/// [`unpack`] with another size limit.
pub fn unpack_within(zip: &[u8], folder: &Path, limit: u64) -> Result<usize, UnpackError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))?;
    let mut written = 0;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        if entry.is_dir() {
            continue;
        }
        // Plain names only: no root, no `..` anywhere (`root/../x` would climb out once the top
        // folder is dropped), whatever the zip library would accept as enclosed.
        let unsafe_path = || UnpackError::UnsafePath(entry.name().to_owned());
        let inside = entry.enclosed_name().ok_or_else(unsafe_path)?;
        if !inside
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            return Err(unsafe_path());
        }
        // `rosas-bakery-html/index.html` → `index.html`.
        let relative: PathBuf = inside.components().skip(1).collect();
        if relative.as_os_str().is_empty() {
            continue;
        }
        let target = folder.join(&relative);
        let fail = |source| UnpackError::Write {
            path: target.clone(),
            source,
        };
        let mut bytes = Vec::new();
        (&mut entry)
            .take(limit.saturating_sub(total).saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| UnpackError::NotZip(e.into()))?;
        total = total.saturating_add(bytes.len() as u64);
        if total > limit {
            return Err(UnpackError::TooLarge);
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::write(&target, bytes).map_err(fail)?;
        written += 1;
    }
    Ok(written)
}
