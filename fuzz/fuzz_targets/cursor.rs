//! Pagination cursors: opaque to clients, so any string may come back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use visions_api::cursor::CursorCodec;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let codec = CursorCodec::new(b"a-cursor-key-for-fuzzing-32-bytes!");
    if let Ok(position) = codec.decode("alice", &text) {
        panic!("a forged cursor decoded to {position:?}");
    }
    // What we encode (positions are short: ids and numbers) decodes, for its owner only.
    if text.len() > 64 {
        return;
    }
    let cursor = codec.encode("alice", &text);
    assert_eq!(codec.decode("alice", &cursor).ok().as_deref(), Some(&*text));
    assert!(codec.decode("bob", &cursor).is_err());
});
