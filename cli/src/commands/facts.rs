//! `visions-ai facts`: what a brief states, as the pipeline reads it; with `--eval`, how well
//! that reading does on a labelled set (per-field precision and recall).

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The brief to read (omit with --eval).
    #[arg(required_unless_present = "eval")]
    brief: Option<String>,
    /// Score the reading against a labelled set (e.g. tests/fixtures/labelled-briefs.json)
    /// and print precision and recall per field.
    #[arg(long, value_name = "FILE", conflicts_with = "brief")]
    eval: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(path) = args.eval {
        let raw = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let set: Vec<visions_facts::eval::Labelled> = serde_json::from_str(&raw)
            .with_context(|| format!("{} is not a labelled set", path.display()))?;
        let report = visions_facts::eval::score(&set);
        println!("{} briefs\n\n{}", set.len(), report.table());
        return Ok(());
    }
    let brief = args.brief.unwrap_or_default();
    let facts = visions_facts::extract(&brief, visions_facts::Context::default());
    println!("{}", serde_json::to_string_pretty(&facts)?);
    Ok(())
}
