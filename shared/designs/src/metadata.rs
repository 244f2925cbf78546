// What a design index file carries as its metadata (the vector file's opaque last section):
//
// ```text
// magic     8 bytes  "VSDESGN1"
// designs   u64 length, then the designs as a JSON array, one per row, in row order
// postings  the rest: their BM25 postings, as `Bm25::to_bytes` writes them
// ```
//
// The postings ride in the file so that opening it (a cold start, a new generation) reads
// them instead of tokenizing every design; the file's checksum covers them. A file written
// before carries the bare JSON array (it begins with `[`, never with the magic), and its
// postings are made as it is read. `build.rs` includes this file to write the built-in
// corpus's index (so it has no inner doc comment: see `mod metadata` in `lib.rs`).

pub const DESIGNS_MAGIC: [u8; 8] = *b"VSDESGN1";

/// The metadata of `designs` (their JSON array) and their `postings`.
pub fn designs_metadata(designs: &[u8], postings: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + designs.len() + postings.len());
    out.extend_from_slice(&DESIGNS_MAGIC);
    out.extend_from_slice(&(designs.len() as u64).to_le_bytes());
    out.extend_from_slice(designs);
    out.extend_from_slice(postings);
    out
}

/// The designs' JSON and, when the file carries them, their postings; `None` when the
/// metadata is cut short of the length it states.
pub fn split_designs_metadata(metadata: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let Some(rest) = metadata.strip_prefix(&DESIGNS_MAGIC) else {
        return Some((metadata, None));
    };
    let (length, rest) = rest.split_first_chunk::<8>()?;
    let length = usize::try_from(u64::from_le_bytes(*length)).ok()?;
    let (designs, postings) = rest.split_at_checked(length)?;
    Some((designs, Some(postings)))
}
