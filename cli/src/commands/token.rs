use std::path::PathBuf;

use jsonwebtoken::Algorithm;
use visions_api::auth::{MAX_TOKEN_TTL_SECS, TokenRequest, issue_hs256};
use visions_domain::ports::SecretName;
use visions_domain::tier;

#[derive(clap::Args)]
pub struct Args {
    /// The user id (`sub`).
    #[arg(long)]
    user: String,
    #[arg(long, value_enum, default_value = "free")]
    tier: Tier,
    /// Grant the admin role.
    #[arg(long)]
    admin: bool,
    /// Lifetime in seconds (at most a year).
    #[arg(long, default_value_t = 3600,
          value_parser = clap::value_parser!(i64).range(1..=MAX_TOKEN_TTL_SECS))]
    ttl: i64,
    /// Data folder of the local server (where its signing secret lives).
    #[arg(long, env = "VISIONS_DATA_DIR")]
    data: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Tier {
    Free,
    Pro,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let config = super::config(args.data)?;
    anyhow::ensure!(
        config.jwt.algorithm == Algorithm::HS256,
        "with VISIONS_JWT_ALG=EdDSA tokens come from your identity provider; only HS256 tokens can be minted here"
    );
    let key = crate::stack::secrets(&config)
        .await?
        .get(SecretName::JwtKey)
        .await?;
    let tier = match args.tier {
        Tier::Free => tier::Tier::Free,
        Tier::Pro => tier::Tier::Pro,
    };
    let request = TokenRequest {
        sub: &args.user,
        tier,
        admin: args.admin,
        ttl_secs: args.ttl,
    };
    println!("{}", issue_hs256(&config.jwt, &key, &request)?);
    Ok(())
}
