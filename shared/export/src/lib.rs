//! A page version packaged to take away, as a zip: a static site (`html`), a Vite + React +
//! TypeScript project (`react`) or a Next.js App Router project (`nextjs`).
//!
//! Every format shows the page as the platform renders it: the static site is the renderer's
//! own document with its stylesheet in a file; the two codebases lay out
//! [`visions_page::view::PageData`] (every decision the renderer takes, already taken) with
//! one component per section type and the renderer's stylesheet. The page's pictures travel
//! in the zip (`images/`), so the export needs nothing from the platform once downloaded.

mod archive;
mod codebase;
mod pictures;
mod site;

pub use archive::{MAX_UNPACKED_BYTES, UnpackError, unpack, unpack_within, zip};
pub use pictures::{Picture, localize, pictures_of};
pub use visions_domain::job::ExportFormat;

use visions_domain::page::Page;

/// One file of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative, with `/` separators.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl File {
    fn text(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            bytes: text.into().into_bytes(),
        }
    }
}

/// An export before it is zipped: the folder the zip unpacks to, and its files.
#[derive(Debug)]
pub struct Bundle {
    /// e.g. `rosas-bakery-react`.
    pub root: String,
    pub files: Vec<File>,
}

/// Where the page will be published, when it is known: an `https://` URL.
#[derive(Clone, Debug, Default)]
pub struct Site {
    pub url: Option<String>,
}

impl Site {
    /// The page's canonical URL (the project's site), if it has one.
    pub fn of(page: &Page) -> Self {
        Self {
            url: page
                .seo
                .canonical_url
                .as_deref()
                .and_then(visions_page::safe_href)
                .filter(|url| url.starts_with("https://")),
        }
    }
}

/// Packages `page` (its pictures already [`localize`]d) as `format`.
pub fn package(page: &Page, format: ExportFormat, pictures: Vec<File>) -> Bundle {
    let site = Site::of(page);
    let data = visions_page::view::page_data(page);
    let root = format!("{}-{}", slug(&data.business), format.as_str());
    let files = match format {
        ExportFormat::Html => site::static_site(page, &site, pictures),
        ExportFormat::React => codebase::react(page, &data, &site, pictures),
        ExportFormat::Nextjs => codebase::nextjs(page, &data, &site, pictures),
    };
    Bundle { root, files }
}

/// A folder name from the business name: lower-case ASCII letters, digits and dashes.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') && c != '\'' && c != '\u{2019}' {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(48).collect();
    if out.is_empty() { "page".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn folder_names_are_plain() {
        assert_eq!(slug("Rosa's Bakery"), "rosas-bakery");
        assert_eq!(slug("  Café Noir — Lyon "), "caf-noir-lyon");
        assert_eq!(slug("東京"), "page");
    }
}
