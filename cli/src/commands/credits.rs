//! `visions-ai credits`: the balance, what is held, and the tier.

use serde_json::Value;

use super::common::{Common, text};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let result = args
        .common
        .with_client(async |client| client.get("/v1/credits").await)
        .await;
    args.common.print(&result?, |account| {
        let number = |key: &str| account.get(key).and_then(Value::as_u64).unwrap_or(0);
        format!(
            "{} credits available, {} held for work in progress ({} tier)",
            number("balance"),
            number("held"),
            text(account, "tier")
        )
    });
    Ok(())
}
