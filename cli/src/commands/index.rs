//! `visions-ai index`: build the design index, add a team's own pages to it, measure its
//! retrieval on a labelled set, and benchmark the vector index on raw vector files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use visions_designs::store::{DESIGN_INDEX, IndexStore};
use visions_designs::{Design, DesignIndex, Mode};
use visions_embed::{Embedder, Embedders};
use visions_llm::embeddings::ProviderEmbedders;

use crate::stack::Stack;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Build the design index from a corpus and publish it as the current generation (the data
    /// folder locally, the index bucket on AWS).
    Build(Build),
    /// Read your own landing pages (every .html file in DIR) into design records and add them
    /// to the current index, as a new generation.
    Add(Add),
    /// Recall@3 and MRR per language on a labelled query set, for BM25, the embedder and both.
    Eval(Eval),
    /// Build time, size, single-query latency and recall of the vector index on raw
    /// little-endian f32 files.
    Bench(Bench),
}

#[derive(clap::Args)]
pub struct Build {
    /// A folder with `records.json` (an array of design records; see the schema beside the
    /// built-in corpus). The built-in corpus when absent.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// `minilm-static-v1` (built in), or a provider's embedding model such as
    /// `openai:text-embedding-3-small`.
    #[arg(long, default_value = visions_embed::BUILTIN_NAME)]
    embedder: String,
    #[arg(long, env = "VISIONS_DATA_DIR")]
    data: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct Add {
    /// Folder of .html pages.
    dir: PathBuf,
    #[arg(long, env = "VISIONS_DATA_DIR")]
    data: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct Eval {
    /// Labelled queries (`[{id, lang, query, relevant}]`); the built-in set when absent.
    #[arg(long)]
    queries: Option<PathBuf>,
    #[arg(long, default_value = visions_embed::BUILTIN_NAME)]
    embedder: String,
    /// Also list the queries each mode misses.
    #[arg(long)]
    misses: bool,
}

#[derive(clap::Args)]
pub struct Bench {
    /// Rows to index: raw little-endian f32, `dim` per row.
    #[arg(long)]
    base: PathBuf,
    /// Queries, in the same format (the first 200 are timed).
    #[arg(long)]
    queries: PathBuf,
    #[arg(long)]
    dim: usize,
    #[arg(long, default_value_t = 10)]
    k: usize,
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Build(args) => build(args).await,
        Command::Add(args) => add(args).await,
        Command::Eval(args) => eval(args).await,
        Command::Bench(args) => bench(args),
    }
}

/// The stack's index store and every embedder this configuration can run.
async fn store(data: Option<PathBuf>) -> anyhow::Result<(IndexStore, ProviderEmbedders)> {
    let config = super::config(data)?;
    let stack = Stack::build(&config).await?;
    let blobs = stack.adapters.indexes.clone().ok_or_else(|| {
        anyhow::anyhow!("no index bucket is configured: set VISIONS_INDEX_BUCKET")
    })?;
    let embedders = ProviderEmbedders::new((*stack.models).clone(), stack.adapters.secrets.clone());
    Ok((IndexStore::new(blobs, DESIGN_INDEX), embedders))
}

async fn build(args: Build) -> anyhow::Result<()> {
    let designs = match &args.corpus {
        Some(dir) => read_corpus(dir)?,
        None => visions_designs::corpus::records()?,
    };
    let (store, embedders) = store(args.data).await?;
    let embedder = embedders.get(&args.embedder)?;
    let index = embed(designs, embedder.as_ref()).await?;
    publish(&store, &index).await
}

/// Reads `DIR/records.json`, refusing any record the schema refuses (with the record's id
/// and what is wrong).
fn read_corpus(dir: &Path) -> anyhow::Result<Vec<Design>> {
    let path = dir.join("records.json");
    let raw =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let problems = visions_designs::corpus::validate(&raw);
    if !problems.is_empty() {
        anyhow::bail!(
            "{} does not match the design schema:\n{}",
            path.display(),
            problems.join("\n")
        );
    }
    serde_json::from_str(&raw)
        .with_context(|| format!("{} is not a list of design records", path.display()))
}

async fn embed(designs: Vec<Design>, embedder: &dyn Embedder) -> anyhow::Result<DesignIndex> {
    let bar = ProgressBar::new(designs.len() as u64).with_style(ProgressStyle::with_template(
        "embedding {bar:30} {pos}/{len} designs ({elapsed})",
    )?);
    let texts: Vec<String> = designs.iter().map(Design::search_text).collect();
    let mut vectors = Vec::with_capacity(texts.len());
    for batch in texts.chunks(64) {
        vectors.extend(embedder.embed(batch).await?);
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    Ok(DesignIndex::new(designs, embedder.name(), vectors)?)
}

async fn publish(store: &IndexStore, index: &DesignIndex) -> anyhow::Result<()> {
    let generation = format!("g{}", uuid::Uuid::now_v7().simple());
    let manifest = store.publish(index, &generation).await?;
    println!("{}", serde_json::to_string_pretty(&manifest)?);
    Ok(())
}

async fn add(args: Add) -> anyhow::Result<()> {
    let (store, embedders) = store(args.data).await?;
    let (mut designs, embedder) = match store.manifest().await? {
        Some(manifest) => {
            let index = store.load(&manifest).await?;
            (
                index.designs().cloned().collect(),
                embedders.get(&manifest.embedder)?,
            )
        }
        None => (
            visions_designs::corpus::records()?,
            embedders.get(visions_embed::BUILTIN_NAME)?,
        ),
    };
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .with_context(|| format!("reading {}", args.dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("html") || x.eq_ignore_ascii_case("htm"))
        })
        .collect();
    pages.sort();
    if pages.is_empty() {
        anyhow::bail!("{} holds no .html page", args.dir.display());
    }
    let mut added = 0;
    for page in &pages {
        let name = page.file_stem().and_then(|s| s.to_str()).unwrap_or("page");
        let html = match std::fs::read(page) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("skipped {}: {e}", page.display());
                continue;
            }
        };
        match visions_designs::ingest::page(name, &html) {
            Ok(design) => {
                eprintln!(
                    "{}: {} ({}, {}): {}",
                    page.display(),
                    design.id,
                    design.industry,
                    design.conversion_goal,
                    design.section_sequence.join(" → ")
                );
                designs.retain(|d| d.id != design.id);
                designs.push(design);
                added += 1;
            }
            Err(e) => eprintln!("skipped {}: {e}", page.display()),
        }
    }
    if added == 0 {
        anyhow::bail!("no page of {} could be read", args.dir.display());
    }
    let index = embed(designs, embedder.as_ref()).await?;
    publish(&store, &index).await
}

