//! `visions-ai`: the whole API on your machine, and the tools around it.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = visions_ai::commands::Cli::parse();
    match visions_ai::commands::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
