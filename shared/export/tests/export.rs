//! Each format's files from a page with every section type, the pictures carried in, and the
//! zip's round trip, traversal and size refusals.

// A test asserts by unwrapping and indexing; the workspace lints are for code that handles input.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;

use visions_domain::page::{Page, Picture, PictureSource};
use visions_export::{Bundle, ExportFormat, File, UnpackError, localize, package, pictures_of};

fn sample() -> Page {
    serde_json::from_str(include_str!("../../../tests/fixtures/sample-page.json")).unwrap()
}

fn paths(bundle: &Bundle) -> Vec<&str> {
    bundle.files.iter().map(|f| f.path.as_str()).collect()
}

fn text<'a>(bundle: &'a Bundle, path: &str) -> &'a str {
    let file = bundle.files.iter().find(|f| f.path == path).unwrap();
    std::str::from_utf8(&file.bytes).unwrap()
}

#[test]
fn the_static_site_keeps_every_section_id_and_links_its_own_files() {
    let page = sample();
    let bundle = package(&page, ExportFormat::Html, Vec::new());
    assert!(bundle.root.ends_with("-html"), "{}", bundle.root);
    for path in [
        "index.html",
        "styles.css",
        "favicon.svg",
        "robots.txt",
        "README.md",
    ] {
        assert!(
            paths(&bundle).contains(&path),
            "{path}: {:?}",
            paths(&bundle)
        );
    }
    let html = text(&bundle, "index.html");
    for section in &page.sections {
        assert!(
            html.contains(&format!("data-section-id=\"{}\"", section.id)),
            "{} has no data-section-id",
            section.id
        );
    }
    assert!(html.contains("<link rel=\"stylesheet\" href=\"styles.css\">"));
    assert!(html.contains("<link rel=\"icon\" href=\"favicon.svg\">"));
    assert!(
        html.contains("style-src 'self'"),
        "the CSP allows the linked stylesheet"
    );
    assert!(!html.contains("<style>"));
    let css = text(&bundle, "styles.css");
    assert!(css.starts_with(":root{") && css.contains(".hero"));
}

#[test]
fn the_codebases_carry_one_component_per_section_type_and_the_page_as_data() {
    let page = sample();
    for (format, components, styles) in [
        (ExportFormat::React, "src/components/", "src/"),
        (ExportFormat::Nextjs, "components/", "app/"),
    ] {
        let bundle = package(&page, format, Vec::new());
        let all = paths(&bundle);
        for component in [
            "Hero",
            "Logos",
            "Features",
            "Benefits",
            "HowItWorks",
            "Testimonials",
            "Pricing",
            "Faq",
            "Stats",
            "Gallery",
            "Cta",
            "Contact",
            "Footer",
        ] {
            let path = format!("{components}sections/{component}.tsx");
            assert!(all.contains(&path.as_str()), "{format}: {path}");
        }
        let data = text(&bundle, &format!("{components}page-data.ts"));
        let json = data
            .split_once("export const page: PageData = ")
            .unwrap()
            .1
            .trim_end()
            .trim_end_matches(';');
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let ids: Vec<&str> = data["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["sectionId"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), page.sections.len() - 1, "all but the footer");
        assert_eq!(data["footer"]["sectionId"], "footer");
        assert_eq!(data["sections"][0]["level"], 1);
        assert!(text(&bundle, &format!("{styles}theme.css")).starts_with(":root{"));
        assert!(all.contains(&"public/favicon.svg") && all.contains(&"public/robots.txt"));
    }
}

fn with_pictures() -> Page {
    let mut page = sample();
    let source = |url: &str, width| PictureSource {
        url: url.into(),
        width,
        height: width * 3 / 4,
        bytes: 100,
    };
    for slot in page
        .sections
        .iter_mut()
        .flat_map(|s| s.content.image_slots_mut())
    {
        slot.picture = Some(Picture {
            asset_id: "a".into(),
            width: 1600,
            height: 1200,
            sources: vec![
                source("https://d1.cloudfront.net/images/abc-1600w.webp", 1600),
                source("/assets/images/abc-640w.webp", 640),
                source("https://elsewhere.example/photo-320.webp", 320),
            ],
            placeholder: String::new(),
        });
    }
    page
}

#[test]
fn pictures_travel_in_the_export_and_what_could_not_be_copied_is_left_out() {
    let mut page = with_pictures();
    let wanted = pictures_of(&page);
    let keys: Vec<&str> = wanted.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["images/abc-640w.webp", "images/abc-1600w.webp"]);
    // Only the 640 px width could be copied.
    let copied: Vec<_> = wanted
        .into_iter()
        .filter(|p| p.key.contains("640"))
        .collect();
    localize(&mut page, &copied);
    let pictures = File {
        path: "images/abc-640w.webp".into(),
        bytes: b"RIFF".to_vec(),
    };
    let bundle = package(&page, ExportFormat::Html, vec![pictures]);
    let html = text(&bundle, "index.html");
    assert!(
        html.contains(
            "srcset=\"images/abc-640w.webp 640w, https://elsewhere.example/photo-320.webp 320w\""
        ),
        "{html}"
    );
    assert!(!html.contains("cloudfront") && !html.contains("/assets/"));
    assert!(paths(&bundle).contains(&"images/abc-640w.webp"));
}

#[test]
fn the_zip_unpacks_to_the_same_files_and_is_the_same_every_time() {
    let bundle = package(&sample(), ExportFormat::React, Vec::new());
    let zip = visions_export::zip(&bundle).unwrap();
    assert_eq!(zip, visions_export::zip(&bundle).unwrap(), "reproducible");
    let folder = tempfile::tempdir().unwrap();
    let count = visions_export::unpack(&zip, folder.path()).unwrap();
    assert_eq!(count, bundle.files.len());
    for file in &bundle.files {
        assert_eq!(
            std::fs::read(folder.path().join(&file.path)).unwrap(),
            file.bytes
        );
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn hostile_zips_are_refused() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("out");
    for name in [
        "root/../../escaped.txt",
        "/etc/evil",
        "root/../../../tmp/x",
        "root/../escaped.txt",
        "root/./../escaped.txt",
    ] {
        let zip = zip_of(&[(name, b"x")]);
        assert!(
            matches!(
                visions_export::unpack(&zip, &target),
                Err(UnpackError::UnsafePath(_))
            ),
            "{name}"
        );
    }
    assert!(!folder.path().join("escaped.txt").exists());
    let big = vec![0u8; 4096];
    let zip = zip_of(&[("root/a", &big), ("root/b", &big)]);
    assert!(matches!(
        visions_export::unpack_within(&zip, &target, 6000),
        Err(UnpackError::TooLarge)
    ));
    assert!(matches!(
        visions_export::unpack(b"not a zip", &target),
        Err(UnpackError::NotZip(_))
    ));
}
