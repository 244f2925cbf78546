//! How long an export takes to package and zip, beside Info-ZIP's `zip` on the same files.
//!
//! The page is `tests/fixtures/sample-page.json` (all 13 section types) with PICTURES WebP files
//! of realistic sizes (drawn by the offline art generator and encoded as the optimize stage
//! does). Each format is packaged and zipped RUNS times (median); the same files, written to a
//! folder, are zipped by `zip -q -r` (Info-ZIP, deflate level 6 like ours, WebP stored with -n)
//! RUNS times. Both produce the archive in full; the ratio is ours over `zip`'s.
//!
//! Run: `cargo bench -p visions-tests --bench export_package [-- PICTURES RUNS]`

use std::time::{Duration, Instant};

use visions_domain::page::Page;
use visions_export::{ExportFormat, File, package, zip};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let count = args.first().copied().unwrap_or(30);
    let runs = args.get(1).copied().unwrap_or(15);
    let page: Page = serde_json::from_str(include_str!("../fixtures/sample-page.json"))
        .expect("the sample page parses");

    // Realistic pictures: the offline generator's art, through the optimize stage, at every
    // width pages use (5 per picture).
    let palette = [[0x6B, 0x3E, 0x26], [0xF4, 0xE9, 0xDC], [0x2F, 0x5D, 0x50]];
    let pictures: Vec<File> = (0..count.div_ceil(5))
        .flat_map(|i| {
            let art =
                visions_imaging::art::paint(&format!("export bench {i}"), &palette, 2400, 1800);
            let png = visions_imaging::png(&art).expect("encodes");
            let optimized = visions_imaging::optimize(
                &png,
                &visions_imaging::Options::default(),
                &visions_imaging::Limits::default(),
            )
            .expect("optimizes");
            optimized.variants.into_iter().map(move |v| File {
                path: format!("images/picture-{i}-{}w.webp", v.width),
                bytes: v.webp,
            })
        })
        .take(count)
        .collect();
    let picture_bytes: usize = pictures.iter().map(|p| p.bytes.len()).sum();
    println!(
        "{count} pictures, {} KB; median of {runs} runs",
        picture_bytes / 1024
    );
    println!("| format | files | zip | package + zip (ours) | `zip -q -r` | ratio |");
    println!("|---|---|---|---|---|---|");
    for format in ExportFormat::ALL {
        let mut ours = Vec::new();
        let mut archive = Vec::new();
        let mut files = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let bundle = package(&page, format, pictures.clone());
            archive = zip(&bundle).expect("zips");
            ours.push(start.elapsed());
            files = bundle.files.len();
        }
        // The same files on disk, zipped by Info-ZIP.
        let folder = tempfile::tempdir().expect("a folder");
        let bundle = package(&page, format, pictures.clone());
        for file in &bundle.files {
            let path = folder.path().join(&bundle.root).join(&file.path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&path, &file.bytes).expect("write");
        }
        let mut theirs = Vec::new();
        for run in 0..runs {
            let out = folder.path().join(format!("out-{run}.zip"));
            let start = Instant::now();
            let status = std::process::Command::new("zip")
                .current_dir(folder.path())
                .args(["-q", "-r", "-6", "-n", ".webp"])
                .arg(&out)
                .arg(&bundle.root)
                .status()
                .expect("Info-ZIP `zip` is installed (apt-get install zip)");
            theirs.push(start.elapsed());
            assert!(status.success());
        }
        let (ours, theirs) = (median(ours), median(theirs));
        println!(
            "| {format} | {files} | {} KB | {:.2} ms | {:.2} ms | {:.2} |",
            archive.len() / 1024,
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }
}
