//! Compiles the built-in embedder's vocabulary (`model/vocab.txt`, one piece per line, the line
//! number its id) into a perfect hash, `$OUT_DIR/vocab.rs`: a cold start looks pieces up in a
//! table already built instead of hashing 30,522 of them into a map first.
//!
//! The tables hold only integers, and the pieces one string: a table of 30,522 `&str` (what
//! `phf::Map<&str, _>` stores) is 30,522 pointers the dynamic loader must relocate, writing
//! 730 KB of pages, at every process start.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=model/vocab.txt");
    let vocab = std::fs::read_to_string("model/vocab.txt")?;
    let pieces: Vec<&str> = vocab.lines().collect();
    let mut seen = std::collections::HashSet::new();
    for (id, piece) in pieces.iter().enumerate() {
        if !seen.insert(piece) {
            return Err(format!("model/vocab.txt repeats {piece:?} (line {})", id + 1).into());
        }
    }
    let state = phf_generator::generate_hash(&pieces);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("vocab.pieces"), pieces.concat())?;

    let list = |values: &mut dyn Iterator<Item = String>| values.collect::<Vec<_>>().join(",");
    let mut starts = Vec::with_capacity(pieces.len() + 1);
    let mut at = 0usize;
    starts.push(0u32);
    for piece in &pieces {
        at += piece.len();
        starts.push(u32::try_from(at)?);
    }
    let mut rs = String::new();
    writeln!(
        rs,
        "/// The perfect hash's key (`phf_generator`'s, from its fixed seed)."
    )?;
    writeln!(rs, "const KEY: u64 = {};", state.key)?;
    writeln!(
        rs,
        "static DISPS: [(u32, u32); {}] = [{}];",
        state.disps.len(),
        list(&mut state.disps.iter().map(|(a, b)| format!("({a},{b})")))
    )?;
    writeln!(rs, "/// Slot → the id of the piece the hash puts there.")?;
    writeln!(
        rs,
        "static SLOTS: [u32; {}] = [{}];",
        state.map.len(),
        list(&mut state.map.iter().map(usize::to_string))
    )?;
    writeln!(
        rs,
        "/// Id → where its piece starts in `PIECES`; the next entry is where it ends."
    )?;
    writeln!(
        rs,
        "static STARTS: [u32; {}] = [{}];",
        starts.len(),
        list(&mut starts.iter().map(u32::to_string))
    )?;
    writeln!(rs, "/// Every piece, in id order, end to end.")?;
    writeln!(
        rs,
        "static PIECES: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/vocab.pieces\"));"
    )?;
    std::fs::write(out.join("vocab.rs"), rs)?;
    Ok(())
}
