//! Exports, both ways: any page JSON that parses into the page model packages in every format
//! and zips; any bytes handed to `unpack` (a download the CLI receives) are unpacked inside
//! the folder or refused, never written outside it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_domain::page::Page;
use visions_export::{ExportFormat, package, unpack_within, zip};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let inside = folder.path().join("export");
        let _ = unpack_within(rest, &inside, 1 << 20);
        for entry in std::fs::read_dir(folder.path()).expect("the folder reads") {
            let name = entry.expect("an entry").file_name();
            assert_eq!(name, "export", "unpack wrote outside its folder");
        }
        return;
    }
    let Ok(page) = serde_json::from_slice::<Page>(rest) else {
        return;
    };
    for format in ExportFormat::ALL {
        let bundle = package(&page, format, Vec::new());
        assert!(!bundle.files.is_empty());
        zip(&bundle).expect("a bundle zips");
    }
});
