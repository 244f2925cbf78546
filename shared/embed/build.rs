//! Compiles the built-in embedder's vocabulary (`model/vocab.txt`, one piece per line, the line
//! number its id) into a perfect-hash map, `$OUT_DIR/vocab.rs`: a cold start looks pieces up in
//! a table already built instead of hashing 30,522 of them into a map first.

use std::error::Error;
use std::io::Write;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=model/vocab.txt");
    let vocab = std::fs::read_to_string("model/vocab.txt")?;
    let mut map = phf_codegen::Map::new();
    let mut seen = std::collections::HashSet::new();
    for (id, piece) in vocab.lines().enumerate() {
        if !seen.insert(piece) {
            return Err(format!("model/vocab.txt repeats {piece:?} (line {})", id + 1).into());
        }
        map.entry(piece, id.to_string());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("vocab.rs");
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(
        file,
        "/// The built-in vocabulary: piece → id.\nstatic VOCAB: phf::Map<&'static str, u32> = {};",
        map.build()
    )?;
    Ok(())
}
