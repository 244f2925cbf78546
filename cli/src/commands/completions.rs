//! `visions-ai completions SHELL`: the shell's completion script on stdout.

use clap::CommandFactory;

#[derive(clap::Args)]
pub struct Args {
    /// e.g. `visions-ai completions bash > ~/.local/share/bash-completion/completions/visions-ai`.
    shell: clap_complete::Shell,
}

pub fn run(args: Args) {
    let mut command = super::Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "visions-ai",
        &mut std::io::stdout(),
    );
}
