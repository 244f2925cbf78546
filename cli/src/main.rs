//! `visions-ai`: the whole API on your machine, a client for a deployed one, and the tools
//! around it.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    visions_ai::commands::main(visions_ai::commands::Cli::parse()).await
}
