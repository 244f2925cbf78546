mod aws_bootstrap;
mod check;
mod create;
mod facts;
mod index;
mod openapi;
mod optimize;
mod serve;
mod token;

use std::path::PathBuf;

use crate::config::{Backend, Config};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "visions-ai",
    version,
    about = "Visions AI: prompt in, production-ready landing page out"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a landing page from a prompt, right here, and write index.html and page.json.
    Create(create::Args),
    /// Serve the whole API (every function's routes) on this machine.
    Serve(serve::Args),
    /// Print a JWT the local server accepts.
    Token(token::Args),
    /// Create the table and secrets on an AWS emulator (AWS_ENDPOINT_URL) and print the
    /// environment that points `serve` at them.
    AwsBootstrap(aws_bootstrap::Args),
    /// Print the whole API's OpenAPI document (every function's routes).
    Openapi,
    /// Print the facts a brief states, as generation reads them; or, with --eval, score that
    /// reading on a labelled set.
    Facts(facts::Args),
    /// The design index: build it, add your own pages, measure retrieval, benchmark search.
    #[command(subcommand)]
    Index(index::Command),
    /// Run the quality gate on a page.json or an HTML file; exits 1 when it is not publishable.
    Check(check::Args),
    /// Make the responsive WebP widths of an image, as the optimize stage does, and print JSON:
    /// per-stage timings and output sizes.
    Optimize(optimize::Args),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Create(args) => create::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Token(args) => token::run(args).await,
        Command::AwsBootstrap(args) => aws_bootstrap::run(args).await,
        Command::Openapi => openapi::run(),
        Command::Facts(args) => facts::run(args),
        Command::Index(command) => index::run(command).await,
        Command::Optimize(args) => optimize::run(args),
        Command::Check(args) => {
            if check::run(args)? {
                Ok(())
            } else {
                Err(anyhow::anyhow!("the page is not publishable"))
            }
        }
    }
}

/// Configuration from the environment, with `--data` taking precedence for the local backend.
fn config(data: Option<PathBuf>) -> anyhow::Result<Config> {
    let mut config = Config::from_env()?;
    if let (Backend::Local { data_dir }, Some(data)) = (&mut config.backend, data) {
        *data_dir = data;
    }
    Ok(config)
}
