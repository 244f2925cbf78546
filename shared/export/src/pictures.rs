//! The page's pictures, carried in the export: each stored width becomes `images/<name>.webp`
//! beside the page, so the export loads nothing from the platform.

use std::collections::BTreeMap;

use visions_domain::page::Page;

/// One stored picture width the export carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Where the page loads it today (the CDN, or the local server's `/assets/…`).
    pub url: String,
    /// Its key in the blob store (`images/<sha256>-<w>w.webp`).
    pub key: String,
    /// Its path in the export: `images/<name>.webp`.
    pub path: String,
}

/// The stored widths of every picture on the page, once each. Only the platform's own images
/// qualify (`…/images/<name>.webp`); any other source stays where it is.
pub fn pictures_of(page: &Page) -> Vec<Picture> {
    let mut found = BTreeMap::new();
    for slot in page.sections.iter().flat_map(|s| s.content.image_slots()) {
        for source in slot.picture.iter().flat_map(|p| &p.sources) {
            if let Some(picture) = stored(&source.url) {
                found.entry(picture.url.clone()).or_insert(picture);
            }
        }
    }
    found.into_values().collect()
}

fn stored(url: &str) -> Option<Picture> {
    let (_, name) = url.rsplit_once("/images/")?;
    let stem = name.strip_suffix(".webp")?;
    let plain = !stem.is_empty()
        && stem.len() <= 128
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plain.then(|| Picture {
        url: url.to_owned(),
        key: format!("images/{name}"),
        path: format!("images/{name}"),
    })
}

/// Points the page's pictures at the export's copies. A stored width that could not be copied
/// is left out of its picture (a picture with no width left shows its themed placeholder), so
/// the export never links back to the platform.
pub fn localize(page: &mut Page, copied: &[Picture]) {
    let by_url: BTreeMap<&str, &str> = copied
        .iter()
        .map(|p| (p.url.as_str(), p.path.as_str()))
        .collect();
    for section in &mut page.sections {
        for slot in section.content.image_slots_mut() {
            let Some(picture) = slot.picture.as_mut() else {
                continue;
            };
            picture.sources.retain_mut(|source| {
                match by_url.get(source.url.as_str()) {
                    Some(path) => {
                        source.url = (*path).to_owned();
                        true
                    }
                    // Someone else's image (an https URL a slot was given) stays as it is.
                    None => stored(&source.url).is_none(),
                }
            });
            if picture.sources.is_empty() {
                slot.picture = None;
            }
        }
    }
}
