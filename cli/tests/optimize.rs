//! `visions-ai optimize FILE --out DIR` as a user runs it: WebP files named by content hash,
//! and JSON with the source, each output and per-stage timings; a bad file is a clear error.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_visions-ai");

#[test]
fn optimize_writes_each_width_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let art = visions_imaging::art::paint("a mountain lake at dawn", &[[30, 90, 160]], 1800, 1200);
    let source = dir.path().join("lake.png");
    std::fs::write(&source, visions_imaging::png(&art).unwrap()).unwrap();
    let out = dir.path().join("web");
    let run = Command::new(BIN)
        .args([
            "optimize",
            source.to_str().unwrap(),
            "--widths",
            "320,1024,2400",
            "--quality",
            "75",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["source"]["format"], "png");
    assert_eq!(report["source"]["width"], 1800);
    let outputs = report["outputs"].as_array().unwrap();
    let widths: Vec<u64> = outputs
        .iter()
        .map(|o| o["width"].as_u64().unwrap())
        .collect();
    assert_eq!(
        widths,
        [1800, 1024, 320],
        "2400 is capped at the source's 1800"
    );
    for output in outputs {
        let file = std::path::Path::new(output["file"].as_str().unwrap());
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(bytes.len() as u64, output["bytes"].as_u64().unwrap());
        assert!(bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()));
        assert!(
            file.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("w.webp")
        );
    }
    for stage in ["decode_ms", "resize_ms", "encode_ms", "total_ms"] {
        assert!(report["timings"][stage].as_f64().unwrap() >= 0.0, "{stage}");
    }

    let html = dir.path().join("photo.jpg");
    std::fs::write(
        &html,
        b"<!DOCTYPE html><html><body>not an image</body></html>",
    )
    .unwrap();
    let run = Command::new(BIN)
        .args(["optimize", html.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("HTML document"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
