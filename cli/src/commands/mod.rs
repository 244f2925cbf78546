mod aws_bootstrap;
mod check;
mod common;
mod completions;
mod create;
mod credits;
mod export;
mod facts;
mod index;
mod jobs;
mod keys;
mod login;
mod openapi;
mod optimize;
mod projects;
mod serve;
mod token;
mod versions;

use std::path::PathBuf;

use crate::client::{ApiError, Exit};
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
    /// Make a landing page from a prompt: a project, its page, and the page written into a
    /// folder (index.html and page.json, or a React or Next.js project).
    Create(create::Args),
    /// Your projects.
    #[command(subcommand)]
    Projects(projects::Command),
    /// Generate a new page for a project (a new version).
    Generate(jobs::GenerateArgs),
    /// Jobs: follow one to its end.
    #[command(subcommand)]
    Jobs(jobs::Command),
    /// A project's versions.
    #[command(subcommand)]
    Versions(versions::Command),
    /// Export a version as a static site, a React or a Next.js project (a zip).
    Export(export::Args),
    /// Your credit balance and tier.
    Credits(credits::Args),
    /// Your API keys.
    #[command(subcommand)]
    Keys(keys::Command),
    /// Run the commands against an API (the local server or a deployed stack) from now on.
    Login(login::Args),
    /// Forget the login: commands run on this machine again.
    Logout(login::LogoutArgs),
    /// Print a shell completion script.
    Completions(completions::Args),
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

/// Runs the command line; the exit code says how it went (see [`crate::client::Exit`]).
pub async fn main(cli: Cli) -> std::process::ExitCode {
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            let exit = err
                .downcast_ref::<ApiError>()
                .map_or(Exit::Failure, |api| api.exit);
            eprintln!("error: {err:#}");
            std::process::ExitCode::from(exit as u8)
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Create(args) => create::run(args).await,
        Command::Projects(command) => projects::run(command).await,
        Command::Generate(args) => jobs::run_generate(args).await,
        Command::Jobs(command) => jobs::run(command).await,
        Command::Versions(command) => versions::run(command).await,
        Command::Export(args) => export::run(args).await,
        Command::Credits(args) => credits::run(args).await,
        Command::Keys(command) => keys::run(command).await,
        Command::Login(args) => login::login(args).await,
        Command::Logout(args) => login::logout(args),
        Command::Completions(args) => {
            completions::run(args);
            Ok(())
        }
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
pub(crate) fn config(data: Option<PathBuf>) -> anyhow::Result<Config> {
    let mut config = Config::from_env()?;
    if let (Backend::Local { data_dir }, Some(data)) = (&mut config.backend, data) {
        *data_dir = data;
    }
    Ok(config)
}
