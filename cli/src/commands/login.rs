//! `visions-ai login` and `logout`: point the commands at an API, or back at this machine.

use serde_json::json;

use super::common::{field, text};
use crate::client::Client;
use crate::client::login::Login;

#[derive(clap::Args)]
pub struct Args {
    /// The API's URL: `http://127.0.0.1:8787` for `visions-ai serve`, or a deployed stack's.
    #[arg(long)]
    api: String,
    /// An API key (`x-api-key`), required by a deployed stack.
    #[arg(long, env = "VISIONS_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Your token (`visions-ai token` for the local server, your identity provider otherwise).
    #[arg(long, env = "VISIONS_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub async fn login(args: Args) -> anyhow::Result<()> {
    let api = Login::parse_api(&args.api).map_err(anyhow::Error::msg)?;
    let login = Login {
        api,
        api_key: args.api_key.filter(|k| !k.trim().is_empty()),
        token: args.token.filter(|t| !t.trim().is_empty()),
    };
    // Saved only once the API accepts the credentials.
    let client = Client::remote(login.clone())?;
    let account = client.get("/v1/credits").await?;
    let path = login.save()?;
    let summary = json!({"api": login.api, "config": path, "account": account});
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "Logged in to {} ({} tier, {} credits). Saved in {} (readable by you only); `visions-ai logout` forgets it.",
            login.api,
            text(&account, "tier"),
            field(&account, "balance"),
            path.display()
        );
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct LogoutArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn logout(args: LogoutArgs) -> anyhow::Result<()> {
    let removed = Login::remove()?;
    if args.json {
        println!("{}", json!({"logged_out": removed}));
    } else if removed {
        println!("Logged out: commands run on this machine again.");
    } else {
        println!("Not logged in: commands run on this machine.");
    }
    Ok(())
}
