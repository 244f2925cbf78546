//! The generation API Lambda: `POST …/generate`, `…/regenerate`, `/v1/jobs/{id}`, versions.

use visions_shared::{config::Config, http, runtime, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let runtime = runtime::build(&config).await?;
    lambda_http::run(http::app(runtime.state)).await
}
