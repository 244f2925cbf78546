//! The projects Lambda: `/v1/projects…`, `/healthz` and `/v1/openapi.json` behind API Gateway.

use visions_shared::{config::Config, http, runtime, telemetry};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    telemetry::init();
    let config = Config::from_env()?;
    let runtime = runtime::build(&config).await?;
    lambda_http::run(http::app(runtime.state)).await
}