async fn eval(args: Eval) -> anyhow::Result<()> {
    let raw = match &args.queries {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => visions_designs::corpus::QUERIES.to_owned(),
    };
    let queries = visions_designs::corpus::queries(&raw).context("not a labelled query set")?;
    let embedder: Arc<dyn Embedder> = if args.embedder == visions_embed::BUILTIN_NAME {
        visions_embed::StaticEmbedder::builtin()?
    } else {
        let config = super::config(None)?;
        let stack = Stack::build(&config).await?;
        ProviderEmbedders::new((*stack.models).clone(), stack.adapters.secrets.clone())
            .get(&args.embedder)?
    };
    let index = embed(visions_designs::corpus::records()?, embedder.as_ref()).await?;
    let reports =
        visions_designs::eval::run(&index, embedder.as_ref(), &queries, &Mode::ALL).await?;
    println!(
        "{} queries, {} designs, embedder {}\n",
        queries.len(),
        index.len(),
        embedder.name()
    );
    println!("| mode | language | queries | recall@3 | MRR |\n|---|---|---|---|---|");
    for report in &reports {
        for (lang, score) in &report.by_language {
            println!(
                "| {} | {lang} | {} | {:.3} | {:.3} |",
                report.mode.as_str(),
                score.queries,
                score.recall_at_3,
                score.mrr
            );
        }
    }
    if args.misses {
        for report in &reports {
            println!(
                "\n{} misses: {}",
                report.mode.as_str(),
                report.misses.join(", ")
            );
        }
    }
    Ok(())
}

fn bench(args: Bench) -> anyhow::Result<()> {
    let read = |path: &Path| -> anyhow::Result<Vec<f32>> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(visions_vectors::bench::read_raw(&bytes, args.dim)?)
    };
    let base = read(&args.base)?;
    let queries = read(&args.queries)?;
    let report = visions_vectors::bench::run(base, &queries, args.dim, args.k)?;
    let micros = |d: std::time::Duration| d.as_secs_f64() * 1e6;
    let latency = |l: &visions_vectors::bench::Latency| {
        serde_json::json!({
            "p50_us": micros(l.p50), "p99_us": micros(l.p99), "qps": l.qps, "recall": l.recall,
        })
    };
    let json = serde_json::json!({
        "rows": report.rows,
        "dim": report.dim,
        "k": report.k,
        "build_s": report.build.as_secs_f64(),
        "index_bytes": report.index_bytes,
        "load_ms": report.load.as_secs_f64() * 1e3,
        "exact": latency(&report.exact),
        "ivf_lists": report.lists,
        "ivf": report.ivf.iter().map(|(nprobe, l)| {
            let mut v = latency(l);
            if let Some(map) = v.as_object_mut() {
                map.insert("nprobe".into(), nprobe.to_owned().into());
            }
            v
        }).collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}
